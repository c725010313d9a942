"""Shared shape of the benefit pages with a totals → rows drill-down (Q05 maternity, Q06 work injury)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from shebao.core.money import ZERO, round_money

from .listing import Column, Listing, query_string


def component_rows(*, period, components: list[tuple[str, str, object]], count: int) -> list[dict]:
    """One summary row per component (key, label, amount), each amount opening its rows."""
    return [
        {
            "key": key,
            "label": label,
            "amount": amount,
            "url": query_string(period=str(period), detail=key) if amount else None,
        }
        for key, label, amount in components
    ]


def summary_listing(request, *, title, label_header, rows: list[dict], empty_message) -> Listing:
    """The totals table of a benefit page: one row per component, each amount linking to its rows."""
    return Listing(
        request,
        title=title,
        columns=[
            Column("label", label_header),
            Column("amount", _("金额"), kind="money", link=lambda r: r["url"]),
        ],
        rows=rows,
        search=None,
        tiebreak=None,
        empty_message=empty_message,
    )


def sum_of(queryset, field: str):
    from decimal import Decimal

    value = queryset.aggregate(s=Sum(field))["s"]
    return round_money(Decimal(str(value))) if value is not None else ZERO


__all__ = ["component_rows", "summary_listing", "sum_of", "query_string"]
