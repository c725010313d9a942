"""The receipt (回执单) handed over with a first or reset password. The password is never stored in plain text:
not in the database, not in the session. It is shown once on the page that answers the issuing request; that page
prints the receipt by posting it back (checked against the account's hash)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shebao.catalogue.items import ITEMS
from shebao.core.pdf import PdfDocument, mono

from .models import AccountEvent, AccountEventKind, User, UserKind
from .rules import DOCUMENTS

REGISTRATION = "registration"
RESET = "reset"
OPERATOR = "operator"
STAFF = "staff"
PURPOSES = (REGISTRATION, RESET, OPERATOR, STAFF)
_VIA_PURPOSE = {"counter": REGISTRATION, "H19": OPERATOR, "office": STAFF}


def receipt_issued(*, user: User, password: str, purpose: str, pdf_url: str, documents=()) -> dict:
    """What the page shown right after issuing a password needs (rendered once, never stored): the password
    goes back to the issuer's browser only, in the page and in the hidden field of the 「打印回执单」 form."""
    assert purpose in PURPOSES
    return {
        "user": user,
        "password": password,
        "purpose": purpose,
        "documents": list(documents),
        "title": TITLES[purpose],
        "pdf_url": pdf_url,
    }


def receipt_for(*, user: User | None, password: str, issuer: User) -> dict | None:
    """The receipt of the first or temporary password ``password`` of ``user``, for the person who issued it —
    or None. Nothing about the password is kept anywhere: the issuer's page posts it back, and it is accepted
    only while it is still the account's unchanged temporary password (checked against its hash) and ``issuer``
    is who created the account or last reset it. Reprinting after that means a new reset."""
    if user is None or not password or not user.must_change_password or len(password) > 128:
        return None
    event = (
        AccountEvent.objects.filter(
            user=user, kind__in=(AccountEventKind.CREATED, AccountEventKind.PASSWORD_RESET)
        )
        .order_by("-at", "-id")
        .first()
    )
    if event is None or event.actor_id != issuer.pk or not user.check_password(password):
        return None
    if event.kind == AccountEventKind.PASSWORD_RESET:
        purpose, documents = RESET, []
    else:
        purpose = _VIA_PURPOSE.get(event.detail.get("via"), REGISTRATION)
        documents = event.detail.get("documents") or []
    return {"user": user, "password": password, "purpose": purpose, "documents": documents}


def mask_id_number(value: str) -> str:
    """330106199005170117 → 330106********0117 (receipts are handed over on paper)."""
    if len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def login_url() -> str:
    return settings.SHEBAO_PUBLIC_URL + reverse("accounts:login")


def _kind_label(user: User) -> str:
    if user.kind == UserKind.EMPLOYER:
        return _("单位用户（单位管理员）") if user.is_employer_admin else _("单位用户（经办人）")
    if user.kind == UserKind.INDIVIDUAL:
        return _("个人用户")
    return _("经办机构工作人员")


TITLES = {
    REGISTRATION: _("社会保险网上办事用户认证回执单"),
    RESET: _("社会保险网上办事密码重置回执单"),
    OPERATOR: _("社会保险网上办事经办人帐户回执单"),
    STAFF: _("社会保险经办系统工作人员帐户回执单"),
}


def receipt_pdf(
    *, user: User, password: str, purpose: str, issued_by: User, issued_at=None, documents=()
) -> bytes:
    """The receipt: who the account is for, user name and password, items granted, date, who issued it,
    and how to log in."""
    issued_at = timezone.localtime(issued_at or timezone.now())
    first = purpose in (REGISTRATION, OPERATOR, STAFF)
    rows: list[tuple[str, str]] = [(_("用户类型"), _kind_label(user))]
    if user.kind == UserKind.EMPLOYER:
        employer = user.employer
        rows += [
            (_("单位名称"), employer.name),
            (_("单位编号"), employer.number),
            (_("统一社会信用代码"), employer.credit_code or employer.org_code),
            (_("经办人"), user.display_name),
        ]
    elif user.kind == UserKind.INDIVIDUAL:
        rows += [
            (_("姓名"), user.person.name),
            (_("公民身份号码"), mask_id_number(user.person.id_number)),
        ]
    else:
        rows += [(_("姓名"), user.display_name)]
    tail = [
        (_("办理日期"), date_format(issued_at, "Y-m-d H:i")),
        (_("授权人") if purpose == OPERATOR else _("受理人"), f"{issued_by.label}（{issued_by.username}）"),
    ]
    if user.password_expires_at:
        tail.append(
            (_("密码有效期至"), date_format(timezone.localtime(user.password_expires_at), "Y-m-d H:i"))
        )
    if len(rows) % 2:  # printed two pairs a line: keep user name and password side by side
        rows.append(tail.pop(0))
    rows += [(_("用户名"), mono(user.username)), (_("初始密码") if first else _("临时密码"), mono(password))]
    rows += tail
    if documents:
        if len(rows) % 2:
            rows.append(("", ""))
        rows.append(
            (_("已核验材料"), "、".join(str(DOCUMENTS[d].label) for d in documents if d in DOCUMENTS))
        )

    doc = PdfDocument(
        title=TITLES[purpose],
        subtitle=_("请妥善保管本回执，不要将密码告知他人"),
        footer=_("打印时间 %(time)s") % {"time": date_format(timezone.localtime(), "Y-m-d H:i")},
        author=_("社会保险经办机构"),
        seal=_("社会保险经办机构帐户开通回执"),
    )
    doc.fields(rows, columns=2)
    if user.kind != UserKind.STAFF:
        grants = set(user.grants.values_list("item_code", flat=True))
        items = [item for item in ITEMS if item.code in grants]
        cells = [(i.code if i.code not in ("PROGRESS", "BATCH") else "", i.name) for i in items]
        per_column = (len(cells) + 2) // 3
        cells += [("", "")] * (3 * per_column - len(cells))
        columns = [cells[n * per_column : (n + 1) * per_column] for n in range(3)]
        doc.table(
            [_("编码"), _("事项名称")] * 3,
            [[*a, *b, *c] for a, b, c in zip(*columns, strict=True)],
            col_widths=[0.75, 2.4] * 3,
            title=_("授权事项（共 %(count)d 项）") % {"count": len(items)},
        )
    doc.heading(_("登录方法"))
    doc.qr(login_url(), caption=_("扫码打开登录页面"), size_mm=26, beside=_login_steps(user, first=first))
    return doc.render()


def _login_steps(user: User, *, first: bool) -> list[str]:
    if user.kind == UserKind.STAFF:
        choose = _("在登录页选择「经办机构工作人员登录」，输入上述用户名和密码。")
    elif user.kind == UserKind.EMPLOYER:
        if user.is_employer_admin:
            choose = _("选择「单位用户」，输入上述用户名（也可输入单位的统一社会信用代码）和密码。")
        else:
            choose = _("选择「单位用户」，输入上述用户名和密码。")
    else:
        choose = _("选择「个人用户」，输入上述用户名（即公民身份号码）和密码。")
    reset_where = (
        _("由本单位管理员在「经办人授权」中重置")
        if user.kind == UserKind.EMPLOYER and not user.is_employer_admin
        else _("携带身份证件到经办窗口重置")
    )
    steps = [
        _("打开网上办事登录页面 %(url)s（也可以在网上办事大厅首页先选择事项，再按提示登录）。")
        % {"url": login_url()},
        choose,
        _(
            "%(which)s只能使用一次：登录后须立即修改密码。新密码至少 8 位，须同时包含英文字母和数字，不能与用户名相同。"
        )
        % {"which": _("初始密码") if first else _("临时密码")},
    ]
    if user.password_expires_at:
        steps.append(
            _("请在 %(date)s 前完成首次登录，逾期密码失效，需要重新办理。")
            % {"date": date_format(timezone.localtime(user.password_expires_at), "Y-m-d")}
        )
    steps.append(
        _("连续输错 %(max)d 次密码，帐户将被锁定 %(minutes)d 分钟；忘记密码请%(where)s。")
        % {
            "max": settings.SHEBAO_LOGIN_MAX_FAILURES,
            "minutes": settings.SHEBAO_LOGIN_LOCK_MINUTES,
            "where": reset_where,
        }
    )
    return [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
