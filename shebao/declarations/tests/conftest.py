"""Fixtures for the declarations tests: a fixed "today" (tests never read the clock) and entry data."""

import datetime as dt

import pytest

from shebao.core.idnumbers import make_id_number
from shebao.core.period import Period

TODAY = dt.date(2026, 11, 26)
PERIOD = Period.from_date(TODAY)  # 202611
ALL_INSURANCES = ["pension", "medical", "unemployment", "injury", "maternity"]
NEW_ID = make_id_number("330106", dt.date(1995, 3, 8), 51)  # a man born 1995-03-08, not in the record


def h01_raw(**changes) -> dict:
    raw = {
        "id_number": NEW_ID,
        "name": "刘洋",
        "gender": "M",
        "birth_date": "1995-03-08",
        "ethnicity": "汉族",
        "hukou_type": "local_urban",
        "phone": "13900000001",
        "address": "杭州市西湖区文二路1号",
        "employment_form": "contract",
        "start_period": "202611",
        "wage": "8000.00",
        "insurances": list(ALL_INSURANCES),
    }
    raw.update(changes)
    return raw


@pytest.fixture(autouse=True)
def _fixed_today(settings):
    """Pages take the office's date from settings.SHEBAO_FIXED_TODAY when set (declarations.clock)."""
    settings.SHEBAO_FIXED_TODAY = TODAY
