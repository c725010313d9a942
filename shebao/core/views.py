from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.core.replica import replica_status


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "vendor": connection.vendor}
        status = 200
    except Exception as exc:
        database = {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
        status = 503
    body = {
        "status": "ok" if status == 200 else "error",
        "database": database,
        "time": timezone.now().isoformat(),
    }
    replica = replica_status()
    if replica is not None:
        body["replica"] = replica  # its lag is reported; a lagging replica does not fail the primary's check
    return JsonResponse(body, status=status)


def bad_request_page(request, message: str | None = None, *, status: int = 400):
    """Our own 400 page (Django's is English): what was wrong, in Chinese."""
    return render(request, "400.html", {"message": message}, status=status)


def bad_request(request, exception=None):
    return bad_request_page(request, None)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an old page, cookies off, another site): Chinese, not the
    developer page."""
    return render(request, "403_csrf.html", status=403)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


__all__ = [
    "bad_request",
    "bad_request_page",
    "csrf_failure",
    "healthz",
    "permission_denied",
    "page_not_found",
    "server_error",
]
