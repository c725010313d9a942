"""Personal accounts (个人帐户): pension entries and yearly interest closings, medical entries (money.md).

The tables keep their first names (contributions_*): they were part of the contributions app until the split."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.parameters.models import MONEY, RATE


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
        db_table = "contributions_pensionentry"
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
        db_table = "contributions_pensionyear"
        verbose_name = _("养老帐户年度结息")
        verbose_name_plural = _("养老帐户年度结息")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="one_pension_year")]
        indexes = [models.Index(fields=["year"], name="pension_year_year")]


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
        db_table = "contributions_interestclosing"
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
        db_table = "contributions_medicalentry"
        verbose_name = _("医疗帐户记账")
        verbose_name_plural = _("医疗帐户记账")
        indexes = [models.Index(fields=["person", "period"], name="medical_entry_person_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period"], condition=Q(kind="retiree_credit"), name="one_retiree_credit"
            ),
        ]


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
