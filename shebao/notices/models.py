from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """通知公告: shown on the public home and the portal home from starts_on to ends_on (both included;
    no end date: until withdrawn). Published and withdrawn by an office administrator (notices.services)."""

    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=4000)
    starts_on = models.DateField(_("发布日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="notice_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="notice_dates")]

    def __str__(self) -> str:
        return self.title
