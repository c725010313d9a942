"""The SQL rounding used by settlement and interest equals core.money.round_money to the cent, on the
database under test (SQLite's ROUND is float-based; settlement never uses it for a rounding decision)."""

from decimal import Decimal as D

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.core.money import ROUNDING_MODES, round_money
from shebao.core.sql import cents, from_cents, round_div

RULES = ["half_up", "half_even", "down", "up"]


def sql_contribution(base: D, rate: D, rule: str) -> D:
    base_cents = int(base * 100)
    micro = int(rate * 1_000_000)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {from_cents(round_div(f'(CAST({base_cents} AS BIGINT) * {micro})', 1_000_000, rule))}"
        )
        value = cur.fetchone()[0]
    return round_money(D(str(value)))


# Products landing exactly on x.xx5 (and just either side), where float rounding goes wrong.
TIES = [
    ("4812.00", "0.004"),  # 19.248 → 19.25
    ("7654.32", "0.08"),  # 612.3456 → 612.35
    ("7654.32", "0.005"),  # 38.2716 → 38.27
    ("1.00", "0.005"),  # 0.005 → 0.01 half_up, 0.00 half_even
    ("3.00", "0.005"),  # 0.015 → 0.02 both
    ("2.01", "0.005"),  # 0.01005
    ("10.50", "0.001"),  # 0.0105 → 0.01
    ("1.45", "0.5"),  # 0.725 → 0.73 (float 0.725 is 0.72499…)
    ("267.50", "0.01"),  # 2.675 → 2.68 (float rounds to 2.67)
    ("1234567.89", "0.123456"),
    ("0.01", "0.5"),  # 0.005
    ("0.03", "0.5"),  # 0.015
]


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(("base", "rate"), TIES)
def test_sql_rounding_matches_python_on_ties(base, rate, rule):
    assert sql_contribution(D(base), D(rate), rule) == round_money(D(base) * D(rate), rule)


@pytest.mark.django_db
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    base=st.decimals(min_value=D("0"), max_value=D("999999.99"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("0.999999"), places=6),
    rule=st.sampled_from(RULES),
)
def test_sql_rounding_matches_python(base, rate, rule):
    assert sql_contribution(base, rate, rule) == round_money(base * rate, rule)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "n", [-18_000_000, -6_000_001, -6_000_000, -5_999_999, -1, 0, 1, 6_000_000, 18_000_000, 30_000_000]
)
def test_signed_round_div_matches_python(rule, n):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {round_div(f'CAST({n} AS BIGINT)', 12_000_000, rule, signed=True)}")
        got = cur.fetchone()[0]
    assert D(got) == (D(n) / 12_000_000).quantize(D(1), rounding=ROUNDING_MODES[rule])


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.29", "7654.32", "1224.69", "0.01", "99999999.99", "4812"])
def test_cents_of_a_stored_money_value_is_exact(amount):
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {cents('%s')}", [str(D(amount))] if connection.vendor == "sqlite" else [D(amount)]
        )
        assert cur.fetchone()[0] == int(D(amount) * 100)
