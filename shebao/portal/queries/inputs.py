"""Query inputs read from the query string: periods, period ranges, years, ID numbers.

Bad input never crashes a page: each reader returns the value (or the default) and records a Chinese message
naming the field on `errors`, which the page shows instead of a result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shebao.core.idnumbers import normalize_identifier
from shebao.core.period import Period

from .page import capture_of

_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*年?\s*$")


def parse_period(text: str) -> Period | None:
    """'202403', '2024-03', '2024/3', '2024年3月' → Period(202403); anything else → None."""
    match = _PERIOD.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    return Period.of(year, month)


@dataclass
class Inputs:
    """The inputs of one query page, with defaults applied and errors collected."""

    data: dict
    now: object = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request, *, now=None) -> Inputs:
        inputs = cls(data=request.GET, now=now)
        if (taken := capture_of(request)) is not None:
            taken.inputs = inputs
        return inputs

    @property
    def current(self) -> Period:
        return Period.current(self.now)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, name: str, *, max_length: int = 60) -> str:
        value = (self.data.get(name) or "").strip()[:max_length]
        self.values[name] = value
        return value

    def choice(self, name: str, choices, *, default: str = "", label: str = "") -> str:
        value = (self.data.get(name) or "").strip() or default
        allowed = {str(key) for key, _label in choices}
        if value and value not in allowed:
            self.errors[name] = _("%(label)s的取值「%(value)s」无效，请从列表中选择。") % {
                "label": label or name,
                "value": value[:20],
            }
            value = default
        self.values[name] = value
        return value

    def period(
        self, name: str = "period", *, label: str | None = None, default: Period | None = None
    ) -> Period:
        """A settlement period; empty → the current period (or `default`)."""
        raw = (self.data.get(name) or "").strip()
        fallback = default or self.current
        if not raw:
            self.values[name] = str(fallback)
            return fallback
        parsed = parse_period(raw)
        if parsed is None:
            self.errors[name] = _("%(label)s「%(value)s」格式不正确，应为年月 YYYYMM，例如 %(example)s。") % {
                "label": label or _("结算期"),
                "value": raw[:20],
                "example": self.current,
            }
            self.values[name] = raw[:20]
            return fallback
        self.values[name] = str(parsed)
        return parsed

    def period_range(
        self,
        start_name: str = "start",
        end_name: str = "end",
        *,
        default_months: int = 12,
        min_months: int = 1,
        max_months: int | None = None,
    ) -> tuple[Period, Period]:
        """A period range; both ends default so that the range is the `default_months` up to the current
        period. The end must not precede the start; the length must lie within min/max months."""
        end = self.period(end_name, label=_("截止期"))
        start = self.period(start_name, label=_("起始期"), default=end - (default_months - 1))
        if start_name in self.errors or end_name in self.errors:
            return start, end
        months = (end - start) + 1
        if months < 1:
            self.errors[start_name] = _("起始期 %(start)s 晚于截止期 %(end)s，请调换后再查询。") % {
                "start": start,
                "end": end,
            }
        elif months < min_months or (max_months and months > max_months):
            if max_months:
                self.errors[start_name] = _(
                    "查询区间为 %(months)s 个月，应在 %(min)s 至 %(max)s 个月之间。"
                ) % {"months": months, "min": min_months, "max": max_months}
            else:
                self.errors[start_name] = _("查询区间至少 %(min)s 个月。") % {"min": min_months}
        return start, end

    def year(self, name: str = "year", *, default: int | None = None) -> int:
        raw = (self.data.get(name) or "").strip()
        fallback = default or self.current.year
        if not raw:
            self.values[name] = str(fallback)
            return fallback
        match = _YEAR.match(raw)
        if not match or not 1900 <= int(match.group(1)) <= 2100:
            self.errors[name] = _("年度「%(value)s」格式不正确，应为四位年份，例如 %(example)s。") % {
                "value": raw[:20],
                "example": self.current.year,
            }
            self.values[name] = raw[:20]
            return fallback
        year = int(match.group(1))
        self.values[name] = str(year)
        return year

    def id_number(self, name: str = "id_number") -> str:
        """An ID number as typed (normalised: half-width, upper case); shape is checked by the lookup."""
        value = normalize_identifier(self.data.get(name) or "")[:18]
        self.values[name] = value
        return value
