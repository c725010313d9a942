"""Rendering a query page: the normal layout or the print-friendly one (?print=1).

A query page can also be *captured* instead of rendered: the REST API asks the very same page view for its
result (its inputs, its list and the context it would render), so the API's figures are the page's by
construction. ``capture(request)`` arms it; ``Inputs.from_request``, ``Listing.respond`` and ``render_query``
hand their part to the capture and return an empty response instead of a page or a file.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

NORMAL_LAYOUT = "base.html"
PRINT_LAYOUT = "portal/queries/print_layout.html"
_CAPTURE = "_shebao_query_capture"


class Capture:
    """What a query page produced for another presenter: its inputs (with their errors), its list (the
    one it would show or export) and the context it would render."""

    def __init__(self):
        self.inputs = None
        self.listing = None
        self.context: dict | None = None


def capture(request) -> Capture:
    found = Capture()
    setattr(request, _CAPTURE, found)
    return found


def capture_of(request) -> Capture | None:
    return getattr(request, _CAPTURE, None)


def captured() -> HttpResponse:
    return HttpResponse(status=204)


def is_print(request) -> bool:
    return request.GET.get("print") == "1"


def render_query(request, template: str, context: dict, *, status: int = 200):
    if (taken := capture_of(request)) is not None:
        taken.context = context
        return captured()
    printing = is_print(request)
    base = {
        "layout": PRINT_LAYOUT if printing else NORMAL_LAYOUT,
        "print_mode": printing,
        "item": getattr(request, "item", None),
        "printed_at": timezone.localtime(),
    }
    base.update(context)
    return render(request, template, base, status=status)
