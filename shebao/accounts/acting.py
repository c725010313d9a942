"""Staff see what an employer sees: the portal's own query pages (Q01–Q19), read-only, for one employer.

An office view (the employer's record page) calls ``acting_start``; it stores a signed value naming the staff
user and the employer in the session. ``permissions.item_required`` then lets that staff user (and nobody else)
open the employer's query pages through the portal's views, GET only, with ``request.acting_employer`` set; the
portal's scope (``portal.queries.scope``) answers that employer, the base layout shows a banner, and the access
log records every such view (``audit.middleware``). Neither the portal nor the office imports the other: both
use this module.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shebao.catalogue.items import ItemGroup, get_item
from shebao.employers.models import Employer

from .models import OFFICE_ROLE_LABELS, UserKind

SESSION_KEY = "shebao_acting_employer"
SALT = "shebao.accounts.acting"
MAX_AGE_SECONDS = 8 * 3600

# The items staff may open as the employer: the employer's query pages Q01–Q19 (never a handling item).
ACTING_ITEMS = frozenset(f"Q{n:02d}" for n in range(1, 20))
assert all(get_item(c) is not None and get_item(c).group == ItemGroup.QUERY for c in ACTING_ITEMS)


def may_act(user) -> bool:
    return (
        user.is_authenticated
        and user.kind == UserKind.STAFF
        and user.is_active
        and any(getattr(user, role) for role in OFFICE_ROLE_LABELS)
    )


def acting_start(request, *, employer) -> None:
    if not may_act(request.user):
        raise PermissionDenied(_("仅经办机构工作人员可以查看单位视角。"))
    request.session[SESSION_KEY] = signing.dumps({"u": request.user.pk, "e": employer.pk}, salt=SALT)


def acting_stop(request) -> None:
    request.session.pop(SESSION_KEY, None)


def acting_employer_id(request) -> int | None:
    """The employer this staff user is looking at as that employer, or None (anyone else: always None)."""
    if not may_act(request.user):
        return None
    raw = request.session.get(SESSION_KEY)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if value.get("u") != request.user.pk:
        return None
    return value.get("e")


def acting_employer(request):
    """The Employer of acting_employer_id, cached on the request."""
    if hasattr(request, "_acting_employer"):
        return request._acting_employer
    employer_id = acting_employer_id(request)
    employer = Employer.objects.filter(pk=employer_id).first() if employer_id else None
    request._acting_employer = employer
    return employer
