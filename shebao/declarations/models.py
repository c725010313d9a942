"""Declarations (申报): one submission of one handling item by one employer, its versions and its history.

The state machine is in ``workflow.py``; only ``workflow.transition`` changes ``Declaration.state``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("已保存(未申报)")
    SUBMITTED = "submitted", _("已申报(待审核)")
    IN_REVIEW = "in_review", _("审核中")
    APPROVED = "approved", _("审核通过")
    AWAITING_COUNTER = "awaiting_counter", _("审核通过(请携带材料到窗口办理)")
    COMPLETED = "completed", _("已办结")
    REJECTED = "rejected", _("审核不通过(已退回)")
    WITHDRAWN = "withdrawn", _("已撤回")


class Declaration(models.Model):
    number = models.CharField(_("申报流水号"), max_length=20, unique=True)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="declarations", db_index=False
    )
    item_code = models.CharField(_("事项编码"), max_length=8)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    data = models.JSONField(
        _("申报内容"), default=dict
    )  # the current version's data (a copy of the version row)
    # The person the declaration is about (blank for employer-wide items such as H07 and H10). The ID number
    # is kept even before the person exists (H01), so earlier declarations of a person are found by it.
    subject_id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    subject_name = models.CharField(_("姓名"), max_length=30, blank=True)
    needs_counter = models.BooleanField(_("需窗口办理"), default=False)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True)
    batch_number = models.CharField(_("批次号"), max_length=24, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(_("审核人"), max_length=60, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reject_reasons = models.JSONField(_("退回原因"), default=list, blank=True)
    # The automatic checks' results as they stood when the declaration was decided (approved or rejected):
    # {"on": "YYYY-MM-DD", "results": [{code, label, status, messages, notes}], "flags": [...]}. A decided
    # declaration shows these; re-running the checks on the record its approval changed would contradict it.
    decision_checks = models.JSONField(_("审核时的检查结果"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    result_unread = models.BooleanField(_("审核结果未读"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_declaration_per_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="declaration_state_valid"),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="decl_queue"),
            models.Index(fields=["item_code", "state", "submitted_at"], name="decl_item_queue"),
            models.Index(fields=["employer", "-created_at"], name="decl_employer_recent"),
            models.Index(fields=["employer", "result_unread"], name="decl_employer_unread"),
            models.Index(fields=["subject_id_number"], name="decl_subject"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def item(self):
        from shebao.catalogue.items import get_item

        return get_item(self.item_code)


class DeclarationVersion(models.Model):
    """The data of one submission (or draft save) of a declaration, kept for ever."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    version = models.PositiveIntegerField(_("版本"))
    data = models.JSONField(_("申报内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        ordering = ["declaration", "version"]
        constraints = [models.UniqueConstraint(fields=["declaration", "version"], name="one_row_per_version")]


class DeclarationEvent(models.Model):
    """Append-only history: who moved the declaration from which state to which, when, with what comment."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=60, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报事件")
        verbose_name_plural = _("申报事件")
        ordering = ["declaration", "at", "id"]
        indexes = [models.Index(fields=["declaration", "at"], name="decl_event_at")]


class DeclarationCounter(models.Model):
    """The last sequence number handed out on a day: numbers are SB + YYYYMMDD + 7-digit sequence."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("申报流水号计数")
        verbose_name_plural = _("申报流水号计数")


class AutoApprovalRule(models.Model):
    """Per item: approve automatically on submission when every check passes, no manual-review flag is raised
    and, if `allowed_fields` is not empty, only those fields carry a change. Off unless the office turns it on."""

    item_code = models.CharField(_("事项编码"), max_length=8, unique=True)
    enabled = models.BooleanField(_("启用"), default=False)
    allowed_fields = models.JSONField(_("仅限变更以下项目"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自动审核规则")
        verbose_name_plural = _("自动审核规则")
