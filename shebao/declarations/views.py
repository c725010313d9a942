"""The public receipt verification page (no login): the QR code on a receipt leads here."""

from django.http import Http404
from django.shortcuts import render

from .models import Declaration
from .receipts import code_matches


def verify_receipt(request, number: str, code: str):
    if not code_matches(number, code):
        raise Http404
    declaration = (
        Declaration.objects.filter(number=number)
        .only("number", "state", "created_at", "submitted_at")
        .first()
    )
    if declaration is None:
        raise Http404
    return render(request, "declarations/verify_receipt.html", {"declaration": declaration})
