"""A decided declaration shows the checks as they stood at its decision, not a re-run on the record its
approval changed (an approved H01 would otherwise read 「✘ 不通过」: the person is now insured here)."""

import re

import pytest
from django.urls import reverse

from shebao.declarations import services
from shebao.declarations.models import State

from .conftest import TODAY, h01_raw
from .helpers import submit, submit_and_approve
from .test_journey import login

pytestmark = pytest.mark.django_db


def _checks_table(html: str) -> list[tuple[str, str]]:
    table = re.search(r'<table class="checks">(.*?)</table>', html, flags=re.S).group(1)
    rows = re.findall(r'<tr class="check-(\w+)"><td>(.*?)</td>', table)
    return [(label, status) for status, label in rows]


def test_approved_h01_shows_the_checks_that_passed_at_approval(personas):
    declaration = submit_and_approve(personas, "H01", h01_raw())
    assert declaration.state == State.COMPLETED
    # Re-run now, the same checks fail: the person is already insured here.
    definition_now = services._definition("H01").evaluate(
        declaration.data, employer=personas.employer_a, today=TODAY, declaration=declaration
    )
    assert definition_now.failed_checks

    html = login("reviewer").get(reverse("office:review_detail", args=[declaration.number])).content.decode()
    shown = _checks_table(html)
    assert shown and all(status == "pass" for _, status in shown)
    assert "✘" not in html.split('<table class="checks">')[1].split("</table>")[0]
    assert "审核通过将被拒绝" not in html
    assert "以下为审核决定时（2026-11-26）的检查结果" in html


def test_rejected_declaration_keeps_the_checks_it_was_rejected_with(personas):
    declaration = submit(personas, "H01", h01_raw(wage="120000.00"))
    claimed = services.declaration_claim(declaration=declaration, actor=personas.reviewer)
    rejected = services.declaration_reject(
        declaration=claimed, actor=personas.reviewer, comment="工资有误", today=TODAY
    )
    kept = rejected.decision_checks
    assert kept["on"] == "2026-11-26"
    assert {r["status"] for r in kept["results"]} == {"pass"}
    # the clamped-base note of the base check is kept word for word
    assert any("26250" in n.replace(",", "") for r in kept["results"] for n in r["notes"])


def test_open_declaration_is_checked_against_the_record_as_it_is(personas):
    declaration = submit(personas, "H01", h01_raw())
    evaluation = services.review_evaluation(declaration, today=TODAY)
    assert not getattr(evaluation, "decided", False) and evaluation.ok
