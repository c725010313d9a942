from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.errors import FieldErrors
from shebao.core.validators import normalize_text

from .models import Notice


def _check_admin(actor) -> None:
    if not (actor.kind == "staff" and actor.is_office_admin):
        raise PermissionDenied(_("仅系统管理员可以发布通知公告。"))


@transaction.atomic
def notice_publish(
    *, actor, title: str, body: str, starts_on: dt.date | None, ends_on: dt.date | None
) -> Notice:
    _check_admin(actor)
    errors: dict[str, list[str]] = {}
    title = normalize_text("".join(c for c in (title or "") if unicodedata.category(c) != "Cc"))
    body = "".join(c for c in (body or "") if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if not title:
        errors["title"] = [_("请填写标题")]
    elif len(title) > 100:
        errors["title"] = [_("标题不能超过 100 个字")]
    if not body:
        errors["body"] = [_("请填写内容")]
    elif len(body) > 4000:
        errors["body"] = [_("内容不能超过 4000 个字")]
    if starts_on is None:
        errors["starts_on"] = [_("请填写发布日期")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("截止日期不能早于发布日期")]
    if errors:
        raise FieldErrors(errors)
    return Notice.objects.create(
        title=title, body=body, starts_on=starts_on, ends_on=ends_on, published_by=actor
    )


@transaction.atomic
def notice_withdraw(*, actor, notice: Notice) -> None:
    _check_admin(actor)
    Notice.objects.filter(pk=notice.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
