import datetime as dt

from shebao.certificates.numbers import LENGTH, is_well_formed, make_number, normalise


def test_numbers_carry_a_keyed_check():
    number = make_number(dt.date(2024, 3, 15))
    assert len(number) == LENGTH and number.startswith("ZM20240315")
    assert is_well_formed(number)
    for position in range(2, LENGTH):
        for replacement in "3A":
            changed = number[:position] + replacement + number[position + 1 :]
            if changed != number:
                assert not is_well_formed(changed), changed
    assert not is_well_formed(number[:-1]) and not is_well_formed("ZM" + "0" * 20)
    assert normalise(f" {number.lower()} ") == number


def test_numbers_are_not_sequential():
    numbers = {make_number(dt.date(2024, 3, 15)) for _ in range(200)}
    assert len(numbers) == 200
