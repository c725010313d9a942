"""The unread message count for the header of every signed-in page (one indexed count, only when rendered)."""

from django.utils.functional import SimpleLazyObject


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .selectors import unread_message_count

        return unread_message_count(user=user)

    return {"unread_messages": SimpleLazyObject(count)}
