from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    EMPLOYER = "employer", _("单位用户")
    INDIVIDUAL = "individual", _("个人用户")
    STAFF = "staff", _("经办机构工作人员")


class User(AbstractUser):
    """An online-service account. Employer users belong to one employer, individuals to one person;
    staff hold one or more office roles."""

    kind = models.CharField(_("用户类型"), max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_employer_admin = models.BooleanField(_("单位管理员"), default=False)
    is_reviewer = models.BooleanField(_("审核人员"), default=False)
    is_clerk = models.BooleanField(_("窗口受理人员"), default=False)
    is_office_admin = models.BooleanField(_("系统管理员"), default=False)
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="employer", employer__isnull=False, person__isnull=True)
                | Q(kind="individual", person__isnull=False, employer__isnull=True)
                | Q(kind="staff", employer__isnull=True, person__isnull=True),
                name="user_kind_matches_link",
            ),
        ]

    @property
    def is_office_user(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def label(self) -> str:
        return self.display_name or self.username


class ItemGrant(models.Model):
    """A permission: this user may use this business item (Q01…H19, PROGRESS, BATCH)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    item_code = models.CharField(_("事项编码"), max_length=16)

    class Meta:
        verbose_name = _("事项权限")
        verbose_name_plural = _("事项权限")
        constraints = [models.UniqueConstraint(fields=["user", "item_code"], name="one_grant_per_item")]
