"""H17 养老关系转出: the pension relation of a person who stopped here moves to another region. Refused while
the employer has arrears (Q11's selector). Approval records the transfer with the account balance certified at
the transfer date (the approval day) by pension_balance_at (money.md's balance at retirement), and issues a
printable 参保缴费凭证 (a certificate with its number and verification QR code)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.certificates.models import Certificate
from shebao.certificates.pdf import certificates_pdf
from shebao.certificates.services import certificate_issue_transfer
from shebao.contributions.selectors import arrears_for
from shebao.core.choices import EmploymentStatus, Insurance
from shebao.core.money import format_money
from shebao.individual_accounts import services as accounts
from shebao.individual_accounts.models import PensionTransfer
from shebao.individual_accounts.selectors import pension_balance_at
from shebao.persons.models import Employment

from ..models import Declaration, State
from . import fields as F
from .base import Check, Field, ItemDefinition
from .checks import known_person, person_of
from .prefill import prefill_name

PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW, State.APPROVED)


def last_employment(ctx) -> Employment | None:
    """The person's most recent employment anywhere."""
    person = person_of(ctx)
    if person is None:
        return None
    return ctx.cached(
        ("last_employment", person.pk),
        lambda: Employment.objects.filter(person=person).order_by("-start_period", "-id").first(),
    )


def _stopped_here(ctx):
    person = known_person(ctx)
    if person is None:
        return
    employment = last_employment(ctx)
    here = employment is not None and employment.employer_id == ctx.employer.pk
    if employment is None or (
        not here and not Employment.objects.filter(person=person, employer=ctx.employer).exists()
    ):
        ctx.fail("id_number", _("该人员在本单位没有参保记录"))
    elif employment.stop_period is None:
        if here:
            ctx.fail("id_number", _("该人员仍在本单位参保，须先办理人员减少(停保)后才能转出"))
        else:
            ctx.fail("id_number", _("该人员目前在其他单位参保，不能由本单位办理转出"))
    elif not here:
        ctx.fail("id_number", _("该人员最近一次参保不在本单位，应由最后参保的单位办理转出"))
    elif employment.status == EmploymentStatus.RETIRED:
        ctx.fail("id_number", _("该人员已在本单位退休，不能办理养老关系转出"))
    elif not employment.coverages.filter(insurance=Insurance.PENSION).exists():
        ctx.fail("id_number", _("该人员在本单位未参加养老保险，没有可转出的养老关系"))
    else:
        done = PensionTransfer.objects.filter(employment=employment).first()
        if done is not None:
            ctx.fail(
                "id_number",
                _("该人员本次参保的养老关系已于 %(date)s 转往 %(to)s")
                % {"date": done.transfer_date.isoformat(), "to": done.destination},
            )


STOPPED_HERE = Check(
    "stopped_here",
    gettext_lazy("该人员最近一次参保在本单位，已停保且养老关系尚未转出"),
    _stopped_here,
    needs=("id_number",),
)


def _no_pending(ctx):
    person = person_of(ctx)
    if person is None:
        return
    pending = Declaration.objects.filter(
        item_code="H17", subject_id_number=person.id_number, state__in=PENDING_STATES
    )
    if ctx.declaration is not None:
        pending = pending.exclude(pk=ctx.declaration.pk)
    other = pending.first()
    if other is not None:
        ctx.fail(
            "id_number",
            _("该人员的养老关系转出（申报 %(number)s）正在审核中，不能重复申报") % {"number": other.number},
        )


NO_PENDING = Check(
    "no_pending_transfer", gettext_lazy("该人员没有正在审核的转出申报"), _no_pending, needs=("id_number",)
)


def _no_arrears(ctx):
    arrears = arrears_for(employer=ctx.employer, as_of=ctx.today)
    if arrears.owed > 0:
        periods = [row for row in arrears.rows if row.owed > 0]
        ctx.fail(
            "__all__",
            _(
                "单位欠费：截至 %(day)s，本单位有 %(n)d 个结算期（%(first)s 起）欠缴社会保险费 %(owed)s 元，"
                "须缴清欠费后才能办理养老关系转出"
            )
            % {
                "day": ctx.today.isoformat(),
                "n": len(periods),
                "first": periods[0].period,
                "owed": format_money(arrears.owed),
            },
        )


NO_ARREARS = Check("no_arrears", gettext_lazy("单位没有欠费"), _no_arrears)


def _balance_computable(ctx):
    """The balance is certified at approval; here it is computed as of today for the reviewer (and a missing
    interest-rate parameter shows now, not at approval)."""
    person = person_of(ctx)
    if person is None:
        return
    balance = pension_balance_at(person=person, day=ctx.today)
    ctx.note(
        _("截至 %(day)s 个人账户储存额 %(balance)s 元（以审核通过之日计算并出具凭证）")
        % {"day": ctx.today.isoformat(), "balance": format_money(balance.balance)}
    )


BALANCE = Check(
    "account_balance", gettext_lazy("个人账户储存额可以计算"), _balance_computable, needs=("id_number",)
)


def effect(ctx):
    transfer = accounts.pension_transfer_record(
        employment=last_employment(ctx.check),
        transfer_date=ctx.check.today,
        destination=ctx.data["destination"],
        reason=ctx.data.get("reason") or "",
        declaration_number=ctx.declaration.number,
    )
    certificate = certificate_issue_transfer(transfer=transfer, user=ctx.actor)
    accounts.pension_transfer_certify(transfer=transfer, certificate_number=certificate.number)


def _transfer_of(declaration) -> PensionTransfer | None:
    return PensionTransfer.objects.filter(
        declaration_number=declaration.number, employer=declaration.employer
    ).first()


def outcome(declaration):
    transfer = _transfer_of(declaration)
    if transfer is None:
        return []
    return [
        (_("转出日期"), transfer.transfer_date.isoformat()),
        (_("转往地区"), transfer.destination),
        (_("个人账户储存额"), _("%(amount)s 元") % {"amount": format_money(transfer.balance)}),
        (
            _("其中本年利息"),
            _("%(amount)s 元（%(k)d 个月，记账利率 %(rate)s%%）")
            % {
                "amount": format_money(transfer.interest),
                "k": transfer.months,
                "rate": f"{(transfer.rate * 100).normalize():f}",
            },
        ),
        (_("参保缴费凭证编号"), transfer.certificate_number),
    ]


def document(declaration):
    transfer = _transfer_of(declaration)
    if transfer is None or not transfer.certificate_number:
        return None
    certificate = Certificate.objects.filter(
        number=transfer.certificate_number, employer=declaration.employer
    ).first()
    if certificate is None:
        return None
    return certificates_pdf([certificate]), f"参保缴费凭证_{certificate.number}.pdf"


def prefill(employer, id_number, today):
    return prefill_name(employer, id_number, today, active=False)


DEFINITION = ItemDefinition(
    code="H17",
    fields=(
        F.ID_NUMBER,
        F.NAME,
        Field(
            "destination",
            gettext_lazy("转往地区"),
            "text",
            required=True,
            max_length=60,
            help=gettext_lazy("转入地的省、市(统筹区)，如 江苏省南京市"),
        ),
        Field("reason", gettext_lazy("转出原因"), "text", max_length=200),
    ),
    checks=(STOPPED_HERE, NO_PENDING, NO_ARREARS, BALANCE),
    effect=effect,
    outcome=outcome,
    document=document,
    document_label=gettext_lazy("打印参保缴费凭证"),
    prefill=prefill,
    intro=gettext_lazy(
        "已在本单位停保、到外地(其他统筹区)就业的人员，转出基本养老保险关系。单位有欠费时不能办理。"
        "审核通过后出具参保缴费凭证（含转出之日的个人账户储存额），可在办事进度中打印。"
    ),
)
