"""The whole journey over HTTP with tokens only: an employer's payroll software submits H01, a staff token
approves it, Q02 lists the person, and after settlement Q03 shows money.md's figures."""

import pytest

from shebao.contributions.services import settlement_run
from shebao.declarations.tests.conftest import NEW_ID, h01_raw

pytestmark = pytest.mark.django_db


def test_h01_over_the_api_to_q03_after_settlement(personas, api_a, api_reviewer):
    # Dry run first: no errors, the wage 7,654.32 is within the 2026 limits (5,250–26,250).
    raw = h01_raw(wage="7654.32")
    checked = api_a.post("/handling/H01/validate", raw).json()
    assert checked["ok"] and not any(c["notes"] for c in checked["checks"])

    created = api_a.post("/handling/H01/declarations", raw, headers={"Idempotency-Key": "hr-0001"})
    assert created.status_code == 201
    number = created.json()["number"]
    assert api_a.get("/queries/Q02", {"q": NEW_ID}).json()["count"] == 0  # not before approval

    assert api_reviewer.post(f"/office/declarations/{number}/claim").status_code == 200
    approved = api_reviewer.post(f"/office/declarations/{number}/approve", {"comment": "同意"})
    assert approved.json()["state"] == "completed"
    assert api_a.get(f"/declarations/{number}").json()["state"] == "completed"

    roster = api_a.get("/queries/Q02", {"q": NEW_ID}).json()
    assert [(r["id_number"], r["name"], r["start_period"], r["declared_wage"]) for r in roster["rows"]] == [
        (NEW_ID, "刘洋", 202611, "7654.32")
    ]

    settlement_run(period=202611)
    # money.md, row 7,654.32: pension 1,224.69 / 612.35, medical 688.89 / 153.09, unemployment 38.27 / 38.27,
    # injury 30.62, maternity 38.27; employer 2,020.74, individual 803.71, total 2,824.45.
    mine = api_a.get("/queries/Q03", {"period": 202611, "part": "total", "q": NEW_ID}).json()
    assert {
        r["insurance"]: (r["base"], r["employer_amount"], r["individual_amount"]) for r in mine["rows"]
    } == {
        "pension": ("7654.32", "1224.69", "612.35"),
        "medical": ("7654.32", "688.89", "153.09"),
        "unemployment": ("7654.32", "38.27", "38.27"),
        "injury": ("7654.32", "30.62", "0.00"),
        "maternity": ("7654.32", "38.27", "0.00"),
    }
    assert mine["totals"] == {"employer_amount": "2020.74", "individual_amount": "803.71", "total": "2824.45"}
    # The employer's whole period: money.md's three rows (the employees already there) plus this one:
    # employer 1,270.37 + 2,020.74 + 6,351.84 + 2,020.74 = 11,663.69; individual 505.26 + 803.71 + 2,526.30
    # + 803.71 = 4,638.98; total 16,302.67.
    summary = api_a.get("/queries/Q03", {"period": 202611}).json()
    assert summary["totals"] == {
        "employer_amount": "11663.69",
        "individual_amount": "4638.98",
        "total": "16302.67",
    }
    assert {r["label"]: r["headcount"] for r in summary["rows"]} == {
        "养老": 4,
        "医疗": 4,
        "失业": 4,
        "工伤": 4,
        "生育": 4,
    }
