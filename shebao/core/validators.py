"""Validators for values users type: names, phones, bank accounts, periods, amounts, identifiers.

Pure functions, no ORM. Each takes the raw value, returns it in normal form, or raises
:class:`~shebao.core.errors.ValidationFailed` with a Chinese message saying what is wrong and where,
``field`` set to the field name (overridable with ``field=``) and a short ``code``.
The identifier validators live in :mod:`shebao.core.idnumbers` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from shebao.core.errors import ValidationFailed
from shebao.core.idnumbers import (
    CreditCodeInfo,
    IdNumberInfo,
    id_number_mismatches,
    normalize_identifier,
    to_halfwidth,
    validate_credit_code,
    validate_id_number,
    validate_org_code,
)

__all__ = [
    "MAX_AMOUNT",
    "CreditCodeInfo",
    "IdNumberInfo",
    "ValidationFailed",
    "id_number_mismatches",
    "normalize_identifier",
    "normalize_text",
    "parse_amount",
    "parse_date",
    "parse_integer",
    "parse_period",
    "to_halfwidth",
    "validate_bank_account",
    "validate_credit_code",
    "validate_id_number",
    "validate_name",
    "validate_org_code",
    "validate_phone",
]

_INVISIBLE = {cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)}


def _shown(value: str, limit: int = 30) -> str:
    """A user's value quoted back in a message, cut short if long."""
    return value if len(value) <= limit else value[:limit] + "…"


# Free text keeps full-width punctuation (，。；：（）are how Chinese is written); only full-width letters and
# digits become ASCII, and the ideographic space a space.
_TEXT_HALFWIDTH = {
    cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
} | {0x3000: 0x20}


def normalize_text(value: str) -> str:
    """Free text: full-width letters and digits → ASCII (punctuation kept as typed), invisible characters
    dropped, runs of whitespace → one space, trimmed. Idempotent."""
    return " ".join(str(value).translate(_TEXT_HALFWIDTH).translate(_INVISIBLE).split())


def _compact(value: str) -> str:
    """Half-width, without any whitespace or invisible characters (case kept)."""
    return "".join(to_halfwidth(str(value)).translate(_INVISIBLE).split())


# --- names ----------------------------------------------------------------------------------------------

NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 30
MIDDLE_DOT = "·"  # U+00B7, the 间隔号 in names such as 阿沛·阿旺晋美
# Look-alikes people type for the 间隔号: bullet, hyphenation point, katakana middle dots, dot operators.
_MIDDLE_DOT_LOOKALIKES = {cp: MIDDLE_DOT for cp in (0x2022, 0x2027, 0x30FB, 0xFF65, 0x2219, 0x22C5, 0x0387)}
_LATIN_PUNCTUATION = frozenset("-'.")


def _is_han(c: str) -> bool:
    cp = ord(c)
    return (
        0x4E00 <= cp <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= cp <= 0x4DBF  # Extension A
        or 0x20000 <= cp <= 0x323AF  # Extensions B–H and compatibility supplement
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or cp == 0x3007  # 〇
    )


def _is_latin_letter(c: str) -> bool:
    return c.isalpha() and unicodedata.name(c, "").startswith("LATIN ")


def validate_name(value: str, *, field: str = "name") -> str:
    """A person's name: 2–30 characters, either Chinese (with the 间隔号 ·) or, for foreign nationals,
    Latin letters and spaces (hyphens, apostrophes and full stops allowed). Never digits.
    Chinese names lose any spaces; look-alike dots become ·."""

    def fail(message: str, code: str) -> ValidationFailed:
        return ValidationFailed(message, field=field, code=code)

    name = normalize_text(value).translate(_MIDDLE_DOT_LOOKALIKES)
    if not name:
        raise fail(_("姓名不能为空"), "required")
    has_han = any(_is_han(c) for c in name)
    if has_han:
        name = name.replace(" ", "").replace(".", MIDDLE_DOT)
    has_latin = False
    for position, c in enumerate(name, start=1):
        if c in "0123456789" or unicodedata.category(c) == "Nd":
            raise fail(
                _("姓名不能包含数字：第%(position)d个字符为「%(char)s」") % {"position": position, "char": c},
                "invalid_char",
            )
        if _is_latin_letter(c):
            has_latin = True
        elif _is_han(c) or (c == MIDDLE_DOT and has_han):
            pass
        elif c in _LATIN_PUNCTUATION or c == " ":
            if has_han:
                raise fail(
                    _("姓名第%(position)d个字符「%(char)s」不允许使用") % {"position": position, "char": c},
                    "invalid_char",
                )
        else:
            raise fail(
                _("姓名第%(position)d个字符「%(char)s」不允许使用") % {"position": position, "char": c},
                "invalid_char",
            )
    if has_han and has_latin:
        raise fail(_("姓名不能同时包含汉字和拉丁字母"), "mixed_script")
    if not has_han and not has_latin:
        raise fail(_("姓名应由汉字或拉丁字母组成"), "invalid_char")
    if has_han and (name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name):
        raise fail(_("姓名中的间隔号「·」不能在开头或结尾，也不能连续出现"), "format")
    if has_latin and not _is_latin_letter(name[0]):
        raise fail(_("姓名应以字母开头"), "format")
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise fail(
            _("姓名应为%(min)d–%(max)d个字符，实际为 %(length)d 个")
            % {"min": NAME_MIN_LENGTH, "max": NAME_MAX_LENGTH, "length": len(name)},
            "length",
        )
    return name


# --- phone numbers --------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"(?:\+?86|0086)?-?(1[0-9]{2})-?([0-9]{4})-?([0-9]{4})")
_EXTENSION = r"(?:(?:-|#|转|分机|EXT\.?|X)([0-9]{1,6}))?"
# Area code set off by parentheses or a hyphen: (010)12345678, 0755-1234567-801.
_LANDLINE_SEPARATED_RE = re.compile(r"(?:\((0[0-9]{2,3})\)-?|(0[0-9]{2,3})-)([0-9]{7,8})" + _EXTENSION)
# Area code run together with the number: 01012345678. Split by the national plan: 010 and 02x are
# three characters, every other area code is four.
_LANDLINE_COMPACT_RE = re.compile(r"(0[0-9]{9,11})" + _EXTENSION)


def validate_phone(value: str, *, field: str = "phone") -> str:
    """A mobile number (11 digits starting with 1; +86 accepted) → ``13800138000``; or a landline with
    its area code (0 + 2–3 digits, 7–8 digit number, optional extension) → ``010-12345678[-801]``."""
    phone = _compact(value).upper()
    if not phone:
        raise ValidationFailed(_("联系电话不能为空"), field=field, code="required")
    m = _MOBILE_RE.fullmatch(phone)
    if m:
        return "".join(m.groups())
    m = _LANDLINE_SEPARATED_RE.fullmatch(phone)
    if m:
        area, number, ext = m.group(1) or m.group(2), m.group(3), m.group(4)
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    m = _LANDLINE_COMPACT_RE.fullmatch(phone)
    if m:
        digits, ext = m.group(1), m.group(2)
        split = 3 if digits[1] in "12" else 4
        if 7 <= len(digits) - split <= 8:
            return f"{digits[:split]}-{digits[split:]}" + (f"-{ext}" if ext else "")
    plain = phone.replace("-", "")
    if plain.startswith("1") and all(c in "0123456789" for c in plain):
        raise ValidationFailed(
            _("手机号码应为11位数字，实际为 %(length)d 位") % {"length": len(plain)},
            field=field,
            code="length",
        )
    raise ValidationFailed(
        _("联系电话「%(value)s」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）")
        % {"value": _shown(phone)},
        field=field,
        code="format",
    )


# --- bank accounts --------------------------------------------------------------------------------------

BANK_ACCOUNT_MIN_LENGTH = 8
BANK_ACCOUNT_MAX_LENGTH = 30


def validate_bank_account(value: str, *, field: str = "bank_account") -> str:
    """8–30 digits; spaces (and full-width digits) are accepted and removed."""
    account = _compact(value)
    if not account:
        raise ValidationFailed(_("银行账号不能为空"), field=field, code="required")
    for position, c in enumerate(account, start=1):
        if c not in "0123456789":
            raise ValidationFailed(
                _("银行账号只能包含数字，第%(position)d位为「%(char)s」") % {"position": position, "char": c},
                field=field,
                code="invalid_char",
            )
    if not BANK_ACCOUNT_MIN_LENGTH <= len(account) <= BANK_ACCOUNT_MAX_LENGTH:
        raise ValidationFailed(
            _("银行账号应为%(min)d–%(max)d位数字，实际为 %(length)d 位")
            % {"min": BANK_ACCOUNT_MIN_LENGTH, "max": BANK_ACCOUNT_MAX_LENGTH, "length": len(account)},
            field=field,
            code="length",
        )
    return account


# --- periods --------------------------------------------------------------------------------------------

PERIOD_MIN_YEAR = 1900
PERIOD_MAX_YEAR = 2100
# 202401, 2024-01, 2024/1, 2024.01, 2024年1月
_PERIOD_RE = re.compile(r"([0-9]{4})([0-9]{2})|([0-9]{4})(?:[-/.]|年)([0-9]{1,2})月?")


def parse_period(value: str | int, *, field: str = "period", label: str | None = None) -> int:
    """A period (month) as the integer YYYYMM. Accepts 202401 / "202401" / "2024-01" / "2024年1月"."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"period must be str or int, not {type(value).__name__}")
    label = label or _("结算期")
    text = normalize_identifier(str(value))
    if not text:
        raise ValidationFailed(_("%(label)s不能为空") % {"label": label}, field=field, code="required")
    m = _PERIOD_RE.fullmatch(text)
    if not m:
        raise ValidationFailed(
            _("%(label)s「%(value)s」格式不正确，应为6位年月，如 202401")
            % {"label": label, "value": _shown(text)},
            field=field,
            code="format",
        )
    year, month = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), int(m.group(4)))
    if not 1 <= month <= 12:
        raise ValidationFailed(
            _("%(label)s %(value)s 的月份 %(month)02d 无效，应为01–12")
            % {"label": label, "value": text, "month": month},
            field=field,
            code="month",
        )
    if not PERIOD_MIN_YEAR <= year <= PERIOD_MAX_YEAR:
        raise ValidationFailed(
            _("%(label)s %(value)s 的年份 %(year)d 超出范围（%(min)d–%(max)d）")
            % {"label": label, "value": text, "year": year, "min": PERIOD_MIN_YEAR, "max": PERIOD_MAX_YEAR},
            field=field,
            code="year",
        )
    return year * 100 + month


# --- amounts --------------------------------------------------------------------------------------------

MAX_AMOUNT = Decimal("99999999999.99")  # fits DecimalField(max_digits=14, decimal_places=2)
_CENT = Decimal("0.01")
_AMOUNT_RE = re.compile(r"(-)?([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]+))?")
_LOOSE_GROUPED_RE = re.compile(r"-?[0-9][0-9,]*(?:\.[0-9]+)?")


def parse_amount(
    value: str | int | Decimal,
    *,
    field: str = "amount",
    label: str | None = None,
    max_value: Decimal = MAX_AMOUNT,
) -> Decimal:
    """A money amount in yuan → ``Decimal`` with exactly two places. Non-negative, at most two decimals
    (extra trailing zeros are fine), at most ``max_value``. Accepts thousands separators (1,234.50),
    full-width digits, a leading ¥ and a trailing 元. Floats are refused (``TypeError``): build from strings."""
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"amount must be str, int or Decimal, not {type(value).__name__}")
    label = label or _("金额")

    def fail(message: str, code: str) -> ValidationFailed:
        return ValidationFailed(message, field=field, code=code)

    if isinstance(value, int):
        amount = Decimal(value)
        shown = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise fail(
                _("%(label)s「%(value)s」不是有效的金额") % {"label": label, "value": str(value)}, "format"
            )
        amount = value
        shown = str(value)
    else:
        text = _compact(value).replace("￥", "¥")
        text = text.removeprefix("¥").removesuffix("元")
        shown = _shown(text)
        if not text:
            raise fail(_("%(label)s不能为空") % {"label": label}, "required")
        m = _AMOUNT_RE.fullmatch(text)
        if not m:
            if _LOOSE_GROUPED_RE.fullmatch(text) and "," in text:
                raise fail(
                    _("%(label)s「%(value)s」的千分位分隔符位置不正确") % {"label": label, "value": shown},
                    "format",
                )
            raise fail(_("%(label)s「%(value)s」不是有效的金额") % {"label": label, "value": shown}, "format")
        sign, whole, fraction = m.group(1) or "", m.group(2).replace(",", ""), m.group(3) or ""
        if len(fraction) > 2 and fraction[2:].strip("0"):
            raise fail(
                _("%(label)s最多保留两位小数，实际为「%(value)s」") % {"label": label, "value": shown},
                "decimal_places",
            )
        amount = Decimal(f"{sign}{whole}.{fraction[:2] or '0'}")
    if amount < 0:
        raise fail(_("%(label)s不能为负数") % {"label": label}, "negative")
    if amount > max_value:
        raise fail(
            _("%(label)s不能超过 %(max)s") % {"label": label, "max": f"{max_value:,.2f}"},
            "max_value",
        )
    with localcontext() as ctx:
        ctx.prec = max(28, len(str(max_value)) + 4)
        cents = amount.quantize(_CENT)
        if cents != amount:
            raise fail(
                _("%(label)s最多保留两位小数，实际为「%(value)s」")
                % {"label": label, "value": _shown(shown)},
                "decimal_places",
            )
    return abs(cents) if cents == 0 else cents


# --- whole numbers --------------------------------------------------------------------------------------

_INTEGER_RE = re.compile(r"([+-]?)([0-9]+)", re.ASCII)


def parse_integer(
    value: str | int,
    *,
    field: str = "number",
    label: str | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int:
    """The one parser for a whole number a user typed (a count, days, a grade, a page, a year).

    Full-width digits become half-width and surrounding spaces go (as for every identifier); anything else
    that is not the ASCII digits 0–9 — 「²」, 「٣」, 「1e3」, 「1.0」, 10,000 digits — is refused with a Chinese
    message naming the field, never passed to ``int()``."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"integer must be str or int, not {type(value).__name__}")
    label = label or _("数值")
    if isinstance(value, int):
        number = value
    else:
        text = _compact(value)
        if not text:
            raise ValidationFailed(_("%(label)s不能为空") % {"label": label}, field=field, code="required")
        m = _INTEGER_RE.fullmatch(text)
        if not m or len(m.group(2)) > 18:
            raise ValidationFailed(
                _("%(label)s「%(value)s」不是有效的整数，请只填写数字 0–9")
                % {"label": label, "value": _shown(text)},
                field=field,
                code="format",
            )
        number = int(m.group(1) + m.group(2))
    if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
        if min_value is not None and max_value is not None:
            message = _("%(label)s应在 %(min)d 至 %(max)d 之间，实际为 %(value)d")
        elif min_value is not None:
            message = _("%(label)s不能小于 %(min)d，实际为 %(value)d")
        else:
            message = _("%(label)s不能大于 %(max)d，实际为 %(value)d")
        raise ValidationFailed(
            message % {"label": label, "min": min_value or 0, "max": max_value or 0, "value": number},
            field=field,
            code="range",
        )
    return number


# --- dates ----------------------------------------------------------------------------------------------

# 2024-05-06, 2024/5/6, 2024.05.06, 20240506, 2024年5月6日
_DATE_RE = re.compile(r"([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?", re.ASCII)


@dataclass(frozen=True)
class DateWindow:
    """The plausible dates of one field: from ``earliest`` to ``today + days_ahead`` (a date a user gives is
    refused outside it: 0001-01-01 and 9999-12-31 are typing errors, not facts). ``days_ahead`` None: no upper
    bound beyond the year 2100."""

    earliest: dt.date
    days_ahead: int | None = 0

    def latest(self, today: dt.date) -> dt.date:
        if self.days_ahead is None:
            return dt.date(2100, 12, 31)
        return today + dt.timedelta(days=self.days_ahead)


# Per kind of date (spec validation.md "Plausible dates"): what a field of that kind may hold.
PAST_DATE = DateWindow(dt.date(1900, 1, 1), 0)  # a birth date, something that happened
EVENT_DATE = DateWindow(
    dt.date(1990, 1, 1), 31
)  # arrivals, payments, accidents, spending: 1990 … today + 31 d
RECENT_DATE = DateWindow(
    dt.date(1990, 1, 1), 366
)  # a date in the working life of the system, up to a year ahead
ANY_DATE = DateWindow(dt.date(1900, 1, 1), None)


def parse_date(
    value: str | dt.date,
    *,
    field: str = "date",
    label: str | None = None,
    window: DateWindow = RECENT_DATE,
    today: dt.date | Callable[[], dt.date] | None = None,
) -> dt.date:
    """The one parser for a date a user gives: YYYY-MM-DD (also / . 年月日 or 8 digits, full-width digits
    accepted), a real calendar day, inside the field's plausible ``window``."""
    from shebao.core.clock import today as clock_today

    label = label or _("日期")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = _compact(str(value))
        if not text:
            raise ValidationFailed(_("%(label)s不能为空") % {"label": label}, field=field, code="required")
        m = _DATE_RE.fullmatch(text)
        day = None
        if m:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                day = None
        if day is None:
            raise ValidationFailed(
                _("%(label)s「%(value)s」不是有效日期，应为 年-月-日，如 2024-05-06")
                % {"label": label, "value": _shown(text, 20)},
                field=field,
                code="format",
            )
    today = today() if callable(today) else (today or clock_today())
    latest = window.latest(today)
    if day < window.earliest:
        message = _("%(label)s %(value)s 不能早于 %(bound)s") % {
            "label": label,
            "value": day.isoformat(),
            "bound": window.earliest.isoformat(),
        }
    elif day > latest:
        message = (
            _("%(label)s %(value)s 不能晚于今天（%(bound)s）")
            if window.days_ahead == 0
            else _("%(label)s %(value)s 不能晚于 %(bound)s")
        ) % {"label": label, "value": day.isoformat(), "bound": latest.isoformat()}
    else:
        return day
    raise ValidationFailed(message, field=field, code="range")
