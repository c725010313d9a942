from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shebao.accounts.models import UserKind
from shebao.accounts.permissions import item_required, portal_user_required, visible_items
from shebao.catalogue.items import GROUP_LABELS, ITEMS, ItemGroup, get_item
from shebao.core.period import Period
from shebao.core.replica import replica_reads_begin

from .queries.profile import own_profile
from .registry import ITEM_VIEWS, is_available


def group_items(items):
    groups = []
    for group in (ItemGroup.QUERY, ItemGroup.HANDLING, ItemGroup.PROGRESS):
        members = [(item, is_available(item.code)) for item in items if item.group == group]
        if members:
            groups.append({"label": GROUP_LABELS[group], "items": members})
    return groups


def public_home(request):
    """Public home: the catalogue of items; a logged-in user goes to their own home."""
    user = request.user
    if user.is_authenticated:
        return redirect("office:home" if user.kind == "staff" else "portal:home")
    return render(request, "portal/public_home.html", {"groups": group_items(ITEMS)})


@portal_user_required
def home(request):
    return render(request, "portal/home.html", {"groups": group_items(visible_items(request.user))})


@portal_user_required
def profile(request):
    """个人信息: an individual user's own person record, employments and current base (nobody else's)."""
    user = request.user
    if user.kind != UserKind.INDIVIDUAL or not user.person_id:
        raise PermissionDenied(_("个人信息仅供个人用户查看本人信息。"))
    period = Period.current()
    found = own_profile(person=user.person, period=period.value)
    return render(request, "portal/profile.html", {"profile": found, "period": period})


def item(request, code: str):
    """Dispatch /portal/items/<CODE>/ to the item's view; an item not built yet says so plainly."""
    found = get_item(code)
    if found is None:
        raise Http404
    view = ITEM_VIEWS.get(found.code)
    if found.code.startswith("Q"):
        replica_reads_begin(request)  # a query page or its export: a GET may read the read replica
    if view is None:
        # The grant is checked first: a user without it is refused the same way whether the item is built or not.
        return item_required(found.code)(_unavailable)(request)
    return view(request)


def _unavailable(request):
    return render(request, "portal/item_unavailable.html", {"item": request.item}, status=404)
