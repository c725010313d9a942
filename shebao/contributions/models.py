"""Policy parameters as effective-dated data (money.md). Everything here is edited by the office, never code."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.choices import EmployerType, Gender, Insurance, RoundingRule
from shebao.core.constraints import period_check

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 9, "decimal_places": 6}  # a fraction: 0.160000 = 16 %


class InsuranceRate(models.Model):
    """Employer and individual rate of one insurance, from effective_from on. employer_type blank = every type.
    For work injury employer_rate may be null: the employer's risk-class rate applies."""

    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    employer_type = models.CharField(_("单位类型"), max_length=32, choices=EmployerType.choices, blank=True)
    effective_from = models.PositiveIntegerField(_("起始期"))
    employer_rate = models.DecimalField(_("单位缴费比例"), null=True, blank=True, **RATE)
    individual_rate = models.DecimalField(_("个人缴费比例"), default=0, **RATE)

    class Meta:
        verbose_name = _("缴费比例")
        verbose_name_plural = _("缴费比例")
        ordering = ["insurance", "employer_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["insurance", "employer_type", "effective_from"], name="one_rate_per_start"
            ),
            period_check("effective_from", "rate_effective_from_valid"),
            models.CheckConstraint(
                condition=(Q(employer_rate__isnull=True) | Q(employer_rate__gte=0, employer_rate__lt=1))
                & Q(individual_rate__gte=0, individual_rate__lt=1),
                name="rate_is_fraction",
            ),
        ]


class RiskClassRate(models.Model):
    """Work-injury employer rate per risk class (1–8), from effective_from on."""

    risk_class = models.PositiveSmallIntegerField(_("工伤风险类别"))
    effective_from = models.PositiveIntegerField(_("起始期"))
    rate = models.DecimalField(_("工伤费率"), **RATE)

    class Meta:
        verbose_name = _("工伤行业费率")
        verbose_name_plural = _("工伤行业费率")
        ordering = ["risk_class", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["risk_class", "effective_from"], name="one_risk_rate_per_start"),
            period_check("effective_from", "risk_rate_effective_from_valid"),
        ]


class AverageWage(models.Model):
    """The published reference average monthly wage used for base year `year`."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    monthly_amount = models.DecimalField(_("社会平均工资(月)"), **MONEY)

    class Meta:
        verbose_name = _("社会平均工资")
        verbose_name_plural = _("社会平均工资")
        ordering = ["-year"]


class BaseLimit(models.Model):
    """Floor and ceiling of the contribution base for one base year and insurance."""

    base_year = models.PositiveSmallIntegerField(_("基数年度"))
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    floor = models.DecimalField(_("基数下限"), **MONEY)
    ceiling = models.DecimalField(_("基数上限"), **MONEY)

    class Meta:
        verbose_name = _("缴费基数上下限")
        verbose_name_plural = _("缴费基数上下限")
        ordering = ["-base_year", "insurance"]
        constraints = [
            models.UniqueConstraint(fields=["base_year", "insurance"], name="one_limit_per_year_insurance"),
            models.CheckConstraint(
                condition=Q(floor__gte=0) & Q(ceiling__gte=models.F("floor")), name="floor_le_ceiling"
            ),
        ]


class CreditedInterestRate(models.Model):
    """The yearly rate credited to pension accounts (记账利率)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rate = models.DecimalField(_("记账利率"), **RATE)

    class Meta:
        verbose_name = _("记账利率")
        verbose_name_plural = _("记账利率")
        ordering = ["-year"]


class PolicySetting(models.Model):
    """A scalar policy value from effective_from on: late-surcharge daily rate, due months, rounding rule, …"""

    class Key(models.TextChoices):
        LATE_SURCHARGE_DAILY_RATE = "late_surcharge_daily_rate", _("滞纳金日费率")
        DUE_MONTHS_AFTER = "due_months_after", _("缴费期限(次月后月数)")
        ROUNDING_RULE = "rounding_rule", _("舍入规则")
        BASE_YEAR_FIRST_MONTH = "base_year_first_month", _("基数年度起始月")
        MATERNITY_LEAVE_DAYS = "maternity_leave_days", _("产假天数")
        RETIREE_MEDICAL_MONTHLY_CREDIT = "retiree_medical_monthly_credit", _("退休人员医疗帐户月划入额")
        MIN_CONTRIBUTION_YEARS = "min_contribution_years", _("最低缴费年限")
        MAX_BACKDATE_MONTHS = "max_backdate_months", _("参保开始期最多追溯月数")

    key = models.CharField(_("参数"), max_length=48, choices=Key.choices)
    effective_from = models.PositiveIntegerField(_("起始期"))
    value = models.CharField(_("值"), max_length=40)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="one_setting_per_start"),
            period_check("effective_from", "setting_effective_from_valid"),
        ]


class RetirementAgeRule(models.Model):
    """Statutory retirement age by group (money.md): people born on or before `pivot_birth_month` retire at
    base_age_months; each `step_birth_months` of birth after it adds one month, up to target_age_months."""

    class Group(models.TextChoices):
        MALE = "male", _("男职工")
        FEMALE_WORKER = "female_worker", _("女职工(工人岗位)")
        FEMALE_CADRE = "female_cadre", _("女职工(管理技术岗位)")

    group = models.CharField(_("人员类别"), max_length=16, choices=Group.choices, unique=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    pivot_birth_month = models.PositiveIntegerField(_("起算出生年月"))
    base_age_months = models.PositiveSmallIntegerField(_("原退休年龄(月)"))
    step_birth_months = models.PositiveSmallIntegerField(_("每延迟一个月对应出生月数"))
    target_age_months = models.PositiveSmallIntegerField(_("目标退休年龄(月)"))

    class Meta:
        verbose_name = _("退休年龄规则")
        verbose_name_plural = _("退休年龄规则")


# ---------------------------------------------------------------------------------------------------------------
# Settlement (核定): runs, lines, per-employer totals.
# ---------------------------------------------------------------------------------------------------------------


class SettlementRun(models.Model):
    """One run of a period's settlement, started from the office, the console or a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("结算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    period = models.PositiveIntegerField(_("结算期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Source(models.TextChoices):
        OFFICE = "office", _("经办系统")
        CONSOLE = "console", _("命令行")
        TASK = "task", _("后台任务")
        DEMO = "demo", _("演示数据")
        BENCHMARK = "benchmark", _("性能测试")

    source = models.CharField(_("发起方式"), max_length=16, default=Source.OFFICE, choices=Source.choices)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    rounding_rule = models.CharField(_("舍入规则"), max_length=16, blank=True, choices=RoundingRule.choices)
    # Results, written when the run ends.
    employers_settled = models.PositiveIntegerField(_("结算单位数"), default=0)
    lines_written = models.PositiveIntegerField(_("写入明细数"), default=0)
    adjustment_lines = models.PositiveIntegerField(_("补差明细数"), default=0)
    missing_base = models.PositiveIntegerField(_("缺少缴费基数的参保险种数"), default=0)
    employer_total = models.DecimalField(_("单位缴纳合计"), default=0, **MONEY)
    individual_total = models.DecimalField(_("个人缴纳合计"), default=0, **MONEY)
    steps = models.JSONField(_("步骤"), default=list, blank=True)  # [{"step": ..., "seconds": ...}]
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("结算批次")
        verbose_name_plural = _("结算批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            period_check("period", "settlement_run_period_valid"),
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["pending", "running"]),
                name="one_active_run_per_period",
            ),
        ]

    # The steps the settlement times (services._settle), as the office page names them.
    STEP_LABELS = {
        "rates": _("写入费率"),
        "lines": _("核定缴费明细"),
        "adjustments": _("补差明细"),
        "payables": _("按险种汇总"),
        "employer_periods": _("单位应缴"),
        "missing_base": _("统计缺少基数"),
        "allocation": _("冲抵余额"),
        "totals": _("合计"),
    }

    def __str__(self) -> str:
        return f"{self.period} #{self.pk}"

    @property
    def total(self):
        return self.employer_total + self.individual_total

    @property
    def step_rows(self) -> list[tuple[str, float]]:
        """(label, seconds) of each timed step, in the order they ran."""
        return [(str(self.STEP_LABELS.get(s["step"], s["step"])), s["seconds"]) for s in self.steps or []]

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class SettlementRate(models.Model):
    """The rates a run used, fully expanded per insurance × employer type × risk class (the SQL joins on it)."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="rates", db_index=False)
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    employer_type = models.CharField(_("单位类型"), max_length=32, choices=EmployerType.choices)
    risk_class = models.PositiveSmallIntegerField(_("工伤风险类别"))
    employer_rate = models.DecimalField(_("单位缴费比例"), **RATE)
    individual_rate = models.DecimalField(_("个人缴费比例"), **RATE)
    # The same rates in millionths (0.160000 → 160000): settlement SQL computes in integers.
    employer_micro = models.BigIntegerField()
    individual_micro = models.BigIntegerField()

    class Meta:
        verbose_name = _("结算所用费率")
        verbose_name_plural = _("结算所用费率")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "insurance", "employer_type", "risk_class"], name="one_rate_per_run_key"
            ),
        ]


class LineKind(models.TextChoices):
    REGULAR = "regular", _("正常核定")
    ADJUSTMENT = "adjustment", _("补差")


class ContributionLine(models.Model):
    """One person × insurance × period at one employer: the base and rates used and both rounded parts.

    Adjustment (补差) lines hold the difference between a rerun and what the period had when it was already
    (partly) paid: base and rates are the new ones, amounts are new − previous."""

    # Derived rows written only by the settlement SQL from existing coverage rows: no database FK constraints
    # (their deferred checks cost as much as the insert itself at 5 million lines a period); PROTECT still holds.
    period = models.PositiveIntegerField(_("结算期"))
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=LineKind.choices, default=LineKind.REGULAR)
    base = models.DecimalField(_("缴费基数"), **MONEY)
    employer_rate = models.DecimalField(_("单位缴费比例"), **RATE)
    individual_rate = models.DecimalField(_("个人缴费比例"), **RATE)
    employer_amount = models.DecimalField(_("单位缴纳"), **MONEY)
    individual_amount = models.DecimalField(_("个人缴纳"), **MONEY)
    run = models.ForeignKey(
        SettlementRun, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name = _("缴费明细")
        verbose_name_plural = _("缴费明细")
        indexes = [
            models.Index(fields=["period", "employer", "insurance"], name="line_period_employer_ins"),
            models.Index(fields=["person", "period"], name="line_person_period"),
        ]

    @property
    def total(self):
        return self.employer_amount + self.individual_amount


class Payable(models.Model):
    """Totals of one employer × period × insurance (sum of its lines, adjustments included): what Q03 shows."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("结算期"))
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    employer_amount = models.DecimalField(_("单位缴纳"), **MONEY)
    individual_amount = models.DecimalField(_("个人缴纳"), **MONEY)
    headcount = models.PositiveIntegerField(_("人数"), default=0)  # persons with a regular line
    base_total = models.DecimalField(_("缴费基数合计"), default=0, **MONEY)  # of the regular lines

    class Meta:
        verbose_name = _("应缴汇总")
        verbose_name_plural = _("应缴汇总")
        constraints = [
            models.UniqueConstraint(fields=["employer", "period", "insurance"], name="one_payable_per_key"),
        ]
        indexes = [models.Index(fields=["period"], name="payable_period")]

    @property
    def total(self):
        return self.employer_amount + self.individual_amount


class EmployerPeriod(models.Model):
    """What one employer owes and has paid for one period; the unit that arrivals are allocated to.

    A period with any money allocated to it is *paid* (locked): settlement reruns add adjustment lines to it
    instead of replacing its lines."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("结算期"))
    employer_amount = models.DecimalField(_("单位缴纳"), default=0, **MONEY)
    individual_amount = models.DecimalField(_("个人缴纳"), default=0, **MONEY)
    amount_due = models.DecimalField(_("应缴合计"), default=0, **MONEY)
    amount_paid = models.DecimalField(_("已缴"), default=0, **MONEY)
    due_date = models.DateField(_("缴费期限"))
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)  # the day it became fully paid
    # Pension and medical accounts were credited from this period's lines up to this line id.
    credited_through_line = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("单位结算期")
        verbose_name_plural = _("单位结算期")
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="one_employer_period"),
            period_check("period", "employer_period_valid"),
        ]
        indexes = [models.Index(fields=["period"], name="employer_period_period")]

    @property
    def owed(self):
        return self.amount_due - self.amount_paid

    @property
    def is_paid(self) -> bool:
        return self.amount_due > 0 and self.amount_paid >= self.amount_due

    @property
    def is_locked(self) -> bool:
        return self.amount_paid != 0


# ---------------------------------------------------------------------------------------------------------------
# Arrivals (到账) and their allocation to periods.
# ---------------------------------------------------------------------------------------------------------------


class Arrival(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("手工登记")
        IMPORT = "import", _("银行文件导入")
        DEMO = "demo", _("演示数据")

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received_on = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("到账金额"), **MONEY)
    period = models.PositiveIntegerField(_("指定结算期"), null=True, blank=True)
    reference = models.CharField(_("银行流水号"), max_length=60, blank=True)
    allocated = models.DecimalField(_("已分配"), default=0, **MONEY)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到账")
        verbose_name_plural = _("到账")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["employer", "received_on"], name="arrival_employer_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="arrival_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, allocated__lte=models.F("amount")),
                name="arrival_allocated_within_amount",
            ),
            period_check("period", "arrival_period_valid", nullable=True),
        ]

    @property
    def credit(self):
        """What is left unallocated: kept as the employer's credit (溢缴)."""
        return self.amount - self.allocated


class Allocation(models.Model):
    """Part of an arrival applied to one employer period. The surcharge is what was late on this part."""

    arrival = models.ForeignKey(Arrival, on_delete=models.PROTECT, related_name="allocations")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("结算期"))
    amount = models.DecimalField(_("分配金额"), **MONEY)
    applied_on = models.DateField(_("缴费日期"))  # the arrival's date
    days_late = models.PositiveIntegerField(_("滞纳天数"), default=0)
    surcharge = models.DecimalField(_("滞纳金"), default=0, **MONEY)

    class Meta:
        verbose_name = _("到账分配")
        verbose_name_plural = _("到账分配")
        indexes = [models.Index(fields=["employer", "period"], name="allocation_employer_period")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]


class Refund(models.Model):
    """Overpaid money paid back to the employer (退费, H18). A ledger row of its own: arrivals are never edited.
    The employer's credit is what its arrivals left unallocated less its refunds (``selectors.employer_credit``),
    and allocation never spends money that was refunded (``services._allocate`` holds it back)."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount = models.DecimalField(_("退费金额"), **MONEY)
    refunded_on = models.DateField(_("退费日期"))
    period_from = models.PositiveIntegerField(_("溢缴所属期起"))
    period_to = models.PositiveIntegerField(_("溢缴所属期止"))
    reason = models.CharField(_("退费原因"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("退入银行账号"), max_length=30)
    declaration_number = models.CharField(_("申报流水号"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("退费")
        verbose_name_plural = _("退费")
        ordering = ["-refunded_on", "-id"]
        indexes = [models.Index(fields=["employer", "refunded_on"], name="refund_employer_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            period_check("period_from", "refund_period_from_valid"),
            period_check("period_to", "refund_period_to_valid"),
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")), name="refund_periods_ordered"
            ),
        ]


# ---------------------------------------------------------------------------------------------------------------
# Personal accounts.
# ---------------------------------------------------------------------------------------------------------------


class PensionEntry(models.Model):
    """A movement of a pension account. Credits carry the period they pay for (month m of the interest
    formula); OPENING carries a balance brought in from before the system (counts as opening of its year)."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("个人缴费划入")
        OPENING = "opening", _("期初结转")

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period = models.PositiveIntegerField(_("所属期"))
    # The account year and month (1–12) the entry is booked in: the period's, unless that year was already
    # closed when the money arrived, then month 1 of the first open year.
    year = models.PositiveSmallIntegerField(_("记账年度"))
    month = models.PositiveSmallIntegerField(_("记账月份"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.CREDIT)
    amount = models.DecimalField(_("金额"), **MONEY)
    credited_on = models.DateField(_("记账日期"))

    class Meta:
        verbose_name = _("养老帐户记账")
        verbose_name_plural = _("养老帐户记账")
        indexes = [models.Index(fields=["person", "year"], name="pension_entry_person_year")]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="pension_entry_month_valid")
        ]


class PensionYear(models.Model):
    """A closed year of a pension account (结息): opening, credits, interest at the year's rate, closing."""

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    opening = models.DecimalField(_("上年结转"), **MONEY)
    credits = models.DecimalField(_("本年记账"), **MONEY)
    months_credited = models.PositiveSmallIntegerField(_("记账月数"))
    rate = models.DecimalField(_("记账利率"), **RATE)
    interest = models.DecimalField(_("本年利息"), **MONEY)
    closing = models.DecimalField(_("年末余额"), **MONEY)
    closed_at = models.DateTimeField(_("结息时间"))

    class Meta:
        verbose_name = _("养老帐户年度结息")
        verbose_name_plural = _("养老帐户年度结息")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="one_pension_year")]
        indexes = [models.Index(fields=["year"], name="pension_year_year")]


class PensionTransfer(models.Model):
    """A pension relation transferred out of the region (养老关系转出, H17) after the person stopped at the
    employer: the account balance certified at the transfer date, with every figure of its computation
    (money.md 'balance at retirement'), and the number of the 参保缴费凭证 issued with it. One per employment."""

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    employment = models.OneToOneField(
        "persons.Employment", on_delete=models.PROTECT, related_name="pension_transfer"
    )
    transfer_date = models.DateField(_("转出日期"))
    destination = models.CharField(_("转往地区"), max_length=60)
    reason = models.CharField(_("转出原因"), max_length=200, blank=True)
    closed_year = models.PositiveSmallIntegerField(_("上次结息年度"), null=True, blank=True)
    closed_balance = models.DecimalField(_("结息年度末余额"), **MONEY)
    carried = models.DecimalField(_("以前年度未结息记账"), **MONEY)
    opening = models.DecimalField(_("本年期初"), **MONEY)
    credits = models.DecimalField(_("本年记账"), **MONEY)
    months_credited = models.PositiveSmallIntegerField(_("本年记账月数"))
    months = models.PositiveSmallIntegerField(_("本年计息月数"))
    rate_year = models.PositiveSmallIntegerField(_("记账利率年度"))
    rate = models.DecimalField(_("记账利率"), **RATE)
    interest = models.DecimalField(_("本年利息"), **MONEY)
    balance = models.DecimalField(_("个人账户储存额"), **MONEY)
    certificate_number = models.CharField(_("参保缴费凭证编号"), max_length=24, blank=True)
    declaration_number = models.CharField(_("申报流水号"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("养老关系转出")
        verbose_name_plural = _("养老关系转出")
        indexes = [models.Index(fields=["employer", "transfer_date"], name="pension_transfer_employer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=0, months__lte=12), name="pension_transfer_months_valid"
            ),
            models.CheckConstraint(
                condition=Q(balance=models.F("opening") + models.F("credits") + models.F("interest")),
                name="pension_transfer_balance_adds_up",
            ),
        ]


class InterestClosing(models.Model):
    """One run of the yearly interest closing, for the office page and the console."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rate = models.DecimalField(_("记账利率"), **RATE)
    accounts = models.PositiveIntegerField(_("帐户数"))
    interest_total = models.DecimalField(_("利息合计"), **MONEY)
    closing_total = models.DecimalField(_("年末余额合计"), max_digits=18, decimal_places=2)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("结息时间"))
    seconds = models.FloatField(_("耗时(秒)"), default=0)

    class Meta:
        verbose_name = _("年度结息")
        verbose_name_plural = _("年度结息")
        ordering = ["-year"]


class MedicalEntry(models.Model):
    """A movement of a medical account: signed amount (credits > 0, debits < 0)."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("个人缴费划入")
        RETIREE_CREDIT = "retiree_credit", _("退休人员定额划入")
        DEBIT = "debit", _("医疗消费")
        OPENING = "opening", _("期初结转")

    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period = models.PositiveIntegerField(_("所属期"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    entry_date = models.DateField(_("发生日期"))
    place = models.CharField(_("消费机构"), max_length=100, blank=True)
    reference = models.CharField(_("单据号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("医疗帐户记账")
        verbose_name_plural = _("医疗帐户记账")
        indexes = [models.Index(fields=["person", "period"], name="medical_entry_person_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period"], condition=Q(kind="retiree_credit"), name="one_retiree_credit"
            ),
        ]


# ---------------------------------------------------------------------------------------------------------------
# Benefit ledgers (待遇支付) and work-injury cases.
# ---------------------------------------------------------------------------------------------------------------


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
        verbose_name = _("生育待遇支付")
        verbose_name_plural = _("生育待遇支付")
        indexes = [models.Index(fields=["employer", "period"], name="maternity_pay_employer_period")]


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
        verbose_name = _("工伤待遇支付")
        verbose_name_plural = _("工伤待遇支付")
        indexes = [models.Index(fields=["employer", "period"], name="injury_pay_employer_period")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="injury_payment_positive")]
