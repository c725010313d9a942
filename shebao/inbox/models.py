"""The message centre: what the system tells one user (a review result, a rejection, a finished batch, an office
notice), read or unread, and whether it also went out by email."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    RESULT = "result", _("办理结果")
    REJECTION = "rejection", _("审核不通过")
    BATCH = "batch", _("批量导入")
    NOTICE = "notice", _("通知公告")


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages", db_index=False
    )
    kind = models.CharField(_("类别"), max_length=16, choices=MessageKind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)  # a path on this site
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # email: blank when the user has no address; sent/failed otherwise
    email_to = models.EmailField(_("邮件地址"), blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_error = models.CharField(_("邮件发送失败原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_recipient_newest"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="inbox_recipient_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.subject
