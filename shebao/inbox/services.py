"""Sending and reading messages. A message is written in the caller's transaction; its email (when the user has
an address) goes out through Django's mail backend from the background worker after that transaction commits,
so a rolled-back approval never mails anyone and a slow mail server never slows a reviewer down."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.errors import DomainError

from .models import Message, MessageKind

log = logging.getLogger(__name__)


def message_send(*, recipient, kind: str, subject: str, body: str = "", link: str = "") -> Message:
    """Write one message to `recipient`; queue its email when the user has an address."""
    if kind not in MessageKind.values:
        raise DomainError(_("消息类别不正确"))
    message = Message.objects.create(
        recipient=recipient,
        kind=kind,
        subject=subject[:200],
        body=body,
        link=link[:300],
        email_to=(recipient.email or "").strip(),
    )
    if message.email_to:
        from .tasks import message_email_task

        transaction.on_commit(lambda: message_email_task.enqueue(message.pk))
    return message


def message_email(*, message: Message) -> Message:
    """Send a message's email now (the worker calls this). A failure is recorded on the message, never raised:
    the message itself is already in the user's message centre."""
    if not message.email_to or message.emailed_at is not None:
        return message
    text = message.body
    if message.link:
        text = f"{text}\n\n{settings.SHEBAO_PUBLIC_URL}{message.link}".strip()
    try:
        send_mail(
            subject=f"[{_('社保网上办事')}] {message.subject}",
            message=text,
            from_email=None,
            recipient_list=[message.email_to],
        )
    except Exception as exc:  # the mail server's failure is recorded, the message stays
        log.warning("email for message %s failed: %s", message.pk, exc)
        Message.objects.filter(pk=message.pk).update(email_error=str(exc)[:300])
        message.email_error = str(exc)[:300]
        return message
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(emailed_at=now, email_error="")
    message.emailed_at = now
    return message


def message_open(*, user, message_id: int) -> Message:
    """The user opens one of their messages: it is marked read. Another user's message does not exist for them."""
    message = Message.objects.filter(recipient=user, pk=message_id).first()
    if message is None:
        raise DomainError(_("消息不存在"))
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def messages_mark_all_read(*, user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def message_email_address_set(*, user, email: str) -> str:
    """The address the user's messages are also emailed to; blank stops the emails."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from shebao.core.errors import FieldErrors

    email = (email or "").strip()
    if email:
        if len(email) > 254:
            raise FieldErrors({"email": [_("邮箱地址过长（最多254个字符）")]})
        try:
            validate_email(email)
        except ValidationError:
            raise FieldErrors(
                {"email": [_("邮箱地址「%(e)s」格式不正确，应如 hr@example.com") % {"e": email}]}
            ) from None
    get_user_model().objects.filter(pk=user.pk).update(email=email)
    user.email = email
    return email
