"""Writing accounts: every account is created, changed, reset and logged into through these functions, and
each of them leaves an AccountEvent (who, when, from where)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import string
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerType
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.idnumbers import normalize_identifier, to_halfwidth, validate_credit_code, validate_id_number
from shebao.core.validators import normalize_text, validate_name, validate_phone
from shebao.employers.models import Employer
from shebao.employers.services import employer_register
from shebao.persons.models import Person
from shebao.persons.services import person_register

from .models import (
    OFFICE_ROLE_LABELS,
    AccountEvent,
    AccountEventKind,
    ApiCall,
    ApiToken,
    ApiTokenKind,
    IdentityLookup,
    ItemGrant,
    User,
    UserKind,
)
from .rules import ADMIN_ONLY_ITEMS, grantable_codes, missing_documents, password_problems
from .selectors import office_may_manage, recent_failures_from

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 10) -> str:
    """A first password with letters and digits (never ambiguous 0/O or 1/l)."""
    alphabet = [c for c in PASSWORD_ALPHABET if c not in "0O1lI"]
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def _temporary_expiry(now=None):
    return (now or timezone.now()) + dt.timedelta(days=settings.SHEBAO_TEMPORARY_PASSWORD_DAYS)


def event_record(
    *,
    user: User | None,
    kind: str,
    ip: str | None = None,
    actor: User | None = None,
    username: str = "",
    detail: dict | None = None,
    at=None,
) -> AccountEvent:
    """Append one event to the account trail (the only way rows get there)."""
    return AccountEvent.objects.create(
        user=user,
        username=(username or (user.username if user else ""))[:150],
        kind=kind,
        ip=ip or None,
        actor=actor,
        detail=detail or {},
        at=at or timezone.now(),
    )


# --- grants ---------------------------------------------------------------------------------------------


def _check_codes(
    user: User, item_codes, *, within: set[str] | None = None, field: str = "item_codes"
) -> list[str]:
    allowed = grantable_codes(user.kind, employer_admin=user.is_employer_admin)
    codes = sorted(set(item_codes), key=lambda c: allowed.index(c) if c in allowed else len(allowed))
    bad = [c for c in codes if c not in allowed]
    if bad:
        raise ValidationFailed(
            _("以下事项不能授予该类用户：%(codes)s") % {"codes": "、".join(bad)},
            field=field,
            code="not_grantable",
        )
    if within is not None:
        beyond = [c for c in codes if c not in within]
        if beyond:
            raise ValidationFailed(
                _("只能授予单位管理员本人拥有的事项，以下事项超出范围：%(codes)s")
                % {"codes": "、".join(beyond)},
                field=field,
                code="beyond_admin",
            )
    return codes


def grants_set(*, user: User, item_codes: list[str]) -> None:
    """Replace the user's item grants with exactly item_codes (no checks, no event: use user_grants_change)."""
    ItemGrant.objects.filter(user=user).exclude(item_code__in=item_codes).delete()
    existing = set(ItemGrant.objects.filter(user=user).values_list("item_code", flat=True))
    ItemGrant.objects.bulk_create(ItemGrant(user=user, item_code=c) for c in item_codes if c not in existing)
    user._granted_codes = None


def _may_manage(actor: User, user: User) -> bool:
    if actor.pk == user.pk:
        return False
    if actor.kind == UserKind.EMPLOYER:
        return (
            actor.is_employer_admin
            and user.kind == UserKind.EMPLOYER
            and user.employer_id == actor.employer_id
            and not user.is_employer_admin
        )
    return office_may_manage(actor, user)


def _require_manage(actor: User, user: User) -> None:
    if not _may_manage(actor, user):
        raise PermissionDenied(_("您无权管理该帐户。"))


@transaction.atomic
def user_grants_change(*, user: User, item_codes, actor: User, ip: str | None = None) -> dict:
    """Set the items a user holds. An employer administrator may grant an operator only a subset of their
    own grants; when an administrator's grants shrink, the employer's operators lose those items too.
    Effective at once (permissions are read on every request) and audited."""
    _require_manage(actor, user)
    within = None
    if actor.kind == UserKind.EMPLOYER:
        within = set(actor.grants.values_list("item_code", flat=True))
    codes = _check_codes(user, item_codes, within=within)
    before = set(user.grants.values_list("item_code", flat=True))
    grants_set(user=user, item_codes=codes)
    added, removed = sorted(set(codes) - before), sorted(before - set(codes))
    if added or removed:
        event_record(
            user=user,
            kind=AccountEventKind.GRANTS_CHANGED,
            ip=ip,
            actor=actor,
            detail={"added": added, "removed": removed},
        )
    if user.is_employer_admin and removed:
        clipped = ItemGrant.objects.filter(
            user__employer_id=user.employer_id, user__is_employer_admin=False, item_code__in=removed
        )
        affected: dict[int, list[str]] = {}
        for user_id, code in clipped.values_list("user_id", "item_code"):
            affected.setdefault(user_id, []).append(code)
        clipped.delete()
        now = timezone.now()
        operators = User.objects.in_bulk(list(affected))
        AccountEvent.objects.bulk_create(
            AccountEvent(
                user_id=user_id,
                username=operators[user_id].username,
                kind=AccountEventKind.GRANTS_CHANGED,
                at=now,
                ip=ip or None,
                actor=actor,
                detail={"added": [], "removed": sorted(codes_), "reason": "administrator_grants_reduced"},
            )
            for user_id, codes_ in affected.items()
        )
    return {"added": added, "removed": removed}


# --- creating accounts ----------------------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    kind: str,
    employer=None,
    person=None,
    display_name: str = "",
    is_employer_admin: bool = False,
    office_roles: tuple[str, ...] = (),
    item_codes: list[str] | None = None,
    must_change_password: bool = True,
    id_number: str = "",
    phone: str = "",
    actor: User | None = None,
    ip: str | None = None,
    detail: dict | None = None,
) -> User:
    """Create an account. Without item_codes it gets every item its kind may hold. A password that must be
    changed at first login is temporary and expires after SHEBAO_TEMPORARY_PASSWORD_DAYS."""
    user = User(
        username=username,
        kind=kind,
        employer=employer,
        person=person,
        display_name=display_name,
        id_number=id_number,
        phone=phone,
        is_employer_admin=is_employer_admin,
        must_change_password=must_change_password,
        password_expires_at=_temporary_expiry() if must_change_password else None,
    )
    for role in office_roles:
        if role not in OFFICE_ROLE_LABELS:
            raise ValueError(f"unknown office role {role}")
        setattr(user, role, True)
    user.set_password(password)
    user.save()
    codes: list[str] = []
    if kind != UserKind.STAFF:
        codes = _check_codes(
            user,
            item_codes if item_codes is not None else grantable_codes(kind, employer_admin=is_employer_admin),
        )
        grants_set(user=user, item_codes=codes)
    event_record(
        user=user,
        kind=AccountEventKind.CREATED,
        ip=ip,
        actor=actor,
        detail={"items": codes, "roles": list(office_roles), **(detail or {})},
    )
    return user


def _unique_username(base: str) -> str:
    if not User.objects.filter(username=base).exists():
        return base
    for n in range(2, 1000):
        candidate = f"{base}-{n}"
        if not User.objects.filter(username=candidate).exists():
            return candidate
    raise DomainError(_("无法生成用户名，请联系系统管理员。"))


def _collect(errors: dict, key: str, func, *args, **kwargs):
    """Run a validator; on failure file its message under `key` and return None."""
    try:
        return func(*args, **kwargs)
    except ValidationFailed as exc:
        errors.setdefault(key, []).append(exc.message)
        return None


def _check_documents(errors: dict, applicant_type: str, documents) -> list[str]:
    missing = missing_documents(applicant_type, documents)
    if missing:
        errors.setdefault("documents", []).append(
            _("以下材料尚未核验，资料齐全方可办理：%(docs)s")
            % {"docs": "、".join(str(d.label) for d in missing)}
        )
    return sorted(set(documents))


def _require_clerk(clerk: User) -> None:
    if clerk.kind != UserKind.STAFF or not clerk.is_clerk:
        raise PermissionDenied(_("仅窗口受理人员可以办理用户认证。"))


@dataclass
class NewEmployer:
    """What the counter records about an employer not yet on file (the rest is completed by the office)."""

    name: str = ""
    employer_type: str = ""
    address: str = ""
    legal_representative: str = ""
    contact_phone: str = ""


@transaction.atomic
def counter_register_employer(
    *,
    clerk: User,
    credit_code: str,
    operator_name: str,
    operator_id_number: str,
    operator_phone: str,
    documents,
    item_codes=None,
    new_employer: NewEmployer | None = None,
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[User, str]:
    """用户认证 for an employer: find the employer by credit code (or record it from new_employer), check the
    documents for its type, and open its administrator account with a generated first password.
    Returns (user, first password). Refused if the employer already has an administrator account."""
    _require_clerk(clerk)
    errors: dict[str, list[str]] = {}
    info = _collect(errors, "credit_code", validate_credit_code, credit_code)
    name = _collect(errors, "operator_name", validate_name, operator_name, field="operator_name")
    id_info = _collect(
        errors,
        "operator_id_number",
        validate_id_number,
        operator_id_number,
        today=today,
        field="operator_id_number",
    )
    phone = _collect(errors, "operator_phone", validate_phone, operator_phone, field="operator_phone")
    if info is None:
        raise FieldErrors(errors)
    code = info.number
    employer = Employer.objects.select_for_update().filter(credit_code=code).first()
    if employer is not None:
        admin = User.objects.filter(employer=employer, is_employer_admin=True).first()
        if admin is not None:
            raise DomainError(
                _(
                    "「%(name)s」已开通网上办事，单位管理员帐户为「%(username)s」，不能重复开通。"
                    "如忘记密码，请在用户管理中为该帐户重置密码。"
                )
                % {"name": employer.name, "username": admin.username},
                code="already_registered",
            )
        employer_type = employer.employer_type
    else:
        new_employer = new_employer or NewEmployer()
        employer_name = normalize_text(new_employer.name)
        if not employer_name:
            errors.setdefault("employer_name", []).append(_("新开户单位须填写单位名称"))
        elif len(employer_name) > 100:
            errors.setdefault("employer_name", []).append(_("单位名称不能超过100个字"))
        employer_type = new_employer.employer_type
        if employer_type not in EmployerType.values:
            errors.setdefault("employer_type", []).append(_("请选择单位类型"))
        contact_phone = ""
        if new_employer.contact_phone.strip():
            contact_phone = _collect(
                errors, "contact_phone", validate_phone, new_employer.contact_phone, field="contact_phone"
            )
    checked = _check_documents(errors, employer_type, documents) if employer_type else []
    if errors:
        raise FieldErrors(errors)
    if employer is None:
        employer = employer_register(
            credit_code=code,
            org_code=info.organisation_code,
            name=employer_name,
            employer_type=employer_type,
            district_code=info.division_code,
            address=normalize_text(new_employer.address)[:200],
            legal_representative=normalize_text(new_employer.legal_representative)[:30],
            contact_name=name,
            contact_phone=contact_phone or "",
            registered_on=today or timezone.localdate(),
        )
    password = generate_password()
    placeholder = User(kind=UserKind.EMPLOYER, employer=employer, is_employer_admin=True)
    codes = _check_codes(
        placeholder,
        item_codes if item_codes is not None else grantable_codes("employer", employer_admin=True),
    )
    try:
        with transaction.atomic():
            user = account_create(
                username=_unique_username(employer.number),
                password=password,
                kind=UserKind.EMPLOYER,
                employer=employer,
                display_name=name,
                id_number=id_info.number,
                phone=phone,
                is_employer_admin=True,
                item_codes=codes,
                actor=clerk,
                ip=ip,
                detail={"via": "counter", "documents": checked},
            )
    except IntegrityError:
        raise DomainError(_("该单位已开通网上办事，不能重复开通。"), code="already_registered") from None
    return user, password


@transaction.atomic
def counter_register_person(
    *,
    clerk: User,
    id_number: str,
    name: str,
    phone: str = "",
    documents,
    item_codes=None,
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[User, str]:
    """用户认证 for an individual: find the person by ID number (or record them), check the ID card, and open
    their account with a generated first password. Refused if the person already has an account."""
    _require_clerk(clerk)
    errors: dict[str, list[str]] = {}
    id_info = _collect(errors, "id_number", validate_id_number, id_number, today=today)
    clean_name = _collect(errors, "name", validate_name, name)
    clean_phone = ""
    if phone.strip():
        clean_phone = _collect(errors, "phone", validate_phone, phone)
    checked = _check_documents(errors, "individual", documents)
    if errors:
        raise FieldErrors(errors)
    person = Person.objects.select_for_update().filter(id_number=id_info.number).first()
    if person is not None:
        if person.name != clean_name:
            raise FieldErrors({"name": [_("姓名与该身份证号码登记的姓名不一致，请核对身份证件")]})
        existing = User.objects.filter(person=person).first()
        if existing is not None:
            raise DomainError(
                _(
                    "%(name)s 已开通个人网上办事，用户名为「%(username)s」，不能重复开通；如忘记密码，请为其重置密码。"
                )
                % {"name": person.name, "username": existing.username},
                code="already_registered",
            )
    else:
        person = person_register(
            id_number=id_info.number,
            name=clean_name,
            gender=id_info.gender,
            birth_date=id_info.birth_date,
            phone=clean_phone or "",
        )
    password = generate_password()
    placeholder = User(kind=UserKind.INDIVIDUAL, person=person)
    codes = _check_codes(placeholder, item_codes if item_codes is not None else grantable_codes("individual"))
    try:
        with transaction.atomic():
            user = account_create(
                username=_unique_username(person.id_number),
                password=password,
                kind=UserKind.INDIVIDUAL,
                person=person,
                display_name=person.name,
                id_number=person.id_number,
                phone=clean_phone or person.phone,
                item_codes=codes,
                actor=clerk,
                ip=ip,
                detail={"via": "counter", "documents": checked},
            )
    except IntegrityError:
        raise DomainError(_("该人员已开通个人网上办事，不能重复开通。"), code="already_registered") from None
    return user, password


@transaction.atomic
def operator_create(
    *,
    admin: User,
    display_name: str,
    id_number: str,
    phone: str,
    item_codes,
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[User, str]:
    """H19: an employer administrator opens an operator sub-account with a subset of their own grants."""
    if admin.kind != UserKind.EMPLOYER or not admin.is_employer_admin:
        raise PermissionDenied(_("仅单位管理员可以办理经办人授权。"))
    errors: dict[str, list[str]] = {}
    name = _collect(errors, "display_name", validate_name, display_name, field="display_name")
    id_info = _collect(errors, "id_number", validate_id_number, id_number, today=today)
    clean_phone = _collect(errors, "phone", validate_phone, phone)
    placeholder = User(kind=UserKind.EMPLOYER, employer_id=admin.employer_id)
    codes = _collect(
        errors,
        "item_codes",
        _check_codes,
        placeholder,
        item_codes,
        within=set(admin.grants.values_list("item_code", flat=True)),
    )
    if codes is not None and not codes:
        errors.setdefault("item_codes", []).append(_("请至少选择一个授权事项"))
    if (
        id_info is not None
        and User.objects.filter(
            employer_id=admin.employer_id, id_number=id_info.number, is_active=True
        ).exists()
    ):
        errors.setdefault("id_number", []).append(_("该身份证号码已是本单位的经办人，请在列表中修改其权限"))
    if errors:
        raise FieldErrors(errors)
    employer = admin.employer
    taken = set(User.objects.filter(employer=employer).values_list("username", flat=True))
    n = 1
    while f"{employer.number}-{n:02d}" in taken:
        n += 1
    password = generate_password()
    user = account_create(
        username=_unique_username(f"{employer.number}-{n:02d}"),
        password=password,
        kind=UserKind.EMPLOYER,
        employer=employer,
        display_name=name,
        id_number=id_info.number,
        phone=clean_phone,
        item_codes=codes,
        actor=admin,
        ip=ip,
        detail={"via": "H19"},
    )
    return user, password


@transaction.atomic
def staff_create(
    *, actor: User, username: str, display_name: str, roles, ip: str | None = None
) -> tuple[User, str]:
    """An office administrator opens a staff account holding one or more office roles."""
    if actor.kind != UserKind.STAFF or not actor.is_office_admin:
        raise PermissionDenied(_("仅系统管理员可以开设工作人员帐户。"))
    errors: dict[str, list[str]] = {}
    username = to_username(username)
    if not username:
        errors["username"] = [_("请填写用户名（字母、数字或 . _ -）")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("用户名「%(username)s」已被使用") % {"username": username}]
    name = _collect(errors, "display_name", validate_name, display_name, field="display_name")
    roles = [r for r in roles if r in OFFICE_ROLE_LABELS]
    if not roles:
        errors["roles"] = [_("请至少选择一个经办角色")]
    if errors:
        raise FieldErrors(errors)
    password = generate_password()
    user = account_create(
        username=username,
        password=password,
        kind=UserKind.STAFF,
        display_name=name,
        office_roles=tuple(roles),
        actor=actor,
        ip=ip,
        detail={"via": "office"},
    )
    return user, password


def to_username(value: str) -> str:
    value = normalize_text(value)
    if not value or len(value) > 40 or any(not (c.isascii() and (c.isalnum() or c in "._-")) for c in value):
        return ""
    return value


# --- managing accounts ----------------------------------------------------------------------------------


@transaction.atomic
def password_reset(*, user: User, actor: User, ip: str | None = None) -> str:
    """A new temporary password (shown once, printed on a receipt), to be changed at the next login.
    Also unlocks the account."""
    _require_manage(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_expires_at = _temporary_expiry()
    user.failed_logins = 0
    user.locked_until = None
    user.save(
        update_fields=[
            "password",
            "must_change_password",
            "password_expires_at",
            "failed_logins",
            "locked_until",
        ]
    )
    event_record(user=user, kind=AccountEventKind.PASSWORD_RESET, ip=ip, actor=actor)
    return password


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, new_password_again: str, ip: str | None = None
) -> None:
    """The user changes their own password (a first or reset password must be changed this way)."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = [_("当前密码不正确")]
    identifiers = tuple(
        x
        for x in (
            user.id_number,
            user.person.id_number if user.person_id else "",
            (user.employer.credit_code or "") if user.employer_id else "",
            (user.employer.org_code or "") if user.employer_id else "",
            user.employer.number if user.employer_id else "",
        )
        if x
    )
    names = tuple(
        x
        for x in (
            user.employer.name if user.employer_id else "",
            user.person.name if user.person_id else "",
            user.display_name,
        )
        if x
    )
    problems = password_problems(new_password, username=user.username, identifiers=identifiers, names=names)
    if problems:
        errors["new_password"] = problems
    elif old_password and new_password == old_password:
        errors["new_password"] = [_("新密码不能与当前密码相同")]
    if new_password != new_password_again:
        errors["new_password_again"] = [_("两次输入的新密码不一致")]
    if errors:
        raise FieldErrors(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "password_expires_at"])
    event_record(user=user, kind=AccountEventKind.PASSWORD_CHANGED, ip=ip, actor=user)


@transaction.atomic
def user_disable(*, user: User, actor: User, ip: str | None = None) -> None:
    """Disabled accounts cannot log in, and their open sessions end at the next request."""
    _require_manage(actor, user)
    if user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        event_record(user=user, kind=AccountEventKind.DISABLED, ip=ip, actor=actor)


@transaction.atomic
def user_enable(*, user: User, actor: User, ip: str | None = None) -> None:
    _require_manage(actor, user)
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        event_record(user=user, kind=AccountEventKind.ENABLED, ip=ip, actor=actor)


@transaction.atomic
def user_unlock(*, user: User, actor: User, ip: str | None = None) -> None:
    _require_manage(actor, user)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    event_record(user=user, kind=AccountEventKind.UNLOCKED, ip=ip, actor=actor)


@transaction.atomic
def user_roles_change(*, user: User, roles, actor: User, ip: str | None = None) -> None:
    """An office administrator sets a staff user's office roles (several at once are allowed)."""
    if actor.kind != UserKind.STAFF or not actor.is_office_admin:
        raise PermissionDenied(_("仅系统管理员可以变更经办角色。"))
    if user.kind != UserKind.STAFF:
        raise DomainError(_("只有工作人员帐户才有经办角色。"))
    roles = {r for r in roles if r in OFFICE_ROLE_LABELS}
    if not roles:
        raise FieldErrors({"roles": [_("请至少保留一个经办角色；不再使用的帐户请停用")]})
    if user.pk == actor.pk and "is_office_admin" not in roles:
        raise FieldErrors({"roles": [_("不能取消自己的系统管理员角色")]})
    before = set(user.office_roles)
    for role in OFFICE_ROLE_LABELS:
        setattr(user, role, role in roles)
    user.save(update_fields=list(OFFICE_ROLE_LABELS))
    if before != roles:
        event_record(
            user=user,
            kind=AccountEventKind.ROLES_CHANGED,
            ip=ip,
            actor=actor,
            detail={"added": sorted(roles - before), "removed": sorted(before - roles)},
        )


# --- logging in -----------------------------------------------------------------------------------------


def login_failed_message() -> str:
    """The one answer to every refused login — unknown user, wrong password, the failure that locks the account,
    any attempt while it is locked — so that none of them tells an existing account from an unknown one."""
    return _(
        "用户名或密码错误。尚未开通网上办事的单位或个人，请携带有关材料到经办窗口办理用户认证；"
        "忘记密码请到经办机构重置。连续输错 %(max)d 次，帐户将被锁定 %(minutes)d 分钟，锁定期间无法登录。"
    ) % {"max": settings.SHEBAO_LOGIN_MAX_FAILURES, "minutes": settings.SHEBAO_LOGIN_LOCK_MINUTES}


def locked_message(until) -> str:
    """Told after a correct second factor only (the password was right): the account is locked until …"""
    return _(
        "该帐户因连续 %(max)d 次密码错误已被锁定 %(minutes)d 分钟，请于 %(until)s 以后再登录；"
        "如需立即解锁，请联系经办机构。"
    ) % {
        "max": settings.SHEBAO_LOGIN_MAX_FAILURES,
        "minutes": settings.SHEBAO_LOGIN_LOCK_MINUTES,
        "until": date_format(timezone.localtime(until), "H:i"),
    }


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login step: `user` on success or when a second factor is still needed."""

    reason: str  # ok | totp_required | bad_credentials | locked | disabled | expired | bad_totp
    user: User | None = None
    message: str = ""
    slowed: bool = False  # the client address had too many recent failures: this answer was delayed

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


def _fail(
    user: User | None, reason: str, message: str, *, ip, username: str, now, detail=None
) -> LoginResult:
    event_record(
        user=user,
        kind=AccountEventKind.LOGIN_FAILED,
        ip=ip,
        username=username,
        detail={"reason": reason, **(detail or {})},
        at=now,
    )
    return LoginResult(reason=reason, message=message)


def _count_failure(user: User, *, ip, now, reason: str) -> LoginResult:
    """A wrong password (or second factor) for a known, unlocked user: count it, lock at the limit. The answer
    is the ordinary failure message also when this failure locks the account."""
    user.failed_logins += 1
    locked = user.failed_logins >= settings.SHEBAO_LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = now + dt.timedelta(minutes=settings.SHEBAO_LOGIN_LOCK_MINUTES)
    user.save(update_fields=["failed_logins", "locked_until"])
    message = login_failed_message()
    if reason == "bad_totp":
        message = (
            locked_message(user.locked_until)
            if locked
            else _("动态口令不正确或已过期，请查看身份验证器后重新输入。")
        )
    _fail(user, reason, message, ip=ip, username=user.username, now=now)
    if locked:
        event_record(
            user=user,
            kind=AccountEventKind.LOCKED,
            ip=ip,
            detail={"until": user.locked_until.isoformat(), "failures": user.failed_logins},
            at=now,
        )
        return LoginResult(reason="locked", message=message)
    return LoginResult(reason=reason, message=message)


def _login_succeeded(user: User, *, ip, now, second_factor: bool) -> LoginResult:
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["failed_logins", "locked_until"])
    event_record(
        user=user, kind=AccountEventKind.LOGIN, ip=ip, detail={"totp": True} if second_factor else {}, at=now
    )
    return LoginResult(reason="ok", user=user)


def login_address_delay(*, ip: str | None, now) -> float:
    """Seconds to hold an answer back for this client address: 0 until it has SHEBAO_LOGIN_IP_MAX_FAILURES
    failures in the window, then SHEBAO_LOGIN_IP_DELAY_SECONDS. The address limit only ever slows an address
    down: it never refuses a correct password (behind a misconfigured proxy every user shares one address)."""
    window = now - dt.timedelta(minutes=settings.SHEBAO_LOGIN_IP_WINDOW_MINUTES)
    if recent_failures_from(ip=ip, since=window) >= settings.SHEBAO_LOGIN_IP_MAX_FAILURES:
        return float(settings.SHEBAO_LOGIN_IP_DELAY_SECONDS)
    return 0.0


def login_attempt(*, kind: str, identifier: str, password: str, ip: str | None, now=None) -> LoginResult:
    """Check a login form (see ``_login_check``); an address with too many recent failures waits first —
    outside any transaction, so that waiting holds no lock."""
    now = now or timezone.now()
    delay = login_address_delay(ip=ip, now=now)
    if delay > 0:
        time.sleep(delay)
    result = _login_check(kind=kind, identifier=identifier, password=password, ip=ip, now=now)
    return dataclasses.replace(result, slowed=delay > 0) if delay > 0 else result


@transaction.atomic
def _login_check(*, kind: str, identifier: str, password: str, ip: str | None, now) -> LoginResult:
    """Unknown user, wrong password, the failure that locks, and any attempt on a locked account get the same
    message and cost the same (one password hash each); failures are counted per account (locking it) and per
    client address (slowing it down). Disabled and expired states are told only to someone who knows the
    password. On 'ok' the caller logs the user in; on 'totp_required' it asks for the code."""
    from .selectors import login_user_resolve, user_has_totp

    typed = identifier.strip()[:150]
    found = login_user_resolve(kind=kind, identifier=identifier)
    if found is None:
        make_password(password)  # spend the same time as a real check: no user enumeration by timing
        return _fail(None, "bad_credentials", login_failed_message(), ip=ip, username=typed, now=now)
    user = User.objects.select_for_update(of=("self",)).select_related("employer", "person").get(pk=found.pk)
    if user.locked_until is not None:
        if user.locked_until > now:
            # Not checked while locked (the lock would otherwise be a free oracle), but the same time spent.
            make_password(password)
            return _fail(user, "locked", login_failed_message(), ip=ip, username=user.username, now=now)
        user.failed_logins, user.locked_until = 0, None  # the lock has run out: start counting afresh
    if not user.check_password(password):
        return _count_failure(user, ip=ip, now=now, reason="bad_credentials")
    if not user.is_active:
        message = _("该帐户已被停用，不能登录。如有疑问，请联系经办机构。")
        return _fail(user, "disabled", message, ip=ip, username=user.username, now=now)
    if user.must_change_password and user.password_expires_at and user.password_expires_at <= now:
        message = _(
            "初始密码已于 %(date)s 过期（有效期 %(days)d 天），请携带身份证件到经办窗口重新设置密码"
            "（经办人帐户请由单位管理员重置）。"
        ) % {
            "date": date_format(timezone.localtime(user.password_expires_at), "Y-m-d"),
            "days": settings.SHEBAO_TEMPORARY_PASSWORD_DAYS,
        }
        return _fail(user, "expired", message, ip=ip, username=user.username, now=now)
    if user_has_totp(user):
        if user.failed_logins:
            user.save(update_fields=["failed_logins", "locked_until"])
        return LoginResult(reason="totp_required", user=user)
    return _login_succeeded(user, ip=ip, now=now, second_factor=False)


@transaction.atomic
def login_totp_verify(*, user: User, token: str, ip: str | None, now=None) -> LoginResult:
    """Second step for a user with TOTP turned on; wrong codes count towards the lock like wrong passwords."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_locked(now):
        return _fail(
            user, "locked", locked_message(user.locked_until), ip=ip, username=user.username, now=now
        )
    token = "".join(ch for ch in to_halfwidth(token) if ch in "0123456789")[:12]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not token or not device.verify_token(token):
        return _count_failure(user, ip=ip, now=now, reason="bad_totp")
    return _login_succeeded(user, ip=ip, now=now, second_factor=True)


# --- TOTP second factor ---------------------------------------------------------------------------------


@transaction.atomic
def totp_setup_start(*, user: User):
    """A fresh, unconfirmed TOTP device whose secret is shown to the user as a QR code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user: User, token: str, ip: str | None = None) -> None:
    """Turn TOTP on once the user proves their authenticator shows the right code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    token = "".join(ch for ch in to_halfwidth(token) if ch in "0123456789")[:12]
    if device is None:
        raise DomainError(_("请先生成二维码，再输入动态口令。"))
    if not token or not device.verify_token(token):
        raise FieldErrors(
            {"token": [_("动态口令不正确，请确认身份验证器已扫描二维码、手机时间准确后重新输入")]}
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    event_record(user=user, kind=AccountEventKind.TOTP_ENABLED, ip=ip, actor=user)


@transaction.atomic
def totp_disable(*, user: User, password: str, actor: User | None = None, ip: str | None = None) -> None:
    """Turn TOTP off: by the user with their password, or by the office (a lost phone) without it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor is None or actor.pk == user.pk:
        if not user.check_password(password):
            raise FieldErrors({"password": [_("密码不正确")]})
        actor = user
    else:
        _require_manage(actor, user)
    deleted, _details = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        event_record(user=user, kind=AccountEventKind.TOTP_DISABLED, ip=ip, actor=actor)


# --- identity look-ups ----------------------------------------------------------------------------------


class LookupLimited(DomainError):
    """Too many look-ups of persons by ID number in the window: this one was recorded but not answered."""


def identity_lookup_record(
    *, user: User, item_code: str, id_number: str, ip: str | None = None, now=None
) -> IdentityLookup:
    """Record one look-up of a person by ID number (whether the number is registered, whose name it is) and
    refuse it with LookupLimited once the user has made SHEBAO_IDENTITY_LOOKUPS_PER_USER, or the user's
    employer SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER, within SHEBAO_IDENTITY_LOOKUP_WINDOW_MINUTES. Refused
    look-ups are recorded too (marked refused) and do not count towards the limits. Not atomic with the
    caller: the record stays even when the caller's own transaction is rolled back."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.SHEBAO_IDENTITY_LOOKUP_WINDOW_MINUTES)
    answered = IdentityLookup.objects.filter(at__gte=since, refused=False)
    refused = answered.filter(user=user).count() >= settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER or (
        user.employer_id is not None
        and answered.filter(employer_id=user.employer_id).count()
        >= settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER
    )
    record = IdentityLookup.objects.create(
        user=user,
        employer_id=user.employer_id,
        item_code=item_code[:10],
        id_number=normalize_identifier(id_number)[:40],
        at=now,
        ip=ip or None,
        refused=refused,
    )
    if refused:
        raise LookupLimited(
            _(
                "按身份证号码查询人员信息的次数已达上限（每 %(minutes)d 分钟每位经办人 %(user)d 次、每个单位 "
                "%(employer)d 次），请稍后再试；批量办理请使用批量导入。"
            )
            % {
                "minutes": settings.SHEBAO_IDENTITY_LOOKUP_WINDOW_MINUTES,
                "user": settings.SHEBAO_IDENTITY_LOOKUPS_PER_USER,
                "employer": settings.SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER,
            },
            code="lookup_limited",
        )
    return record


# --- REST API tokens --------------------------------------------------------------------------------------

API_TOKEN_PREFIX = "sbk_"
API_TOKEN_MAX_DAYS = 366
# Items a token may carry: every employer item the administrator holds except operator authorisation (H19),
# which stays a page of the administrator's own.
API_TOKEN_EXCLUDED_ITEMS = ADMIN_ONLY_ITEMS


def api_token_digest(secret: str) -> str:
    """The stored form of a token: its SHA-256 (the secret has 256 bits of randomness, so no slow hash)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_items_for(admin: User) -> list[str]:
    """The items an employer administrator may put on a token: their own grants (H19 excepted)."""
    from .selectors import grants_of

    return [c for c in grants_of(admin) if c not in API_TOKEN_EXCLUDED_ITEMS]


def _token_fields(*, name: str, expires_on, today: dt.date, errors: dict) -> tuple[str, dt.datetime | None]:
    name = normalize_text(str(name or ""))
    if not name:
        errors.setdefault("name", []).append(_("请填写令牌名称"))
    elif len(name) > 60:
        errors.setdefault("name", []).append(_("令牌名称最多60个字"))
    expires_at = None
    day = expires_on
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip())
        except ValueError:
            day = None
    if not isinstance(day, dt.date):
        errors.setdefault("expires_on", []).append(_("请填写有效期，格式 YYYY-MM-DD"))
    elif day <= today:
        errors.setdefault("expires_on", []).append(_("有效期须晚于今天"))
    elif day > today + dt.timedelta(days=API_TOKEN_MAX_DAYS):
        errors.setdefault("expires_on", []).append(
            _("有效期最长 %(days)d 天，请选择 %(last)s 之前的日期")
            % {"days": API_TOKEN_MAX_DAYS, "last": today + dt.timedelta(days=API_TOKEN_MAX_DAYS)}
        )
    else:
        # Valid through the whole of that day in the office's time zone.
        expires_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return name, expires_at


def _token_make(**fields) -> tuple[ApiToken, str]:
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(prefix=secret[:12], digest=api_token_digest(secret), **fields)
    return token, secret


@transaction.atomic
def api_token_create_employer(
    *, admin: User, name: str, item_codes, expires_on, today: dt.date, ip: str | None = None
) -> tuple[ApiToken, str]:
    """An employer administrator makes a token for the employer's software, scoped to some of their own
    items. Returns the token and its secret (shown once; only its digest is kept)."""
    if admin.kind != UserKind.EMPLOYER or not admin.is_employer_admin or not admin.is_active:
        raise PermissionDenied(_("只有单位管理员可以创建接口令牌。"))
    errors: dict[str, list[str]] = {}
    name, expires_at = _token_fields(name=name, expires_on=expires_on, today=today, errors=errors)
    allowed = api_token_items_for(admin)
    codes = sorted({str(c) for c in item_codes or []}, key=lambda c: (c not in allowed, c))
    beyond = [c for c in codes if c not in allowed]
    if not codes:
        errors.setdefault("items", []).append(_("请至少选择一项授权事项"))
    elif beyond:
        errors.setdefault("items", []).append(
            _("令牌只能授予单位管理员本人拥有的事项，以下事项超出范围：%(codes)s")
            % {"codes": "、".join(c[:16] for c in beyond[:10])}
        )
    if errors:
        raise FieldErrors(errors)
    token, secret = _token_make(
        kind=ApiTokenKind.EMPLOYER,
        name=name,
        user=admin,
        employer_id=admin.employer_id,
        items=codes,
        expires_at=expires_at,
        created_by=admin,
    )
    event_record(
        user=admin,
        kind=AccountEventKind.API_TOKEN_CREATED,
        ip=ip,
        actor=admin,
        detail={"token": token.prefix, "name": name, "items": codes},
    )
    return token, secret


@transaction.atomic
def api_token_create_staff(
    *, actor: User, user: User, name: str, roles, expires_on, today: dt.date, ip: str | None = None
) -> tuple[ApiToken, str]:
    """An office administrator issues a token acting as a staff member, with some of that member's roles."""
    if actor.kind != UserKind.STAFF or not actor.is_office_admin or not actor.is_active:
        raise PermissionDenied(_("只有系统管理员可以签发经办机构接口令牌。"))
    errors: dict[str, list[str]] = {}
    name, expires_at = _token_fields(name=name, expires_on=expires_on, today=today, errors=errors)
    if user.kind != UserKind.STAFF or not user.is_active:
        errors.setdefault("user", []).append(_("只能为在用的经办机构工作人员签发令牌"))
    held = [r for r in OFFICE_ROLE_LABELS if getattr(user, r, False)]
    chosen = [r for r in OFFICE_ROLE_LABELS if r in set(roles or [])]
    if not chosen:
        errors.setdefault("roles", []).append(_("请至少选择一个角色"))
    elif set(roles or []) - set(held):
        errors.setdefault("roles", []).append(_("令牌只能授予该工作人员本人拥有的角色"))
    if errors:
        raise FieldErrors(errors)
    token, secret = _token_make(
        kind=ApiTokenKind.STAFF,
        name=name,
        user=user,
        employer=None,
        roles=chosen,
        expires_at=expires_at,
        created_by=actor,
    )
    event_record(
        user=user,
        kind=AccountEventKind.API_TOKEN_CREATED,
        ip=ip,
        actor=actor,
        detail={"token": token.prefix, "name": name, "roles": chosen},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, ip: str | None = None) -> ApiToken:
    """Revoke a token at once: the employer's administrator (employer tokens), a system administrator
    (staff tokens)."""
    allowed = (
        token.kind == ApiTokenKind.EMPLOYER
        and actor.kind == UserKind.EMPLOYER
        and actor.is_employer_admin
        and actor.employer_id == token.employer_id
    ) or (token.kind == ApiTokenKind.STAFF and actor.kind == UserKind.STAFF and actor.is_office_admin)
    if not allowed:
        raise PermissionDenied(_("您无权吊销该令牌。"))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    ):
        event_record(
            user=token.user,
            kind=AccountEventKind.API_TOKEN_REVOKED,
            ip=ip,
            actor=actor,
            detail={"token": token.prefix, "name": token.name},
        )
    token.refresh_from_db()
    return token


def api_token_resolve(secret: str, *, now=None) -> tuple[ApiToken | None, str]:
    """The token a bearer secret names and why it cannot be used ("" when it can): missing, invalid,
    revoked, expired, or its user disabled. Marks it used (at most once a minute)."""
    now = now or timezone.now()
    secret = (secret or "").strip()
    if not secret:
        return None, "token_missing"
    if len(secret) > 200 or not secret.startswith(API_TOKEN_PREFIX):
        return None, "token_invalid"
    token = (
        ApiToken.objects.select_related("user", "employer").filter(digest=api_token_digest(secret)).first()
    )
    if token is None:
        return None, "token_invalid"
    if token.revoked_at is not None:
        return token, "token_revoked"
    if token.expires_at <= now:
        return token, "token_expired"
    if not token.user.is_active:
        return token, "token_user_disabled"
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, ""


def api_call_record(
    *,
    token: ApiToken | None,
    method: str,
    path: str,
    item_code: str,
    object_ref: str,
    status: int,
    outcome: str,
    ip: str | None,
) -> ApiCall:
    """Append one API call to the record (the only way rows get there)."""
    return ApiCall.objects.create(
        token=token,
        method=method[:8],
        path=path.replace("\x00", "")[:200],
        item_code=item_code[:16],
        object_ref=object_ref.replace("\x00", "")[:40],
        status=status,
        outcome=outcome[:40],
        ip=ip or None,
    )
