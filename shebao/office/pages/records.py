"""Record lookup: 人员档案 and 单位档案 — search, then one page per section; corrections at the counter; and
staff seeing an employer's query pages as the employer does (accounts.acting). Who may open which section is
in docs/office-roles.md (the walk test reads that table)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts.acting import ACTING_ITEMS, acting_start, acting_stop
from shebao.accounts.permissions import office_role_required
from shebao.catalogue.items import get_item
from shebao.contributions import services as money_services
from shebao.contributions.tasks import settlement_run_task
from shebao.core.choices import EmployerType, EmploymentStatus, PostType
from shebao.core.errors import DomainError, FieldErrors, ValidationFailed
from shebao.core.period import Period
from shebao.core.validators import parse_period
from shebao.employers.models import Employer
from shebao.office import lookup
from shebao.persons import services as record_services
from shebao.persons.models import Employment, Person, field_labels

ADMIN, AUDITOR, CLERK, REVIEWER = "is_office_admin", "is_auditor", "is_clerk", "is_reviewer"
SETTLEMENT, FINANCE = "is_settlement", "is_finance"
ALL = (CLERK, REVIEWER, SETTLEMENT, FINANCE, ADMIN, AUDITOR)

# Sections of a person's page: (slug, title, roles that may open it).
PERSON_SECTIONS = [
    ("overview", gettext_lazy("基本信息与参保关系"), (CLERK, REVIEWER, ADMIN, AUDITOR)),
    ("contributions", gettext_lazy("缴费明细"), (CLERK, REVIEWER, SETTLEMENT, FINANCE, ADMIN, AUDITOR)),
    ("accounts", gettext_lazy("养老及医疗帐户"), (CLERK, SETTLEMENT, FINANCE, ADMIN, AUDITOR)),
    ("benefits", gettext_lazy("待遇"), (CLERK, FINANCE, ADMIN, AUDITOR)),
    ("declarations", gettext_lazy("申报与证明"), (CLERK, REVIEWER, ADMIN, AUDITOR)),
    ("users", gettext_lazy("网上办事帐户"), (CLERK, ADMIN, AUDITOR)),
]
EMPLOYER_SECTIONS = [
    ("overview", gettext_lazy("单位信息"), ALL),
    ("roster", gettext_lazy("参保职工"), (CLERK, REVIEWER, SETTLEMENT, ADMIN, AUDITOR)),
    ("payables", gettext_lazy("应缴与到账"), (CLERK, SETTLEMENT, FINANCE, ADMIN, AUDITOR)),
    ("arrears", gettext_lazy("欠费与滞纳金"), (CLERK, FINANCE, ADMIN, AUDITOR)),
    ("declarations", gettext_lazy("申报"), (CLERK, REVIEWER, ADMIN, AUDITOR)),
    ("users", gettext_lazy("用户与授权"), (CLERK, ADMIN, AUDITOR)),
    ("settlement", gettext_lazy("结算标记"), (SETTLEMENT, FINANCE, ADMIN, AUDITOR)),
]
PERSON_SEARCH = (CLERK, REVIEWER, SETTLEMENT, FINANCE, ADMIN, AUDITOR)
CORRECTORS = (CLERK, ADMIN)
RESETTLERS = (SETTLEMENT, ADMIN)
ACTING = (CLERK, REVIEWER, ADMIN, AUDITOR)


def _has(user, roles) -> bool:
    return any(getattr(user, role) for role in roles)


def _sections(user, table, current: str):
    found = next((s for s in table if s[0] == current), None)
    if found is None:
        raise Http404
    if not _has(user, found[2]):
        raise PermissionDenied(_("您的经办角色不能查看「%(section)s」。") % {"section": found[1]})
    return found, [(slug, title) for slug, title, roles in table if _has(user, roles)]


# --- persons ------------------------------------------------------------------------------------------------


def _search_page(request, *, template: str, search, limit: int, max_length: int):
    """A search form and at most `limit` results (the search reads one more to say there are more)."""
    query = (request.GET.get("q") or "").strip()[:max_length]
    found = search(query=query) if query else []
    context = {"q": query, "rows": found[:limit], "more": len(found) > limit, "searched": bool(query)}
    return render(request, template, context)


@office_role_required(*PERSON_SEARCH)
def persons(request):
    return _search_page(
        request,
        template="office/records/persons.html",
        search=lookup.person_search,
        limit=lookup.person_reads.SEARCH_LIMIT,
        max_length=40,
    )


@office_role_required(*PERSON_SEARCH)
def person(request, pk: int, section: str = "overview"):
    current, sections = _sections(request.user, PERSON_SECTIONS, section)
    person = lookup.person_get(pk=pk, section=str(current[1]))
    context = {"person": person, "section": section, "sections": sections, "title": current[1]}
    if section == "overview":
        context.update(lookup.person_overview(person=person))
        context["may_correct"] = _has(request.user, CORRECTORS)
    elif section == "contributions":
        years = lookup.person_years(person=person)
        try:
            year = int(request.GET.get("year") or (years[0] if years else Period.current().year))
        except ValueError:
            year = years[0] if years else Period.current().year
        if not 1900 <= year <= 2100:
            year = Period.current().year
        context.update(lookup.person_contributions(person=person, year=year), years=years, year=year)
    elif section == "accounts":
        context.update(lookup.person_accounts(person=person))
    elif section == "benefits":
        context.update(lookup.person_benefits(person=person))
    elif section == "declarations":
        context.update(lookup.person_declarations(person=person))
    else:
        context.update(lookup.person_online_accounts(person=person))
    return render(request, f"office/records/person_{section}.html", context)


@office_role_required(*CORRECTORS)
def person_correct(request, pk: int):
    person = lookup.person_get(pk=pk, section=_("更正"))
    values = {"name": person.name, "id_number": person.id_number, "reason": ""}
    errors: dict = {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "")[:200] for k in ("name", "id_number", "reason")}
        try:
            changed = record_services.person_correct(
                person=person, **values, actor=request.user, today=timezone.localdate()
            )
            messages.success(request, _("已更正：%(fields)s") % {"fields": field_labels(Person, changed)})
            return redirect("office:person", pk=person.pk)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": [exc.message]}
    return render(
        request,
        "office/records/person_correct.html",
        {"person": person, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


# --- employers ----------------------------------------------------------------------------------------------


@office_role_required(*ALL)
def employers(request):
    return _search_page(
        request,
        template="office/records/employers.html",
        search=lookup.employer_search,
        limit=lookup.employer_reads.SEARCH_LIMIT,
        max_length=100,
    )


@office_role_required(*ALL)
def employer(request, pk: int, section: str = "overview"):
    current, sections = _sections(request.user, EMPLOYER_SECTIONS, section)
    employer = lookup.employer_get(pk=pk, section=str(current[1]))
    context = {
        "employer": employer,
        "section": section,
        "sections": sections,
        "title": current[1],
        "may_act": _has(request.user, ACTING),
        "acting_items": [get_item(code) for code in sorted(ACTING_ITEMS)],
    }
    if section == "overview":
        context.update(lookup.employer_overview(employer=employer))
        context["totals"] = lookup.employer_totals(employer=employer)
        context["may_correct"] = _has(request.user, CORRECTORS)
        context["may_resettle"] = _has(request.user, RESETTLERS)
    elif section == "roster":
        status = request.GET.get("status") or ""
        status = status if status in EmploymentStatus.values else ""
        context.update(
            lookup.employer_roster(employer=employer, status=status, page_number=request.GET.get("page")),
            status=status,
            statuses=EmploymentStatus.choices,
        )
    elif section == "payables":
        context["periods"] = lookup.employer_payables(employer=employer)
    elif section == "arrears":
        context["arrears"] = lookup.employer_arrears(employer=employer, as_of=timezone.localdate())
    elif section == "declarations":
        context["declarations"] = lookup.employer_declarations(employer=employer)
    elif section == "users":
        context["users"] = lookup.employer_users(employer=employer)
    else:
        context["marks"] = lookup.employer_settlement_marks(employer=employer)
    return render(request, f"office/records/employer_{section}.html", context)


@office_role_required(*CORRECTORS)
def employer_correct(request, pk: int):
    employer = lookup.employer_get(pk=pk, section=_("更正"))
    values = {
        "name": employer.name,
        "risk_class": str(employer.risk_class),
        "employer_type": employer.employer_type,
        "from_period": str(Period.current().value),
        "reason": "",
    }
    errors: dict = {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "")[:200] for k in values}
        try:
            changed = money_services.record_correction_carry(
                record_services.employer_correct,
                employer_id=employer.pk,
                mark_reason=_("单位信息更正：%(reason)s") % {"reason": values["reason"][:100]},
                employer=employer,
                **values,
                actor=request.user,
            )
            messages.success(request, _("已更正：%(fields)s") % {"fields": field_labels(Employer, changed)})
            return redirect("office:employer", pk=employer.pk)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": [exc.message]}
    return render(
        request,
        "office/records/employer_correct.html",
        {"employer": employer, "values": values, "errors": errors, "types": EmployerType.choices},
        status=400 if errors else 200,
    )


@office_role_required(*CORRECTORS)
def post_type_correct(request, pk: int, employment_id: int):
    """更正岗位类型: one employment's post type, with a reason (it decides a woman's retirement age)."""
    person = lookup.person_get(pk=pk, section=_("更正岗位类型"))
    employment = get_object_or_404(
        Employment.objects.select_related("employer"), pk=employment_id, person=person
    )
    values = {"post_type": employment.post_type, "reason": ""}
    errors: dict = {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "")[:200] for k in values}
        try:
            money_services.record_correction_carry(
                record_services.employment_post_type_correct,
                employer_id=employment.employer_id,
                mark_reason=_("岗位类型更正：%(reason)s") % {"reason": values["reason"][:100]},
                employment=employment,
                **values,
                actor=request.user,
            )
            messages.success(
                request,
                _("已更正岗位类型：%(post)s") % {"post": PostType(values["post_type"]).label},
            )
            return redirect("office:person", pk=person.pk)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": [exc.message]}
    return render(
        request,
        "office/records/post_type_correct.html",
        {
            "person": person,
            "employment": employment,
            "values": values,
            "errors": errors,
            "post_types": PostType.choices,
        },
        status=400 if errors else 200,
    )


@office_role_required(*RESETTLERS)
def employer_resettle(request, pk: int):
    """重新核定: queue a settlement run of one period restricted to this employer (the city-wide SQL, one
    employer). GET shows the form; POST queues the run and opens its page."""
    employer = lookup.employer_get(pk=pk, section=_("重新核定"))
    values = {"period": str(Period.current().value)}
    errors: dict = {}
    if request.method == "POST":
        values = {"period": (request.POST.get("period") or "")[:20]}
        try:
            period = parse_period(values["period"], field="period", label=_("核定期"))
            with transaction.atomic():
                run = money_services.settlement_start(
                    period=period, user=request.user, source="office", employer_ids=[employer.pk]
                )
                transaction.on_commit(lambda: settlement_run_task.enqueue(run.pk))
        except (ValidationFailed, DomainError) as exc:
            errors = {"period": [exc.message]}
        else:
            messages.success(
                request,
                _("已提交 %(employer)s %(period)s 的重新核定")
                % {"employer": employer.name, "period": Period(run.period).label()},
            )
            return redirect("office:settlement", run_id=run.pk)
    return render(
        request,
        "office/records/employer_resettle.html",
        {"employer": employer, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


@office_role_required(*ACTING)
def employer_as(request, pk: int, code: str):
    """Open one of the employer's query pages (Q01–Q19) as the employer sees it, read-only."""
    employer = lookup.employer_get(pk=pk, section=_("单位视角"))
    item = get_item(code)
    if item is None or item.code not in ACTING_ITEMS:
        raise Http404
    acting_start(request, employer=employer)
    return redirect(reverse("portal:item", args=[item.code]))


@office_role_required()
def acting_end(request):
    acting_stop(request)
    return redirect("office:home")


urlpatterns = [
    path("persons/", persons, name="persons"),
    path("persons/<int:pk>/", person, name="person"),
    path("persons/<int:pk>/correct/", person_correct, name="person_correct"),
    path(
        "persons/<int:pk>/employments/<int:employment_id>/post-type/",
        post_type_correct,
        name="post_type_correct",
    ),
    path("persons/<int:pk>/<slug:section>/", person, name="person_section"),
    path("employers/", employers, name="employers"),
    path("employers/<int:pk>/", employer, name="employer"),
    path("employers/<int:pk>/correct/", employer_correct, name="employer_correct"),
    path("employers/<int:pk>/resettle/", employer_resettle, name="employer_resettle"),
    path("employers/<int:pk>/as/<str:code>/", employer_as, name="employer_as"),
    path("employers/<int:pk>/<slug:section>/", employer, name="employer_section"),
    path("acting/end/", acting_end, name="acting_end"),
]
