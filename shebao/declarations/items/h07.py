"""H07 年度缴费基数申报: every active employee's average monthly wage of last year → the year's bases."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.core.money import format_money
from shebao.parameters import selectors as params
from shebao.parameters.selectors import ParameterMissing
from shebao.persons import services as record
from shebao.persons.models import Employment, Person

from .base import Check, Field, ItemDefinition

ROWS = Field(
    "rows",
    gettext_lazy("职工上年度月平均工资"),
    "table",
    required=True,
    columns=(
        Field("id_number", gettext_lazy("公民身份号码"), "id_number", required=True),
        Field("name", gettext_lazy("姓名"), "name", required=True),
        Field("wage", gettext_lazy("上年度月平均工资"), "amount", required=True),
    ),
    help=gettext_lazy("每位在职参保职工一行；超出年度上下限的按上下限计。"),
)
YEAR = Field("year", gettext_lazy("基数年度"), "year", required=True)


def first_month(year: int) -> int:
    try:
        return params.policy_int("base_year_first_month", period=year * 100 + 1)
    except ParameterMissing:
        return 1


def _active(ctx):
    return ctx.cached(
        "active",
        lambda: {
            p["person__id_number"]: p
            for p in Employment.objects.filter(employer=ctx.employer, stop_period__isnull=True).values(
                "person_id", "person__id_number", "person__name"
            )
        },
    )


def _year_ok(ctx):
    year = ctx.data["year"]
    if not (ctx.period.year - 1 <= year <= ctx.period.year + 1):
        ctx.fail(
            "year", _("基数年度应为 %(a)d–%(b)d 年") % {"a": ctx.period.year - 1, "b": ctx.period.year + 1}
        )
        return
    try:
        params.base_limits_for(base_year=year, insurance="pension")
    except ParameterMissing:
        ctx.fail("year", _("%(year)d 年度缴费基数上下限尚未公布") % {"year": year})


def _everyone_once(ctx):
    rows = ctx.data["rows"]
    active = _active(ctx)
    counts = Counter(r["id_number"].number for r in rows if r.get("id_number"))
    problems = []
    for number, n in counts.items():
        if n > 1:
            problems.append(_("%(id)s 出现 %(n)d 次") % {"id": number, "n": n})
    for index, row in enumerate(rows, start=1):
        info = row.get("id_number")
        if info is None:
            continue
        known = active.get(info.number)
        if known is None:
            problems.append(
                _("第%(row)d行：%(id)s 不是本单位在职参保人员") % {"row": index, "id": info.number}
            )
        elif row.get("name") and row["name"] != known["person__name"]:
            problems.append(_("第%(row)d行：姓名与公民身份号码不一致") % {"row": index})
        if row.get("wage") is not None and row["wage"] <= 0:
            problems.append(_("第%(row)d行：月平均工资应大于0") % {"row": index})
    missing = sorted(set(active) - set(counts))
    if missing:
        names = "、".join(f"{active[m]['person__name']}({m})" for m in missing[:20])
        problems.append(
            _("缺少 %(n)d 名在职职工：%(names)s")
            % {"n": len(missing), "names": names + ("…" if len(missing) > 20 else "")}
        )
    for message in problems:
        ctx.fail("rows", message)


def _clamped(ctx):
    year = ctx.data["year"]
    try:
        floor, ceiling = params.base_limits_for(base_year=year, insurance="pension")
    except ParameterMissing:
        return
    low = sum(1 for r in ctx.data["rows"] if r.get("wage") is not None and r["wage"] < floor)
    high = sum(1 for r in ctx.data["rows"] if r.get("wage") is not None and r["wage"] > ceiling)
    if low:
        ctx.note(_("%(n)d 人低于下限 %(floor)s，按下限缴费") % {"n": low, "floor": format_money(floor)})
    if high:
        ctx.note(
            _("%(n)d 人高于上限 %(ceiling)s，按上限缴费") % {"n": high, "ceiling": format_money(ceiling)}
        )


def effect(ctx):
    year = ctx.data["year"]
    ids = {r["id_number"].number: r["wage"] for r in ctx.data["rows"]}
    persons = dict(Person.objects.filter(id_number__in=list(ids)).values_list("id_number", "pk"))
    record.bases_set(
        employer=ctx.employer,
        base_year=year,
        start_period=year * 100 + first_month(year),
        wages={persons[number]: wage for number, wage in ids.items()},
        source="H07",
        **ctx.audit,
    )


def table_rows(employer, today):
    return [
        {"id_number": number, "name": name, "wage": ""}
        for number, name in Employment.objects.filter(employer=employer, stop_period__isnull=True)
        .order_by("person__name")
        .values_list("person__id_number", "person__name")
    ]


def summary(stored):
    return _("%(year)s 年度，%(n)d 人") % {"year": stored.get("year", ""), "n": len(stored.get("rows") or [])}


DEFINITION = ItemDefinition(
    code="H07",
    fields=(YEAR, ROWS),
    checks=(
        Check("year_ok", gettext_lazy("基数年度有效且已公布上下限"), _year_ok, needs=("year",)),
        Check(
            "everyone_once",
            gettext_lazy("每位在职职工出现且只出现一次，工资大于0"),
            _everyone_once,
            needs=("rows",),
        ),
        Check("clamped", gettext_lazy("缴费基数按年度上下限核定"), _clamped, needs=("year", "rows")),
    ),
    effect=effect,
    summary=summary,
    subject_field=None,
    table_rows=table_rows,
    intro=gettext_lazy("每年申报一次：按职工上年度月平均工资核定本年度缴费基数，自基数年度首月起生效。"),
)
