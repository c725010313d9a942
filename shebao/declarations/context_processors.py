"""The number of unread review results for the header (portal employer users with the progress query)."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def unread_results(request):
    if settings.SHEBAO_SITES == "office":
        return {}
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or getattr(user, "kind", "") != "employer"
        or not user.employer_id
    ):
        return {}

    def count() -> int:
        from shebao.accounts.permissions import can_use_item
        from shebao.catalogue.items import get_item

        from .selectors import unread_result_count

        if not can_use_item(user, get_item("PROGRESS")):
            return 0
        return unread_result_count(employer=user.employer)

    return {"unread_results": SimpleLazyObject(count)}
