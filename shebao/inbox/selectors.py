"""Reading the message centre."""

from __future__ import annotations

from .models import Message


def unread_message_count(*, user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def messages_for(*, user, kind: str = "", unread_only: bool = False):
    rows = Message.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")
