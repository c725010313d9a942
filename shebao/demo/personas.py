"""The demo's named logins: real accounts created through the accounts services."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.models import User, UserKind
from shebao.accounts.rules import DEMO_PASSWORD
from shebao.accounts.services import account_create

__all__ = ["DEMO_PASSWORD", "DemoLogin"]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    where: str  # the page to open after login
    note: str = ""


@transaction.atomic
def personas_create(*, employer_a, employer_b, person) -> list[DemoLogin]:
    """Create the seven demo accounts (idempotent: existing usernames are kept as they are)."""
    specs = [
        (
            _("单位管理员"),
            "employer_admin",
            dict(kind=UserKind.EMPLOYER, employer=employer_a, is_employer_admin=True, display_name="李敏"),
            "/portal/",
            employer_a.name,
        ),
        (
            _("单位经办人"),
            "employer_operator",
            dict(kind=UserKind.EMPLOYER, employer=employer_a, display_name="周杰"),
            "/portal/",
            employer_a.name,
        ),
        (
            _("另一单位经办人"),
            "employer_b_operator",
            dict(kind=UserKind.EMPLOYER, employer=employer_b, is_employer_admin=True, display_name="吴芳"),
            "/portal/",
            employer_b.name,
        ),
        (
            _("个人用户"),
            person.id_number,
            dict(kind=UserKind.INDIVIDUAL, person=person, display_name=person.name),
            "/portal/",
            person.name,
        ),
        (
            _("审核人员"),
            "reviewer",
            dict(kind=UserKind.STAFF, office_roles=("is_reviewer",), display_name="审核员"),
            "/office/",
            "",
        ),
        (
            _("窗口受理人员"),
            "clerk",
            dict(kind=UserKind.STAFF, office_roles=("is_clerk",), display_name="窗口受理员"),
            "/office/",
            "",
        ),
        (
            _("系统管理员"),
            "office_admin",
            dict(
                kind=UserKind.STAFF,
                office_roles=("is_office_admin", "is_reviewer", "is_clerk"),
                display_name="系统管理员",
            ),
            "/office/",
            "",
        ),
        (
            _("结算人员"),
            "settlement",
            dict(kind=UserKind.STAFF, office_roles=("is_settlement",), display_name="结算员"),
            "/office/",
            "",
        ),
        (
            _("财务人员"),
            "finance",
            dict(kind=UserKind.STAFF, office_roles=("is_finance",), display_name="财务员"),
            "/office/",
            "",
        ),
        (
            _("审计人员(只读)"),
            "auditor",
            dict(kind=UserKind.STAFF, office_roles=("is_auditor",), display_name="审计员"),
            "/office/",
            "",
        ),
    ]
    logins = []
    for role, username, fields, where, note in specs:
        if not User.objects.filter(username=username).exists():
            account_create(username=username, password=DEMO_PASSWORD, must_change_password=False, **fields)
        logins.append(DemoLogin(str(role), username, DEMO_PASSWORD, where, note))
    return logins


def personas_list() -> list[DemoLogin]:
    """The demo logins of an existing demo database (for a rerun of `shebao demo`), in the creation order."""
    roles = {
        "employer_admin": _("单位管理员"),
        "employer_operator": _("单位经办人"),
        "employer_b_operator": _("另一单位经办人"),
        "reviewer": _("审核人员"),
        "clerk": _("窗口受理人员"),
        "office_admin": _("系统管理员"),
        "settlement": _("结算人员"),
        "finance": _("财务人员"),
        "auditor": _("审计人员(只读)"),
    }
    users = {u.username: u for u in User.objects.filter(username__in=roles).select_related("employer")}
    individual = User.objects.filter(kind=UserKind.INDIVIDUAL).select_related("person").order_by("id").first()
    if len(users) < len(roles) or individual is None:
        return []
    logins = []
    for username, role in roles.items():
        user = users[username]
        where = "/office/" if user.kind == UserKind.STAFF else "/portal/"
        logins.append(
            DemoLogin(str(role), username, DEMO_PASSWORD, where, user.employer.name if user.employer else "")
        )
    logins.insert(
        3,
        DemoLogin(str(_("个人用户")), individual.username, DEMO_PASSWORD, "/portal/", individual.person.name),
    )
    return logins
