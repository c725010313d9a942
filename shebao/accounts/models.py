import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
        "persons.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_employer_admin = models.BooleanField(_("单位管理员"), default=False)
    is_reviewer = models.BooleanField(_("审核人员"), default=False)
    is_clerk = models.BooleanField(_("窗口受理人员"), default=False)
    is_office_admin = models.BooleanField(_("系统管理员"), default=False)
    is_settlement = models.BooleanField(_("结算人员"), default=False)
    is_finance = models.BooleanField(_("财务人员"), default=False)
    is_auditor = models.BooleanField(_("审计人员(只读)"), default=False)
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)
    password_expires_at = models.DateTimeField(_("临时密码有效期至"), null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

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
            models.CheckConstraint(
                condition=Q(is_employer_admin=False) | Q(kind="employer"), name="user_admin_is_employer_user"
            ),
            models.CheckConstraint(
                condition=Q(kind="staff")
                | Q(is_reviewer=False, is_clerk=False, is_office_admin=False)
                & Q(is_settlement=False, is_finance=False, is_auditor=False),
                name="user_office_roles_only_staff",
            ),
            models.UniqueConstraint(
                fields=["employer"], condition=Q(is_employer_admin=True), name="one_admin_per_employer"
            ),
            models.UniqueConstraint(fields=["person"], name="one_account_per_person"),
        ]

    @property
    def is_office_user(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def office_roles(self) -> list[str]:
        return [role for role in OFFICE_ROLE_LABELS if getattr(self, role)]

    def is_locked(self, now) -> bool:
        return self.locked_until is not None and self.locked_until > now


# The office roles a staff user may hold (several at once), as boolean fields on User.
OFFICE_ROLE_LABELS = {
    "is_reviewer": _("审核人员"),
    "is_clerk": _("窗口受理人员"),
    "is_office_admin": _("系统管理员"),
    "is_settlement": _("结算人员"),
    "is_finance": _("财务人员"),
    "is_auditor": _("审计人员(只读)"),
}


class ItemGrant(models.Model):
    """A permission: this user may use this business item (Q01…H19, PROGRESS, BATCH)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", db_index=False)
    item_code = models.CharField(_("事项编码"), max_length=16)

    class Meta:
        verbose_name = _("事项权限")
        verbose_name_plural = _("事项权限")
        constraints = [models.UniqueConstraint(fields=["user", "item_code"], name="one_grant_per_item")]


class AccountEventKind(models.TextChoices):
    CREATED = "created", _("开通帐户")
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED = "locked", _("帐户锁定")
    UNLOCKED = "unlocked", _("解除锁定")
    LOGOUT = "logout", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("超时自动退出")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    DISABLED = "disabled", _("停用帐户")
    ENABLED = "enabled", _("启用帐户")
    GRANTS_CHANGED = "grants_changed", _("变更事项权限")
    ROLES_CHANGED = "roles_changed", _("变更经办角色")
    TOTP_ENABLED = "totp_enabled", _("启用动态口令")
    TOTP_DISABLED = "totp_disabled", _("停用动态口令")
    API_TOKEN_CREATED = "api_token_created", _("创建接口令牌")
    API_TOKEN_REVOKED = "api_token_revoked", _("吊销接口令牌")


class AccountEvent(models.Model):
    """Append-only trail of what happened to an account: who did it, when and from which address.

    Rows are only ever inserted (services.event_record); failures for unknown user names keep the name typed
    in `username` with `user` empty, so failures per client address can be counted."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="events", db_index=False
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    kind = models.CharField(_("事件"), max_length=20, choices=AccountEventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("帐户事件")
        verbose_name_plural = _("帐户事件")
        indexes = [
            models.Index(fields=["user", "-at"], name="account_event_user_at"),
            models.Index(fields=["ip", "kind", "at"], name="account_event_ip_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind}"

    @property
    def summary(self) -> str:
        """The detail in words, for the event lists."""
        d = self.detail or {}
        parts = []
        if "reason" in d and self.kind == AccountEventKind.LOGIN_FAILED:
            parts.append(str(FAILURE_REASONS.get(d["reason"], d["reason"])))
        if d.get("added"):
            parts.append(_("增加：") + "、".join(d["added"]))
        if d.get("removed"):
            parts.append(_("取消：") + "、".join(d["removed"]))
        if d.get("reason") == "administrator_grants_reduced":
            parts.append(_("(随单位管理员权限调整)"))
        if self.kind == AccountEventKind.CREATED:
            if d.get("items"):
                parts.append(_("授权 %(count)d 项事项") % {"count": len(d["items"])})
            if d.get("roles"):
                parts.append("、".join(str(OFFICE_ROLE_LABELS.get(r, r)) for r in d["roles"]))
            if d.get("via") == "counter":
                parts.append(_("窗口受理"))
        if self.kind == AccountEventKind.LOCKED and d.get("until"):
            parts.append(
                _("锁定至 %(until)s")
                % {"until": timezone.localtime(dt.datetime.fromisoformat(d["until"])).strftime("%H:%M")}
            )
        if d.get("totp"):
            parts.append(_("动态口令验证"))
        if d.get("token"):
            parts.append(f"{d.get('name', '')}（{d['token']}…）")
        return "；".join(parts)


FAILURE_REASONS = {
    "bad_credentials": _("用户名或密码错误"),
    "locked": _("帐户已锁定"),
    "disabled": _("帐户已停用"),
    "expired": _("初始密码已过期"),
    "ip_limited": _("该地址失败次数过多"),
    "bad_totp": _("动态口令错误"),
}


class ApiTokenKind(models.TextChoices):
    EMPLOYER = "employer", _("单位令牌")
    STAFF = "staff", _("经办机构令牌")


class ApiToken(models.Model):
    """A bearer token for the REST API (/api/v1/). It acts as `user` (the employer administrator who made it,
    or the staff member it was issued to) within its scope: `items` (employer tokens: a subset of the user's
    granted items) or `roles` (staff tokens: a subset of the user's office roles). Only a SHA-256 digest of
    the secret is stored; the secret is shown once, when the token is made."""

    kind = models.CharField(_("令牌类型"), max_length=10, choices=ApiTokenKind.choices)
    name = models.CharField(_("令牌名称"), max_length=60)
    prefix = models.CharField(_("令牌前缀"), max_length=16)
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("代表用户")
    )
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    items = models.JSONField(_("授权事项"), default=list, blank=True)
    roles = models.JSONField(_("授权角色"), default=list, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="employer", employer__isnull=False) | Q(kind="staff", employer__isnull=True),
                name="api_token_kind_matches_employer",
            ),
        ]
        indexes = [models.Index(fields=["employer", "-created_at"], name="api_token_employer_recent")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def is_active(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ApiCall(models.Model):
    """Append-only record of every REST API call: which token, which item, which object, the outcome and
    the client address."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, null=True, blank=True, related_name="calls", db_index=False
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=200)
    item_code = models.CharField(_("事项编码"), max_length=16, blank=True)
    object_ref = models.CharField(_("对象"), max_length=40, blank=True)
    status = models.PositiveSmallIntegerField(_("状态码"))
    outcome = models.CharField(_("结果"), max_length=40)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        indexes = [models.Index(fields=["token", "-at"], name="api_call_token_at")]


class IdentityLookup(models.Model):
    """One look-up of a person by ID number from an item form (H01 pre-fill, H02 look-up, a submission that
    checks the record): who asked, for which employer, which number, when, and whether it was refused for
    exceeding the limits (services.identity_lookup_record). Append-only."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    item_code = models.CharField(_("事项"), max_length=10)
    id_number = models.CharField(_("查询的公民身份号码"), max_length=40)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    refused = models.BooleanField(_("超出限制被拒绝"), default=False)

    class Meta:
        verbose_name = _("身份查询记录")
        verbose_name_plural = _("身份查询记录")
        indexes = [
            models.Index(fields=["user", "at"], name="identity_lookup_user_at"),
            models.Index(fields=["employer", "at"], name="identity_lookup_employer_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.item_code} {self.id_number}"
