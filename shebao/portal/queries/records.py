"""Read functions over the core record (employers, persons, employment, coverage, bases) for the query
pages, always scoped by the acting employer. Contribution figures come from shebao.contributions.selectors.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery

from shebao.core.choices import Insurance
from shebao.persons.models import ContributionBase, Coverage, Employment


def active_in(period: int, prefix: str = "") -> Q:
    """A coverage or employment counts in `period` if it started by then and has not stopped (stop exclusive)."""
    return Q(**{f"{prefix}start_period__lte": period}) & (
        Q(**{f"{prefix}stop_period__isnull": True}) | Q(**{f"{prefix}stop_period__gt": period})
    )


def headcount_by_insurance(*, employer, period: int) -> dict[str, int]:
    """Insured persons per insurance in `period` (every insurance present, zero if none)."""
    counts = dict.fromkeys(Insurance.values, 0)
    rows = (
        Coverage.objects.filter(active_in(period), employer=employer)
        .values("insurance")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    for row in rows:
        counts[row["insurance"]] = row["n"]
    return counts


def roster(*, employer, period: int, status: str = "", insurance: str = ""):
    """The employer's employments (one row per employment), with the person; filter by status and by an
    insurance covered in `period`."""
    rows = Employment.objects.filter(employer=employer).select_related("person")
    if status:
        rows = rows.filter(status=status)
    if insurance:
        rows = rows.filter(
            pk__in=Coverage.objects.filter(active_in(period), employer=employer, insurance=insurance).values(
                "employment_id"
            )
        )
    return rows


def covered_insurances(*, employment_ids, period: int) -> dict[int, list[str]]:
    """employment id → the insurances covered in `period`, in the catalogue's order."""
    order = {value: index for index, value in enumerate(Insurance.values)}
    result: dict[int, list[str]] = {pk: [] for pk in employment_ids}
    rows = Coverage.objects.filter(active_in(period), employment_id__in=list(employment_ids)).values_list(
        "employment_id", "insurance"
    )
    for employment_id, insurance in rows:
        result[employment_id].append(insurance)
    for values in result.values():
        values.sort(key=order.get)
    return result


def current_bases(*, employer, person_ids, period: int) -> dict[int, ContributionBase]:
    """person id → the base in force at `employer` in `period` (the latest start not after it)."""
    latest = (
        ContributionBase.objects.filter(
            employer=employer, person_id=OuterRef("person_id"), start_period__lte=period
        )
        .order_by("-start_period")
        .values("pk")[:1]
    )
    rows = ContributionBase.objects.filter(
        employer=employer, person_id__in=list(person_ids), pk=Subquery(latest)
    )
    return {row.person_id: row for row in rows}


def employment_changes(
    *,
    employer,
    start: int,
    end: int,
    change_type: str = "",
    search: Q | None = None,
    with_person: bool = True,
):
    """Enrolments (增员, at their start period) and stops (减员, at their stop period) of the employer's
    employments within [start, end], as one list of values: id, event, period, code, id_number, name.

    change_type: "" every change, "enrol" / "stop" one direction, or an enrolment-type code (01…09).
    with_person=False gives person_id instead of id_number and name (see ``person_numbers_and_names``): a
    list not sorted by them then needs no join with persons for all its rows, only for the page shown."""
    from django.db.models import CharField, F, Value

    base = Employment.objects.filter(employer=employer)
    if search is not None:
        base = base.filter(search)
    fields = (
        ("id", "event", "period", "code", "id_number", "name")
        if with_person
        else ("id", "event", "period", "code", "person_id")
    )
    enrolments = (
        base.filter(start_period__gte=start, start_period__lte=end)
        .annotate(
            event=Value("enrol", output_field=CharField()),
            period=F("start_period"),
            code=F("enrolment_type"),
            **_person_fields(with_person),
        )
        .values(*fields)
        .order_by()
    )
    stops = (
        base.filter(stop_period__gte=start, stop_period__lte=end)
        .annotate(
            event=Value("stop", output_field=CharField()),
            period=F("stop_period"),
            code=F("stop_reason"),
            **_person_fields(with_person),
        )
        .values(*fields)
        .order_by()
    )
    coverage = _coverage_changes(
        employer=employer, start=start, end=end, search=search, fields=fields, with_person=with_person
    )
    if change_type == "stop":
        return stops
    if change_type == "enrol":
        return enrolments
    if change_type == "coverage":
        return coverage
    if change_type:
        return enrolments.filter(enrolment_type=change_type)
    return enrolments.union(stops, coverage, all=True)


def _person_fields(with_person: bool) -> dict:
    from django.db.models import F

    return {"id_number": F("person__id_number"), "name": F("person__name")} if with_person else {}


def person_numbers_and_names(rows: list[dict]) -> list[dict]:
    """Fill id_number and name into change rows read with_person=False (one query for the page)."""
    from shebao.persons.models import Person

    found = dict(
        (pk, (number, name))
        for pk, number, name in Person.objects.filter(
            pk__in={r["person_id"] for r in rows if r["person_id"]}
        ).values_list("pk", "id_number", "name")
    )
    for row in rows:
        row["id_number"], row["name"] = found.get(row["person_id"], (None, None))
    return rows


def _coverage_changes(*, employer, start: int, end: int, search: Q | None, fields, with_person: bool):
    """Insurances added or dropped for a continuing employment (H05/H06), from the record's change history."""
    from django.db.models import F

    from shebao.persons.models import RecordChange

    rows = RecordChange.objects.filter(
        employer=employer,
        kind__in=[RecordChange.Kind.COVERAGE_OPENED, RecordChange.Kind.COVERAGE_CLOSED],
        period__gte=start,
        period__lte=end,
    )
    if search is not None:
        rows = rows.filter(search)
    return (
        rows.annotate(event=F("kind"), code=F("insurance"), **_person_fields(with_person))
        .values(*fields)
        .order_by()
    )


def latest_birth_month_retiring_by(rule, target_period: int) -> int:
    """The latest birth month (YYYYMM) whose retirement period is not after `target_period`.

    Retirement period = birth month + retirement age, and the age never falls for later births, so the
    retirement period grows with the birth month: binary search over birth months."""
    import datetime as dt

    from shebao.parameters.rules import retirement_period

    low, high = 1900 * 12, 2100 * 12  # month indexes
    while low < high:
        middle = (low + high + 1) // 2
        birth = dt.date(middle // 12, middle % 12 + 1, 1)
        if retirement_period(birth, rule) <= target_period:
            low = middle
        else:
            high = middle - 1
    return (low // 12) * 100 + low % 12 + 1


def reaching_retirement(*, employer, period: int, within_months: int = 6):
    """Active employments at `employer` whose person reaches retirement age by period + within_months
    (those already past it included). A woman's age follows the post type on her employment (worker or cadre).

    Reads the gender and birth date the employment repeats from its person: no join with persons."""
    from shebao.core.period import Period
    from shebao.parameters.selectors import retirement_rule_for

    target = (Period(period) + within_months).value
    condition = Q()
    for gender, post, group in (
        ("M", None, "male"),
        ("F", "worker", "female_worker"),
        ("F", "cadre", "female_cadre"),
    ):
        last = Period(latest_birth_month_retiring_by(retirement_rule_for(group), target))
        match = Q(person_gender=gender, person_birth_date__lt=(last + 1).first_day())
        condition |= match & Q(post_type=post) if post else match
    return (
        Employment.objects.filter(employer=employer, status__in=["active", "suspended"])
        .filter(condition)
        .select_related("person")
    )


def retirees(*, employer):
    return Employment.objects.filter(employer=employer, status="retired").select_related("person")


def latest_pension_payments(*, employer, person_ids, period: int) -> dict:
    """person id → the latest pension payment (from `employer`'s retirees' ledger) not after `period`."""
    from shebao.benefits.models import PensionPayment

    latest = (
        PensionPayment.objects.filter(person_id=OuterRef("person_id"), employer=employer, period__lte=period)
        .order_by("-period")
        .values("pk")[:1]
    )
    rows = PensionPayment.objects.filter(
        employer=employer, person_id__in=list(person_ids), pk=Subquery(latest)
    )
    return {row.person_id: row for row in rows}


def pension_awards(*, employer, person_ids) -> dict:
    """person id → the initial pension awarded at retirement from `employer` (H12)."""
    from shebao.benefits.models import PensionAward

    return {
        a.person_id: a for a in PensionAward.objects.filter(employer=employer, person_id__in=list(person_ids))
    }
