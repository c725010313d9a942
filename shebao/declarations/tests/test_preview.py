"""Check before submitting: the base used and the monthly cost per insurance, shown as the operator types
(htmx) and on the progress page, computed by the same functions approval and settlement use."""

from decimal import Decimal

import pytest

from shebao.contributions.services import settlement_run
from shebao.declarations.models import Declaration
from shebao.declarations.preview import contribution_preview
from shebao.persons.models import ContributionBase, Person

from .conftest import ALL_INSURANCES, NEW_ID, h01_raw
from .test_journey import H01_URL, lines_of, login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
D = Decimal

# Hand-computed with the illustrative 2026 parameters (limits 5,250–26,250; employer A is risk class 2, so
# work injury 0.4 %; rounding half up to the fen):
CASES = [
    # wage, {insurance: (base, employer part, individual part)}, employer total, individual total
    (
        "120000.00",
        {
            "pension": ("26250.00", "4200.00", "2100.00"),  # 26,250 × 16 % / 8 %
            "medical": ("26250.00", "2362.50", "525.00"),  # × 9 % / 2 %
            "unemployment": ("26250.00", "131.25", "131.25"),  # × 0.5 % / 0.5 %
            "injury": ("26250.00", "105.00", "0.00"),  # × 0.4 %
            "maternity": ("26250.00", "131.25", "0.00"),  # × 0.5 %
        },
        "6930.00",
        "2756.25",
    ),
    (
        "7654.32",
        {
            "pension": ("7654.32", "1224.69", "612.35"),  # 1,224.6912 / 612.3456
            "medical": ("7654.32", "688.89", "153.09"),  # 688.8888 / 153.0864
            "unemployment": ("7654.32", "38.27", "38.27"),  # 38.2716
            "injury": ("7654.32", "30.62", "0.00"),  # 30.61728
            "maternity": ("7654.32", "38.27", "0.00"),
        },
        "2020.74",
        "803.71",
    ),
    (
        "3000.00",
        {"pension": ("5250.00", "840.00", "420.00"), "medical": ("5250.00", "472.50", "105.00")},
        "1312.50",
        "525.00",
    ),
]


@pytest.mark.parametrize(("wage", "expected", "employer_total", "individual_total"), CASES)
def test_preview_figures(personas, wage, expected, employer_total, individual_total):
    from shebao.core.period import Period

    preview = contribution_preview(
        employer=personas.employer_a, declared_wage=D(wage), period=Period(202611), insurances=list(expected)
    )
    assert {r.insurance: (r.base, r.employer_amount, r.individual_amount) for r in preview.rows} == {
        k: tuple(D(v) for v in vs) for k, vs in expected.items()
    }
    assert preview.employer_total == D(employer_total) and preview.individual_total == D(individual_total)


def _preview(client, url, raw):
    page = client.get(url)
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    return client.post(url, {**raw, "action": "cost", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")


def test_preview_as_typed_equals_what_approval_and_settlement_record(personas):
    operator, reviewer = login("a_operator"), login("reviewer")
    partial = _preview(operator, H01_URL, h01_raw(wage="120000"))
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert "申报工资 120,000.00 高于 2026 年度缴费基数上限，按上限 26,250.00 计" in html
    for figure in ("26,250.00", "4,200.00", "2,100.00", "2,362.50", "6,930.00", "2,756.25", "9,686.25"):
        assert figure in html, figure

    # The form is wired to ask for it as the operator types.
    form = operator.get(H01_URL).content.decode()
    assert 'id="cost-preview"' in form and "hx-post" in form and '"action": "cost"' in form

    response = post_form(operator, H01_URL, h01_raw(wage="120000"))
    declaration = Declaration.objects.get(item_code="H01")
    # The progress page keeps showing it.
    shown = operator.get(response.url).content.decode()
    assert "按上限 26,250.00 计" in shown and "6,930.00" in shown and "2,756.25" in shown

    review_and_approve(reviewer, declaration.number)
    person = Person.objects.get(id_number=NEW_ID)
    base = ContributionBase.objects.get(person=person)
    assert {ins: getattr(base, f"base_{ins}") for ins in ALL_INSURANCES} == {
        ins: D("26250.00") for ins in ALL_INSURANCES
    }
    settlement_run(period=202611)
    assert lines_of(person, 202611) == {ins: (D(e), D(i)) for ins, (_, e, i) in CASES[0][1].items()}


def test_wage_more_than_three_times_the_previous_one_is_warned(personas):
    operator = login("a_operator")
    person = personas.person_1  # last declared 3,000.00 at employer A
    raw = {"id_number": person.id_number, "name": person.name, "period": "202611", "reason": "调薪"}
    warned = _preview(operator, "/portal/items/H08/", {**raw, "wage": "12000"}).content.decode()
    assert "申报工资 12,000.00 是该职工上次申报工资 3,000.00 的 4.0 倍" in warned
    calm = _preview(operator, "/portal/items/H08/", {**raw, "wage": "9000"}).content.decode()
    assert "倍" not in calm and "9,000.00" in calm


def test_preview_with_nothing_to_compute_says_what_to_fill(personas):
    operator = login("a_operator")
    html = _preview(operator, H01_URL, h01_raw(wage="")).content.decode()
    assert "填写月工资和开始期后" in html
