"""H13 工伤事故备案: the employer files a work-injury accident; approval opens the injury case (Q17) through
the same service the office's manual filing uses (``injury_case_open``: rules, case number safe under
concurrency). An accident more than 30 days before the filing is not refused: it flags manual review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.benefits import services as money
from shebao.benefits.models import InjuryCase
from shebao.benefits.selectors import injury_covered_on

from ..models import State
from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import known_person, person_of
from .prefill import prefill_name

FILING_DAYS = 30  # the employer's filing period after an accident (catalogue.md H13)
SUBMITTED_STATES = {State.SUBMITTED, State.IN_REVIEW, State.APPROVED}


def _person_and_coverage(ctx):
    person = known_person(ctx)
    if person is None:
        return
    day: dt.date = ctx.data["accident_date"]
    if day <= ctx.today and not injury_covered_on(person=person, employer=ctx.employer, day=day):
        ctx.fail(
            "accident_date",
            _("事故日期 %(day)s：%(name)s 当时未在本单位参加工伤保险")
            % {"day": day.isoformat(), "name": person.name},
        )


PERSON_COVERED = Check(
    "injury_covered",
    gettext_lazy("事故发生时该人员在本单位参加工伤保险"),
    _person_and_coverage,
    needs=("id_number", "accident_date"),
)


def _accident_date_ok(ctx):
    day: dt.date = ctx.data["accident_date"]
    if day > ctx.today:
        ctx.fail(
            "accident_date",
            _("事故日期 %(day)s 不能晚于今天（%(today)s）")
            % {"day": day.isoformat(), "today": ctx.today.isoformat()},
        )
    if day < money.INJURY_CASE_EARLIEST:
        ctx.fail(
            "accident_date",
            _("事故日期不能早于 %(day)s") % {"day": money.INJURY_CASE_EARLIEST.isoformat()},
        )


ACCIDENT_DATE_OK = Check(
    "accident_date_ok", gettext_lazy("事故日期不晚于今天"), _accident_date_ok, needs=("accident_date",)
)


def filing_date(ctx) -> dt.date:
    """The day the employer filed: the submission's date once submitted (a reviewer days later sees the same
    flag), else today (a new filing, or a resubmission after rejection, files anew)."""
    declaration = ctx.declaration
    if declaration is not None and declaration.state in SUBMITTED_STATES and declaration.submitted_at:
        return min(ctx.today, timezone.localtime(declaration.submitted_at).date())
    return ctx.today


def flags(ctx):
    day = ctx.data.get("accident_date")
    if day is None:
        return []
    filed = filing_date(ctx)
    days = (filed - day).days
    if days > FILING_DAYS:
        return [
            _(
                "事故发生于 %(day)s，%(filed)s 申报备案，已过 %(days)d 天，超过单位 %(limit)d 天的申报时限："
                "须核查迟报原因"
            )
            % {"day": day.isoformat(), "filed": filed.isoformat(), "days": days, "limit": FILING_DAYS}
        ]
    return []


def effect(ctx):
    data = ctx.data
    money.injury_case_open(
        person=person_of(ctx.check),
        employer=ctx.employer,
        accident_date=data["accident_date"],
        place=data["place"],
        description=data["description"],
        injury=data["injury"],
        witness=data.get("witness") or "",
        declaration_id=ctx.declaration.pk,
        today=ctx.check.today,
    )


def outcome(declaration):
    case = InjuryCase.objects.filter(declaration_id=declaration.pk, employer=declaration.employer).first()
    if case is None:
        return []
    return [
        (_("工伤案件编号"), case.case_number),
        (_("认定状态"), _("%(status)s（见「工伤事故查询」Q17）") % {"status": case.get_status_display()}),
    ]


def prefill(employer, id_number, today):
    return prefill_name(employer, id_number, today, active=False)


def _length(name: str) -> int:
    field = InjuryCase._meta.get_field(name)
    return field.max_length or money.INJURY_DESCRIPTION_MAX


def summary(stored):
    return f"{stored.get('name') or ''} {stored.get('id_number') or ''} {stored.get('accident_date') or ''}"


DEFINITION = ItemDefinition(
    code="H13",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        Field(
            "accident_date",
            gettext_lazy("事故日期"),
            "date",
            required=True,
            help=gettext_lazy("如 2026-11-20"),
        ),
        Field("place", gettext_lazy("事故地点"), "text", required=True, max_length=_length("place")),
        Field(
            "description",
            gettext_lazy("事故经过"),
            "text",
            required=True,
            max_length=_length("description"),
            lines=4,
        ),
        Field("injury", gettext_lazy("受伤部位及程度"), "text", required=True, max_length=_length("injury")),
        Field("witness", gettext_lazy("证人"), "text", max_length=_length("witness")),
    ),
    checks=(ACCIDENT_DATE_OK, PERSON_COVERED),
    effect=effect,
    flags=flags,
    prefill=prefill,
    outcome=outcome,
    summary=summary,
    intro=gettext_lazy(
        "事故发生之日起 30 日内由单位申报备案；超过时限的须经人工核查。审核通过后立案，可在「工伤事故查询」中查看。"
    ),
)
