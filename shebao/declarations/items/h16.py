"""H16 社会保障卡申领: new, replacement or renewal card for an employee insured here. One application of a
person in process at a time. Approval records the application (制卡中); the card is collected at the counter,
whose completion of the declaration marks it collected."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.persons import services as record
from shebao.persons.models import CardApplication

from ..models import Declaration, State
from . import fields as F
from .base import Check, Field, ItemDefinition, code_table
from .checks import EMPLOYED_HERE, person_of
from .prefill import prefill_name

PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW, State.APPROVED)


def _no_card_in_process(ctx):
    person = person_of(ctx)
    if person is None:
        return  # EMPLOYED_HERE says why
    current = CardApplication.objects.filter(person=person, status=CardApplication.Status.IN_PROCESS).first()
    if current is not None:
        ctx.fail(
            "id_number",
            _("该人员已有社会保障卡申领在办理中（%(date)s 受理，尚未领卡），不能重复申领")
            % {"date": current.applied_on.isoformat()},
        )
        return
    pending = Declaration.objects.filter(
        item_code="H16", subject_id_number=person.id_number, state__in=PENDING_STATES
    )
    if ctx.declaration is not None:
        pending = pending.exclude(pk=ctx.declaration.pk)
    other = pending.order_by("submitted_at").first()
    if other is not None:
        ctx.fail(
            "id_number",
            _("该人员的社会保障卡申领（申报 %(number)s）正在审核中，不能重复申领") % {"number": other.number},
        )


NO_CARD_IN_PROCESS = Check(
    "no_card_in_process",
    gettext_lazy("该人员没有正在办理的社会保障卡申领"),
    _no_card_in_process,
    needs=("id_number",),
)


def _kind_fits(ctx):
    person = person_of(ctx)
    if person is None or ctx.data["reason"] != CardApplication.Kind.NEW:
        return
    if CardApplication.objects.filter(person=person, status=CardApplication.Status.COLLECTED).exists():
        ctx.fail("reason", _("该人员已领取过社会保障卡，申领类型请选择「补办」或「换领」"))


KIND_FITS = Check(
    "card_kind_fits",
    gettext_lazy("已领过卡的人员不能新办"),
    _kind_fits,
    needs=("id_number", "reason"),
)


def effect(ctx):
    record.card_application_open(
        person=person_of(ctx.check),
        employer=ctx.employer,
        kind=ctx.data["reason"],
        photo_reference=ctx.data.get("photo_reference") or "",
        note=ctx.data.get("note") or "",
        applied_on=ctx.check.today,
        declaration_number=ctx.declaration.number,
    )


def complete(ctx):
    record.card_application_collect(declaration_number=ctx.declaration.number, collected_on=ctx.today)


def outcome(declaration):
    application = CardApplication.objects.filter(
        declaration_number=declaration.number, employer=declaration.employer
    ).first()
    if application is None:
        return []
    rows = [
        (_("社会保障卡"), application.get_status_display()),
        (_("受理日期"), application.applied_on.isoformat()),
    ]
    if application.collected_on:
        rows.append((_("领卡日期"), application.collected_on.isoformat()))
    return rows


def prefill(employer, id_number, today):
    return prefill_name(employer, id_number, today, active=True)


DEFINITION = ItemDefinition(
    code="H16",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        Field(
            "reason",
            gettext_lazy("申领类型"),
            "choice",
            required=True,
            choices=code_table(CardApplication.Kind),
            default=CardApplication.Kind.NEW,
        ),
        Field(
            "photo_reference",
            gettext_lazy("相片采集编号"),
            "text",
            max_length=40,
            help=gettext_lazy("在照相馆或自助机采集相片后取得的回执编号"),
        ),
        Field(
            "note",
            gettext_lazy("说明"),
            "text",
            max_length=200,
            help=gettext_lazy("补办时写明原卡遗失或损坏"),
        ),
    ),
    checks=(EMPLOYED_HERE, NO_CARD_IN_PROCESS, KIND_FITS),
    effect=effect,
    complete=complete,
    needs_counter=True,
    counter_note=gettext_lazy(
        "社会保障卡制作完成后，请持本人身份证件到经办窗口领取（代领须携带委托书和代领人身份证件）。"
    ),
    outcome=outcome,
    prefill=prefill,
    intro=gettext_lazy("为本单位在职参保人员申领社会保障卡；审核通过后制卡，到经办窗口领取。"),
)
