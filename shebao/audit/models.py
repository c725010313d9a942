from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("查看")
    EXPORT = "export", _("导出")
    PRINT = "print", _("打印")
    API = "api", _("接口读取")


class PersonalDataAccess(models.Model):
    """One read of persons' data: who, when, in which role, what, how many persons, from where.

    Written only by ``audit.middleware`` (through ``services.access_record``) and never updated; rows older than
    SHEBAO_ACCESS_LOG_RETENTION_DAYS are removed by ``services.access_log_purge`` (the ``accesslog_purge``
    command). ``person`` is set when the read concerned exactly one person, ``employer`` when it concerned one
    employer's records (a roster, a page seen as the employer sees it)."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("用户"),
        db_index=False,
    )
    username = models.CharField(_("用户名"), max_length=150)
    user_kind = models.CharField(_("用户类型"), max_length=16)
    roles = models.CharField(_("角色"), max_length=200, blank=True)  # role codes, comma-separated
    action = models.CharField(_("方式"), max_length=8, choices=AccessAction.choices)
    what = models.CharField(_("内容"), max_length=200)
    path = models.CharField(_("地址"), max_length=300)
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    person_count = models.PositiveIntegerField(_("涉及人数"), default=0)
    acting = models.BooleanField(_("以单位视角查看"), default=False)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        indexes = [
            models.Index(fields=["person", "at"], name="access_person_at"),
            models.Index(fields=["user", "at"], name="access_user_at"),
            models.Index(fields=["employer", "at"], name="access_employer_at"),
            models.Index(fields=["at"], name="access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.what}"
