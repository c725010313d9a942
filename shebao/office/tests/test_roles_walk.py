"""Every office URL opened by a staff user holding exactly one role, compared with the table in
docs/office-roles.md (✓ → a page or a redirect, — → 403); a URL missing from the table fails the test."""

import re
from pathlib import Path

import pytest
from django.urls import get_resolver, reverse

from shebao.contributions.models import SettlementRun
from shebao.declarations.models import Declaration, State
from shebao.declarations.services import next_number

from .conftest import ROLES

DOC = Path(__file__).resolve().parents[3] / "docs" / "office-roles.md"
NOT_WALKED = {"office:receipt", "office:receipt_pdf"}


def role_table() -> dict[str, dict[str, bool]]:
    table = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[1].startswith("`office:"):
            marks = cells[2:]
            assert all(m in ("✓", "—") for m in marks), line
            table[cells[1].strip("`")] = dict(zip(ROLES, (m == "✓" for m in marks), strict=True))
    return table


def office_url_names() -> set[str]:
    office = get_resolver().namespace_dict["office"][1]
    return {f"office:{name}" for name in office.reverse_dict if isinstance(name, str)}


def test_every_office_url_is_in_the_table():
    table = role_table()
    in_table = {":".join(key.split(":")[:2]) for key in table}
    assert office_url_names() - NOT_WALKED <= in_table, sorted(office_url_names() - NOT_WALKED - in_table)
    assert len(table) >= 36


def url_for(key: str, personas, run, declaration) -> str:
    parts = key.split(":")
    name = ":".join(parts[:2])
    p, e = personas.person_1.pk, personas.employer_a.pk
    args = {
        "office:person": [p],
        "office:person_correct": [p],
        "office:employer": [e],
        "office:employer_correct": [e],
        "office:employer_resettle": [e],
        "office:post_type_correct": [p, personas.person_1.employments.first().pk],
        "office:employer_as": [e, "Q02"],
        "office:user": [personas.operator_a.pk],
        "office:settlement": [run.pk],
        "office:review_detail": [declaration.number],
        "office:review_batch": [declaration.batch_number],
    }.get(name, [])
    if name == "office:person_section":
        args = [p, parts[2]]
    if name == "office:employer_section":
        args = [e, parts[2]]
    return reverse(name, args=args)


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_office_url_as_each_role(personas, staff, login_as, role):
    run = SettlementRun.objects.create(period=202401, status=SettlementRun.Status.DONE)
    declaration = Declaration.objects.create(
        number=next_number(),
        employer=personas.employer_a,
        item_code="H09",
        state=State.SUBMITTED,
        data={},
        batch_number="PL202611260001",
    )
    client = login_as(staff(role))
    wrong = []
    for key, allowed in role_table().items():
        url = url_for(key, personas, run, declaration)
        status = client.get(url).status_code
        expected_ok = allowed[role]
        if expected_ok and status not in (200, 302):
            wrong.append((key, url, status, "expected a page"))
        if not expected_ok and status != 403:
            wrong.append((key, url, status, "expected 403"))
    assert not wrong, wrong


@pytest.mark.parametrize("who", ["admin_a", "individual"])
def test_office_urls_refuse_portal_users(personas, login_as, who):
    client = login_as(getattr(personas, who))
    for url in (reverse("office:persons"), reverse("office:person", args=[personas.person_1.pk])):
        assert client.get(url).status_code == 403
    assert re.match(r"^/office/", reverse("office:dashboard"))
