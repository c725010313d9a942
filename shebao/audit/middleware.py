"""The one place the personal-data access log is written (PIPL): after each request, if the selectors noted
that persons' data was read (``core.access_notes``), one row records who, when, in which role, what, how many
persons and from where.

Recorded: every read by staff (office pages, pages seen as an employer, exports, prints, the API) and the
exports of employer users. Not recorded: an individual reading their own record, an employer user's page views
(their own employees, already the subject of the employer's own duties), refused or failed requests.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve

from shebao.accounts.middleware import client_ip
from shebao.accounts.models import UserKind
from shebao.core import access_notes as recording

from .models import AccessAction
from .services import access_record


def action_of(request, note: recording.Note) -> str:
    if note.action:
        return note.action
    if request.path.startswith("/api/"):
        return AccessAction.API
    if request.GET.get("export"):
        return AccessAction.EXPORT
    if request.GET.get("print") == "1" or request.GET.get("pdf") or request.path.rstrip("/").endswith("/pdf"):
        return AccessAction.PRINT
    return AccessAction.VIEW


def what_of(request, note: recording.Note) -> str:
    item = getattr(request, "item", None)
    if item is not None:
        return f"{item.code} {item.name}"
    if note.what:
        return note.what
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return request.path[:200]


def caller(request):
    """The logged-in user, or the user of the API token that authenticated the request (the API authenticates
    per endpoint and leaves ``request.api_token``), or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    token_user = getattr(getattr(request, "api_token", None), "user", None)
    return token_user if token_user is not None and token_user.is_active else None


class PersonalDataAccessMiddleware:
    """After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = recording.begin()
        try:
            response = self.get_response(request)
            note = recording.current()
            user = caller(request)
            if note is not None and user is not None and response.status_code < 400:
                self._record(request, user, note)
            return response
        finally:
            recording.end(token)

    def _record(self, request, user, note: recording.Note) -> None:
        acting = getattr(request, "acting_employer", None)
        if note.empty and acting is None:
            return
        action = action_of(request, note)
        if user.kind != UserKind.STAFF and action != AccessAction.EXPORT:
            return
        if user.kind == UserKind.INDIVIDUAL:
            return
        person_id = next(iter(note.persons)) if len(note.persons) == 1 else None
        employer_id = note.employer_id if note.employer_id is not None else getattr(acting, "pk", None)
        if employer_id is None and user.kind == UserKind.EMPLOYER:
            employer_id = user.employer_id
        access_record(
            user=user,
            action=action,
            what=what_of(request, note),
            path=request.get_full_path(),
            person_id=person_id,
            employer_id=employer_id,
            person_count=note.person_count,
            acting=acting is not None,
            ip=client_ip(request),
        )
