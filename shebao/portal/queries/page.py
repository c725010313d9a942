"""Rendering a query page: the normal layout or the print-friendly one (?print=1)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

NORMAL_LAYOUT = "base.html"
PRINT_LAYOUT = "portal/queries/print_layout.html"


def is_print(request) -> bool:
    return request.GET.get("print") == "1"


def render_query(request, template: str, context: dict, *, status: int = 200):
    printing = is_print(request)
    base = {
        "layout": PRINT_LAYOUT if printing else NORMAL_LAYOUT,
        "print_mode": printing,
        "item": getattr(request, "item", None),
        "printed_at": timezone.localtime(),
    }
    base.update(context)
    return render(request, template, base, status=status)
