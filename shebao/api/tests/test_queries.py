"""Queries over the API give the page's own figures: for every query Q01–Q20 the API's rows equal the page's
export of the same inputs, cell by cell; bad inputs are 422 naming the input; scope and isolation as pages."""

import csv
import io

import pytest

from shebao.api.routers.queries import PARAMS
from shebao.contributions.services import settlement_run
from shebao.portal.queries.export import csv_value

from .conftest import Api, employer_token

pytestmark = pytest.mark.django_db


def _inputs(code, personas):
    extra = {
        "Q03": {"period": 202611},
        "Q07": {"year": 2026, "id_number": personas.person_2.id_number},
        "Q08": {"year": 2026, "id_number": personas.person_2.id_number},
        "Q09": {"start": 202601, "end": 202611, "id_number": personas.person_2.id_number},
        "Q19": {"start": 202512, "end": 202611},
    }
    return extra.get(code, {})


def _page_rows(client, code, params):
    response = client.get(f"/portal/items/{code}/", {**params, "export": "csv"})
    assert response.status_code == 200, (code, response.status_code)
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def _api_rows(body):
    out = []
    for row in body["rows"]:
        cells = []
        for column in body["columns"]:
            label = row.get(f"{column['name']}_label", None)
            cells.append(
                label or ""
                if f"{column['name']}_label" in row
                else csv_value(row[column["name"]], column["kind"])
            )
        out.append(cells)
    if body["totals"]:
        total = []
        for index, column in enumerate(body["columns"]):
            if column["name"] in body["totals"]:
                total.append(csv_value(body["totals"][column["name"]], column["kind"]))
            else:
                total.append("合计" if index == 0 else "")
        out.append(total)
    return out


@pytest.mark.parametrize("code", sorted(PARAMS))
def test_every_query_answers_with_the_pages_figures(code, personas, api_a, login_as):
    settlement_run(period=202611)
    params = _inputs(code, personas)
    response = api_a.get(f"/queries/{code}", params)
    assert response.status_code == 200, response.content.decode()[:500]
    body = response.json()
    header, page_rows = _page_rows(login_as(personas.admin_a), code, params)
    assert [c["label"] for c in body["columns"]] == header
    assert body["count"] == len(body["rows"]) or body["pages"] > 1
    assert _api_rows(body) == page_rows


def test_q03_money_as_decimal_strings_and_periods_as_integers(personas, api_a):
    settlement_run(period=202611)
    body = api_a.get("/queries/Q03", {"period": 202611}).json()
    assert body["inputs"]["period"] == "202611"
    # money.md's three worked rows are employer A's three employees.
    assert body["totals"] == {
        "employer_amount": "9642.95",
        "individual_amount": "3835.27",
        "total": "13478.22",
    }
    pension = next(r for r in body["rows"] if r["label"] == "养老")
    assert pension["headcount"] == 3 and pension["employer_amount"] == "5844.21"
    detail = api_a.get(
        "/queries/Q03", {"period": 202611, "part": "total", "q": personas.person_2.id_number}
    ).json()
    assert {r["insurance"]: (r["employer_amount"], r["individual_amount"]) for r in detail["rows"]} == {
        "pension": ("1224.69", "612.35"),
        "medical": ("688.89", "153.09"),
        "unemployment": ("38.27", "38.27"),
        "injury": ("30.62", "0.00"),
        "maternity": ("38.27", "0.00"),
    }
    assert detail["totals"] == {
        "employer_amount": "2020.74",
        "individual_amount": "803.71",
        "total": "2824.45",
    }
    q09 = api_a.get(
        "/queries/Q09", {"start": 202611, "end": 202611, "id_number": personas.person_2.id_number}
    ).json()
    assert all(isinstance(r.get("period"), int) for r in q09["rows"] if "period" in r)


def test_bad_query_inputs_are_422_naming_the_input(api_a):
    response = api_a.get("/queries/Q03", {"period": 202613})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period" and "YYYYMM" in response.json()["message"]
    assert api_a.get("/queries/Q03", {"period": "abc"}).json()["errors"][0]["field"] == "period"
    assert api_a.get("/queries/Q02", {"status": "nonsense"}).json()["errors"][0]["field"] == "status"
    assert api_a.get("/queries/Q19", {"start": 202611, "end": 202601}).status_code == 422
    missing = api_a.get("/queries/Q07")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "id_number"
    assert api_a.get("/queries/Q02", {"page": 0}).status_code == 422
    assert api_a.get("/queries/Q02", {"page": 999}).status_code == 200  # the last page, as on the page


def test_pagination_50_rows(personas, api_a):
    import datetime as dt

    from shebao.testing import enrol, make_person

    for i in range(55):
        person = make_person(
            name=f"职工{chr(0x4E00 + i)}", birth=dt.date(1990, 1, 1) + dt.timedelta(days=i), seq=100 + i
        )
        enrol(
            person=person, employer=personas.employer_a, start_period=202601, wage="6000.00", base_year=2026
        )
    first = api_a.get("/queries/Q02").json()
    second = api_a.get("/queries/Q02", {"page": 2}).json()
    assert (first["count"], first["pages"], first["per_page"], len(first["rows"])) == (58, 2, 50, 50)
    assert len(second["rows"]) == 8 and second["page"] == 2
    assert not {r["id_number"] for r in first["rows"]} & {r["id_number"] for r in second["rows"]}


def test_scope_and_grants_decide_like_pages(personas, api_a):
    from shebao.accounts.services import user_grants_change

    narrow = Api(employer_token(personas.admin_a, items=["Q01"])[1])
    assert narrow.get("/queries/Q01").status_code == 200
    refused = narrow.get("/queries/Q02")
    assert (
        refused.status_code == 403
        and refused.json()["code"] == "not_in_scope"
        and "Q02" in refused.json()["message"]
    )
    assert narrow.post("/handling/H01/validate", {}).status_code == 403
    assert narrow.get("/declarations").status_code == 403
    assert narrow.get("/queries/Q20").status_code == 200  # public item
    # The administrator loses a grant: a token that names it is refused too (as the page would be).
    personas.admin_a.grants.filter(item_code="Q02").delete()
    assert api_a.get("/queries/Q02").status_code == 403
    assert user_grants_change  # grants are changed through accounts.services on the pages


def test_staff_tokens_cannot_use_employer_items_and_employer_tokens_not_the_office(
    personas, api_a, api_reviewer
):
    refused = api_reviewer.get("/queries/Q01")
    assert refused.status_code == 403 and "经办机构令牌" in refused.json()["message"]
    office = api_a.get("/office/declarations")
    assert office.status_code == 403 and office.json()["code"] == "role_missing"


def test_employer_b_gets_404_for_employer_as_objects(personas, api_a, api_b):
    from shebao.declarations.tests.conftest import h01_raw

    number = api_a.post("/handling/H01/declarations", h01_raw()).json()["number"]
    draft = api_a.post("/handling/H09/drafts", {}).json()["number"]
    certificate = api_a.post("/certificates", {"kind": "employer", "start": 202601, "end": 202611}).json()[0]
    checks = [
        api_b.get(f"/declarations/{number}"),
        api_b.get(f"/declarations/{number}/receipt"),
        api_b.post(f"/declarations/{number}/withdraw", {}),
        api_b.post(f"/declarations/{number}/revise"),
        api_b.post(f"/handling/H01/declarations/{number}/submit", h01_raw()),
        api_b.post(f"/handling/H09/declarations/{draft}/submit", {}),
        api_b.get(f"/certificates/{certificate['number']}/pdf"),
        api_b.get("/queries/Q07", {"id_number": personas.person_1.id_number}),
        api_b.get("/queries/Q09", {"id_number": personas.person_1.id_number}),
        api_b.post(
            "/certificates",
            {"kind": "persons", "start": 202601, "end": 202611, "id_numbers": [personas.person_1.id_number]},
        ),
    ]
    assert [r.status_code for r in checks] == [404] * len(checks)
    assert all(
        r.json()["code"] == "not_found" for r in checks if r["Content-Type"].startswith("application/json")
    )
    assert number not in str(api_b.get("/declarations").json())
    assert personas.person_1.id_number not in str(api_b.get("/queries/Q02").json())
    assert api_a.get(f"/declarations/{number}").status_code == 200


def test_certificates_issue_and_download(personas, api_a):
    from pypdf import PdfReader

    issued = api_a.post(
        "/certificates",
        {
            "kind": "persons",
            "start": 202601,
            "end": 202611,
            "id_numbers": [personas.person_1.id_number, personas.person_2.id_number],
        },
    )
    assert issued.status_code == 201
    body = issued.json()
    assert [c["subject"] for c in body] == [
        f"王小明（{personas.person_1.id_number}）",
        f"陈丽（{personas.person_2.id_number}）",
    ]
    assert (
        body[0]["verify_url"].endswith(f"/{body[0]['number']}") or body[0]["number"] in body[0]["verify_url"]
    )
    pdf = api_a.get(f"/certificates/{body[0]['number']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert body[0]["number"] in text
    listed = api_a.get("/queries/Q16").json()
    assert {r["number"] for r in listed["rows"]} == {c["number"] for c in body}
    bad = api_a.post("/certificates", {"kind": "persons", "start": 202611, "end": 202601, "id_numbers": []})
    assert bad.status_code == 422
    assert (
        api_a.post("/certificates", {"kind": "employer", "start": 202613, "end": 202601}).status_code == 422
    )
