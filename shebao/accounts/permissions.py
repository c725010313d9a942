"""Who may open what. Every portal item view and office page goes through these decorators."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shebao.catalogue.items import ITEMS, Item, get_item

from .models import OFFICE_ROLE_LABELS, UserKind
from .rules import ADMIN_ONLY_ITEMS

OFFICE_ROLES = ("is_reviewer", "is_clerk", "is_office_admin")


def granted_codes(user) -> set[str]:
    """The item codes this user may use (cached on the user object for the request)."""
    if not user.is_authenticated or user.kind == UserKind.STAFF:
        return set()
    cached = getattr(user, "_granted_codes", None)
    if cached is None:
        cached = set(user.grants.values_list("item_code", flat=True))
        user._granted_codes = cached
    return cached


def can_use_item(user, item: Item) -> bool:
    if item.public:
        return True
    if not user.is_authenticated:
        return False
    if user.kind == UserKind.EMPLOYER and not item.for_employer:
        return False
    if user.kind == UserKind.INDIVIDUAL and not item.for_individual:
        return False
    if item.code in ADMIN_ONLY_ITEMS and not user.is_employer_admin:
        return False
    return item.code in granted_codes(user)


def refusal_message(user, item: Item) -> str:
    """Why `user` may not use `item`, in Chinese, for the 403 page."""
    if user.kind == UserKind.STAFF:
        return _("网上办事大厅仅供单位用户和个人用户使用，工作人员请使用经办系统。")
    if user.kind == UserKind.INDIVIDUAL and not item.for_individual:
        return _("「%(name)s」(%(code)s) 是单位业务，个人用户不能办理。") % {
            "name": item.name,
            "code": item.code,
        }
    if user.kind == UserKind.EMPLOYER and not item.for_employer:
        return _("「%(name)s」(%(code)s) 仅供个人用户办理。") % {"name": item.name, "code": item.code}
    if item.code in ADMIN_ONLY_ITEMS and not user.is_employer_admin:
        return _("「%(name)s」(%(code)s) 仅限单位管理员办理。") % {"name": item.name, "code": item.code}
    return _("您没有办理「%(name)s」(%(code)s) 的权限，请联系单位管理员或经办机构授权。") % {
        "name": item.name,
        "code": item.code,
    }


def visible_items(user) -> list[Item]:
    return [item for item in ITEMS if can_use_item(user, item)]


def item_required(code: str):
    """Decorator for a portal item view: login, the right kind of user, and the item's grant."""
    item = get_item(code)
    if item is None:
        raise ValueError(f"unknown item {code}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not item.public and not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can_use_item(user, item):
                raise PermissionDenied(refusal_message(user, item))
            request.item = item
            return view(request, *args, **kwargs)

        wrapped.item = item
        return wrapped

    return decorator


def office_role_required(*roles: str):
    """Decorator for an office page: a staff user holding at least one of `roles` (any office role if none)."""
    wanted = roles or OFFICE_ROLES

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.kind != UserKind.STAFF or not any(getattr(user, role) for role in wanted):
                raise PermissionDenied(_("此功能仅限经办机构工作人员中具有相应角色的用户使用。"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def portal_user_required(view):
    """Decorator for portal pages that are not items (home, password change): an employer or individual user."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.kind == UserKind.STAFF:
            raise PermissionDenied(_("网上办事大厅仅供单位用户和个人用户使用，工作人员请使用经办系统。"))
        return view(request, *args, **kwargs)

    return wrapped


def token_refusal(token, item: Item) -> str | None:
    """Why a REST API token may not use `item` (Chinese), or None when it may: the item must be on the
    token's scope and its user must still be allowed it exactly as a page would allow them (grants)."""
    if token.kind != UserKind.EMPLOYER:
        return _("经办机构令牌不能办理单位业务。")
    if item.code not in (token.items or []) and not item.public:
        return _("该令牌未获授权办理「%(name)s」(%(code)s)。") % {"name": item.name, "code": item.code}
    if not can_use_item(token.user, item):
        return refusal_message(token.user, item)
    return None


def token_role_refusal(token, roles: tuple[str, ...]) -> str | None:
    """Why a staff token may not act in one of `roles`, or None: the role must be on the token and still
    held by its user."""
    if token.kind != UserKind.STAFF:
        return _("此接口仅供经办机构令牌使用。")
    if not any(role in (token.roles or []) and getattr(token.user, role, False) for role in roles):
        labels = "、".join(str(OFFICE_ROLE_LABELS[r]) for r in roles if r in OFFICE_ROLE_LABELS)
        return _("该令牌没有所需的角色（%(roles)s）。") % {"roles": labels}
    return None
