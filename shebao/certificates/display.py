"""What a certificate says, in Chinese, for the PDF and the public page alike (from the stored snapshot)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.choices import EmployerStatus, Insurance
from shebao.core.money import format_money
from shebao.core.period import Period

INSURANCE_LABELS = dict(Insurance.choices)
STATUS_LABELS = dict(EmployerStatus.choices)


def mask_id_number(id_number: str) -> str:
    """330106199005170118 → 330106********0118 (the public page never shows a whole ID number)."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def describe(certificate, *, public: bool = False) -> dict:
    """title, statement, fields (label, value), table (headers, rows) of a certificate."""
    content = certificate.content
    span = f"{Period(certificate.start_period)} — {Period(certificate.end_period)}"
    issued = timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d %H:%M")
    if certificate.kind == "employer":
        employer = content["employer"]
        paid_all = all(p["paid"] for p in content["periods"])
        fields = [
            (_("单位名称"), employer["name"]),
            (_("单位编号"), employer["number"]),
            (_("统一社会信用代码"), employer["credit_code"]),
            (_("参保登记日期"), employer["registered_on"]),
            (_("单位状态"), str(STATUS_LABELS.get(employer["status"], employer["status"]))),
            (_("证明期间"), span),
            (_("出具时间"), issued),
        ]
        headers = [_("结算期"), _("参保人数"), _("缴费情况")]
        rows = [
            [str(Period(p["period"])), str(p["headcount"]), _("已足额缴纳") if p["paid"] else _("未足额缴纳")]
            for p in content["periods"]
        ]
        if content["periods"]:
            statement = _(
                "兹证明 %(name)s 在 %(span)s 期间依法参加社会保险，共有 %(n)s 个结算期的参保记录%(paid)s。"
            ) % {
                "name": employer["name"],
                "span": span,
                "n": len(content["periods"]),
                "paid": _("，均已足额缴纳") if paid_all else _("，缴费情况见下表"),
            }
        else:
            statement = _("%(name)s 在 %(span)s 期间没有参保缴费记录。") % {
                "name": employer["name"],
                "span": span,
            }
        title = _("单位参保证明")
    elif certificate.kind == "transfer":
        return _transfer(certificate, content, span, issued, public=public)
    else:
        person = content["person"]
        id_number = mask_id_number(person["id_number"]) if public else person["id_number"]
        fields = [
            (_("姓名"), person["name"]),
            (_("公民身份号码"), id_number),
            (_("证明期间"), span),
            (
                _("出具单位") if content.get("issuer") else _("申请方式"),
                content["issuer"]["name"] if content.get("issuer") else _("本人网上申请"),
            ),
            (_("出具时间"), issued),
        ]
        headers, rows = _contribution_rows(content)
        if content["rows"]:
            statement = _("兹证明 %(name)s 在 %(span)s 期间参加社会保险的缴费情况如下。") % {
                "name": person["name"],
                "span": span,
            }
        else:
            statement = _("%(name)s 在 %(span)s 期间没有社会保险缴费记录。") % {
                "name": person["name"],
                "span": span,
            }
        title = _("个人参保证明")
    return {"title": title, "statement": statement, "fields": fields, "headers": headers, "rows": rows}


def _contribution_rows(content) -> tuple[list, list]:
    headers = [_("缴费单位"), _("险种"), _("起始期"), _("截止期"), _("缴费月数"), _("已到账月数")]
    rows = [
        [
            r["employer"],
            str(INSURANCE_LABELS.get(r["insurance"], r["insurance"])),
            str(Period(r["first"])),
            str(Period(r["last"])),
            str(r["months"]),
            str(r["paid_months"]),
        ]
        for r in content["rows"]
    ]
    return headers, rows


def _yuan(value: str) -> str:
    return _("%(amount)s 元") % {"amount": format_money(Decimal(value))}


def _transfer(certificate, content, span, issued, *, public) -> dict:
    """参保缴费凭证 (H17): who, where insured, the transfer, and the pension account balance at its date with
    every figure of its computation (money.md 'balance at retirement')."""
    person, transfer, account = content["person"], content["transfer"], content["account"]
    id_number = mask_id_number(person["id_number"]) if public else person["id_number"]
    employer = content["issuer"]["name"] if content.get("issuer") else ""
    rate = Decimal(account["rate"]) * 100
    closed = (
        _("%(year)s 年末余额") % {"year": account["closed_year"]}
        if account["closed_year"]
        else _("上年末余额")
    )
    fields = [
        (_("姓名"), person["name"]),
        (_("公民身份号码"), id_number),
        (_("参保单位"), employer),
        (_("本地参保期间"), span),
        (_("转出日期"), transfer["date"]),
        (_("转往地区"), transfer["destination"]),
        (closed, _yuan(account["closed_balance"])),
        (_("以前年度未结息记账"), _yuan(account["carried"])),
        (
            _("本年记账（%(n)s 个月）") % {"n": account["months_credited"]},
            _yuan(account["credits"]),
        ),
        (
            _("本年利息（%(k)s 个月，记账利率 %(rate)s%%）")
            % {"k": account["months"], "rate": f"{rate.normalize():f}"},
            _yuan(account["interest"]),
        ),
        (_("个人账户储存额"), _yuan(account["balance"])),
        (_("出具时间"), issued),
    ]
    headers, rows = _contribution_rows(content)
    if not rows:
        fields.insert(4, (_("缴费记录"), _("本地参保期间没有缴费记录")))
    statement = _(
        "兹证明 %(name)s 于 %(span)s 在 %(employer)s 参加社会保险，现将基本养老保险关系转往 %(destination)s。"
        "截至 %(day)s，其基本养老保险个人账户储存额为 %(balance)s。"
    ) % {
        "name": person["name"],
        "span": span,
        "employer": employer,
        "destination": transfer["destination"],
        "day": account["day"],
        "balance": _yuan(account["balance"]),
    }
    return {
        "title": _("参保缴费凭证"),
        "statement": statement,
        "fields": fields,
        "headers": headers,
        "rows": rows,
    }
