"""Policy parameters as effective-dated data (money.md). Everything here is edited by the office, never code.

The tables keep their first names (contributions_*): they were part of the contributions app until the split."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.choices import EmployerType, Gender, Insurance
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
        db_table = "contributions_insurancerate"
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
        db_table = "contributions_riskclassrate"
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
        db_table = "contributions_averagewage"
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
        db_table = "contributions_baselimit"
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
        db_table = "contributions_creditedinterestrate"
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
        RETIREE_MEDICAL_MONTHLY_CREDIT = "retiree_medical_monthly_credit", _("退休人员医疗帐户月划入额")
        MIN_CONTRIBUTION_YEARS = "min_contribution_years", _("最低缴费年限")
        MAX_BACKDATE_MONTHS = "max_backdate_months", _("参保开始期最多追溯月数")
        DIVISOR_INTERPOLATION = "divisor_interpolation", _("计发月数按月插值(linear/whole_years)")
        MAX_BACK_PAYMENT_MONTHS = "max_back_payment_months", _("补缴一次最多月数")
        SPECIAL_RETIREMENT_YEARS_EARLIER = "special_retirement_years_earlier", _("特殊工种提前退休年数")
        ILLNESS_RETIREMENT_YEARS_EARLIER_MALE = (
            "illness_retirement_years_earlier_male",
            _("男职工病退提前年数"),
        )
        ILLNESS_RETIREMENT_YEARS_EARLIER_FEMALE = (
            "illness_retirement_years_earlier_female",
            _("女职工病退提前年数"),
        )

    key = models.CharField(_("参数"), max_length=48, choices=Key.choices)
    effective_from = models.PositiveIntegerField(_("起始期"))
    value = models.CharField(_("值"), max_length=40)

    class Meta:
        db_table = "contributions_policysetting"
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
        db_table = "contributions_retirementagerule"
        verbose_name = _("退休年龄规则")
        verbose_name_plural = _("退休年龄规则")


class AccountPensionDivisor(models.Model):
    """计发月数: the months an account pension's balance is divided by, by retirement age in whole years
    (money.md's divisor table), from effective_from on (the retirement's period). Ages between two whole years
    are interpolated (rules.account_pension_divisor)."""

    effective_from = models.PositiveIntegerField(_("起始期"))
    age_years = models.PositiveSmallIntegerField(_("退休年龄(周岁)"))
    months = models.DecimalField(_("计发月数"), max_digits=6, decimal_places=2)

    class Meta:
        db_table = "parameters_accountpensiondivisor"
        verbose_name = _("个人帐户养老金计发月数")
        verbose_name_plural = _("个人帐户养老金计发月数")
        ordering = ["-effective_from", "age_years"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from", "age_years"], name="one_divisor_per_age_start"),
            period_check("effective_from", "divisor_effective_from_valid"),
            models.CheckConstraint(condition=Q(months__gt=0), name="divisor_positive"),
        ]


class DisabilityGrantMonths(models.Model):
    """一次性伤残补助金: months of the injured person's wage by disability grade 1–10, from effective_from on."""

    effective_from = models.PositiveIntegerField(_("起始期"))
    grade = models.PositiveSmallIntegerField(_("伤残等级"))
    months = models.PositiveSmallIntegerField(_("补助月数"))

    class Meta:
        db_table = "parameters_disabilitygrantmonths"
        verbose_name = _("一次性伤残补助金月数")
        verbose_name_plural = _("一次性伤残补助金月数")
        ordering = ["-effective_from", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from", "grade"], name="one_grant_per_grade_start"),
            period_check("effective_from", "grant_effective_from_valid"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=10), name="grant_grade_1_10"),
        ]


class MaternityRule(models.Model):
    """The leave-days table (money.md): leave days and the medical-cost limit per delivery kind, from
    effective_from on (the delivery's period). `extra_baby` is what each additional baby of a multiple birth
    adds to the natural or caesarean delivery it came by."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("顺产")
        CAESAREAN = "caesarean", _("剖宫产")
        EXTRA_BABY = "extra_baby", _("多胞胎每多生育一个婴儿")
        MISCARRIAGE_EARLY = "miscarriage_early", _("怀孕未满4个月流产")
        MISCARRIAGE_LATE = "miscarriage_late", _("怀孕满4个月流产")

    effective_from = models.PositiveIntegerField(_("起始期"))
    kind = models.CharField(_("生育情形"), max_length=20, choices=Kind.choices)
    leave_days = models.PositiveSmallIntegerField(_("产假天数"))
    cost_limit = models.DecimalField(_("医疗费用限额"), **MONEY)

    class Meta:
        db_table = "parameters_maternityrule"
        verbose_name = _("产假天数及生育医疗费限额")
        verbose_name_plural = _("产假天数及生育医疗费限额")
        ordering = ["-effective_from", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from", "kind"], name="one_maternity_rule_per_start"),
            period_check("effective_from", "maternity_rule_effective_from_valid"),
            models.CheckConstraint(condition=Q(cost_limit__gte=0), name="maternity_cost_limit_non_negative"),
        ]
