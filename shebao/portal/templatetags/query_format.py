"""Formatting filters for query pages: money with two decimals and thousands separators, rates, periods."""

from __future__ import annotations

from decimal import Decimal

from django import template

from shebao.core.money import format_money
from shebao.core.period import Period

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.8 → 1,234,567.80; None → empty."""
    if value is None or value == "":
        return ""
    return format_money(Decimal(str(value)) if not isinstance(value, Decimal) else value)


def format_rate(value) -> str:
    """A rate held as a fraction (0.005) shown as a percentage without trailing zeros (0.5%)."""
    if value is None or value == "":
        return ""
    percent = (Decimal(str(value)) * 100).normalize()
    text = f"{percent:f}"
    return f"{text}%"


@register.filter
def rate(value) -> str:
    return format_rate(value)


@register.filter
def period(value) -> str:
    """An integer YYYYMM as 202403; anything else unchanged."""
    if value in (None, ""):
        return ""
    try:
        return str(Period(int(value)))
    except (TypeError, ValueError):
        return str(value)
