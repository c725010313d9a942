"""The public verification page of a certificate (no login): it confirms the certificate and shows only
what the certificate attests, with the ID number masked; a tampered or unknown number says so."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .display import describe
from .selectors import certificate_verify


@never_cache
def verify(request, number: str):
    result = certificate_verify(number)
    context = {"result": result}
    if result.ok:
        context["text"] = describe(result.certificate, public=True)
    response = render(request, "certificates/verify.html", context, status=200 if result.ok else 404)
    response["X-Robots-Tag"] = "noindex"
    return response
