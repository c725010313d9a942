"""Table tests of the pure money rules (money.md worked examples), computed by hand."""

from decimal import Decimal as D

from shebao.individual_accounts import rules

# money.md: opening 50,000.00; 384.96 credited in each of 12 months; r = 2.62 %.
FULL_YEAR = [(m, D("384.96")) for m in range(1, 13)]


PARTIAL_YEAR = [(m, D("384.96")) for m in range(3, 13)]


def test_interest_full_year_worked_example():
    year = rules.close_account_year(D("50000.00"), FULL_YEAR, D("0.0262"))
    assert year.credits == D("4619.52")
    assert year.interest == D("1375.56")
    assert year.closing == D("55995.08")


def test_interest_partial_year_worked_example():
    year = rules.close_account_year(D("50000.00"), PARTIAL_YEAR, D("0.0262"))
    assert year.credits == D("3849.60")
    assert year.interest == D("1356.23")
    assert year.closing == D("55205.83")
