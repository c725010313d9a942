from django.conf import settings
from django.urls import include, path

from shebao.api.main import api
from shebao.core import views as core_views
from shebao.office.admin_site import office_admin_site
from shebao.portal import views as portal_views

urlpatterns = [
    path("", portal_views.public_home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("shebao.accounts.urls")),
    path("messages/", include("shebao.inbox.urls")),
    # Public receipt verification (the QR code on a declaration receipt); read-only, no login.
    path("verify/", include("shebao.declarations.urls")),
    # Public certificate verification (the QR code on a Q16 certificate); read-only, no login.
    path("", include("shebao.certificates.urls")),
    # REST API: the routers this process serves follow SHEBAO_SITES (see shebao.api.main).
    path("api/v1/", api.urls),
]

if settings.SHEBAO_SITES in ("portal", "all"):
    urlpatterns += [path("portal/", include("shebao.portal.urls"))]

if settings.SHEBAO_SITES in ("office", "all"):
    urlpatterns += [
        path("office/", include("shebao.office.urls")),
        path("office/admin/", office_admin_site.urls),
    ]

handler400 = "shebao.core.views.bad_request"
handler403 = "shebao.core.views.permission_denied"
handler404 = "shebao.core.views.page_not_found"
handler500 = "shebao.core.views.server_error"
