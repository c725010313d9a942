"""Office pages of the money apps: settlement runs, interest closing, arrivals, benefit payments and files.

Thin views: shape-check the form, call a service, show its DomainError in Chinese. Office administrators only.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shebao.accounts.permissions import office_role_required
from shebao.benefits import imports as benefit_imports
from shebao.benefits import services as benefit_services
from shebao.benefits.models import BenefitImport, InjuryCase, InjuryPayment, MaternityPayment
from shebao.benefits.tasks import benefit_import_task
from shebao.contributions import imports, selectors, services
from shebao.contributions.models import Arrival, ArrivalImport, SettlementRun
from shebao.contributions.tasks import arrivals_import_task, settlement_run_task
from shebao.core import csvfiles
from shebao.core.errors import DomainError
from shebao.core.forms import DateField, IntegerField, MoneyField, PeriodField
from shebao.core.money import format_count, format_money
from shebao.core.period import Period
from shebao.core.validators import PAST_DATE, parse_amount
from shebao.declarations import clock
from shebao.individual_accounts import imports as account_imports
from shebao.individual_accounts import selectors as account_selectors
from shebao.individual_accounts import services as account_services

settlement_staff = office_role_required("is_office_admin", "is_settlement")
finance_staff = office_role_required("is_office_admin", "is_finance")


def _errors_of(form) -> dict:
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


class OfficeForm(forms.Form):
    """The office's forms: every error message names its field (required, date format, length)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label).split("(")[0]
            field.error_messages["required"] = _("请填写%(label)s") % {"label": label}
            if getattr(field, "max_length", None):
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)] + [
                    MaxLengthValidator(
                        field.max_length,
                        message=_("%(label)s最多 %(max)d 个字") % {"label": label, "max": field.max_length}
                        + _("（现有 %(show_value)d 个）"),
                    )
                ]


# --- settlement runs -------------------------------------------------------------------------------------------


class SettleForm(OfficeForm):
    period = PeriodField(label=_l("结算期"), max_length=10)


@settlement_staff
def settlements(request):
    services.settlement_runs_reap()
    form = SettleForm(request.POST or None, initial={"period": Period.current().value})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                run = services.settlement_start(
                    period=form.cleaned_data["period"], user=request.user, source="office"
                )
                transaction.on_commit(lambda: settlement_run_task.enqueue(run.pk))
        except DomainError as exc:
            form.add_error("period", exc.message)
        else:
            messages.success(request, _("已提交 %(p)s 的结算") % {"p": Period(run.period).label()})
            return redirect("office:settlement", run_id=run.pk)
    return render(
        request,
        "office/contributions/settlements.html",
        {
            "form": form,
            "errors": _errors_of(form),
            "runs": selectors.settlement_runs(),
            "marks": selectors.settlement_marks_pending(),
        },
    )


class MarkFailedForm(OfficeForm):
    reason = forms.CharField(label=_l("原因"), max_length=500)


@settlement_staff
def settlement(request, run_id: int):
    """One run; an administrator may mark a stuck run (queued or running) failed, with a reason."""
    services.settlement_runs_reap()
    run = get_object_or_404(SettlementRun.objects.select_related("started_by", "marked_failed_by"), pk=run_id)
    if request.method == "POST" and not request.user.is_office_admin:
        raise PermissionDenied  # settlement staff follow a run; only an administrator marks one failed
    form = MarkFailedForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.settlement_run_fail(run=run, user=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error("reason", exc.message)
            else:
                messages.success(request, _("已将结算批次 #%(id)s 标记为失败，可以重新结算") % {"id": run.pk})
                return redirect("office:settlement", run_id=run.pk)
        status = 400
    template = "office/contributions/_run.html" if request.htmx else "office/contributions/settlement.html"
    return render(
        request, template, {"run": run, "fail_form": form, "errors": _errors_of(form)}, status=status
    )


class InterestForm(OfficeForm):
    year = IntegerField(label=_l("年度"), min_value=1990, max_value=2100)


@settlement_staff
def interest(request):
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing = account_services.interest_close(
                year=form.cleaned_data["year"], today=timezone.localdate(), user=request.user
            )
        except DomainError as exc:
            form.add_error("year", exc.message)
        else:
            messages.success(
                request,
                _("%(y)s 年度结息完成：%(n)s 个帐户，利息合计 %(i)s 元")
                % {
                    "y": closing.year,
                    "n": format_count(closing.accounts),
                    "i": format_money(closing.interest_total),
                },
            )
            return redirect("office:interest")
    return render(
        request,
        "office/contributions/interest.html",
        {"form": form, "errors": _errors_of(form), "closings": account_selectors.interest_closings()},
    )


# --- arrivals --------------------------------------------------------------------------------------------------


class ArrivalForm(OfficeForm):
    employer = forms.CharField(label=_l("单位编号或统一社会信用代码"), max_length=30)
    received_on = DateField(label=_l("到账日期"))
    amount = MoneyField(label=_l("金额"), max_length=20)
    period = PeriodField(label=_l("结算期(可选)"), max_length=10, required=False)
    reference = forms.CharField(label=_l("银行流水号"), max_length=60, required=False)
    purpose = forms.ChoiceField(
        label=_l("用途"),
        choices=Arrival.Purpose.choices,
        initial=Arrival.Purpose.CONTRIBUTIONS,
        required=False,
    )


@finance_staff
def arrivals(request):
    form = ArrivalForm(prefix="a")
    import_errors: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "record":
        form = ArrivalForm(request.POST, prefix="a")
        if form.is_valid():
            data = form.cleaned_data
            try:
                employer = imports.find_employer(data["employer"])
            except DomainError as exc:
                form.add_error("employer", exc.message)
            else:
                try:
                    arrival = services.arrival_record(
                        employer=employer,
                        received_on=data["received_on"],
                        amount=data["amount"],
                        period=data["period"],
                        reference=data["reference"],
                        purpose=data["purpose"] or Arrival.Purpose.CONTRIBUTIONS,
                        user=request.user,
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(
                        request,
                        _("已登记 %(name)s 到账 %(amount)s 元，分配 %(allocated)s 元，余额 %(credit)s 元")
                        % {
                            "name": employer.name,
                            "amount": format_money(arrival.amount),
                            "allocated": format_money(arrival.allocated),
                            "credit": format_money(arrival.credit),
                        },
                    )
                    return redirect("office:arrivals")
    elif request.method == "POST" and request.POST.get("action") == "import":
        upload = request.FILES.get("file")
        if upload is None:
            import_errors = [_("请选择要导入的文件")]
        else:
            try:
                content, count = _read_upload(upload)
                if count > settings.SHEBAO_IMPORT_BACKGROUND_ROWS:
                    _queue_import(
                        request,
                        count,
                        lambda: services.arrivals_import_queue(
                            content=content, file_name=upload.name or "", rows=count, user=request.user
                        ),
                        arrivals_import_task,
                    )
                    return redirect("office:arrivals")
                rows = imports.parse_arrivals_csv(io.BytesIO(content))
                result = services.arrivals_import(rows=rows, user=request.user)
            except csvfiles.ImportRejected as exc:
                import_errors = exc.errors
            else:
                messages.success(request, _("已导入 %(n)d 笔到账") % {"n": result.created})
                return redirect("office:arrivals")
    recent = (
        Arrival.objects.select_related("employer")
        .prefetch_related("allocations")
        .order_by("-recorded_at", "-id")[:30]
    )
    in_arrears = selectors.employers_in_arrears(as_of=timezone.localdate())
    return render(
        request,
        "office/contributions/arrivals.html",
        {
            "form": form,
            "errors": _errors_of(form),
            "import_errors": import_errors,
            "columns": imports.ARRIVAL_COLUMNS,
            "recent": recent,
            "arrears_count": in_arrears.count(),
            "arrears": in_arrears[:30],
            "background_imports": ArrivalImport.objects.select_related("created_by").defer("content")[:10],
            "threshold": settings.SHEBAO_IMPORT_BACKGROUND_ROWS,
        },
    )


# --- late surcharge waivers --------------------------------------------------------------------------------------


class WaiverForm(OfficeForm):
    employer = forms.CharField(label=_l("单位编号或统一社会信用代码"), max_length=30)
    period = PeriodField(label=_l("结算期"), max_length=10)
    amount = MoneyField(label=_l("减免金额"), max_length=20)
    reason = forms.CharField(label=_l("减免原因"), max_length=200)


@finance_staff
def surcharge(request):
    """Late surcharge (money.md ledger): periods with assessed surcharge still owed; waive part or all of it
    with a reason (recorded with who and when)."""
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employer = imports.find_employer(data["employer"])
            waiver = services.surcharge_waive(
                employer=employer,
                period=data["period"],
                amount=data["amount"],
                reason=data["reason"],
                user=request.user,
                waived_on=clock.today(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已减免 %(name)s %(period)s 期滞纳金 %(amount)s 元")
                % {"name": employer.name, "period": waiver.period, "amount": format_money(waiver.amount)},
            )
            return redirect("office:surcharge")
    return render(
        request,
        "office/contributions/surcharge.html",
        {
            "form": form,
            "errors": _errors_of(form),
            "owing": selectors.surcharge_owing()[:50],
            "waivers": selectors.surcharge_waivers()[:30],
        },
    )


# --- benefits --------------------------------------------------------------------------------------------------


class PensionPaymentForm(OfficeForm):
    id_number = forms.CharField(label=_l("公民身份号码"), max_length=18)
    period = PeriodField(label=_l("支付期"), max_length=10)
    basic_amount = MoneyField(label=_l("基础养老金"), max_length=20)
    account_amount = MoneyField(label=_l("个人帐户养老金"), max_length=20)
    transitional_amount = MoneyField(label=_l("过渡性养老金"), max_length=20, required=False)
    supplement_amount = MoneyField(label=_l("调整及补贴"), max_length=20, required=False)
    paid_on = DateField(label=_l("支付日期"))


class MaternityPaymentForm(OfficeForm):
    id_number = forms.CharField(label=_l("公民身份号码"), max_length=18)
    delivery_date = DateField(label=_l("生育日期"), window=PAST_DATE)
    delivery_type = forms.ChoiceField(label=_l("生育类型"), choices=MaternityPayment.DeliveryType.choices)
    hospital = forms.CharField(label=_l("医院"), max_length=100, required=False)
    leave_days = IntegerField(label=_l("产假天数(空=按政策)"), min_value=1, max_value=400, required=False)
    medical_costs = MoneyField(label=_l("医疗费用"), max_length=20, required=False)
    paid_on = DateField(label=_l("支付日期"))


class InjuryPaymentForm(OfficeForm):
    case_number = forms.CharField(label=_l("工伤案件编号"), max_length=20)
    item = forms.ChoiceField(label=_l("费用项目"), choices=InjuryPayment.Item.choices)
    amount = MoneyField(label=_l("金额"), max_length=20)
    paid_on = DateField(label=_l("支付日期"))
    note = forms.CharField(label=_l("说明"), max_length=200, required=False)


class InjuryDetermineForm(OfficeForm):
    case_number = forms.CharField(label=_l("工伤案件编号"), max_length=20)
    status = forms.ChoiceField(
        label=_l("认定结果"),
        choices=[(InjuryCase.Status.DETERMINED, InjuryCase.Status.DETERMINED.label),
                 (InjuryCase.Status.REJECTED, InjuryCase.Status.REJECTED.label)],
    )  # fmt: skip
    determined_on = DateField(label=_l("认定日期"))
    disability_grade = IntegerField(label=_l("伤残等级(可选)"), min_value=1, max_value=10, required=False)


class InjuryCaseForm(OfficeForm):
    """工伤事故备案 by hand (the office's way besides an approved H13). Lengths follow InjuryCase."""

    employer = forms.CharField(label=_l("单位编号或统一社会信用代码"), max_length=30)
    id_number = forms.CharField(label=_l("公民身份号码"), max_length=18)
    accident_date = DateField(label=_l("事故日期"), window=PAST_DATE)
    place = forms.CharField(label=_l("事故地点"), max_length=100)
    description = forms.CharField(
        label=_l("事故经过"),
        max_length=benefit_services.INJURY_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    injury = forms.CharField(label=_l("受伤部位及程度"), max_length=200)
    witness = forms.CharField(label=_l("证人(可选)"), max_length=60, required=False)


class MedicalDebitForm(OfficeForm):
    id_number = forms.CharField(label=_l("公民身份号码"), max_length=18)
    entry_date = DateField(label=_l("消费日期"))
    amount = MoneyField(label=_l("金额"), max_length=20)
    place = forms.CharField(label=_l("消费机构"), max_length=100, required=False)
    reference = forms.CharField(label=_l("单据号"), max_length=60, required=False)


BENEFIT_FORMS = {
    "pension": (_l("养老金支付"), PensionPaymentForm),
    "maternity": (_l("生育待遇支付"), MaternityPaymentForm),
    "injury_case": (_l("工伤事故备案"), InjuryCaseForm),
    "injury_determine": (_l("工伤认定结果"), InjuryDetermineForm),
    "injury": (_l("工伤待遇支付"), InjuryPaymentForm),
    "medical": (_l("医疗帐户消费(扣减)"), MedicalDebitForm),
}
ZERO_MONEY = parse_amount("0")


def _open_injury_case(data: dict) -> InjuryCase:
    """工伤事故备案: look the employer and the person up (errors on their own fields), then the service's rules."""
    try:
        employer = imports.find_employer(data["employer"])
    except DomainError as exc:
        raise DomainError(exc.message, field="employer") from None
    try:
        person = account_imports.find_person(data["id_number"])
    except DomainError as exc:
        raise DomainError(exc.message, field="id_number") from None
    return benefit_services.injury_case_open(
        person=person,
        employer=employer,
        accident_date=data["accident_date"],
        place=data["place"],
        description=data["description"],
        injury=data["injury"],
        witness=data["witness"],
        today=clock.today(),
    )


def _record_benefit(kind: str, data: dict, user) -> str:
    """Call the service for one hand-entered benefit form; returns the success message."""
    if kind == "pension":
        person = account_imports.find_person(data["id_number"])
        payment = benefit_services.pension_payment_record(
            person=person,
            employer=benefit_imports.retired_from(person),
            period=data["period"],
            basic_amount=data["basic_amount"],
            account_amount=data["account_amount"],
            transitional_amount=data["transitional_amount"] or ZERO_MONEY,
            supplement_amount=data["supplement_amount"] or ZERO_MONEY,
            paid_on=data["paid_on"],
        )
        return _("已登记 %(name)s 养老金 %(amount)s 元") % {
            "name": person.name,
            "amount": format_money(payment.total),
        }
    if kind == "maternity":
        person = account_imports.find_person(data["id_number"])
        payment = benefit_services.maternity_payment_record(
            person=person,
            employer=benefit_imports.employer_on(person, data["delivery_date"]),
            delivery_date=data["delivery_date"],
            delivery_type=data["delivery_type"],
            hospital=data["hospital"],
            leave_days=data["leave_days"],
            medical_costs=data["medical_costs"] or ZERO_MONEY,
            paid_on=data["paid_on"],
        )
        return _("已登记 %(name)s 生育津贴 %(allowance)s 元，合计 %(total)s 元") % {
            "name": person.name,
            "allowance": format_money(payment.allowance),
            "total": format_money(payment.total),
        }
    case = None
    if kind in ("injury", "injury_determine"):
        case = InjuryCase.objects.filter(case_number=data["case_number"].strip().upper()).first()
        if case is None:
            raise DomainError(
                _("工伤案件「%(no)s」不存在") % {"no": data["case_number"]}, field="case_number"
            )
    if kind == "injury_determine":
        benefit_services.injury_case_determine(
            case=case,
            status=data["status"],
            determined_on=data["determined_on"],
            disability_grade=data["disability_grade"],
        )
        return _("已记录案件 %(no)s 的认定结果") % {"no": case.case_number}
    if kind == "injury":
        payment = benefit_services.injury_payment_record(
            case=case, item=data["item"], amount=data["amount"], paid_on=data["paid_on"], note=data["note"]
        )
        return _("已登记案件 %(no)s 的%(item)s %(amount)s 元") % {
            "no": case.case_number,
            "item": payment.get_item_display(),
            "amount": format_money(payment.amount),
        }
    person = account_imports.find_person(data["id_number"])
    account_services.medical_debit_record(
        person=person,
        amount=data["amount"],
        entry_date=data["entry_date"],
        place=data["place"],
        reference=data["reference"],
    )
    return _("已登记 %(name)s 医疗帐户消费 %(amount)s 元") % {
        "name": person.name,
        "amount": format_money(data["amount"]),
    }


def _read_upload(upload) -> tuple[bytes, int]:
    """The uploaded file's bytes and its number of rows (csvfiles' checks: size, encoding, parse errors)."""
    content = csvfiles.read_bytes(upload)
    return content, len(csvfiles.read_rows(io.BytesIO(content)))


def _queue_import(request, count: int, queue, task) -> None:
    """Keep a large file as a job (``queue()``) and hand it to the background worker once committed."""
    with transaction.atomic():
        job = queue()
        transaction.on_commit(lambda: task.enqueue(job.pk))
    messages.success(
        request, _("文件共 %(n)d 行，已交后台导入，完成后在下方「后台导入」中查看结果") % {"n": count}
    )


@finance_staff
def benefits(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "pension"
    if kind not in BENEFIT_FORMS:
        kind = "pension"
    form_class = BENEFIT_FORMS[kind][1]
    # A case number in the address (the link after 工伤事故备案) fills the case forms in.
    form = form_class(initial={"case_number": request.GET.get("case_number", "")[:20]})
    opened = None
    if kind == "injury_case" and request.GET.get("opened"):
        opened = (
            InjuryCase.objects.filter(case_number=request.GET["opened"][:20]).select_related("person").first()
        )
    import_errors: list[str] = []
    import_kind = request.POST.get("import_kind", "pension")
    if request.method == "POST" and request.POST.get("action") == "record":
        form = form_class(request.POST)
        if form.is_valid():
            after = ""
            try:
                if kind == "injury_case":
                    case = _open_injury_case(form.cleaned_data)
                    message = _("已备案工伤事故，案件编号 %(no)s（%(name)s，%(employer)s）") % {
                        "no": case.case_number,
                        "name": case.person.name,
                        "employer": case.employer.name,
                    }
                    after = f"&opened={case.case_number}"
                else:
                    message = _record_benefit(kind, form.cleaned_data, request.user)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, message)
                return redirect(f"{reverse('office:benefits')}?kind={kind}{after}")
    elif request.method == "POST" and request.POST.get("action") == "import":
        upload = request.FILES.get("file")
        if import_kind not in benefit_imports.BENEFIT_FILES:
            import_errors = [_("请选择导入类型")]
        elif upload is None:
            import_errors = [_("请选择要导入的文件")]
        else:
            try:
                content, count = _read_upload(upload)
                if count > settings.SHEBAO_IMPORT_BACKGROUND_ROWS:
                    _queue_import(
                        request,
                        count,
                        lambda: benefit_services.benefit_import_queue(
                            kind=import_kind,
                            content=content,
                            file_name=upload.name or "",
                            rows=count,
                            user=request.user,
                        ),
                        benefit_import_task,
                    )
                    return redirect(f"{reverse('office:benefits')}?kind={kind}")
                result = benefit_services.benefit_file_import(kind=import_kind, upload=io.BytesIO(content))
            except csvfiles.ImportRejected as exc:
                import_errors = exc.errors
            else:
                messages.success(request, _("已导入 %(n)d 行") % {"n": result.created})
                return redirect(f"{reverse('office:benefits')}?kind={kind}")
    return render(
        request,
        "office/contributions/benefits.html",
        {
            "kind": kind,
            "kinds": [(k, label) for k, (label, _cls) in BENEFIT_FORMS.items()],
            "form": form,
            "import_errors": import_errors,
            "import_kind": import_kind,
            "files": [(k, label, cols) for k, (label, cols, _p) in benefit_imports.BENEFIT_FILES.items()],
            "opened": opened,
            "background_imports": BenefitImport.objects.select_related("created_by").defer("content")[:10],
            "threshold": settings.SHEBAO_IMPORT_BACKGROUND_ROWS,
            "open_cases": InjuryCase.objects.filter(status=InjuryCase.Status.REPORTED)
            .select_related("person", "employer")
            .order_by("accident_date")[:20],
        },
    )


urlpatterns = [
    path("settlements/", settlements, name="settlements"),
    path("settlements/<int:run_id>/", settlement, name="settlement"),
    path("interest/", interest, name="interest"),
    path("arrivals/", arrivals, name="arrivals"),
    path("surcharge/", surcharge, name="surcharge"),
    path("benefits/", benefits, name="benefits"),
]
