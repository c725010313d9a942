"""ID numbers (GB 11643), credit codes (GB 32100) and organisation codes (GB 11714).

Worked examples were computed by hand (sums in the comments); properties are checked with hypothesis.
No test depends on the current date: ``today`` is always passed.
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.core.errors import DomainError, ValidationFailed
from shebao.core.idnumbers import (
    CREDIT_ALPHABET,
    CREDIT_WEIGHTS,
    PROVINCE_CODES,
    CreditCodeInfo,
    IdNumberInfo,
    convert_id_number_15_to_18,
    credit_code_check_char,
    format_org_code,
    id_number_check_char,
    id_number_mismatches,
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_org_code,
    make_credit_code,
    make_id_number,
    make_org_code,
    org_code_check_char,
    validate_credit_code,
    validate_id_number,
    validate_org_code,
)

TODAY = date(2024, 6, 30)
fast = settings(max_examples=40, deadline=None, database=None)
DIGITS = "0123456789"


def id_error(value: str, *, today: date = TODAY) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        validate_id_number(value, today=today)
    return exc.value


# --- ID number: worked examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number", "birth", "gender", "converted"),
    [
        # GB 11643's own example. Σ = 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2
        # = 167; 167 mod 11 = 2 → "10X98765432"[2] = X. Sequence 002 is even: female.
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "F", False),
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "F", False),
        (" １１０１０５１９４９１２３１００２ｘ ", "11010519491231002X", date(1949, 12, 31), "F", False),
        ("110105 19491231 002X", "11010519491231002X", date(1949, 12, 31), "F", False),
        # The same person's old 15-digit number: insert "19", recompute the check.
        ("110105491231002", "11010519491231002X", date(1949, 12, 31), "F", True),
        # Leap day; Σ = 188, 188 mod 11 = 1 → 0. Sequence 001: male.
        ("440305200002290010", "440305200002290010", date(2000, 2, 29), "M", False),
        # Check X in the middle of the alphabet's range; 1980-01-01, male.
        ("34052419800101001X", "34052419800101001X", date(1980, 1, 1), "M", False),
        # Earliest allowed birth date.
        ("110101190001010014", "110101190001010014", date(1900, 1, 1), "M", False),
        # Born today is not in the future. Sequence 000: female.
        ("650102202406300009", "650102202406300009", date(2024, 6, 30), "F", False),
    ],
)
def test_valid_id_numbers(raw, number, birth, gender, converted):
    info = validate_id_number(raw, today=TODAY)
    assert info == IdNumberInfo(
        number=number, birth_date=birth, gender=gender, province_code=number[:2], converted_from_15=converted
    )
    assert info.address_code == number[:6]


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "公民身份号码不能为空"),
        ("  　 ", "required", "公民身份号码不能为空"),
        ("11010519491231002", "length", "公民身份号码应为18位（旧版为15位），实际为 17 位"),
        ("11010519491231002X1", "length", "公民身份号码应为18位（旧版为15位），实际为 19 位"),
        ("1101051949123100X2", "invalid_char", "公民身份号码第17位应为数字，实际为「X」"),
        ("11O10519491231002X", "invalid_char", "公民身份号码第3位应为数字，实际为「O」"),
        ("11010519491231002Y", "invalid_char", "公民身份号码第18位应为数字或 X，实际为「Y」"),
        ("11010549123100X", "invalid_char", "公民身份号码第15位应为数字，实际为「X」"),
        ("110105194912310021", "check_char", "公民身份号码第18位校验码应为 X，实际为 1"),
        ("440305200002290013", "check_char", "公民身份号码第18位校验码应为 0，实际为 3"),
        ("44030520000229001X", "check_char", "公民身份号码第18位校验码应为 0，实际为 X"),
        # Check characters below are correct, so only the birth date is wrong.
        ("110105194913320027", "birth_date", "公民身份号码第7–14位的出生日期 19491332 不是有效日期"),
        ("110105190002290025", "birth_date", "公民身份号码第7–14位的出生日期 19000229 不是有效日期"),
        ("110105491332002", "birth_date", "公民身份号码第7–12位的出生日期 491332 不是有效日期"),
        ("110105189912310023", "birth_date", "公民身份号码中的出生日期 18991231 早于1900年"),
        ("110105202407010023", "birth_date", "公民身份号码中的出生日期 20240701 晚于当前日期 20240630"),
        (
            make_id_number("990105", date(1980, 1, 1), 1),
            "province",
            "公民身份号码第1–2位「99」不是有效的省级行政区划代码",
        ),
    ],
)
def test_invalid_id_numbers(raw, code, message):
    error = id_error(raw)
    assert (error.message, error.code, error.field) == (message, code, "id_number")
    assert isinstance(error, DomainError)
    assert str(error) == message


def test_message_names_the_bad_date_as_in_the_spec():
    assert "出生日期 19491332 不是有效日期" in id_error("110105194913320027").message


@pytest.mark.parametrize("province", sorted(PROVINCE_CODES))
def test_every_listed_province_is_accepted(province):
    assert validate_id_number(make_id_number(province + "0101", date(1990, 5, 17), 123), today=TODAY)


def test_province_list_is_the_one_in_the_spec():
    listed = [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66)]
    assert PROVINCE_CODES == {f"{n:02d}" for n in [*listed, 71, 81, 82]}
    assert len(PROVINCE_CODES) == 34


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "24", "30", "38", "40", "47", "55", "60", "66", "70", "72", "80", "83", "99"])  # fmt: skip
def test_unlisted_provinces_are_refused(province):
    assert id_error(make_id_number(province + "0101", date(1990, 5, 17), 123)).code == "province"


def test_the_birth_date_bound_moves_with_today():
    number = "110105202407010023"
    assert id_error(number, today=date(2024, 6, 30)).code == "birth_date"
    assert validate_id_number(number, today=date(2024, 7, 1)).birth_date == date(2024, 7, 1)


def test_today_may_be_given_as_a_datetime():
    from datetime import datetime

    assert validate_id_number("650102202406300009", today=datetime(2024, 6, 30, 23, 59)).gender == "F"


def test_field_name_can_be_overridden():
    with pytest.raises(ValidationFailed) as exc:
        validate_id_number("", field="spouse_id_number", today=TODAY)
    assert exc.value.field == "spouse_id_number"


@pytest.mark.parametrize(("seq", "gender"), [(0, "F"), (1, "M"), (2, "F"), (998, "F"), (999, "M")])
def test_gender_is_the_parity_of_the_sequence(seq, gender):
    assert validate_id_number(make_id_number("110105", date(1990, 1, 1), seq), today=TODAY).gender == gender


def test_age_on():
    info = validate_id_number("440305200002290010", today=TODAY)
    assert info.age_on(date(2024, 2, 28)) == 23
    assert info.age_on(date(2024, 2, 29)) == 24
    assert info.age_on(date(2023, 3, 1)) == 23


def test_is_valid_id_number():
    assert is_valid_id_number("11010519491231002X", today=TODAY)
    assert not is_valid_id_number("110105194912310021", today=TODAY)


# --- ID number: generator helpers -----------------------------------------------------------------------


def test_id_number_check_char_matches_the_standard_example():
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("44030520000229001") == "0"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X", "１１０１０５１９４９１２３１００２"])  # fmt: skip
def test_id_number_check_char_refuses_malformed_input(bad):
    with pytest.raises(ValueError):
        id_number_check_char(bad)


def test_make_id_number_pads_and_checks():
    assert make_id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    with pytest.raises(ValueError):
        make_id_number("11010", date(1949, 12, 31), 2)
    with pytest.raises(ValueError):
        make_id_number("110105", date(1949, 12, 31), 1000)
    with pytest.raises(ValueError):
        make_id_number("110105", date(1949, 12, 31), -1)


def test_convert_15_to_18():
    assert convert_id_number_15_to_18("110105491231002") == "11010519491231002X"
    with pytest.raises(ValueError):
        convert_id_number_15_to_18("11010549123100")


# --- ID number agrees with what the form says ------------------------------------------------------------


def test_matching_birth_date_and_gender_give_no_errors():
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert id_number_mismatches(info) == []
    assert id_number_mismatches(info, birth_date=date(1949, 12, 31), gender="F") == []
    assert id_number_mismatches(info, gender="女") == []
    assert id_number_mismatches(info, gender="f") == []


def test_mismatching_birth_date_and_gender_name_their_fields():
    info = validate_id_number("11010519491231002X", today=TODAY)
    errors = id_number_mismatches(info, birth_date=date(1949, 12, 30), gender="M")
    assert [(e.field, e.code) for e in errors] == [("birth_date", "mismatch"), ("gender", "mismatch")]
    assert errors[0].message == "出生日期 19491230 与公民身份号码中的出生日期 19491231 不一致"
    assert errors[1].message == "性别与公民身份号码不一致：公民身份号码第17位表示性别为女"


# --- ID number: properties ------------------------------------------------------------------------------

addresses = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(DIGITS, min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@fast
@given(addresses, births, sequences)
def test_every_generated_id_number_is_valid(address, birth, seq):
    number = make_id_number(address, birth, seq)
    info = validate_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.gender == ("M" if seq % 2 else "F")
    assert info.province_code == address[:2]
    assert not info.converted_from_15


@fast
@given(addresses, births, sequences)
def test_every_single_character_substitution_of_an_id_number_fails(address, birth, seq):
    # MOD 11-2 has non-zero weights and 11 is prime, so a different digit anywhere changes Σ mod 11. A change
    # in the date may give another real date, but then the check character fails.
    number = make_id_number(address, birth, seq)
    for i, original in enumerate(number):
        for replacement in DIGITS + "X" if i == 17 else DIGITS:
            if replacement != original:
                changed = number[:i] + replacement + number[i + 1 :]
                assert not is_valid_id_number(changed, today=TODAY), changed


@fast
@given(addresses, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_15_to_18_round_trip(address, birth, seq):
    number15 = f"{address}{birth:%y%m%d}{seq:03d}"
    info = validate_id_number(number15, today=TODAY)
    assert info.converted_from_15
    assert info.number == make_id_number(address, birth, seq)
    assert info.number[:6] + info.number[8:17] == number15
    assert info.birth_date == birth
    # The converted number is itself a valid 18-character number and converts to itself.
    assert validate_id_number(info.number, today=TODAY) == IdNumberInfo(
        info.number, info.birth_date, info.gender, info.province_code, converted_from_15=False
    )


@fast
@given(addresses, births, sequences)
def test_full_width_lower_case_and_spaced_forms_normalise(address, birth, seq):
    number = make_id_number(address, birth, seq)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    spaced = f" {number[:6]} {number[6:14]}\u3000{number[14:].lower()} "
    assert validate_id_number(full_width, today=TODAY).number == number
    assert validate_id_number(spaced, today=TODAY).number == number


# --- organisation code (GB 11714) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        # D=13: 13·3+2·7+1·9+4·10+3·5+5·8+6·4+9·2 = 199; 199 mod 11 = 1; 11−1 = 10 → X.
        ("D2143569-X", "D2143569X"),
        ("D2143569X", "D2143569X"),
        ("d2143569-x", "D2143569X"),
        ("Ｄ２１４３５６９－Ｘ", "D2143569X"),
        (" D214 3569-X ", "D2143569X"),
        # 1·3+2·7+3·9+4·10+5·5+6·8+7·4+8·2 = 201; 201 mod 11 = 3; 11−3 = 8.
        ("12345678-8", "123456788"),
        # Σ = 0; 11−0 = 11 → 0.
        ("00000000-0", "000000000"),
        # Body letters beyond the credit-code alphabet are allowed here (I=18, O=24, Z=35):
        # 18·3+24·7+35·9 = 537; 537 mod 11 = 9; 11−9 = 2.
        ("IOZ00000-2", "IOZ000002"),
    ],
)
def test_valid_org_codes(raw, normal):
    assert validate_org_code(raw) == normal
    assert is_valid_org_code(raw)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "组织机构代码不能为空"),
        ("D2143569", "length", "组织机构代码应为9位（可写作 12345678-9），实际为 8 位"),
        ("D2143569X0", "length", "组织机构代码应为9位（可写作 12345678-9），实际为 10 位"),
        ("D214-3569X", "format", "组织机构代码的连字符只能在第8位与第9位之间，如 12345678-9"),
        ("D2143569--X", "format", "组织机构代码的连字符只能在第8位与第9位之间，如 12345678-9"),
        ("D2143569X-", "format", "组织机构代码的连字符只能在第8位与第9位之间，如 12345678-9"),
        ("D21435*9-X", "invalid_char", "组织机构代码第7位应为数字或大写字母，实际为「*」"),
        ("D2143569-Y", "invalid_char", "组织机构代码第9位校验码应为数字或 X，实际为「Y」"),
        ("D2143569-1", "check_char", "组织机构代码第9位校验码应为 X，实际为 1"),
        ("12345678-X", "check_char", "组织机构代码第9位校验码应为 8，实际为 X"),
    ],
)
def test_invalid_org_codes(raw, code, message):
    with pytest.raises(ValidationFailed) as exc:
        validate_org_code(raw)
    assert (exc.value.message, exc.value.code, exc.value.field) == (message, code, "organisation_code")


def test_org_code_helpers():
    assert org_code_check_char("D2143569") == "X"
    assert make_org_code("12345678") == "123456788"
    assert format_org_code("D2143569X") == "D2143569-X"
    for bad in ["", "1234567", "123456789", "1234567*", "abcdefgh"]:
        with pytest.raises(ValueError):
            org_code_check_char(bad)


org_bodies = st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8)


@fast
@given(org_bodies)
def test_every_generated_org_code_is_valid(body):
    code = make_org_code(body)
    assert validate_org_code(code) == code
    assert validate_org_code(format_org_code(code)) == code


@fast
@given(org_bodies)
def test_single_substitutions_of_an_org_code_fail(body):
    # Digits in the body and every check character are covered. Letters are worth 10–35, so two letters whose
    # values differ by 11 or 22 (A and L, say) cannot be told apart by MOD 11: see the next test.
    code = make_org_code(body)
    for i in range(8):
        for replacement in DIGITS:
            if code[i] in DIGITS and replacement != code[i]:
                assert not is_valid_org_code(code[:i] + replacement + code[i + 1 :])
    for replacement in DIGITS + "X":
        if replacement != code[8]:
            assert not is_valid_org_code(code[:8] + replacement)


def test_mod_11_cannot_tell_letters_11_apart_but_the_credit_code_can():
    # A=10 and L=21 differ by 11: the organisation code check passes for both bodies.
    assert org_code_check_char("A0000000") == org_code_check_char("L0000000")
    good = make_credit_code("9", "1", "350100", "A0000000")
    swapped = good[:8] + "L" + good[9:]
    assert is_valid_credit_code(good)
    assert not is_valid_credit_code(swapped)


# --- credit code (GB 32100) -----------------------------------------------------------------------------


def test_credit_weights_are_powers_of_three_mod_31():
    assert CREDIT_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(CREDIT_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_ALPHABET)


@pytest.mark.parametrize(
    "raw",
    [
        # 9·1+1·3+3·9+5·27+0·19+1·26+0·16+0·17+M(21)·20+0·29+0·25+0·13+1·8+0·24+0·10+Y(30)·30+4·28 = 1640;
        # 1640 mod 31 = 28; 31−28 = 3. Organisation code M000100Y: 22·3+1·5+34·2 = 139; 139 mod 11 = 7; 11−7 = 4.
        "91350100M000100Y43",
        "914403001922038216",
        "9144030071526726XG",
        "91330100799655058B",
        "91110108551385082Q",
    ],
)
def test_valid_credit_codes(raw):
    info = validate_credit_code(raw)
    assert info == CreditCodeInfo(
        number=raw,
        registration_authority=raw[0],
        organisation_type=raw[1],
        division_code=raw[2:8],
        organisation_code=raw[8:17],
    )
    assert validate_org_code(info.organisation_code) == info.organisation_code


def test_credit_code_is_normalised():
    assert validate_credit_code(" 9144 0300 7152 6726xg ").number == "9144030071526726XG"
    assert validate_credit_code("９１３５０１００ｍ０００１００ｙ４３").number == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "统一社会信用代码不能为空"),
        ("91350100M000100Y4", "length", "统一社会信用代码应为18位，实际为 17 位"),
        ("91350100M000100Y433", "length", "统一社会信用代码应为18位，实际为 19 位"),
        ("9135I100M000100Y43", "invalid_char", "统一社会信用代码第5位字符「I」不允许使用"),
        ("91350100O000100Y43", "invalid_char", "统一社会信用代码第9位字符「O」不允许使用"),
        ("Z1350100M000100Y43", "invalid_char", "统一社会信用代码第1位字符「Z」不允许使用"),
        ("9S350100M000100Y43", "invalid_char", "统一社会信用代码第2位字符「S」不允许使用"),
        ("91350100M000100Y4V", "invalid_char", "统一社会信用代码第18位字符「V」不允许使用"),
        ("91350100M00-100Y43", "invalid_char", "统一社会信用代码第12位字符「-」不允许使用"),
        ("913501中0M000100Y43", "invalid_char", "统一社会信用代码第7位字符「中」不允许使用"),
        (
            "91A50100M000100Y43",
            "invalid_char",
            "统一社会信用代码第3位应为数字（第3–8位为行政区划码），实际为「A」",
        ),
        (
            "9135010XM000100Y43",
            "invalid_char",
            "统一社会信用代码第8位应为数字（第3–8位为行政区划码），实际为「X」",
        ),
        ("91350100M000100Y44", "check_char", "统一社会信用代码第18位校验码应为 3，实际为 4"),
        # Character 8 (weight 17) from 0 to 1: Σ = 1640 + 17 = 1657; 1657 mod 31 = 14; 31−14 = 17 → H.
        ("91350101M000100Y43", "check_char", "统一社会信用代码第18位校验码应为 H，实际为 3"),
        (
            "91350100M000200Y43",
            "org_check_char",
            "统一社会信用代码第9–17位（组织机构代码 M000200Y4）校验不通过：第17位应为 X，实际为 4",
        ),
    ],
)
def test_invalid_credit_codes(raw, code, message):
    with pytest.raises(ValidationFailed) as exc:
        validate_credit_code(raw)
    assert (exc.value.message, exc.value.code, exc.value.field) == (message, code, "credit_code")


def test_credit_code_helpers():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert make_credit_code("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    assert make_credit_code("9", "1", "440300", "71526726") == "9144030071526726XG"
    for args in [
        ("I", "1", "350100", "M000100Y"),
        ("9", "", "350100", "M000100Y"),
        ("9", "1", "35010A", "M000100Y"),
        ("9", "1", "350100", "M000100"),
        ("9", "1", "350100", "M00010OY"),
    ]:
        with pytest.raises(ValueError):
            make_credit_code(*args)
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100Y")


credit_chars = st.sampled_from(CREDIT_ALPHABET)
credit_codes = st.builds(
    make_credit_code,
    credit_chars,
    credit_chars,
    st.text(DIGITS, min_size=6, max_size=6),
    st.text(CREDIT_ALPHABET, min_size=8, max_size=8),
)


@fast
@given(credit_codes)
def test_every_generated_credit_code_is_valid(code):
    info = validate_credit_code(code)
    assert info.number == code
    assert is_valid_org_code(info.organisation_code)


@fast
@given(credit_codes)
def test_every_single_character_substitution_of_a_credit_code_fails(code):
    # Weights 3^i mod 31 are non-zero and 31 is prime: any other character anywhere changes Σ mod 31.
    for i, original in enumerate(code):
        for replacement in CREDIT_ALPHABET + "IOZSV":
            if replacement != original:
                changed = code[:i] + replacement + code[i + 1 :]
                assert not is_valid_credit_code(changed), changed


# --- robustness: any text gives a ValidationFailed, never another exception -----------------------------


@fast
@given(st.text(max_size=25))
def test_arbitrary_text_never_crashes_the_identifier_validators(text):
    for validate in (lambda v: validate_id_number(v, today=TODAY), validate_credit_code, validate_org_code):
        try:
            validate(text)
        except ValidationFailed:
            pass


@fast
@given(st.text("0123456789Xx ", min_size=14, max_size=20))
def test_digit_like_text_never_crashes_the_id_number_validator(text):
    try:
        validate_id_number(text, today=TODAY)
    except ValidationFailed:
        pass
