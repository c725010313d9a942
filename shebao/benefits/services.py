"""Writing benefits (money.md): pension and maternity payments, work-injury cases and their payments, and the
benefit files of the office. Views, the demo and the declaration effects all write through these functions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.csvfiles import ImportRejected, ImportResult
from shebao.core.errors import DomainError
from shebao.core.importjobs import import_job_execute
from shebao.core.numbering import create_numbered
from shebao.core.period import Period
from shebao.parameters.models import PolicySetting
from shebao.persons.models import Employment

from .models import BenefitImport, InjuryCase, InjuryPayment, MaternityPayment, PensionPayment
from .selectors import injury_covered_on, maternity_quote

Key = PolicySetting.Key


# ---------------------------------------------------------------------------------------------------------------
# Benefits.
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def pension_payment_record(
    *,
    person,
    employer,
    period: int,
    basic_amount: Decimal,
    account_amount: Decimal,
    paid_on: dt.date,
    transitional_amount: Decimal = Decimal("0.00"),
    supplement_amount: Decimal = Decimal("0.00"),
    source: str = "manual",
) -> PensionPayment:
    if PensionPayment.objects.filter(person=person, period=period).exists():
        raise DomainError(
            _("%(name)s %(period)s 的养老金已登记") % {"name": person.name, "period": Period(period).label()},
            field="period",
        )
    return PensionPayment.objects.create(
        person=person,
        employer=employer,
        period=period,
        basic_amount=basic_amount,
        account_amount=account_amount,
        transitional_amount=transitional_amount,
        supplement_amount=supplement_amount,
        total=basic_amount + account_amount + transitional_amount + supplement_amount,
        paid_on=paid_on,
        source=source,
    )


@transaction.atomic
def maternity_payment_record(
    *,
    person,
    employer,
    delivery_date: dt.date,
    delivery_type: str,
    paid_on: dt.date,
    hospital: str = "",
    leave_days: int | None = None,
    medical_costs: Decimal = Decimal("0.00"),
    average_base: Decimal | None = None,
    babies: int = 1,
    pregnancy_months: int = 0,
    source: str = "manual",
) -> MaternityPayment:
    """Allowance = the employer's average monthly base ÷ 30 × leave days. The leave days come from the
    leave-days table by delivery type (babies of a multiple birth, months of pregnancy of a miscarriage);
    only the office's benefit file may state them itself."""
    quote = maternity_quote(
        employer=employer,
        delivery_date=delivery_date,
        delivery_type=delivery_type,
        babies=babies,
        pregnancy_months=pregnancy_months,
        leave_days=leave_days,
        average_base=average_base,
    )
    leave_days, average_base, allowance = quote.leave_days, quote.average_base, quote.allowance
    if leave_days <= 0:
        raise DomainError(_("产假天数必须大于0"), field="leave_days")
    return MaternityPayment.objects.create(
        person=person,
        employer=employer,
        period=Period.from_date(paid_on).value,
        delivery_date=delivery_date,
        delivery_type=delivery_type,
        hospital=hospital,
        leave_days=leave_days,
        average_base=average_base,
        allowance=allowance,
        medical_costs=medical_costs,
        total=allowance + medical_costs,
        paid_on=paid_on,
        source=source,
    )


def _next_case_number(accident_date: dt.date) -> str:
    """GS + the accident's YYYYMM + a 6-digit sequence within that month (the last one + 1)."""
    prefix = f"GS{accident_date:%Y%m}"
    last = (
        InjuryCase.objects.filter(case_number__startswith=prefix)
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


INJURY_CASE_EARLIEST = dt.date(1990, 1, 1)
INJURY_DESCRIPTION_MAX = 2000  # 事故经过 is a TextField; a bound keeps a pasted file out


def _text_field(value: str, name: str, *, required: bool = True) -> str:
    """Trim one text of a case and check it against the model (required, max_length); the error names it."""
    model_field = InjuryCase._meta.get_field(name)
    label = str(model_field.verbose_name)
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写%(label)s") % {"label": label}, field=name)
    limit = model_field.max_length or INJURY_DESCRIPTION_MAX
    if len(value) > limit:
        raise DomainError(
            _("%(label)s最多 %(max)d 个字（现有 %(n)d 个）")
            % {"label": label, "max": limit, "n": len(value)},
            field=name,
        )
    return value


def _check_injury_coverage(*, person, employer, accident_date: dt.date) -> None:
    """The person must be insured for work injury at `employer` in the accident's month (spec H13)."""
    if not Employment.objects.filter(person=person, employer=employer).exists():
        raise DomainError(
            _("公民身份号码 %(id)s（%(name)s）在「%(employer)s」没有参保记录")
            % {"id": person.id_number, "name": person.name, "employer": employer.name},
            field="id_number",
        )
    if not injury_covered_on(person=person, employer=employer, day=accident_date):
        raise DomainError(
            _("事故日期 %(day)s：%(name)s 当时未在「%(employer)s」参加工伤保险")
            % {"day": accident_date.isoformat(), "name": person.name, "employer": employer.name},
            field="accident_date",
        )


@transaction.atomic
def injury_case_open(
    *,
    person,
    employer,
    accident_date: dt.date,
    place: str,
    description: str,
    injury: str,
    witness: str = "",
    declaration_id: int | None = None,
    today: dt.date | None = None,
) -> InjuryCase:
    """File a work-injury accident (H13's effect, or the office): status 已备案 until determined.

    Rules (errors name the field): accident date not after `today` (default: the local date) and not before
    1990; the person insured for work injury at the employer in the accident's month; texts within the model's
    lengths. The case number GS<YYYYMM><seq> is safe against two filings at once."""
    if today is None:
        today = timezone.localdate()
    if accident_date > today:
        raise DomainError(
            _("事故日期 %(day)s 不能晚于今天（%(today)s）")
            % {"day": accident_date.isoformat(), "today": today.isoformat()},
            field="accident_date",
        )
    if accident_date < INJURY_CASE_EARLIEST:
        raise DomainError(_("事故日期不能早于 1990-01-01"), field="accident_date")
    _check_injury_coverage(person=person, employer=employer, accident_date=accident_date)
    fields = dict(
        person=person,
        employer=employer,
        accident_date=accident_date,
        place=_text_field(place, "place"),
        description=_text_field(description, "description"),
        injury=_text_field(injury, "injury"),
        witness=_text_field(witness, "witness", required=False),
        declaration_id=declaration_id,
    )
    return create_numbered(
        draw=lambda: _next_case_number(accident_date),
        create=lambda number: InjuryCase.objects.create(case_number=number, **fields),
        taken=lambda number: InjuryCase.objects.filter(case_number=number).exists(),
        exhausted=_("工伤案件编号生成冲突，请稍后重试"),
    )


@transaction.atomic
def injury_case_determine(
    *, case: InjuryCase, status: str, determined_on: dt.date, disability_grade: int | None = None
) -> InjuryCase:
    """Record the injury determination: 认定为工伤 (with an optional disability grade 1–10) or 不予认定."""
    if status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.REJECTED, InjuryCase.Status.CLOSED):
        raise DomainError(_("认定结果不正确"), field="status")
    if disability_grade is not None and not 1 <= disability_grade <= 10:
        raise DomainError(_("伤残等级应为1–10级"), field="disability_grade")
    if determined_on < case.accident_date:
        raise DomainError(_("认定日期不能早于事故日期"), field="determined_on")
    updated = InjuryCase.objects.filter(pk=case.pk, status=case.status).update(
        status=status, determined_on=determined_on, disability_grade=disability_grade
    )
    if not updated:
        raise DomainError(_("该工伤案件已被他人处理，请刷新后重试"))
    case.refresh_from_db()
    return case


@transaction.atomic
def injury_payment_record(
    *, case: InjuryCase, item: str, amount: Decimal, paid_on: dt.date, note: str = "", source: str = "manual"
) -> InjuryPayment:
    """Pay one cost item of a case that was determined as a work injury (H15's effect, or the office)."""
    if case.status not in (InjuryCase.Status.DETERMINED, InjuryCase.Status.CLOSED):
        raise DomainError(
            _("工伤案件 %(no)s 尚未认定为工伤，不能支付待遇") % {"no": case.case_number}, field="case"
        )
    if item not in InjuryPayment.Item.values:
        raise DomainError(_("费用项目不正确"), field="item")
    if amount <= 0:
        raise DomainError(_("金额必须大于0"), field="amount")
    return InjuryPayment.objects.create(
        case=case,
        person_id=case.person_id,
        employer_id=case.employer_id,
        period=Period.from_date(paid_on).value,
        item=item,
        amount=amount,
        paid_on=paid_on,
        note=note,
        source=source,
    )


@transaction.atomic
def benefit_rows_import(*, kind: str, rows: list[dict]) -> ImportResult:
    """Record parsed rows of a benefit file (see imports.py) all or nothing; a DomainError on any row rejects
    the whole file with the row named."""
    recorder = {
        "pension": pension_payment_record,
        "maternity": maternity_payment_record,
        "injury": injury_payment_record,
    }[kind]
    errors = []
    for row in rows:
        line = row.pop("line")
        try:
            with transaction.atomic():
                recorder(source="import", **row)
        except DomainError as exc:
            errors.append(_("第 %(line)d 行：%(msg)s") % {"line": line, "msg": exc.message})
    if errors:
        transaction.set_rollback(True)
        raise ImportRejected(errors)
    return ImportResult(created=len(rows))


def benefit_import_queue(*, kind: str, content: bytes, file_name: str, rows: int, user=None) -> BenefitImport:
    """Keep a large benefit or medical-spending file for the background worker; the caller enqueues
    ``tasks.benefit_import_task`` on commit."""
    return BenefitImport.objects.create(
        kind=kind, content=content, file_name=file_name[:200], rows=rows, created_by=user
    )


def benefit_file_import(*, kind: str, upload) -> ImportResult:
    """Parse and import one file of BENEFIT_FILES[kind], all or nothing (medical spending goes to the
    individual accounts)."""
    from shebao.individual_accounts.services import medical_debits_import

    from .imports import BENEFIT_FILES

    rows = BENEFIT_FILES[kind][2](upload)
    if kind == "medical":
        return medical_debits_import(rows=rows)
    return benefit_rows_import(kind=kind, rows=rows)


def benefit_import_execute(*, job: BenefitImport) -> BenefitImport:
    """Import a queued file (worker), recording the result or the rows' errors on the job."""
    return import_job_execute(
        job, lambda content: benefit_file_import(kind=job.kind, upload=io.BytesIO(content))
    )


PENSION_PAY_DAY = 10  # pensions are paid on the 10th of the month


def _sheet(computation) -> dict:
    """The computation's figures as JSON (strings for money), for the printable sheet."""
    b = computation.balance_at
    return {
        "index_years": [
            {
                "year": y.year,
                "months": y.months,
                "base_total": str(y.base_total),
                "average_wage_year": y.average_wage_year,
                "average_wage": str(y.average_wage),
                "ratio_total": str(y.ratio_total.quantize(Decimal("0.000001"))),
            }
            for y in computation.index_years
        ],
        "balance": {
            "closed_year": b.closed_year,
            "closed_balance": str(b.closed_balance),
            "carried": str(b.carried),
            "opening": str(b.opening),
            "credits": [[m, str(v)] for m, v in b.credits],
            "credits_total": str(b.credits_total),
            "months": b.months,
            "rate_year": b.rate_year,
            "rate": str(b.rate),
            "interest": str(b.interest),
            "balance": str(b.balance),
        },
        "rounding": computation.rounding,
    }


@transaction.atomic
def pension_award_record(
    *,
    person,
    employer,
    retirement_date: dt.date,
    retirement_type: str,
    today: dt.date,
    declaration_number: str = "",
    source: str = "declaration",
    awarded_on: dt.date | None = None,
):
    """Compute the initial pension (benefits.selectors.pension_computation, the one formula) and record it,
    with the monthly payments from the month after retirement up to `today`'s month (at least the first): what
    Q04 and Q14 show. A month is paid on its PENSION_PAY_DAY, or on the award's day (default `today`) when that is
    later (the months an award made late pays at once)."""
    from .models import PensionAward
    from .selectors import pension_computation

    if PensionAward.objects.filter(person=person).exists():
        raise DomainError(_("%(name)s 的养老待遇已核定") % {"name": person.name}, field="id_number")
    c = pension_computation(person=person, retirement_date=retirement_date)
    award = PensionAward.objects.create(
        person=person,
        employer=employer,
        declaration_number=declaration_number,
        retirement_type=retirement_type,
        retirement_date=retirement_date,
        start_period=c.start_period,
        age_months=c.age_months,
        average_wage_year=c.average_wage_year,
        average_wage=c.average_wage,
        paid_months=c.paid_months,
        contribution_index=c.contribution_index,
        basic_amount=c.basic,
        balance=c.balance,
        divisor=c.divisor,
        account_amount=c.account,
        total=c.total,
        sheet=_sheet(c),
    )
    awarded_on = awarded_on or today
    period, last = Period(c.start_period), max(Period(c.start_period), Period.from_date(today))
    while period <= last:
        pension_payment_record(
            person=person,
            employer=employer,
            period=period.value,
            basic_amount=c.basic,
            account_amount=c.account,
            paid_on=max(awarded_on, dt.date(period.year, period.month, PENSION_PAY_DAY)),
            source=source,
        )
        period = period + 1
    return award
