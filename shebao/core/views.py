from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shebao.declarations.catalogue import ITEMS
from shebao.portal.views import group_items


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
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "database": database,
            "time": timezone.now().isoformat(),
        },
        status=status,
    )


def home(request):
    """Public home: the catalogue of items; a logged-in user goes to their own home."""
    user = request.user
    if user.is_authenticated:
        return redirect("office:home" if user.kind == "staff" else "portal:home")
    return render(request, "core/public_home.html", {"groups": group_items(ITEMS)})


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


__all__ = ["healthz", "home", "permission_denied", "page_not_found", "server_error"]
