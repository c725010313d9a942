"""The one set of display filters for every page, portal and office: money, rates, counts, periods.

`{% load formats %}` then `{{ x|money }}` (1,234,567.80), `{{ r|rate }}` (2.3%), `{{ n|count }}` (1,234,567),
`{{ p|period }}` (202403). The formatting itself lives in `core.money` / `core.period`, so Python code that
builds text (messages, exports) formats the same way."""

from __future__ import annotations

from django import template

from shebao.core.money import format_count, format_money, format_rate, to_decimal
from shebao.core.period import Period

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.8 → 1,234,567.80; None → empty."""
    if value is None or value == "":
        return ""
    return format_money(to_decimal(value) if not isinstance(value, float) else to_decimal(str(value)))


@register.filter
def rate(value) -> str:
    return format_rate(value)


@register.filter
def count(value) -> str:
    try:
        return format_count(value)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def seconds(value) -> str:
    """A duration in seconds with two decimals (0.00 for anything under 5 ms)."""
    if value in (None, ""):
        return ""
    return f"{float(value):,.2f}"


@register.filter
def period(value) -> str:
    """An integer YYYYMM as 202403; anything else unchanged."""
    if value in (None, ""):
        return ""
    try:
        return str(Period(int(value)))
    except (TypeError, ValueError):
        return str(value)
