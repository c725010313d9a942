from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shebao.core.choices import (
    EmploymentForm,
    EmploymentStatus,
    EnrolmentType,
    Gender,
    HukouType,
    Insurance,
    PostType,
    StopReason,
)
from shebao.core.constraints import period_check

MONEY = {"max_digits": 14, "decimal_places": 2}


class Person(models.Model):
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=30, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=10, blank=True)
    hukou_type = models.CharField(_("户籍性质"), max_length=16, choices=HukouType.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    first_work_date = models.DateField(_("参加工作日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员")
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="person_gender_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.id_number})"


def person_copies(person: Person) -> dict:
    """The person's fields that every Employment repeats (see Employment), as keyword arguments."""
    return {
        "person_id_number": person.id_number,
        "person_name": person.name,
        "person_gender": person.gender,
        "person_birth_date": person.birth_date,
    }


class Employment(models.Model):
    """A person's insured employment at one employer, from start_period up to (not including) stop_period.

    person_id_number, person_name, person_gender and person_birth_date repeat the person's current values
    (all of the person's employments, past ones included) so that an employer's roster can be searched,
    sorted and filtered by them without joining the persons table: sorting a large employer's 50,000
    employees by name otherwise reads all the city's persons. Only persons.services writes them
    (employment_open copies them, person_update keeps them in step); bulk loaders copy them too.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="employments", db_index=False
    )
    enrolment_type = models.CharField(_("增员类型"), max_length=2, choices=EnrolmentType.choices)
    employment_form = models.CharField(
        _("用工形式"), max_length=20, choices=EmploymentForm.choices, default=EmploymentForm.CONTRACT
    )
    # Decides a woman's retirement age (money.md): default by employer type, changed through H09 or the office.
    post_type = models.CharField(
        _("岗位类型"), max_length=8, choices=PostType.choices, default=PostType.WORKER
    )
    start_period = models.PositiveIntegerField(_("参保开始期"))
    stop_period = models.PositiveIntegerField(_("停保期"), null=True, blank=True)
    stop_reason = models.CharField(_("减员原因"), max_length=2, choices=StopReason.choices, blank=True)
    status = models.CharField(
        _("参保状态"), max_length=16, choices=EmploymentStatus.choices, default="active"
    )
    person_id_number = models.CharField(_("公民身份号码"), max_length=18)
    person_name = models.CharField(_("姓名"), max_length=30)
    person_gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    person_birth_date = models.DateField(_("出生日期"))

    class Meta:
        verbose_name = _("参保关系")
        verbose_name_plural = _("参保关系")
        indexes = [
            models.Index(fields=["employer", "status"], name="employment_employer_status"),
            # Q02 sorted by name: the page of a large roster read in order from the index alone.
            models.Index(fields=["employer", "status", "person_name", "id"], name="employment_roster_name"),
            models.Index(fields=["employer", "start_period"], name="employment_employer_start"),
            models.Index(fields=["employer", "stop_period"], name="employment_employer_stop"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(stop_period__isnull=True),
                name="one_open_employment_per_person",
            ),
            period_check("start_period", "employment_start_period_valid"),
            period_check("stop_period", "employment_stop_period_valid", nullable=True),
            models.CheckConstraint(
                condition=Q(stop_period__isnull=True) | Q(stop_period__gte=F("start_period")),
                name="employment_stop_not_before_start",
            ),
            # A writer that forgot to copy the person's fields (see person_copies) fails here.
            models.CheckConstraint(condition=~Q(person_id_number=""), name="employment_person_copied"),
            models.CheckConstraint(
                condition=Q(stop_period__isnull=True, status__in=["active", "suspended"])
                | Q(stop_period__isnull=False, status__in=["stopped", "retired"]),
                name="employment_status_matches_stop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.employer_id} {self.start_period}-{self.stop_period or ''}"


class Coverage(models.Model):
    """One insurance of one employment, with its own start and stop period (stop exclusive).

    person and employer repeat the employment's so that settlement and roster queries join one table less;
    only the services in persons.services write them, always together with the employment.
    """

    employment = models.ForeignKey(Employment, on_delete=models.CASCADE, related_name="coverages")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices)
    start_period = models.PositiveIntegerField(_("开始期"))
    stop_period = models.PositiveIntegerField(_("终止期"), null=True, blank=True)

    class Meta:
        verbose_name = _("险种参保")
        verbose_name_plural = _("险种参保")
        indexes = [
            models.Index(
                fields=["employer", "insurance", "start_period"], name="coverage_employer_ins_start"
            ),
            models.Index(fields=["start_period", "stop_period"], name="coverage_periods"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employment", "insurance"],
                condition=Q(stop_period__isnull=True),
                name="one_open_coverage_per_insurance",
            ),
            period_check("start_period", "coverage_start_period_valid"),
            period_check("stop_period", "coverage_stop_period_valid", nullable=True),
            models.CheckConstraint(
                condition=Q(stop_period__isnull=True) | Q(stop_period__gte=F("start_period")),
                name="coverage_stop_not_before_start",
            ),
        ]


class ContributionBase(models.Model):
    """A person's contribution base at one employer, in force from start_period (within base_year) on.

    declared_wage is what the employer declared; base_<insurance> is the clamped value contributions use.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bases", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    base_year = models.PositiveSmallIntegerField(_("基数年度"))
    start_period = models.PositiveIntegerField(_("生效期"))
    declared_wage = models.DecimalField(_("申报工资"), **MONEY)
    base_pension = models.DecimalField(_("养老缴费基数"), **MONEY)
    base_medical = models.DecimalField(_("医疗缴费基数"), **MONEY)
    base_unemployment = models.DecimalField(_("失业缴费基数"), **MONEY)
    base_injury = models.DecimalField(_("工伤缴费基数"), **MONEY)
    base_maternity = models.DecimalField(_("生育缴费基数"), **MONEY)
    source = models.CharField(_("来源"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("缴费基数")
        verbose_name_plural = _("缴费基数")
        constraints = [
            models.UniqueConstraint(fields=["person", "employer", "start_period"], name="one_base_per_start"),
            period_check("start_period", "base_start_period_valid"),
            models.CheckConstraint(condition=Q(declared_wage__gte=0), name="base_declared_wage_non_negative"),
            models.CheckConstraint(
                condition=Q(base_pension__gte=0, base_medical__gte=0, base_unemployment__gte=0)
                & Q(base_injury__gte=0, base_maternity__gte=0),
                name="base_amounts_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["employer", "base_year"], name="base_employer_year")]

    def base_for(self, insurance: str):
        return getattr(self, f"base_{insurance}")


class RecordChange(models.Model):
    """Append-only change history of the core record (Q12 and the audit trail), written only by
    ``persons.services``: one row per changed thing, with who changed it and through which declaration.

    What Q12 (人员增减变动查询) reads:
    - enrolments, resumptions, transfers in and stops come authoritatively from ``Employment`` rows
      (start_period / enrolment_type, stop_period / stop_reason); they are *also* recorded here as
      ``employment_opened`` / ``employment_stopped`` so the audit trail is complete in one table;
    - the other changes come only from here: ``coverage_opened`` / ``coverage_closed`` (one row per
      insurance, ``period`` = the start or stop period), ``base_set`` (``period`` = the base's start period,
      ``old_value`` / ``new_value`` the declared wage), ``person_created``, ``person_updated`` and
      ``employer_updated`` (one row per changed field with old and new value).

    ``employer`` is the employer on whose behalf the change was made (for employer_updated: the one changed),
    ``declaration_number`` the 申报流水号 that caused it (blank for changes made outside a declaration).
    Rows are never updated or deleted.
    """

    class Kind(models.TextChoices):
        PERSON_CREATED = "person_created", _("人员登记")
        PERSON_UPDATED = "person_updated", _("个人信息变更")
        EMPLOYMENT_OPENED = "employment_opened", _("人员增加")
        EMPLOYMENT_STOPPED = "employment_stopped", _("人员减少")
        COVERAGE_OPENED = "coverage_opened", _("险种增加")
        COVERAGE_CLOSED = "coverage_closed", _("险种减少")
        BASE_SET = "base_set", _("缴费基数变更")
        EMPLOYER_UPDATED = "employer_updated", _("单位信息变更")

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="record_changes", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="record_changes", db_index=False
    )
    kind = models.CharField(_("变动类型"), max_length=24, choices=Kind.choices)
    period = models.PositiveIntegerField(_("生效期"), null=True, blank=True)
    insurance = models.CharField(_("险种"), max_length=16, choices=Insurance.choices, blank=True)
    field = models.CharField(_("变更项目"), max_length=40, blank=True)
    old_value = models.CharField(_("变更前"), max_length=200, blank=True)
    new_value = models.CharField(_("变更后"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    declaration_number = models.CharField(_("申报流水号"), max_length=20, blank=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("变动时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("变动记录")
        verbose_name_plural = _("变动记录")
        indexes = [
            models.Index(fields=["employer", "period"], name="change_employer_period"),
            models.Index(fields=["employer", "created_at"], name="change_employer_created"),
            models.Index(fields=["person", "created_at"], name="change_person_created"),
        ]
        constraints = [period_check("period", "change_period_valid", nullable=True)]


class CardApplication(models.Model):
    """A social security card application (社会保障卡申领, H16): recorded when the declaration is approved, in
    process until the card is handed over at the counter. At most one application of a person is in process
    (a partial unique index), so two approvals at once cannot both open one."""

    class Kind(models.TextChoices):
        NEW = "new", _("新办")
        REPLACE = "replace", _("补办")
        RENEW = "renew", _("换领")

    class Status(models.TextChoices):
        IN_PROCESS = "in_process", _("制卡中(待窗口领取)")
        COLLECTED = "collected", _("已领卡")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="card_applications")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("申领类型"), max_length=10, choices=Kind.choices)
    photo_reference = models.CharField(_("相片采集编号"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(_("办理状态"), max_length=16, choices=Status.choices, default=Status.IN_PROCESS)
    applied_on = models.DateField(_("受理日期"))
    collected_on = models.DateField(_("领卡日期"), null=True, blank=True)
    declaration_number = models.CharField(_("申报流水号"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社会保障卡申领")
        verbose_name_plural = _("社会保障卡申领")
        indexes = [models.Index(fields=["declaration_number"], name="card_application_declaration")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="in_process"),
                name="one_card_application_in_process",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["new", "replace", "renew"]), name="card_application_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="in_process", collected_on__isnull=True)
                | Q(status="collected", collected_on__isnull=False),
                name="card_application_collected_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.status}"
