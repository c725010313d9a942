"""Office pages for accounts: counter registration (用户认证), receipts, and user management."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shebao.accounts import services
from shebao.accounts.middleware import client_ip
from shebao.accounts.models import OFFICE_ROLE_LABELS, User, UserKind
from shebao.accounts.permissions import office_role_required
from shebao.accounts.receipts import (
    REGISTRATION,
    RESET,
    STAFF,
    receipt_for,
    receipt_issued,
    receipt_pdf,
)
from shebao.accounts.rules import DOCUMENTS, REQUIRED_DOCUMENTS, grantable_codes, required_documents
from shebao.accounts.selectors import (
    USER_STATUSES,
    grant_choices,
    grants_of,
    user_events,
    user_get_for_office,
    user_has_totp,
    user_search,
)
from shebao.core.choices import EmployerType
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.idnumbers import validate_credit_code, validate_id_number
from shebao.core.pdf import pdf_response
from shebao.core.validators import parse_integer
from shebao.employers.models import Employer
from shebao.persons.models import Person

# --- counter registration -------------------------------------------------------------------------------


def _documents_for_new_employer():
    """Every employer document, each with the employer types it is for (the type is chosen on the form)."""
    rows = []
    for code, document in DOCUMENTS.items():
        types = [
            EmployerType(t).label
            for t, codes in REQUIRED_DOCUMENTS.items()
            if t != "individual" and code in codes
        ]
        if types:
            rows.append((document, "、".join(str(t) for t in types)))
    return rows


def _employer_lookup(raw: str) -> dict:
    """What the clerk's credit code finds: an error, an employer (maybe already registered), or a new one."""
    if not raw.strip():
        return {}
    try:
        info = validate_credit_code(raw)
    except ValidationFailed as exc:
        return {"error": exc.message, "credit_code": raw}
    employer = Employer.objects.filter(credit_code=info.number).first()
    admin = User.objects.filter(employer=employer, is_employer_admin=True).first() if employer else None
    return {"credit_code": info.number, "employer": employer, "admin": admin, "new": employer is None}


def _person_lookup(raw: str) -> dict:
    if not raw.strip():
        return {}
    try:
        info = validate_id_number(raw, today=timezone.localdate())
    except ValidationFailed as exc:
        return {"error": exc.message, "id_number": raw}
    person = Person.objects.filter(id_number=info.number).first()
    account = User.objects.filter(person=person).first() if person else None
    return {"id_number": info.number, "person": person, "account": account, "new": person is None}


@office_role_required("is_clerk")
def counter(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "employer"
    kind = kind if kind in ("employer", "individual") else "employer"
    data = request.POST if request.method == "POST" else request.GET
    errors: dict[str, list[str]] = {}
    refusal = None
    if request.method == "POST":
        ip = client_ip(request)
        documents = request.POST.getlist("documents")
        items = request.POST.getlist("items")
        try:
            if kind == "employer":
                user, password = services.counter_register_employer(
                    clerk=request.user,
                    credit_code=data.get("credit_code", ""),
                    operator_name=data.get("operator_name", ""),
                    operator_id_number=data.get("operator_id_number", ""),
                    operator_phone=data.get("operator_phone", ""),
                    documents=documents,
                    item_codes=items,
                    new_employer=services.NewEmployer(
                        name=data.get("employer_name", ""),
                        employer_type=data.get("employer_type", ""),
                        address=data.get("address", ""),
                        legal_representative=data.get("legal_representative", ""),
                        contact_phone=data.get("contact_phone", ""),
                    ),
                    ip=ip,
                    today=timezone.localdate(),
                )
            else:
                user, password = services.counter_register_person(
                    clerk=request.user,
                    id_number=data.get("id_number", ""),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                    documents=documents,
                    item_codes=items,
                    ip=ip,
                    today=timezone.localdate(),
                )
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            refusal = exc.message
        else:
            return _issued_page(
                request, user=user, password=password, purpose=REGISTRATION, documents=sorted(set(documents))
            )

    if kind == "employer":
        lookup = _employer_lookup(data.get("credit_code", ""))
        employer = lookup.get("employer")
        documents = (
            [(d, "") for d in required_documents(employer.employer_type)]
            if employer
            else _documents_for_new_employer()
        )
    else:
        lookup = _person_lookup(data.get("id_number", ""))
        documents = [(d, "") for d in required_documents("individual")]
    allowed = grantable_codes(kind, employer_admin=True)
    checked = request.POST.getlist("items") if request.method == "POST" else allowed
    context = {
        "kind": kind,
        "lookup": lookup,
        "values": data.dict(),
        "query_value": lookup.get("credit_code" if kind == "employer" else "id_number")
        or data.get("credit_code" if kind == "employer" else "id_number", ""),
        "errors": errors,
        "refusal": refusal,
        "documents": documents,
        "checked_documents": set(request.POST.getlist("documents")),
        "employer_types": EmployerType.choices,
        "choices": grant_choices(allowed, checked),
    }
    status = 400 if (errors or refusal) else 200
    return render(request, "office/accounts/counter.html", context, status=status)


# --- receipts -------------------------------------------------------------------------------------------


def _issued_page(request, *, user: User, password: str, purpose: str, documents=()):
    """The answer to the request that issued a password: shown once, not cached, nothing stored."""
    issued = receipt_issued(
        user=user,
        password=password,
        purpose=purpose,
        documents=documents,
        pdf_url=reverse("office:receipt_pdf"),
    )
    response = render(
        request,
        "office/accounts/receipt.html",
        {"issued": issued, "target": user, "grants": grants_of(user)},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@office_role_required("is_clerk", "is_office_admin")
def receipt_pdf_view(request):
    """The receipt PDF, posted from the page that showed the password (only by who issued it, only while the
    password is still the account's unchanged temporary one)."""
    target = User.objects.select_related("employer", "person").filter(pk=_int(request.POST.get("user")))
    entry = receipt_for(user=target.first(), password=request.POST.get("password", ""), issuer=request.user)
    if entry is None:
        raise Http404
    user = entry["user"]
    data = receipt_pdf(
        user=user,
        password=entry["password"],
        purpose=entry["purpose"],
        issued_by=request.user,
        documents=entry["documents"],
    )
    response = pdf_response(data, f"回执单-{user.username}.pdf")
    response["Cache-Control"] = "no-store"
    return response


def _int(value) -> int:
    try:
        return parse_integer(str(value or ""), min_value=1, max_value=2**62)
    except ValidationFailed:
        return 0


# --- user management ------------------------------------------------------------------------------------

STATUS_LABELS = {
    "active": _("正常"),
    "disabled": _("已停用"),
    "locked": _("已锁定"),
    "must_change": _("待修改初始密码"),
}


@require_GET
@office_role_required("is_clerk", "is_office_admin")
def users(request):
    query = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    found = user_search(
        actor=request.user, query=query, kind=kind, status=status if status in USER_STATUSES else ""
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    kinds = [
        (k, label) for k, label in UserKind.choices if k != UserKind.STAFF or request.user.is_office_admin
    ]
    return render(
        request,
        "office/accounts/users.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "status": status,
            "kinds": kinds,
            "statuses": [(s, STATUS_LABELS[s]) for s in USER_STATUSES],
            "now": timezone.now(),
        },
    )


def _user_action(request, target: User) -> str | None:
    """Run the POSTed action; returns the new password when one was issued."""
    action = request.POST.get("action")
    actor, ip = request.user, client_ip(request)
    if action == "reset":
        password = services.password_reset(user=target, actor=actor, ip=ip)
        return password
    if action == "unlock":
        services.user_unlock(user=target, actor=actor, ip=ip)
        messages.success(request, _("帐户已解除锁定。"))
    elif action == "disable":
        services.user_disable(user=target, actor=actor, ip=ip)
        messages.success(request, _("帐户已停用，该用户已登录的会话随即失效。"))
    elif action == "enable":
        services.user_enable(user=target, actor=actor, ip=ip)
        messages.success(request, _("帐户已启用。"))
    elif action == "grants":
        change = services.user_grants_change(
            user=target, item_codes=request.POST.getlist("items"), actor=actor, ip=ip
        )
        if change["added"] or change["removed"]:
            messages.success(request, _("事项权限已变更，立即生效。"))
        else:
            messages.info(request, _("事项权限没有变化。"))
    elif action == "roles":
        services.user_roles_change(user=target, roles=request.POST.getlist("roles"), actor=actor, ip=ip)
        messages.success(request, _("经办角色已变更。"))
    elif action == "totp_off":
        services.totp_disable(user=target, password="", actor=actor, ip=ip)
        messages.success(request, _("已为该用户停用动态口令。"))
    else:
        raise Http404
    return None


@office_role_required("is_clerk", "is_office_admin")
def user_detail(request, pk: int):
    target = user_get_for_office(actor=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            password = _user_action(request, target)
        except FieldErrors as exc:
            errors = exc.errors
        except ValidationFailed as exc:
            errors = {exc.field or "general": [exc.message]}
        except DomainError as exc:
            errors = {"general": [exc.message]}
        except PermissionDenied:
            raise
        else:
            if password:
                return _issued_page(request, user=target, password=password, purpose=RESET)
            return redirect("office:user", pk=target.pk)
        target.refresh_from_db()
    grants = grants_of(target)
    allowed = grantable_codes(target.kind, employer_admin=target.is_employer_admin)
    return render(
        request,
        "office/accounts/user.html",
        {
            "target": target,
            "errors": errors,
            "grants": grants,
            "choices": grant_choices(allowed, request.POST.getlist("items") if errors else grants),
            "roles": [(role, label, getattr(target, role)) for role, label in OFFICE_ROLE_LABELS.items()],
            "totp": user_has_totp(target),
            "locked": target.is_locked(timezone.now()),
            "events": user_events(user=target),
            "may_edit_roles": request.user.is_office_admin and target.kind == UserKind.STAFF,
        },
        status=400 if errors else 200,
    )


@office_role_required("is_office_admin")
def staff_new(request):
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            user, password = services.staff_create(
                actor=request.user,
                username=request.POST.get("username", ""),
                display_name=request.POST.get("display_name", ""),
                roles=request.POST.getlist("roles"),
                ip=client_ip(request),
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            return _issued_page(request, user=user, password=password, purpose=STAFF)
    return render(
        request,
        "office/accounts/staff_new.html",
        {
            "errors": errors,
            "values": request.POST,
            "roles": [
                (r, label, r in request.POST.getlist("roles")) for r, label in OFFICE_ROLE_LABELS.items()
            ],
        },
        status=400 if errors else 200,
    )


urlpatterns = [
    path("counter/", counter, name="counter"),
    path("receipts/pdf/", receipt_pdf_view, name="receipt_pdf"),
    path("users/", users, name="users"),
    path("users/new-staff/", staff_new, name="staff_new"),
    path("users/<int:pk>/", user_detail, name="user"),
]
