from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

LOGIN_FAILED = _(
    "用户名或密码错误。尚未开通网上办事的单位或个人，请携带材料到经办窗口办理用户认证；忘记密码请到经办机构重置。"
)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def login_view(request):
    error = None
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", "").strip(),
            password=request.POST.get("password", ""),
        )
        if user is None:
            error = LOGIN_FAILED
        else:
            login(request, user)
            return redirect(_next_url(request) or "home")
    return render(
        request,
        "accounts/login.html",
        {"error": error, "next": _next_url(request) or "", "kind": request.POST.get("kind", "employer")},
        status=200 if error is None else 401,
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("home")
