"""Reading accounts, always scoped by who is asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shebao.core.access_notes import note_person
from shebao.core.errors import ValidationFailed
from shebao.core.idnumbers import normalize_identifier, to_halfwidth
from shebao.core.validators import parse_integer

from .models import AccountEvent, AccountEventKind, ApiToken, User, UserKind

USER_STATUSES = ("active", "disabled", "locked", "must_change")


def login_user_resolve(*, kind: str, identifier: str) -> User | None:
    """The account a login form names: by user name within the chosen kind, or for an employer user by the
    employer's credit code (→ its administrator), for an individual by the ID number."""
    identifier = to_halfwidth(identifier).strip()
    if not identifier or kind not in UserKind.values:
        return None
    users = User.objects.select_related("employer", "person")
    user = users.filter(kind=kind, username=identifier).first()
    if user is not None:
        return user
    code = normalize_identifier(identifier)
    if kind == UserKind.EMPLOYER and len(code) == 18:
        return users.filter(kind=kind, is_employer_admin=True, employer__credit_code=code).first()
    if kind == UserKind.INDIVIDUAL and len(code) == 18:
        return users.filter(kind=kind, person__id_number=code).first()
    return None


def recent_failures_from(*, ip: str | None, since) -> int:
    if not ip:
        return 0
    return AccountEvent.objects.filter(ip=ip, kind=AccountEventKind.LOGIN_FAILED, at__gte=since).count()


def user_has_totp(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_events(*, user: User, limit: int = 200) -> QuerySet[AccountEvent]:
    return AccountEvent.objects.filter(user=user).select_related("actor").order_by("-at", "-id")[:limit]


def grants_of(user: User) -> list[str]:
    return list(user.grants.order_by("item_code").values_list("item_code", flat=True))


# --- office ---------------------------------------------------------------------------------------------


def office_may_manage(actor: User, user: User) -> bool:
    """Office administrators manage every account; counter clerks manage employer and individual accounts."""
    if actor.kind != UserKind.STAFF:
        return False
    if actor.is_office_admin:
        return True
    return actor.is_clerk and user.kind != UserKind.STAFF


def user_search(*, actor: User, query: str = "", kind: str = "", status: str = "") -> QuerySet[User]:
    users = User.objects.select_related("employer", "person").order_by("kind", "username")
    if not actor.is_office_admin:
        users = users.exclude(kind=UserKind.STAFF)
    query = to_halfwidth(query).strip()
    if query:
        code = normalize_identifier(query)
        users = users.filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(employer__name__icontains=query)
            | Q(employer__number=query)
            | Q(employer__credit_code=code)
            | Q(person__id_number=code)
            | Q(person__name=query)
            | Q(id_number=code)
        )
    if kind in UserKind.values:
        users = users.filter(kind=kind)
    now = timezone.now()
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "disabled":
        users = users.filter(is_active=False)
    elif status == "locked":
        users = users.filter(locked_until__gt=now)
    elif status == "must_change":
        users = users.filter(must_change_password=True)
    return users


def user_get_for_office(*, actor: User, pk: int) -> User:
    user = User.objects.select_related("employer", "person").filter(pk=pk).first()
    if user is None or not office_may_manage(actor, user):
        raise Http404
    if user.person_id:
        note_person(user.person_id, what="用户详情")
    return user


# --- an employer administrator's own operators (H19) ----------------------------------------------------


def operators_of(*, admin: User) -> QuerySet[User]:
    return User.objects.filter(
        employer_id=admin.employer_id, kind=UserKind.EMPLOYER, is_employer_admin=False
    ).order_by("username")


def operator_get(*, admin: User, pk) -> User:
    """One operator of the admin's employer; anything else (another employer's user, the admin) is 404."""
    try:
        pk = parse_integer(str(pk), min_value=1, max_value=2**62)
    except ValidationFailed:
        raise Http404 from None
    user = operators_of(admin=admin).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def grant_choices(allowed, checked) -> list[tuple[str, list]]:
    """Items for a checkbox list, grouped as on the portal home: [(group label, [(item, checked), …])]."""
    from shebao.catalogue.items import GROUP_LABELS, ITEMS, ItemGroup

    allowed, checked = set(allowed), set(checked)
    groups = []
    for group in (ItemGroup.QUERY, ItemGroup.HANDLING, ItemGroup.PROGRESS):
        members = [
            (item, item.code in checked) for item in ITEMS if item.group == group and item.code in allowed
        ]
        if members:
            groups.append((GROUP_LABELS[group], members))
    return groups


# --- REST API tokens --------------------------------------------------------------------------------------


def api_tokens_of_employer(*, admin: User) -> QuerySet:
    """The employer's tokens, newest first (an employer administrator's page)."""
    return (
        ApiToken.objects.filter(employer_id=admin.employer_id)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def api_token_of_employer(*, admin: User, pk) -> ApiToken:
    """One of the employer's tokens; anyone else's is 404."""
    token = ApiToken.objects.filter(employer_id=admin.employer_id, pk=pk if str(pk).isdigit() else 0).first()
    if token is None:
        raise Http404
    return token


def api_tokens_staff() -> QuerySet:
    return (
        ApiToken.objects.filter(kind="staff")
        .select_related("user", "created_by")
        .order_by("-created_at", "-id")
    )


def api_token_staff(*, pk) -> ApiToken:
    token = ApiToken.objects.filter(kind="staff", pk=pk if str(pk).isdigit() else 0).first()
    if token is None:
        raise Http404
    return token


def api_calls_of(*, token, limit: int = 50) -> QuerySet:
    return token.calls.order_by("-at", "-id")[:limit]
