"""The office's date for pages. Checks never read the clock: pages call ``today()`` and pass it on.

``settings.SHEBAO_FIXED_TODAY`` (a date, or "YYYY-MM-DD") pins it — for tests and demonstrations.
"""

from __future__ import annotations

from shebao.core.clock import today
from shebao.core.period import Period

__all__ = ["current_period", "today"]


def current_period() -> Period:
    return Period.from_date(today())
