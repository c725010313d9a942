"""H12 退休申报: retirement ages by birth month and group (a table), the checks with their own messages, and the
initial pension of three retirees recomputed by hand, through the HTTP path (submit → review → approve → Q04,
Q14 and the computation sheet)."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from shebao.benefits.models import PensionAward, PensionPayment
from shebao.contributions.models import ContributionLine
from shebao.core.idnumbers import make_id_number
from shebao.declarations.items.h12 import required_age_months, sheet_rows
from shebao.declarations.models import Declaration, State
from shebao.individual_accounts.models import PensionEntry, PensionYear
from shebao.persons.models import Employment, Person
from shebao.testing import enrol, make_employer

from .conftest import TODAY
from .helpers import errors_of, submit, submit_and_approve
from .test_journey import login, post_form, review_and_approve

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)  # TODAY, 12:00 in Asia/Shanghai


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    """Query pages take the current period from timezone.now(): frozen at TODAY (tests never read the clock)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


# --- retirement ages: birth month → age (years, months), worked out by hand from money.md's rule -------------
MALE = {  # 60 → 63, one month per 4 birth months after 1964-12
    "196001": (60, 0), "196412": (60, 0), "196501": (60, 1), "196504": (60, 1), "196505": (60, 2),
    "196508": (60, 2), "196509": (60, 3), "196512": (60, 3), "196601": (60, 4), "196603": (60, 4),
    "196604": (60, 4), "196605": (60, 5), "196612": (60, 6), "196701": (60, 7), "196801": (60, 10),
    "196901": (61, 1), "197001": (61, 4), "197101": (61, 7), "197201": (61, 10), "197301": (62, 1),
    "197401": (62, 4), "197501": (62, 7), "197601": (62, 10), "197604": (62, 10), "197605": (62, 11),
    "197608": (62, 11), "197609": (63, 0), "197612": (63, 0), "198001": (63, 0), "199005": (63, 0),
}  # fmt: skip
FEMALE_WORKER = {  # 50 → 55, one month per 2 birth months after 1974-12
    "197001": (50, 0), "197412": (50, 0), "197501": (50, 1), "197502": (50, 1), "197503": (50, 2),
    "197504": (50, 2), "197505": (50, 3), "197506": (50, 3), "197512": (50, 6), "197601": (50, 7),
    "197612": (51, 0), "197701": (51, 1), "197801": (51, 7), "197901": (52, 1), "198001": (52, 7),
    "198101": (53, 1), "198201": (53, 7), "198301": (54, 1), "198401": (54, 7), "198408": (54, 10),
    "198409": (54, 11), "198410": (54, 11), "198411": (55, 0), "198412": (55, 0), "198501": (55, 0),
    "199001": (55, 0), "196805": (50, 0), "197507": (50, 4), "197508": (50, 4), "197509": (50, 5),
}  # fmt: skip
FEMALE_CADRE = {  # 55 → 58, one month per 4 birth months after 1969-12
    "196501": (55, 0), "196912": (55, 0), "197001": (55, 1), "197004": (55, 1), "197005": (55, 2),
    "197008": (55, 2), "197009": (55, 3), "197012": (55, 3), "197101": (55, 4), "197201": (55, 7),
    "197301": (55, 10), "197401": (56, 1), "197501": (56, 4), "197601": (56, 7), "197701": (56, 10),
    "197801": (57, 1), "197901": (57, 4), "198001": (57, 7), "198101": (57, 10), "198104": (57, 10),
    "198105": (57, 11), "198108": (57, 11), "198109": (58, 0), "198112": (58, 0), "198201": (58, 0),
    "199001": (58, 0), "196911": (55, 0), "197002": (55, 1), "197003": (55, 1), "197006": (55, 2),
}  # fmt: skip
GROUPS = [("M", "worker", MALE), ("F", "worker", FEMALE_WORKER), ("F", "cadre", FEMALE_CADRE)]


@pytest.mark.parametrize(
    ("gender", "post", "birth", "expected"),
    [(g, p, b, e) for g, p, table in GROUPS for b, e in table.items()],
)
def test_retirement_age_by_birth_month_and_group(db, gender, post, birth, expected):
    birth_date = dt.date(int(birth[:4]), int(birth[4:]), 15)
    months = required_age_months(
        gender=gender, post_type=post, birth_date=birth_date, kind="normal", period=202611
    )
    assert divmod(months, 12) == expected


def test_special_and_illness_retire_earlier_by_the_parameter_years(db):
    man = dt.date(1966, 3, 10)  # 60 years 4 months
    assert required_age_months(
        gender="M", post_type="worker", birth_date=man, kind="special", period=202611
    ) == (55 * 12 + 4)
    assert required_age_months(
        gender="M", post_type="worker", birth_date=man, kind="illness", period=202611
    ) == (50 * 12 + 4)
    woman = dt.date(1975, 6, 15)  # worker: 50 years 3 months
    assert required_age_months(
        gender="F", post_type="worker", birth_date=woman, kind="illness", period=202611
    ) == (45 * 12 + 3)


# --- three retirees, each with a history whose pension is worked out by hand below -----------------------------


def _history(person, employer, bases: dict[int, Decimal], *, closing_2025: Decimal) -> None:
    """Paid pension months (lines and account credits) with the given base per month, the account closed at the
    end of 2025 with `closing_2025`, and 2026's credits (8 % of the base) booked month by month."""
    lines, entries = [], []
    for period, base in sorted(bases.items()):
        year, month = divmod(period, 100)
        lines.append(
            ContributionLine(
                period=period, employer=employer, person=person, insurance="pension", base=base,
                employer_rate=Decimal("0.16"), individual_rate=Decimal("0.08"),
                employer_amount=(base * Decimal("0.16")).quantize(Decimal("0.01")),
                individual_amount=(base * Decimal("0.08")).quantize(Decimal("0.01")), run_id=1,
            )
        )  # fmt: skip
        entries.append(
            PensionEntry(
                person=person, employer=employer, period=period, year=year, month=month, kind="credit",
                amount=(base * Decimal("0.08")).quantize(Decimal("0.01")),
                credited_on=dt.date(year, month, 25),
            )
        )  # fmt: skip
    ContributionLine.objects.bulk_create(lines)
    PensionEntry.objects.bulk_create(entries)
    PensionYear.objects.create(
        person=person, year=2025, opening=Decimal("0"), credits=Decimal("0"), months_credited=12,
        rate=Decimal("0.0262"), interest=Decimal("0"), closing=closing_2025, closed_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    )  # fmt: skip


def _months(first: int, last: int):
    y, m = divmod(first, 100)
    while y * 100 + m <= last:
        yield y * 100 + m
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)


# Per year, a base equal to `ratio` × that year's average wage (the earliest, 2023's 7,437, before 2023).
WAGES = {2023: Decimal("7437"), 2024: Decimal("8020"), 2025: Decimal("8400"), 2026: Decimal("8750")}


def _base(period: int, ratio: Decimal) -> Decimal:
    return (WAGES.get(period // 100, WAGES[2023]) * ratio).quantize(Decimal("0.01"))


def _retiree(personas, *, name, birth, seq, employer, first, ratio, closing, post_type=None):
    person = Person.objects.create(
        id_number=make_id_number("330106", birth, seq), name=name, gender="M" if seq % 2 else "F",
        birth_date=birth, ethnicity="汉族", hukou_type="local_urban",
    )  # fmt: skip
    employment = enrol(person=person, employer=employer, start_period=first, wage="8750.00", base_year=2026)
    if post_type:
        Employment.objects.filter(pk=employment.pk).update(post_type=post_type)
    bases = {p: _base(p, ratio if p < 202601 else Decimal("1")) for p in _months(first, 202610)}
    _history(person, employer, bases, closing_2025=closing)
    return person


def _pension_via_http(person, date: str, *, employer_user="a_operator"):
    operator, reviewer = login(employer_user), login("reviewer")
    raw = {"id_number": person.id_number, "name": person.name, "retirement_date": date, "type": "normal"}
    preview = post_form(operator, "/portal/items/H12/", raw, action="preview").content.decode()
    response = post_form(operator, "/portal/items/H12/", raw)
    assert response.status_code == 302, response.content.decode()[:3000]
    number = Declaration.objects.get(subject_id_number=person.id_number).number
    review_and_approve(reviewer, number)
    assert Declaration.objects.get(number=number).state == State.COMPLETED
    return operator, number, preview


def test_man_at_60_years_8_months(personas):
    # Born 1966-03-10: statutory age 60 years 4 months (reached 2026-07). Retires 2026-11-20 at 60 years 8 months.
    # 360 paid months 199611–202610: 350 at index 1.0, then 202601–202610 at 2 × 8,750 (index 2.0):
    #   I = (350 + 20) / 360 = 1.02777… → 1.0278; A = 8,400 (2025);
    #   basic = (8,400 + 8,400 × 1.0278) / 2 × 30 × 1 % = 8,516.76 × 0.3 = 2,555.028 → 2,555.03.
    # Account: closing 2025 150,000.00; 2026 credits 1,400.00 in months 1–10; k = 11; r = 2.62 % (2024, the latest):
    #   interest = 150,000 × r × 11/12 + 1,400 × r × (11 + 10 + … + 2)/12 = 3,602.50 + 198.683… = 3,801.18;
    #   balance = 150,000 + 14,000 + 3,801.18 = 167,801.18; divisor 139 − 7 × 8/12 = 134.33 (134.333…);
    #   account = 167,801.18 ÷ 134.33 = 1,249.17; monthly pension 3,804.20.
    person = _retiree(
        personas, name="钱国华", birth=dt.date(1966, 3, 10), seq=71, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("150000.00"),
    )  # fmt: skip
    ContributionLine.objects.filter(person=person, period__gte=202601).update(base=Decimal("17500.00"))
    PensionEntry.objects.filter(person=person, year=2026).update(amount=Decimal("1400.00"))
    operator, number, preview = _pension_via_http(person, "2026-11-20")
    assert (
        "2,555.03" in preview and "1,249.17" in preview and "3,804.20" in preview
    )  # shown before submitting
    award = PensionAward.objects.get(person=person)
    assert (award.paid_months, award.contribution_index, award.basic_amount) == (
        360,
        Decimal("1.0278"),
        Decimal("2555.03"),
    )
    assert (award.balance, award.divisor, award.account_amount) == (
        Decimal("167801.18"), Decimal("134.33"), Decimal("1249.17"),
    )  # fmt: skip
    assert award.total == Decimal("3804.20") and award.start_period == 202612
    employment = Employment.objects.get(person=person)
    assert (employment.status, employment.stop_period, employment.stop_reason) == ("retired", 202612, "31")
    payment = PensionPayment.objects.get(person=person)
    assert (payment.period, payment.total) == (202612, Decimal("3804.20"))
    q04 = operator.get("/portal/items/Q04/?period=202612").content.decode()
    assert "钱国华" in q04 and "3,804.20" in q04
    q14 = operator.get("/portal/items/Q14/").content.decode()
    assert "钱国华" in q14 and "3,804.20" in q14
    detail = operator.get(f"/portal/items/progress/?open={number}").content.decode()
    assert "3,804.20" in detail and "打印养老金计算表" in detail
    sheet = operator.get(f"/portal/items/progress/?document={number}")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    rows = dict((str(k), v) for k, v in sheet_rows(award))
    assert (
        rows["本年利息"] == "3,801.18" and rows["退休时年龄"] == "60岁8个月" and rows["缴费年限 N"] == "30.00"
    )


def test_woman_worker_at_51_years_5_months(personas):
    # Born 1975-06-15, worker post: 50 years 3 months. Retires 2026-11-30 at 51 years 5 months.
    # 180 paid months 201111–202610: 170 at 0.6 × the year's wage, 10 (2026) at 1.0: I = 112/180 → 0.6222;
    #   basic = (8,400 + 8,400 × 0.6222) / 2 × 15 × 1 % = 6,813.24 × 0.15 = 1,021.986 → 1,021.99.
    # Account: 60,000.00 + 2026 credits 700.00 × 10; interest 60,000 × r × 11/12 + 700 × r × 65/12 = 1,441.00 +
    #   99.34 = 1,540.34; balance 68,540.34; divisor 190 − 5 × 5/12 = 187.92; account 364.73; monthly 1,386.72.
    person = _retiree(
        personas, name="周秀英", birth=dt.date(1975, 6, 15), seq=72, employer=personas.employer_a,
        first=201111, ratio=Decimal("0.6"), closing=Decimal("60000.00"),
    )  # fmt: skip
    _pension_via_http(person, "2026-11-30")
    award = PensionAward.objects.get(person=person)
    assert (award.paid_months, award.contribution_index, award.basic_amount) == (
        180,
        Decimal("0.6222"),
        Decimal("1021.99"),
    )
    assert (award.balance, award.divisor, award.account_amount, award.total) == (
        Decimal("68540.34"), Decimal("187.92"), Decimal("364.73"), Decimal("1386.72"),
    )  # fmt: skip


def test_woman_cadre_at_56_years_8_months(personas):
    # An organ: her post defaults to cadre. Born 1970-03-05: 55 years 1 month. Retires 2026-11-05 at 56 years 8 months.
    # 240 paid months 200611–202610 at index 1.0: basic = 8,400 × 20 × 1 % = 1,680.00.
    # Account: 100,000.00 + 7,000.00; interest 2,401.666… + 99.341… = 2,501.01; balance 109,501.01;
    #   divisor 164 − 6 × 8/12 = 160.00; account 684.38; monthly 2,364.38.
    organ = make_employer(number="10000009", name="杭州市某某局", org8="MA27TF1A", employer_type="organ")
    from shebao.accounts.models import UserKind
    from shebao.accounts.services import account_create

    account_create(
        username="organ_op", password="Shebao-Test-2026", kind=UserKind.EMPLOYER, employer=organ,
        display_name="郑敏", must_change_password=False,
    )  # fmt: skip
    person = _retiree(
        personas, name="吴静", birth=dt.date(1970, 3, 5), seq=74, employer=organ, first=200611,
        ratio=Decimal("1"), closing=Decimal("100000.00"), post_type="cadre",
    )  # fmt: skip
    _pension_via_http(person, "2026-11-05", employer_user="organ_op")
    award = PensionAward.objects.get(person=person)
    assert (award.paid_months, award.contribution_index, award.basic_amount) == (
        240,
        Decimal("1.0000"),
        Decimal("1680.00"),
    )
    assert (award.balance, award.divisor, award.account_amount, award.total) == (
        Decimal("109501.01"), Decimal("160.00"), Decimal("684.38"), Decimal("2364.38"),
    )  # fmt: skip


# --- checks: each its own message, nothing written on refusal ------------------------------------------------


def test_a_retirement_date_before_the_age_is_refused_with_its_own_message(personas):
    person = _retiree(
        personas, name="冯建军", birth=dt.date(1966, 3, 10), seq=75, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("1000.00"),
    )  # fmt: skip
    raw = {
        "id_number": person.id_number,
        "name": person.name,
        "retirement_date": "2026-06-30",
        "type": "normal",
    }
    errors = errors_of("H12", raw, personas)
    assert "未达到退休年龄" in errors["retirement_date"][0] and "60岁4个月" in errors["retirement_date"][0]
    assert "2026-07" in errors["retirement_date"][0]
    assert errors_of("H12", {**raw, "retirement_date": "2026-07-10"}, personas) == {}
    # Special-type work: 55 years 4 months is enough, and it waits at the counter.
    special = submit_and_approve(personas, "H12", {**raw, "type": "special"})
    assert special.state == State.AWAITING_COUNTER
    assert PensionAward.objects.get(person=person).retirement_type == "special"


def test_a_cadre_woman_is_not_of_age_where_a_worker_would_be(personas):
    person = _retiree(
        personas, name="林芳", birth=dt.date(1972, 1, 20), seq=76, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("1000.00"),
    )  # fmt: skip
    raw = {
        "id_number": person.id_number,
        "name": person.name,
        "retirement_date": "2026-11-20",
        "type": "normal",
    }
    assert errors_of("H12", raw, personas) == {}  # worker: 51 years 7 months, reached in 2023
    Employment.objects.filter(person=person).update(post_type="cadre")
    errors = errors_of("H12", raw, personas)
    assert (
        "女职工(管理技术岗位)" in errors["retirement_date"][0] and "55岁7个月" in errors["retirement_date"][0]
    )


def test_too_few_contribution_years_and_other_refusals_write_nothing(personas):
    person = _retiree(
        personas, name="何伟", birth=dt.date(1960, 5, 11), seq=77, employer=personas.employer_a,
        first=201301, ratio=Decimal("1"), closing=Decimal("1000.00"),
    )  # fmt: skip
    raw = {
        "id_number": person.id_number,
        "name": person.name,
        "retirement_date": "2026-11-20",
        "type": "normal",
    }
    errors = errors_of("H12", raw, personas)
    assert "缴费年限不足" in errors["id_number"][0] and "166 个月" in errors["id_number"][0]
    errors = errors_of("H12", {**raw, "retirement_date": "2027-01-01", "type": "x"}, personas)
    assert "不能晚于 2026-12-31" in errors["retirement_date"][0] and "退休类型" in errors["type"][0]
    errors = errors_of("H12", {**raw, "id_number": personas.person_b1.id_number, "name": "孙悦"}, personas)
    assert "不是本单位在职参保人员" in errors["id_number"][0]
    operator = login("a_operator")
    response = post_form(operator, "/portal/items/H12/", {**raw, "retirement_date": "2026-02-30"})
    assert response.status_code == 200 and "退休日期" in response.content.decode()
    assert not Declaration.objects.filter(item_code="H12").exists()
    assert not PensionAward.objects.exists() and not PensionPayment.objects.exists()
    assert Employment.objects.get(person=person).status == "active"


def test_approval_recomputes_and_matches_what_was_shown(personas):
    person = _retiree(
        personas, name="高翔", birth=dt.date(1964, 6, 1), seq=79, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("50000.00"),
    )  # fmt: skip
    raw = {
        "id_number": person.id_number,
        "name": person.name,
        "retirement_date": "2026-11-20",
        "type": "normal",
    }
    declaration = submit(personas, "H12", raw)
    from shebao.declarations.services import review_evaluation

    notes = [n for r in review_evaluation(declaration, today=TODAY).results for n in r.notes]
    shown = re.search(r"月养老金 ([\d,.]+)", notes[0]).group(1)
    from .helpers import approve

    approve(personas, declaration)
    assert f"{PensionAward.objects.get(person=person).total:,.2f}" == shown


def test_post_type_changed_through_h09_moves_a_womans_retirement_age(personas):
    person = _retiree(
        personas, name="罗敏", birth=dt.date(1972, 1, 20), seq=78, employer=personas.employer_a,
        first=199611, ratio=Decimal("1"), closing=Decimal("1000.00"),
    )  # fmt: skip
    assert Employment.objects.get(person=person).post_type == "worker"  # an enterprise: worker by default
    h09 = submit(personas, "H09", {"id_number": person.id_number, "post_type": "cadre"})
    from shebao.declarations.services import review_evaluation

    assert any("岗位类型" in f for f in review_evaluation(h09, today=TODAY).flags)
    from .helpers import approve

    assert approve(personas, h09).state == State.COMPLETED
    assert Employment.objects.get(person=person).post_type == "cadre"
    raw = {
        "id_number": person.id_number,
        "name": person.name,
        "retirement_date": "2026-11-20",
        "type": "normal",
    }
    assert "55岁7个月" in errors_of("H12", raw, personas)["retirement_date"][0]
    q02 = login("a_operator").get("/portal/items/Q02/?q=" + person.id_number).content.decode()
    assert "管理技术岗位" in q02
