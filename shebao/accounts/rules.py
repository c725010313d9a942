"""Pure account rules: passwords, which items each kind of user may be granted, documents checked at the
counter. No ORM here."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.catalogue.items import items_for_employer, items_for_individual

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# The demo's published password (README, demo logins): never acceptable as anyone's own password.
DEMO_PASSWORD = "Shebao2026"

# Items only an employer administrator may use; never granted to an operator.
ADMIN_ONLY_ITEMS = frozenset({"H19"})


@functools.cache
def _common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords (lower case), read once."""
    from django.contrib.auth.password_validation import CommonPasswordValidator

    return frozenset(CommonPasswordValidator().passwords)


def password_problems(
    password: str, *, username: str = "", identifiers: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> list[str]:
    """What is wrong with a new password, in Chinese (empty when it is acceptable): at least 8 characters,
    letters and digits both, not the user name (nor containing it), not an identifier such as the ID number or
    the employer's number (``identifiers``), not the employer's name (``names``), not one of the 20,000 common
    passwords nor the demo's published password."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(
            _("密码至少 %(min)d 位，当前为 %(length)d 位")
            % {"min": PASSWORD_MIN_LENGTH, "length": len(password)}
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(_("密码不能超过 %(max)d 位") % {"max": PASSWORD_MAX_LENGTH})
    has_letter = any(c.isascii() and c.isalpha() for c in password)
    has_digit = any(c.isascii() and c.isdigit() for c in password)
    if not (has_letter and has_digit):
        problems.append(_("密码须同时包含英文字母和数字"))
    if any(c.isspace() for c in password):
        problems.append(_("密码不能包含空格"))
    lowered = password.lower()
    if username and (lowered == username.lower() or (len(username) >= 4 and username.lower() in lowered)):
        problems.append(_("密码不能与用户名相同，也不能包含用户名"))
    elif any(ident and ident.lower() in lowered for ident in identifiers if len(ident) >= 6):
        problems.append(_("密码不能包含身份证号码、单位编号或单位代码"))
    if any(name and len(name) >= 2 and name.lower() in lowered for name in names):
        problems.append(_("密码不能包含单位名称或本人姓名"))
    if len(password) >= PASSWORD_MIN_LENGTH and (
        lowered in _common_passwords() or lowered == DEMO_PASSWORD.lower()
    ):
        problems.append(_("该密码过于常见，容易被猜中，请换一个"))
    return problems


def grantable_codes(kind: str, *, employer_admin: bool = False) -> list[str]:
    """The items a user of this kind may hold, in catalogue order (also the default grant at the counter)."""
    if kind == "individual":
        return [item.code for item in items_for_individual()]
    if kind == "employer":
        return [
            item.code for item in items_for_employer() if employer_admin or item.code not in ADMIN_ONLY_ITEMS
        ]
    return []


# --- documents checked at the counter (用户认证) ----------------------------------------------------------


@dataclass(frozen=True)
class Document:
    code: str
    label: str


DOCUMENTS = {
    "code_certificate": Document("code_certificate", gettext_lazy("统一社会信用代码证书或组织机构代码证")),
    "business_licence": Document("business_licence", gettext_lazy("营业执照")),
    "approval_document": Document("approval_document", gettext_lazy("批准成立文件或事业单位法人证书")),
    "operator_id_card": Document("operator_id_card", gettext_lazy("经办人身份证")),
    "id_card": Document("id_card", gettext_lazy("本人身份证")),
}

_BUSINESS = ("code_certificate", "business_licence", "operator_id_card")
_PUBLIC_BODY = ("approval_document", "operator_id_card")
REQUIRED_DOCUMENTS = {
    "enterprise": _BUSINESS,
    "private_non_enterprise": _BUSINESS,
    "individual_business": _BUSINESS,
    "organ": _PUBLIC_BODY,
    "institution": _PUBLIC_BODY,
    "individual": ("id_card",),
}


def required_documents(applicant_type: str) -> list[Document]:
    """The documents the clerk must have checked for an employer type, or 'individual' for a person."""
    return [DOCUMENTS[code] for code in REQUIRED_DOCUMENTS.get(applicant_type, ())]


def missing_documents(applicant_type: str, checked) -> list[Document]:
    checked = set(checked)
    return [doc for doc in required_documents(applicant_type) if doc.code not in checked]


def login_kind_hint(*, kind: str, identifier: str) -> str:
    """After a failed login: a hint when what was typed has the shape of the other kind's login (an ID number
    typed as a 单位用户, a credit code as a 个人用户). From the shape alone, so it tells nothing about accounts."""
    from shebao.core.errors import ValidationFailed
    from shebao.core.idnumbers import is_valid_id_number, normalize_identifier, validate_credit_code

    code = normalize_identifier(identifier)
    if kind == "employer" and len(code) == 18 and is_valid_id_number(code):
        return _("您输入的像是公民身份号码。以个人身份登录，请在上方选择「个人用户」。")
    if kind == "individual" and len(code) == 18 and not is_valid_id_number(code):
        try:
            validate_credit_code(code)
        except ValidationFailed:
            return ""
        return _("您输入的像是单位的统一社会信用代码。办理单位业务，请在上方选择「单位用户」。")
    return ""
