"""The message centre's pages: the list, opening one (marks it read and goes to what it is about), all read, and
the address messages are emailed to. Every signed-in user has one, portal and office alike."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.errors import DomainError, FieldErrors

from . import selectors, services
from .models import MessageKind


@login_required
def message_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in MessageKind.values else ""
    unread_only = request.GET.get("unread") == "1"
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            email = services.message_email_address_set(user=request.user, email=request.POST.get("email", ""))
        except FieldErrors as exc:
            errors = exc.errors
        else:
            flash.success(
                request, _("消息将同时发送到 %(e)s。") % {"e": email} if email else _("已停止邮件提醒。")
            )
            return redirect("inbox:list")
    page = Paginator(
        selectors.messages_for(user=request.user, kind=kind, unread_only=unread_only), 30
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": MessageKind.choices,
            "unread_only": unread_only,
            "errors": errors,
            "email_value": request.POST.get("email", request.user.email) if errors else request.user.email,
        },
    )


@login_required
def message_open(request, message_id: int):
    try:
        message = services.message_open(user=request.user, message_id=message_id)
    except DomainError as exc:
        flash.error(request, exc.message)
        return redirect("inbox:list")
    if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None):
        return redirect(message.link)
    return redirect("inbox:list")


@login_required
@require_POST
def messages_read(request):
    count = services.messages_mark_all_read(user=request.user)
    flash.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("inbox:list")
