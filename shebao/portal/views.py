from django.http import Http404
from django.shortcuts import render

from shebao.accounts.permissions import item_required, portal_user_required, visible_items
from shebao.declarations.catalogue import GROUP_LABELS, ItemGroup, get_item

from .registry import ITEM_VIEWS, is_available


def group_items(items):
    groups = []
    for group in (ItemGroup.QUERY, ItemGroup.HANDLING, ItemGroup.PROGRESS):
        members = [(item, is_available(item.code)) for item in items if item.group == group]
        if members:
            groups.append({"label": GROUP_LABELS[group], "items": members})
    return groups


@portal_user_required
def home(request):
    return render(request, "portal/home.html", {"groups": group_items(visible_items(request.user))})


def item(request, code: str):
    """Dispatch /portal/items/<CODE>/ to the item's view; an item not built yet says so plainly."""
    found = get_item(code)
    if found is None:
        raise Http404
    view = ITEM_VIEWS.get(found.code)
    if view is None:
        # The grant is checked first: a user without it is refused the same way whether the item is built or not.
        return item_required(found.code)(_unavailable)(request)
    return view(request)


def _unavailable(request):
    return render(request, "portal/item_unavailable.html", {"item": request.item}, status=404)
