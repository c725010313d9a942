"""Settlement (核定), payables, arrivals (到账) and their allocation (money.md)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.choices import EmployerType, Insurance, RoundingRule
from shebao.core.constraints import period_check
from shebao.core.importjobs import ImportJob
from shebao.parameters.models import MONEY, RATE

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
        CARRY_BACK = "carry_back", _("记录变更重算")
        BACK_PAYMENT = "back_payment", _("补缴申报")

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
    # None: the whole city; otherwise the ids of the employers this run settles (same SQL, restricted).
    employers = models.JSONField(_("结算单位范围"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # Liveness: the process running it ("host:pid:start") and when it last said it is alive
    # (services.settlement_runs_reap fails a run whose worker is gone).
    worker = models.CharField(_("执行进程"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    marked_failed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("标记失败的管理员"),
    )

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
    BACK_PAYMENT = "back_payment", _("补缴")  # H11: written by back_payment_create, kept by settlement reruns


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
    headcount = models.PositiveIntegerField(
        _("人数"), default=0
    )  # persons with a regular or back-payment line
    base_total = models.DecimalField(
        _("缴费基数合计"), default=0, **MONEY
    )  # of the regular and back-payment lines

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


class SettlementMark(models.Model):
    """An employer × period whose settled money no longer matches the record (money.md 'When the record changes'):
    written when an approved change touches a settled period, cleared (``run`` set) by the run that re-settles it.
    Open periods are re-settled for the employer at once in the background; paid ones get their 补差 lines at the
    next settlement run, whatever period that run was started for."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("结算期"))
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    run = models.ForeignKey(
        SettlementRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="marks", db_index=False
    )

    class Meta:
        verbose_name = _("待重算结算期")
        verbose_name_plural = _("待重算结算期")
        ordering = ["period", "employer_id"]
        constraints = [
            period_check("period", "settlement_mark_period_valid"),
            models.UniqueConstraint(
                fields=["employer", "period"], condition=Q(run__isnull=True), name="one_open_mark_per_period"
            ),
        ]
        indexes = [models.Index(fields=["run", "period"], name="settlement_mark_pending")]


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
    settled_at = models.DateTimeField(_("最近核定时间"), null=True, blank=True)  # by the last run
    # The late-surcharge ledger of the period (money.md): assessed on each late payment, paid by arrivals after
    # the contributions, waived by the office. Owed = assessed − paid − waived.
    surcharge_assessed = models.DecimalField(_("已核定滞纳金"), default=0, db_default=0, **MONEY)
    surcharge_paid = models.DecimalField(_("已缴滞纳金"), default=0, db_default=0, **MONEY)
    surcharge_waived = models.DecimalField(_("已减免滞纳金"), default=0, db_default=0, **MONEY)

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

    class Purpose(models.TextChoices):
        CONTRIBUTIONS = "contributions", _("缴费（先缴费款，再缴滞纳金）")
        SURCHARGE = "surcharge", _("仅缴滞纳金")

    purpose = models.CharField(
        _("用途"),
        max_length=16,
        choices=Purpose.choices,
        default=Purpose.CONTRIBUTIONS,
        db_default="contributions",
    )
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
    """Part of an arrival applied to one employer period: to its contributions (``surcharge`` is then the late
    surcharge assessed on this part, money.md) or to its assessed surcharge (kind ``surcharge``)."""

    class Kind(models.TextChoices):
        CONTRIBUTIONS = "contributions", _("费款")
        SURCHARGE = "surcharge", _("滞纳金")

    kind = models.CharField(
        _("分配项目"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.CONTRIBUTIONS,
        db_default="contributions",
    )

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


class SurchargeWaiver(models.Model):
    """An office administrator's waiver (减免) of assessed late surcharge of one employer period, with its reason.
    Append-only: the audit of who waived what, when and why."""

    employer = models.ForeignKey("employers.Employer", on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField(_("结算期"))
    amount = models.DecimalField(_("减免金额"), **MONEY)
    waived_on = models.DateField(_("减免日期"))
    reason = models.CharField(_("减免原因"), max_length=200)
    waived_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("滞纳金减免")
        verbose_name_plural = _("滞纳金减免")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="waiver_amount_positive"),
            period_check("period", "waiver_period_valid"),
        ]


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


class ArrivalImport(ImportJob):
    """A bank file too large to import inside the request: kept here until a background worker imports it
    (services.arrivals_import_execute), all or nothing, with the rows' errors if it is refused."""

    class Meta(ImportJob.Meta):
        verbose_name = _("到账文件导入")
        verbose_name_plural = _("到账文件导入")
