"""Today's date for everything shown or checked: Asia/Shanghai, or ``settings.SHEBAO_FIXED_TODAY`` (a date or
"YYYY-MM-DD") when pinned for tests and demonstrations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    fixed = getattr(settings, "SHEBAO_FIXED_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return timezone.localdate()
