"""Which items the portal has built: each item's view registers itself here with @portal_item."""

from __future__ import annotations

from collections.abc import Callable

from shebao.accounts.permissions import item_required

ITEM_VIEWS: dict[str, Callable] = {}


def portal_item(code: str):
    """Register `view` as the page of item `code` and guard it with the item's grant."""

    def decorator(view):
        guarded = item_required(code)(view)
        ITEM_VIEWS[code] = guarded
        return guarded

    return decorator


def is_available(code: str) -> bool:
    return code in ITEM_VIEWS
