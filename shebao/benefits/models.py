"""Benefit ledgers (待遇支付) and work-injury cases (money.md).

The tables keep their first names (contributions_*): they were part of the contributions app until the split."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.constraints import period_check
from shebao.core.importjobs import ImportJob
from shebao.parameters.models import MONEY


class PensionPayment(models.Model):
    """A monthly pension paid to a retiree; employer = the one the person retired from (Q04)."""

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("支付期"))
    basic_amount = models.DecimalField(_("基础养老金"), **MONEY)
    account_amount = models.DecimalField(_("个人帐户养老金"), **MONEY)
    transitional_amount = models.DecimalField(_("过渡性养老金"), default=0, **MONEY)
    supplement_amount = models.DecimalField(_("调整及补贴"), default=0, **MONEY)
    total = models.DecimalField(_("月养老金"), **MONEY)
    paid_on = models.DateField(_("支付日期"))
    source = models.CharField(_("来源"), max_length=16, default="manual")

    class Meta:
        db_table = "contributions_pensionpayment"
        verbose_name = _("养老金支付")
        verbose_name_plural = _("养老金支付")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="one_pension_payment_per_period"),
            # (no CHECK total = sum of parts: SQLite compares REALs; the services compute total)
        ]
        indexes = [models.Index(fields=["employer", "period"], name="pension_pay_employer_period")]


class MaternityPayment(models.Model):
    """Maternity benefit for one birth: allowance (employer's average base / 30 × leave days) and medical costs."""

    class DeliveryType(models.TextChoices):
        NATURAL = "natural", _("顺产")
        CAESAREAN = "caesarean", _("剖宫产")
        MULTIPLE = "multiple", _("多胞胎")
        MISCARRIAGE = "miscarriage", _("流产")

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("支付期"))
    delivery_date = models.DateField(_("生育日期"))
    delivery_type = models.CharField(_("生育类型"), max_length=16, choices=DeliveryType.choices)
    hospital = models.CharField(_("医院"), max_length=100, blank=True)
    leave_days = models.PositiveSmallIntegerField(_("产假天数"))
    average_base = models.DecimalField(_("单位月平均缴费基数"), **MONEY)
    allowance = models.DecimalField(_("生育津贴"), **MONEY)
    medical_costs = models.DecimalField(_("医疗费用"), default=0, **MONEY)
    total = models.DecimalField(_("合计"), **MONEY)
    paid_on = models.DateField(_("支付日期"))
    source = models.CharField(_("来源"), max_length=16, default="manual")

    class Meta:
        db_table = "contributions_maternitypayment"
        verbose_name = _("生育待遇支付")
        verbose_name_plural = _("生育待遇支付")
        indexes = [
            models.Index(fields=["employer", "period"], name="maternity_pay_employer_period"),
            # the office's person page (人员档案·待遇) reads one person's payments
            models.Index(fields=["person", "period"], name="maternity_pay_person_period"),
        ]


class InjuryCase(models.Model):
    """A work-injury accident (工伤事故) filed by the employer (H13) or the office, with its determination."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("已备案")
        DETERMINED = "determined", _("认定为工伤")
        REJECTED = "rejected", _("不予认定")
        CLOSED = "closed", _("已结案")

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case_number = models.CharField(_("案件编号"), max_length=20, unique=True)
    accident_date = models.DateField(_("事故日期"))
    place = models.CharField(_("事故地点"), max_length=100)
    description = models.TextField(_("事故经过"))
    injury = models.CharField(_("受伤部位及程度"), max_length=200)
    witness = models.CharField(_("证人"), max_length=60, blank=True)
    status = models.CharField(_("认定状态"), max_length=16, choices=Status.choices, default=Status.REPORTED)
    determined_on = models.DateField(_("认定日期"), null=True, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("伤残等级"), null=True, blank=True)
    reported_at = models.DateTimeField(_("备案时间"), auto_now_add=True)
    declaration_id = models.BigIntegerField(null=True, blank=True)  # the H13 declaration, when filed online

    class Meta:
        db_table = "contributions_injurycase"
        verbose_name = _("工伤事故")
        verbose_name_plural = _("工伤事故")
        ordering = ["-accident_date", "-id"]
        indexes = [models.Index(fields=["employer", "accident_date"], name="injury_case_employer_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=10),
                name="injury_grade_1_10",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number


class InjuryPayment(models.Model):
    """One work-injury benefit payment of one cost item for one case (Q06)."""

    class Item(models.TextChoices):
        MEDICAL = "medical", _("医疗费")
        HOSPITAL_FOOD = "hospital_food", _("住院伙食补助费")
        TEMPORARY_DISABILITY = "temporary_disability", _("停工留薪期工资")
        DISABILITY_GRANT = "disability_grant", _("一次性伤残补助金")
        DISABILITY_ALLOWANCE = "disability_allowance", _("伤残津贴")
        NURSING = "nursing", _("生活护理费")
        REHABILITATION = "rehabilitation", _("康复及辅助器具费")
        OTHER = "other", _("其他")

    case = models.ForeignKey(InjuryCase, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("支付期"))
    item = models.CharField(_("费用项目"), max_length=24, choices=Item.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    paid_on = models.DateField(_("支付日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=16, default="manual")

    class Meta:
        db_table = "contributions_injurypayment"
        verbose_name = _("工伤待遇支付")
        verbose_name_plural = _("工伤待遇支付")
        indexes = [models.Index(fields=["employer", "period"], name="injury_pay_employer_period")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="injury_payment_positive")]


class PensionAward(models.Model):
    """The initial pension (退休待遇核定) of a retiree, computed once at retirement (H12's approval, or the
    demo) by ``benefits.selectors.pension_computation``: every input and intermediate figure is kept, so the
    computation sheet prints what was decided."""

    class RetirementType(models.TextChoices):
        NORMAL = "normal", _("正常退休")
        SPECIAL = "special", _("特殊工种提前退休")
        ILLNESS = "illness", _("病退")

    person = models.OneToOneField("persons.Person", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    declaration_number = models.CharField(_("申报流水号"), max_length=20, blank=True)
    retirement_type = models.CharField(_("退休类型"), max_length=8, choices=RetirementType.choices)
    retirement_date = models.DateField(_("退休日期"))
    start_period = models.PositiveIntegerField(_("待遇起始期"))
    age_months = models.PositiveSmallIntegerField(_("退休年龄(月)"))
    average_wage_year = models.PositiveSmallIntegerField(_("社平工资年度"))
    average_wage = models.DecimalField(_("上年度社会平均工资"), **MONEY)
    paid_months = models.PositiveIntegerField(_("缴费月数"))
    contribution_index = models.DecimalField(_("平均缴费指数"), max_digits=8, decimal_places=4)
    basic_amount = models.DecimalField(_("基础养老金"), **MONEY)
    balance = models.DecimalField(_("个人帐户储存额"), **MONEY)
    divisor = models.DecimalField(_("计发月数"), max_digits=6, decimal_places=2)
    account_amount = models.DecimalField(_("个人帐户养老金"), **MONEY)
    total = models.DecimalField(_("月养老金"), **MONEY)
    sheet = models.JSONField(_("计算明细"), default=dict)
    created_at = models.DateTimeField(_("核定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("养老待遇核定")
        verbose_name_plural = _("养老待遇核定")
        indexes = [models.Index(fields=["employer", "start_period"], name="pension_award_employer")]
        constraints = [period_check("start_period", "pension_award_start_valid")]


class BenefitImport(ImportJob):
    """A benefit or medical-spending file (benefits.imports.BENEFIT_FILES) too large to import inside the
    request: kept here until a background worker imports it (services.benefit_import_execute), all or nothing,
    with the rows' errors if it is refused."""

    KINDS = [
        ("pension", _("养老金支付")),
        ("maternity", _("生育待遇支付")),
        ("injury", _("工伤待遇支付")),
        ("medical", _("医疗帐户消费")),
    ]  # as benefits.imports.BENEFIT_FILES
    kind = models.CharField(_("导入类型"), max_length=16, choices=KINDS)

    class Meta(ImportJob.Meta):
        verbose_name = _("待遇文件导入")
        verbose_name_plural = _("待遇文件导入")
