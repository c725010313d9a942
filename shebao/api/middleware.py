"""Every call to /api/v1/ is recorded (accounts.ApiCall): the token, the item, the object, the outcome and
the client address — refusals included. The documentation pages are not calls and are not recorded."""

from __future__ import annotations

from shebao.accounts.middleware import client_ip
from shebao.accounts.services import api_call_record

PREFIX = "/api/v1/"
NOT_CALLS = ("/api/v1/openapi.json", "/api/v1/docs")

OUTCOMES = {200: "ok", 201: "ok", 204: "ok"}


class ApiCallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX) or request.path.startswith(NOT_CALLS):
            return self.get_response(request)
        response = self.get_response(request)
        outcome = getattr(request, "api_outcome", None) or OUTCOMES.get(response.status_code, "error")
        api_call_record(
            token=getattr(request, "api_token", None),
            method=request.method or "",
            path=request.path,
            item_code=getattr(request, "api_item", "") or "",
            object_ref=getattr(request, "api_object", "") or "",
            status=response.status_code,
            outcome=outcome,
            ip=client_ip(request),
        )
        return response
