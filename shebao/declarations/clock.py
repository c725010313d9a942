"""The office's date for pages. Checks never read the clock: pages call ``today()`` and pass it on.

``settings.SHEBAO_FIXED_TODAY`` (a date, or "YYYY-MM-DD") pins it — for tests and demonstrations.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from shebao.core.period import Period


def today() -> dt.date:
    fixed = getattr(settings, "SHEBAO_FIXED_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return timezone.localdate()


def current_period() -> Period:
    return Period.from_date(today())
