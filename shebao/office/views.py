from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shebao.accounts.permissions import office_role_required
from shebao.catalogue.items import get_item
from shebao.declarations.selectors import reviewer_summary

# The staff functions of the office site: (title, url name, roles that may use it).
FUNCTIONS = [
    (_("审核工作台"), "office:review", ("is_reviewer",)),
    (_("窗口受理(用户认证)"), "office:counter", ("is_clerk",)),
    (_("用户管理"), "office:users", ("is_clerk", "is_office_admin")),
    (_("政策参数"), "admin:index", ("is_office_admin",)),
    (_("月度结算"), "office:settlements", ("is_office_admin",)),
    (_("养老帐户结息"), "office:interest", ("is_office_admin",)),
    (_("到账登记"), "office:arrivals", ("is_office_admin",)),
    (_("待遇支付登记"), "office:benefits", ("is_office_admin",)),
    (_("接口令牌"), "office:api_tokens", ("is_office_admin",)),
]


def functions_for(user):
    rows = []
    for title, url_name, roles in FUNCTIONS:
        if not any(getattr(user, role) for role in roles):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        rows.append({"title": title, "url": url})
    return rows


@office_role_required()
def home(request):
    context = {"functions": functions_for(request.user)}
    if request.user.is_reviewer:
        review = reviewer_summary(reviewer=request.user, now=timezone.now())
        for row in review["per_item"]:
            row["name"] = get_item(row["item_code"]).name
        context["review"] = review
    return render(request, "office/home.html", context)
