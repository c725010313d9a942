"""Handling items over the API: dry run, drafts, submission, the progress query, withdraw, revise and
resubmit, receipts; schemas derived from the item definitions; every bad field in one 422; idempotency."""

import pytest
from pypdf import PdfReader

from shebao.accounts.models import ApiCall
from shebao.api.schemas import data_model
from shebao.declarations.items import DEFINITIONS
from shebao.declarations.models import Declaration, State
from shebao.declarations.tests.conftest import NEW_ID, h01_raw

pytestmark = pytest.mark.django_db


def test_every_handling_item_has_schemas_derived_from_its_definition(api_a):
    spec = api_a.get("/openapi.json").json()
    for code, definition in DEFINITIONS.items():
        for suffix in ("validate", "drafts", "declarations", "declarations/{number}/submit"):
            assert f"/api/v1/handling/{code}/{suffix}" in spec["paths"], (code, suffix)
        schema = spec["components"]["schemas"][f"{code}Data"]
        assert list(schema["properties"]) == [f.name for f in definition.fields]
        assert schema.get("required", []) == [f.name for f in definition.fields if f.required]
        for f in definition.fields:
            prop = schema["properties"][f.name]
            assert prop["title"] == str(f.label)
            if f.kind == "choice":
                assert prop["enum"] == [value for value, _label in f.choice_list()]
            if f.kind == "multi":
                assert prop["items"]["enum"] == [value for value, _label in f.choice_list()]
    assert data_model("H01") is data_model("H01")


def test_validate_returns_every_field_error_with_codes_and_the_computed_base(api_a):
    response = api_a.post("/handling/H01/validate", h01_raw(wage="3000"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["errors"] == [] and body["data"]["wage"] == "3000.00"
    base = next(c for c in body["checks"] if c["code"] == "base_within_limits")
    assert base["status"] == "pass" and "按下限 5,250.00 缴费" in base["notes"][0]  # 2026 floor

    bad = api_a.post(
        "/handling/H01/validate",
        h01_raw(name="", gender="X", start_period="202613", wage="-1", insurances=["pension", "dental"]),
    ).json()
    assert not bad["ok"]
    by_field = {e["field"]: e for e in bad["errors"]}
    assert {k: v["code"] for k, v in by_field.items()} == {
        "name": "required",
        "gender": "choice",
        "start_period": "month",
        "wage": "negative",
        "insurances": "choice",
    }
    assert all(e["message"] for e in bad["errors"])
    assert "姓名" in by_field["name"]["message"]
    assert not Declaration.objects.exists()


def test_business_checks_report_their_own_code(api_a, personas):
    body = api_a.post("/handling/H01/validate", h01_raw(id_number=personas.person_1.id_number)).json()
    assert not body["ok"]
    codes = {(e["field"], e["code"]) for e in body["errors"]}
    assert ("id_number", "not_enrolled_before") in codes or ("id_number", "id_matches") in codes


def test_table_fields_name_each_bad_cell(api_a, personas):
    rows = [
        {"id_number": p.id_number, "name": p.name, "wage": w}
        for p, w in ((personas.person_1, "4000"), (personas.person_2, "abc"))
    ]
    body = api_a.post("/handling/H07/validate", {"year": 2026, "rows": rows}).json()
    assert [e["field"] for e in body["errors"] if e["field"].startswith("rows[")] == ["rows[1].wage"]


def test_schema_level_errors_are_422_in_chinese_with_paths(api_a):
    response = api_a.post("/handling/H01/declarations", {"wage": 5000, "bogus": 1, "insurances": "pension"})
    assert response.status_code == 422
    body = response.json()
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"wage", "bogus", "insurances"}
    assert (
        fields["wage"]["message"].startswith("月工资(缴费基数)")
        and fields["bogus"]["code"] == "extra_forbidden"
    )
    malformed = api_a.client.post(
        "/api/v1/handling/H01/declarations",
        "{not json",
        content_type="application/json",
        headers={"Authorization": api_a._headers(None)["Authorization"]},
    )
    assert malformed.status_code in (400, 422) and malformed.json()["code"] == "invalid"
    assert not Declaration.objects.exists()


def test_submit_with_bad_fields_is_422_listing_every_field_and_writes_nothing(api_a):
    response = api_a.post("/handling/H01/declarations", h01_raw(name="1", birth_date="1995-02-30", wage=""))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"name", "birth_date", "wage"}
    assert not Declaration.objects.exists()


@pytest.mark.parametrize(
    "value",
    [
        "\x00",
        "王\x00小明",
        "\x07\x1b[31m",
        "１２３４５",
        "x" * 10_000,
        "😀" * 50,
        "<script>alert(1)</script>",
    ],
)
def test_hostile_input_is_refused_by_field_never_a_server_error(api_a, value):
    raw = h01_raw(name=value, address=value, phone=value, wage=value, id_number=value, start_period=value)
    for path in ("/handling/H01/validate", "/handling/H01/declarations", "/handling/H01/drafts"):
        response = api_a.post(path, raw)
        assert response.status_code in (200, 201, 422), (path, response.status_code)
    alone = api_a.post("/handling/H01/declarations", h01_raw(address=value))
    assert alone.status_code in (201, 422)
    if alone.status_code == 422:
        assert [e["field"] for e in alone.json()["errors"]] in (["address"], ["__all__"])  # __all__: NUL
    for params in ({"q": value[:40]}, {"period": value[:40]}, {"id_number": value[:30]}):
        assert api_a.get("/queries/Q02", params).status_code in (200, 422)
        assert api_a.get("/queries/Q07", params).status_code in (200, 404, 422)


def test_draft_then_submit_then_progress_get_and_receipt(api_a, personas):
    draft = api_a.post("/handling/H01/drafts", {"id_number": NEW_ID, "name": "刘洋"})
    assert draft.status_code == 201
    number = draft.json()["number"]
    assert draft.json()["state"] == "draft" and draft.json()["receipt_url"] is None
    assert api_a.get(f"/declarations/{number}/receipt").status_code == 404

    submitted = api_a.post(f"/handling/H01/declarations/{number}/submit", h01_raw())
    assert submitted.status_code == 200
    assert (submitted.json()["number"], submitted.json()["state"]) == (number, "submitted")

    listed = api_a.get("/declarations", {"item": "H01", "state": "submitted"}).json()
    assert [d["number"] for d in listed["results"]] == [number] and listed["count"] == 1
    assert api_a.get("/declarations", {"state": "approved"}).json()["count"] == 0
    assert api_a.get("/declarations", {"q": NEW_ID}).json()["count"] == 1
    assert (
        api_a.get("/declarations", {"date_from": "2000-01-01", "date_to": "2000-01-02"}).json()["count"] == 0
    )
    assert api_a.get("/declarations", {"state": "nonsense"}).status_code == 422
    assert api_a.get("/declarations", {"date_from": "2026-02-30"}).status_code == 422

    detail = api_a.get(f"/declarations/{number}").json()
    assert [e["action"] for e in detail["events"]] == ["create", "submit"]
    assert detail["versions"][0]["data"]["wage"] == "8000.00"

    receipt = api_a.get(f"/declarations/{number}/receipt")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
    assert number in text


def test_withdraw_before_review_and_409_afterwards(api_a, personas):
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    withdrawn = api_a.post(f"/declarations/{number}/withdraw", {"comment": "录错了"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = api_a.post(f"/declarations/{number}/withdraw", {})
    assert (
        again.status_code == 409 and again.json()["code"] == "state" and "已撤回" in again.json()["message"]
    )


def test_rejected_is_revised_and_resubmitted_as_a_new_version(api_a, api_reviewer, personas):
    number = api_a.post("/handling/H01/declarations", h01_raw(wage="8000")).json()["number"]
    assert api_reviewer.post(f"/office/declarations/{number}/claim").status_code == 200
    rejected = api_reviewer.post(
        f"/office/declarations/{number}/reject", {"comment": "工资有误", "reasons": ["base_out_of_limits"]}
    )
    assert rejected.json()["state"] == "rejected"
    progress = api_a.get(f"/declarations/{number}").json()
    assert progress["review_comment"] == "缴费基数超出上下限；工资有误"

    resubmitted = api_a.post(f"/handling/H01/declarations/{number}/submit", h01_raw(wage="9000"))
    assert resubmitted.status_code == 200
    assert (resubmitted.json()["state"], resubmitted.json()["version"]) == ("submitted", 2)
    assert resubmitted.json()["data"]["wage"] == "9000.00"

    # Or: back to the drafts box first (修改), then submit.
    api_reviewer.post(f"/office/declarations/{number}/claim")
    api_reviewer.post(f"/office/declarations/{number}/reject", {"comment": "再核"})
    revised = api_a.post(f"/declarations/{number}/revise")
    assert revised.json()["state"] == "draft"
    final = api_a.post(f"/handling/H01/declarations/{number}/submit", h01_raw(wage="9100"))
    assert (final.json()["state"], final.json()["version"]) == ("submitted", 3)


def test_submitting_an_existing_declaration_under_another_item_is_404(api_a):
    number = api_a.post("/handling/H01/drafts", {}).json()["number"]
    assert api_a.post(f"/handling/H09/declarations/{number}/submit", {}).status_code == 404


def test_idempotency_key_gives_the_same_response_and_one_declaration(api_a):
    headers = {"Idempotency-Key": "payroll-2026-11-0001"}
    first = api_a.post("/handling/H01/declarations", h01_raw(), headers=headers)
    second = api_a.post("/handling/H01/declarations", h01_raw(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Declaration.objects.count() == 1
    # Another key makes another declaration (refused here by the record: the person is pending already).
    third = api_a.post("/handling/H01/declarations", h01_raw(), headers={"Idempotency-Key": "other"})
    assert third.status_code in (201, 422)

    draft_headers = {"Idempotency-Key": "draft-1"}
    d1 = api_a.post("/handling/H09/drafts", {"phone": "13900000000"}, headers=draft_headers)
    d2 = api_a.post("/handling/H09/drafts", {"phone": "13900000000"}, headers=draft_headers)
    assert d1.status_code == d2.status_code == 201 and d1.json()["number"] == d2.json()["number"]
    assert Declaration.objects.filter(item_code="H09").count() == 1


def test_idempotency_key_reused_for_another_item_is_409_and_bad_keys_are_422(api_a, personas):
    api_a.post("/handling/H01/declarations", h01_raw(), headers={"Idempotency-Key": "k-1"})
    reused = api_a.post(
        "/handling/H09/declarations",
        {"id_number": personas.person_1.id_number, "phone": "13911112222"},
        headers={"Idempotency-Key": "k-1"},
    )
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_conflict"
    for key in ("x" * 65, "含中文", "a b"):
        bad = api_a.post("/handling/H01/declarations", h01_raw(), headers={"Idempotency-Key": key})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "Idempotency-Key"


def test_the_idempotency_key_belongs_to_the_employer(api_a, api_b):
    headers = {"Idempotency-Key": "same-key"}
    a = api_a.post("/handling/H01/declarations", h01_raw(), headers=headers).json()
    b = api_b.post("/handling/H01/declarations", h01_raw(), headers=headers).json()
    assert a["number"] != b["number"] and b["employer_number"] == "10000002"


def test_declarations_made_by_a_token_act_as_its_administrator(api_a, personas):
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    declaration = Declaration.objects.get(number=number)
    assert declaration.created_by == personas.admin_a and declaration.employer == personas.employer_a
    assert declaration.events.get(action="submit").actor == personas.admin_a


def test_page_and_api_agree_on_what_was_submitted(api_a, personas, login_as):
    """The same service: a declaration submitted over the API shows on the progress page."""
    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    page = login_as(personas.operator_a).get("/portal/items/progress/", {"open": number})
    assert page.status_code == 200 and "刘洋" in page.content.decode()
    assert Declaration.objects.get(number=number).state == State.SUBMITTED


def test_nul_anywhere_is_422_before_anything_reads_it(api_a):
    for response in (
        api_a.get("/queries/Q02", {"q": "王\x00"}),
        api_a.get("/declarations/SB\x00"),
        api_a.post("/handling/H01/drafts", {"address": "a\x00b"}),
        api_a.post(
            "/certificates", {"kind": "persons", "start": 202601, "end": 202611, "id_numbers": ["\x00"]}
        ),
    ):
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "nul_byte"
    assert not Declaration.objects.exists()


def test_other_control_characters_are_422_in_the_api_shape_and_recorded(api_a):
    """The pages' edge refuses C0/C1 control characters with a Chinese 400 page; the API refuses them itself,
    as JSON in its own error shape, naming the field, and records the call."""
    for response, field in (
        (api_a.get("/queries/Q02", {"q": "王\x1b[31m"}), "q"),
        (api_a.post("/handling/H01/drafts", {"address": "a\x07b"}), "address"),
        (api_a.post("/handling/H01/drafts", {"address": "a\x9bb"}), "address"),
    ):
        assert response.status_code == 422, response.content
        error = response.json()["errors"][0]
        assert error["code"] == "control_character" and error["field"] == field
        assert "控制字符" in error["message"]
    assert not Declaration.objects.exists()
    assert ApiCall.objects.filter(outcome="control_character", status=422).count() == 3


def test_validate_computes_the_monthly_contributions_as_approval_and_settlement_would(api_a, personas):
    # money.md's row 7,654.32 (within the 2026 limits 5,250–26,250).
    computed = api_a.post("/handling/H01/validate", h01_raw(wage="7654.32")).json()["computed"]
    assert {
        line["insurance"]: (line["base"], line["employer_amount"], line["individual_amount"])
        for line in computed["lines"]
    } == {
        "pension": ("7654.32", "1224.69", "612.35"),
        "medical": ("7654.32", "688.89", "153.09"),
        "unemployment": ("7654.32", "38.27", "38.27"),
        "injury": ("7654.32", "30.62", "0.00"),
        "maternity": ("7654.32", "38.27", "0.00"),
    }
    assert (computed["employer_total"], computed["individual_total"], computed["total"]) == (
        "2020.74",
        "803.71",
        "2824.45",
    )
    # 3,000 is below the 2026 floor: base 5,250 — pension 840.00 / 420.00, medical 472.50 / 105.00,
    # unemployment 26.25 / 26.25, injury (class 2, 0.4 %) 21.00, maternity 26.25; 1,386.00 + 551.25.
    low = api_a.post(
        "/handling/H01/validate",
        h01_raw(wage="3000", insurances=["pension", "medical", "unemployment", "injury", "maternity"]),
    ).json()["computed"]
    assert {line["insurance"]: line["base"] for line in low["lines"]} == dict.fromkeys(
        ["pension", "medical", "unemployment", "injury", "maternity"], "5250.00"
    )
    assert (low["employer_total"], low["individual_total"], low["total"]) == ("1386.00", "551.25", "1937.25")
    # Only the insurances declared; nothing when a field is bad or the item declares no wage.
    two = api_a.post("/handling/H01/validate", h01_raw(insurances=["pension", "medical"])).json()["computed"]
    assert [line["insurance"] for line in two["lines"]] == ["pension", "medical"]
    assert api_a.post("/handling/H01/validate", h01_raw(wage="abc")).json()["computed"] is None
    h09 = api_a.post(
        "/handling/H09/validate", {"id_number": personas.person_1.id_number, "phone": "13911112222"}
    ).json()
    assert h09["computed"] is None
    # H08 (a base adjustment) previews the employee's own open insurances: 8,000 → pension 1,280.00 / 640.00,
    # medical 720.00 / 160.00, unemployment 40.00 / 40.00, injury 32.00, maternity 40.00.
    h08 = api_a.post(
        "/handling/H08/validate",
        {
            "id_number": personas.person_2.id_number,
            "name": "陈丽",
            "period": 202611,
            "wage": "8000.00",
            "reason": "调薪",
        },
    ).json()
    assert h08["ok"] and len(h08["computed"]["lines"]) == 5
    assert (h08["computed"]["employer_total"], h08["computed"]["individual_total"]) == ("2112.00", "840.00")


@pytest.mark.parametrize("code", sorted(DEFINITIONS))
def test_every_items_endpoints_answer(code, api_a):
    definition = DEFINITIONS[code]
    required = [f.name for f in definition.fields if f.required]
    empty = api_a.post(f"/handling/{code}/validate", {})
    assert empty.status_code == 200 and not empty.json()["ok"]
    flagged = {e["field"] for e in empty.json()["errors"]}
    assert set(required) <= flagged | {"__all__"}, (code, required, flagged)
    refused = api_a.post(f"/handling/{code}/declarations", {})
    assert refused.status_code == 422 and {e["field"] for e in refused.json()["errors"]} == flagged
    draft = api_a.post(f"/handling/{code}/drafts", {})
    assert draft.status_code == 201 and draft.json()["item"] == code and draft.json()["state"] == "draft"
    number = draft.json()["number"]
    still = api_a.post(f"/handling/{code}/declarations/{number}/submit", {})
    assert still.status_code == 422
    assert api_a.get(f"/declarations/{number}").json()["state"] == "draft"
