from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shebao.accounts.models import UserKind
from shebao.accounts.permissions import item_required, portal_user_required, visible_items
from shebao.catalogue.items import GROUP_LABELS, ITEMS, ItemGroup, get_item
from shebao.core.period import Period
from shebao.core.replica import replica_reads_begin
from shebao.declarations import clock
from shebao.persons.models import Employment

from .dashboard import RECENT_ITEMS_KEY, employer_home, individual_home, recent_items_note
from .queries.listing import search_filter
from .queries.profile import own_profile
from .registry import ITEM_VIEWS, is_available


def group_items(items):
    groups = []
    for group in (ItemGroup.QUERY, ItemGroup.HANDLING, ItemGroup.PROGRESS):
        members = [(item, is_available(item.code)) for item in items if item.group == group]
        if members:
            groups.append({"label": GROUP_LABELS[group], "items": members})
    return groups


def public_home(request):
    """Public home: the catalogue of items; a logged-in user goes to their own home."""
    user = request.user
    if user.is_authenticated:
        return redirect("office:home" if user.kind == "staff" else "portal:home")
    return render(request, "portal/public_home.html", {"groups": group_items(ITEMS)})


@portal_user_required
def home(request):
    user = request.user
    items = visible_items(user)
    codes = {item.code for item in items}
    today = clock.today()
    context = {"groups": group_items(items), "today": today}
    if user.kind == UserKind.EMPLOYER and user.employer_id:
        context["employer_home"] = employer_home(employer=user.employer, today=today)
        context["can"] = {code: code in codes for code in ("Q02", "Q03", "Q11", "Q14", "PROGRESS")}
    elif user.kind == UserKind.INDIVIDUAL and user.person_id:
        context["individual_home"] = individual_home(person=user.person, today=today)
    by_code = {item.code: item for item in items}
    context["recent"] = [
        by_code[c] for c in request.session.get(RECENT_ITEMS_KEY, []) if c in by_code and is_available(c)
    ]
    return render(request, "portal/home.html", context)


@portal_user_required
def search(request):
    """The home page's search box: items by name (or code), and for an employer its employees by ID number or
    name (prefix), each leading to the employee page."""
    term = " ".join((request.GET.get("q") or "").split())[:30]
    user = request.user
    items = [
        item
        for item in visible_items(user)
        if term and is_available(item.code) and (term in str(item.name) or term.upper() == item.code)
    ]
    employees = []
    if (
        term
        and user.kind == UserKind.EMPLOYER
        and user.employer_id
        and any(i.code == "Q02" for i in visible_items(user))
    ):
        employees = list(
            Employment.objects.filter(
                search_filter(term, "person_id_number", "person_name"), employer=user.employer
            )
            .order_by("person_name", "person_id_number", "-start_period")
            .values("person_id_number", "person_name", "status", "start_period")[:30]
        )
    return render(request, "portal/search.html", {"term": term, "items": items, "employees": employees})


@portal_user_required
def profile(request):
    """个人信息: an individual user's own person record, employments and current base (nobody else's)."""
    user = request.user
    if user.kind != UserKind.INDIVIDUAL or not user.person_id:
        raise PermissionDenied(_("个人信息仅供个人用户查看本人信息。"))
    period = Period.current()
    found = own_profile(person=user.person, period=period.value)
    return render(request, "portal/profile.html", {"profile": found, "period": period})


def item(request, code: str):
    """Dispatch /portal/items/<CODE>/ to the item's view; an item not built yet says so plainly."""
    found = get_item(code)
    if found is None:
        raise Http404
    view = ITEM_VIEWS.get(found.code)
    if found.code.startswith("Q"):
        replica_reads_begin(request)  # a query page or its export: a GET may read the read replica
    if view is None:
        # The grant is checked first: a user without it is refused the same way whether the item is built or not.
        return item_required(found.code)(_unavailable)(request)
    response = view(request)
    if request.method == "GET" and response.status_code == 200 and request.user.is_authenticated:
        recent_items_note(request.session, found.code)
    return response


def _unavailable(request):
    return render(request, "portal/item_unavailable.html", {"item": request.item}, status=404)
