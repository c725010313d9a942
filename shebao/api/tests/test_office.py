"""The office over the API (staff tokens): the queue, claim, approve, reject with a reason, release,
completion at the counter; roles decide like the workbench; two reviewers cannot both claim."""

import pytest

from shebao.accounts.services import account_create
from shebao.declarations.models import Declaration, State
from shebao.declarations.tests.conftest import h01_raw

from .conftest import Api, staff_token

pytestmark = pytest.mark.django_db


def test_queue_claim_and_approve(personas, api_a, api_reviewer):
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    queue = api_reviewer.get("/office/declarations").json()
    assert [d["number"] for d in queue["results"]] == [number]
    assert queue["results"][0]["employer_number"] == "10000001"
    assert api_reviewer.get("/office/declarations", {"item": "H02"}).json()["count"] == 0
    assert api_reviewer.get("/office/declarations", {"state": "draft"}).status_code == 422

    detail = api_reviewer.get(f"/office/declarations/{number}").json()
    assert {c["status"] for c in detail["checks"]} == {"pass"} and detail["claimed_by"] == ""

    not_claimed = api_reviewer.post(f"/office/declarations/{number}/approve", {"comment": "同意"})
    assert not_claimed.status_code == 409

    claimed = api_reviewer.post(f"/office/declarations/{number}/claim")
    assert claimed.json()["state"] == "in_review"
    assert api_reviewer.get("/office/declarations", {"mine": True}).json()["count"] == 1
    approved = api_reviewer.post(f"/office/declarations/{number}/approve", {"comment": "同意"})
    assert approved.status_code == 200 and approved.json()["state"] == "completed"
    declaration = Declaration.objects.get(number=number)
    assert declaration.decided_by == personas.reviewer and declaration.review_comment == "同意"


def test_reject_needs_a_reason_and_release_returns_to_the_queue(personas, api_a, api_reviewer):
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    api_reviewer.post(f"/office/declarations/{number}/claim")
    no_reason = api_reviewer.post(f"/office/declarations/{number}/reject", {})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "comment"
    unknown = api_reviewer.post(f"/office/declarations/{number}/reject", {"reasons": ["made_up"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "reasons"
    released = api_reviewer.post(f"/office/declarations/{number}/release", {"comment": "稍后"})
    assert released.json()["state"] == "submitted"
    api_reviewer.post(f"/office/declarations/{number}/claim")
    rejected = api_reviewer.post(f"/office/declarations/{number}/reject", {"reasons": ["documents_missing"]})
    assert rejected.json()["state"] == "rejected" and rejected.json()["reject_reasons"] == [
        "documents_missing"
    ]
    assert api_a.get(f"/declarations/{number}").json()["review_comment"] == "材料不全，请到窗口办理"


def test_a_second_reviewer_is_told_it_is_taken(personas, api_a, api_reviewer):
    other = account_create(
        username="reviewer2",
        password="x" * 10,
        kind="staff",
        display_name="审核员乙",
        office_roles=("is_reviewer",),
    )
    second = Api(staff_token(personas.office_admin, other, ["is_reviewer"])[1])
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    assert api_reviewer.post(f"/office/declarations/{number}/claim").status_code == 200
    taken = second.post(f"/office/declarations/{number}/claim")
    assert (
        taken.status_code == 409 and taken.json()["code"] == "taken" and "审核员甲" in taken.json()["message"]
    )
    assert second.post(f"/office/declarations/{number}/approve", {}).status_code == 409


def test_counter_completion_by_a_clerk_token(personas, api_a, api_reviewer, api_clerk):
    number = api_a.post("/handling/H10/declarations", {"name": "杭州甲科技集团有限公司"}).json()["number"]
    api_reviewer.post(f"/office/declarations/{number}/claim")
    approved = api_reviewer.post(f"/office/declarations/{number}/approve", {})
    assert approved.json()["state"] == "awaiting_counter"
    assert api_a.get(f"/declarations/{number}").json()["state_label"] == "审核通过(请携带材料到窗口办理)"
    # A clerk token may complete but not review.
    assert api_clerk.get("/office/declarations").status_code == 403
    assert api_clerk.post(f"/office/declarations/{number}/claim").json()["code"] == "role_missing"
    completed = api_clerk.post(f"/office/declarations/{number}/complete", {"comment": "材料齐全"})
    assert completed.status_code == 200 and completed.json()["state"] == "completed"
    assert Declaration.objects.get(number=number).events.get(action="complete").actor == personas.clerk


def test_role_taken_away_from_the_member_refuses_the_token(personas, api_reviewer):
    personas.reviewer.is_reviewer = False
    personas.reviewer.is_clerk = True
    personas.reviewer.save()
    assert api_reviewer.get("/office/declarations").status_code == 403


def test_drafts_and_unknown_numbers_are_404_for_the_office(personas, api_a, api_reviewer):
    draft = api_a.post("/handling/H01/drafts", {}).json()["number"]
    assert api_reviewer.get(f"/office/declarations/{draft}").status_code == 404
    assert api_reviewer.post("/office/declarations/SB0/claim").status_code == 404
    assert Declaration.objects.get(number=draft).state == State.DRAFT
