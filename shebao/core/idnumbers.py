"""Identity numbers and organisation codes: parsing, validation and generation. Pure: no ORM.

- 公民身份号码 (ID number), GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence
  (odd = male), check character by ISO 7064 MOD 11-2. Old 15-digit numbers are converted to 18.
- 统一社会信用代码 (credit code), GB 32100-2015: 18 characters from a 31-character alphabet, MOD 31 check;
  characters 9–17 are an organisation code with its own GB 11714 check.
- 组织机构代码 (organisation code), GB 11714-1997: 8 body characters and a MOD 11 check, written with or
  without a hyphen before the check character.

Every ``validate_*`` function normalises its input first (see :func:`normalize_identifier`) and raises
:class:`~shebao.core.errors.ValidationFailed` with a Chinese message that names the position at fault.
The ``*_check_char`` / ``make_*`` helpers are for generators and tests; they raise ``ValueError`` on
malformed arguments (a programming error, not user input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.core.errors import ValidationFailed

# --- normal form of identifiers -------------------------------------------------------------------------

# Full-width ASCII (U+FF01–U+FF5E) → half-width; ideographic space → space.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Invisible characters that copy-paste and spreadsheets leave behind.
_INVISIBLE = {cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)}
# For identifiers: the above plus ASCII lower → upper (and full-width lower straight to upper).
_IDENTIFIER = (
    _HALFWIDTH
    | _INVISIBLE
    | {cp: cp - 32 for cp in range(ord("a"), ord("z") + 1)}
    | {cp: cp - 0xFEE0 - 32 for cp in range(0xFF41, 0xFF5B)}
)


def to_halfwidth(value: str) -> str:
    """Full-width ASCII characters and the ideographic space → their half-width forms."""
    return value.translate(_HALFWIDTH)


def normalize_identifier(value: str) -> str:
    """Normal form for comparing identifiers: half-width, no whitespace at all, ASCII letters upper-case.

    ``" １１０１０５ 19491231002ｘ "`` → ``"11010519491231002X"``. Idempotent.
    """
    return "".join(str(value).translate(_IDENTIFIER).split())


_DIGITS = frozenset("0123456789")


def _is_digits(value: str) -> bool:
    # Not str.isdigit(): that accepts "²" and other non-ASCII digits.
    return bool(value) and all(c in _DIGITS for c in value)


def _first_bad(value: str, allowed: frozenset[str] | str) -> int | None:
    """0-based index of the first character not in ``allowed``."""
    for i, c in enumerate(value):
        if c not in allowed:
            return i
    return None


# --- ID number (GB 11643) -------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by (Σ digit × weight) mod 11
ID_CHECK_ALLOWED = frozenset("0123456789X")

# First two digits of the address code (validation.md).
PROVINCE_CODES = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)

MIN_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """A valid ID number in its 18-character normal form, and what it says."""

    number: str
    birth_date: date
    gender: str  # "M" / "F", as core.choices.Gender
    province_code: str
    converted_from_15: bool = False

    @property
    def address_code(self) -> str:
        return self.number[:6]

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def id_number_check_char(first17: str) -> str:
    """The 18th character (ISO 7064 MOD 11-2) for 17 ASCII digits."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def make_id_number(address_code: str, birth: date, seq: int) -> str:
    """An 18-character ID number with a correct check character. Does not check the province or dates."""
    if len(address_code) != 6 or not _is_digits(address_code):
        raise ValueError(f"address code must be 6 digits, got {address_code!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence must be 0–999, got {seq!r}")
    first17 = f"{address_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def convert_id_number_15_to_18(number15: str) -> str:
    """Old 15-digit number → 18 characters: insert "19" before the year and append the check character."""
    if len(number15) != 15 or not _is_digits(number15):
        raise ValueError(f"need 15 digits, got {number15!r}")
    first17 = f"{number15[:6]}19{number15[6:]}"
    return first17 + id_number_check_char(first17)


def _parse_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: date | None = None, field: str = "id_number") -> IdNumberInfo:
    """Check an ID number (18 characters, or an old 15-digit one, which is converted).

    ``today`` bounds the birth date; pass it explicitly (``timezone.localdate()`` in a request) —
    the default is the server's local date.
    """
    number = normalize_identifier(value)

    def fail(message: str, code: str) -> ValidationFailed:
        return ValidationFailed(message, field=field, code=code)

    if not number:
        raise fail(_("公民身份号码不能为空"), "required")
    if len(number) not in (15, 18):
        raise fail(
            _("公民身份号码应为18位（旧版为15位），实际为 %(length)d 位") % {"length": len(number)}, "length"
        )
    body = number[:17] if len(number) == 18 else number
    bad = _first_bad(body, _DIGITS)
    if bad is not None:
        raise fail(
            _("公民身份号码第%(position)d位应为数字，实际为「%(char)s」")
            % {"position": bad + 1, "char": body[bad]},
            "invalid_char",
        )
    if len(number) == 18 and number[17] not in ID_CHECK_ALLOWED:
        raise fail(
            _("公民身份号码第18位应为数字或 X，实际为「%(char)s」") % {"char": number[17]}, "invalid_char"
        )

    province = number[:2]
    if province not in PROVINCE_CODES:
        raise fail(
            _("公民身份号码第1–2位「%(code)s」不是有效的省级行政区划代码") % {"code": province}, "province"
        )

    converted = len(number) == 15
    if converted:
        raw_date, date_positions = number[6:12], "7–12"
        birth = _parse_date("19" + raw_date)
    else:
        raw_date, date_positions = number[6:14], "7–14"
        birth = _parse_date(raw_date)
    if birth is None:
        raise fail(
            _("公民身份号码第%(positions)s位的出生日期 %(date)s 不是有效日期")
            % {"positions": date_positions, "date": raw_date},
            "birth_date",
        )
    if birth < MIN_BIRTH_DATE:
        raise fail(_("公民身份号码中的出生日期 %(date)s 早于1900年") % {"date": raw_date}, "birth_date")
    if today is None:
        today = timezone.localdate()  # Asia/Shanghai, like every 'today' in the system
    elif isinstance(today, datetime):
        today = today.date()
    if birth > today:
        raise fail(
            _("公民身份号码中的出生日期 %(date)s 晚于当前日期 %(today)s")
            % {"date": raw_date, "today": today.strftime("%Y%m%d")},
            "birth_date",
        )

    if converted:
        number = convert_id_number_15_to_18(number)
    else:
        expected = id_number_check_char(number[:17])
        if number[17] != expected:
            raise fail(
                _("公民身份号码第18位校验码应为 %(expected)s，实际为 %(actual)s")
                % {"expected": expected, "actual": number[17]},
                "check_char",
            )
    return IdNumberInfo(
        number=number,
        birth_date=birth,
        gender="M" if int(number[16]) % 2 else "F",
        province_code=province,
        converted_from_15=converted,
    )


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    try:
        validate_id_number(value, today=today)
    except ValidationFailed:
        return False
    return True


_GENDER_INPUT = {"M": "M", "F": "F", "男": "M", "女": "F"}


def id_number_mismatches(
    info: IdNumberInfo, *, birth_date: date | None = None, gender: str | None = None
) -> list[ValidationFailed]:
    """Errors for a birth date / gender entered on a form that disagree with the ID number (empty if they
    agree). Each error names its field (``birth_date`` / ``gender``) so a form can show them all at once."""
    errors: list[ValidationFailed] = []
    if birth_date is not None and birth_date != info.birth_date:
        errors.append(
            ValidationFailed(
                _("出生日期 %(entered)s 与公民身份号码中的出生日期 %(expected)s 不一致")
                % {"entered": birth_date.strftime("%Y%m%d"), "expected": info.birth_date.strftime("%Y%m%d")},
                field="birth_date",
                code="mismatch",
            )
        )
    if gender is not None and _GENDER_INPUT.get(str(gender).strip().upper(), gender) != info.gender:
        words = {"M": _("男"), "F": _("女")}
        errors.append(
            ValidationFailed(
                _("性别与公民身份号码不一致：公民身份号码第17位表示性别为%(expected)s")
                % {"expected": words[info.gender]},
                field="gender",
                code="mismatch",
            )
        )
    return errors


# --- organisation code (GB 11714) -----------------------------------------------------------------------

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_BODY_ALLOWED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
ORG_CHECK_ALLOWED = frozenset("0123456789X")


def _org_value(c: str) -> int:
    # GB 11714: digits are their value, letters A–Z are 10–35.
    return int(c) if c in _DIGITS else ord(c) - 55


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code: C9 = 11 − (Σ value × weight mod 11); 10 → X, 11 → 0."""
    if len(first8) != 8 or _first_bad(first8, ORG_BODY_ALLOWED) is not None:
        raise ValueError(f"need 8 characters from 0–9 A–Z, got {first8!r}")
    c9 = 11 - sum(_org_value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def make_org_code(first8: str) -> str:
    """A 9-character organisation code (no hyphen) with its check character."""
    return first8 + org_code_check_char(first8)


def format_org_code(code: str) -> str:
    """Display form ``XXXXXXXX-X`` of a 9-character organisation code."""
    return f"{code[:8]}-{code[8:]}"


def validate_org_code(value: str, *, field: str = "organisation_code") -> str:
    """Check an organisation code written ``XXXXXXXX-X`` or ``XXXXXXXXX``; return the 9 characters without
    the hyphen (the normal form)."""
    code = normalize_identifier(value)

    def fail(message: str, code_: str) -> ValidationFailed:
        return ValidationFailed(message, field=field, code=code_)

    if not code:
        raise fail(_("组织机构代码不能为空"), "required")
    if "-" in code:
        if len(code) != 10 or code.index("-") != 8 or code.count("-") != 1:
            raise fail(_("组织机构代码的连字符只能在第8位与第9位之间，如 12345678-9"), "format")
        code = code[:8] + code[9:]
    if len(code) != 9:
        raise fail(
            _("组织机构代码应为9位（可写作 12345678-9），实际为 %(length)d 位") % {"length": len(code)},
            "length",
        )
    bad = _first_bad(code[:8], ORG_BODY_ALLOWED)
    if bad is not None:
        raise fail(
            _("组织机构代码第%(position)d位应为数字或大写字母，实际为「%(char)s」")
            % {"position": bad + 1, "char": code[bad]},
            "invalid_char",
        )
    if code[8] not in ORG_CHECK_ALLOWED:
        raise fail(
            _("组织机构代码第9位校验码应为数字或 X，实际为「%(char)s」") % {"char": code[8]}, "invalid_char"
        )
    expected = org_code_check_char(code[:8])
    if code[8] != expected:
        raise fail(
            _("组织机构代码第9位校验码应为 %(expected)s，实际为 %(actual)s")
            % {"expected": expected, "actual": code[8]},
            "check_char",
        )
    return code


def is_valid_org_code(value: str) -> bool:
    try:
        validate_org_code(value)
    except ValidationFailed:
        return False
    return True


# --- credit code (GB 32100) -----------------------------------------------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
CREDIT_ALLOWED = frozenset(CREDIT_ALPHABET)
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_ALPHABET)}


@dataclass(frozen=True, slots=True)
class CreditCodeInfo:
    """A valid credit code in normal form, split into its parts."""

    number: str
    registration_authority: str  # character 1 (登记管理部门代码)
    organisation_type: str  # character 2 (机构类别代码)
    division_code: str  # characters 3–8 (登记管理机关行政区划码)
    organisation_code: str  # characters 9–17 (主体标识码 / 组织机构代码), 9 characters


def credit_code_check_char(first17: str) -> str:
    """The 18th character: alphabet[(31 − Σ value × 3^i mod 31) mod 31]."""
    if len(first17) != 17 or _first_bad(first17, CREDIT_ALLOWED) is not None:
        raise ValueError(f"need 17 characters from {CREDIT_ALPHABET}, got {first17!r}")
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def make_credit_code(reg_authority: str, org_type: str, division6: str, org_code8: str) -> str:
    """An 18-character credit code with both check characters computed (organisation code and overall)."""
    if len(reg_authority) != 1 or reg_authority not in CREDIT_ALLOWED:
        raise ValueError(f"registration authority must be one character of {CREDIT_ALPHABET}")
    if len(org_type) != 1 or org_type not in CREDIT_ALLOWED:
        raise ValueError(f"organisation type must be one character of {CREDIT_ALPHABET}")
    if len(division6) != 6 or not _is_digits(division6):
        raise ValueError(f"division code must be 6 digits, got {division6!r}")
    if len(org_code8) != 8 or _first_bad(org_code8, CREDIT_ALLOWED) is not None:
        raise ValueError(f"organisation code body must be 8 characters of {CREDIT_ALPHABET}")
    first17 = reg_authority + org_type + division6 + make_org_code(org_code8)
    return first17 + credit_code_check_char(first17)


def validate_credit_code(value: str, *, field: str = "credit_code") -> CreditCodeInfo:
    """Check a credit code: alphabet, digits in the division code, the organisation-code check at
    character 17 and the overall check at character 18."""
    code = normalize_identifier(value)

    def fail(message: str, code_: str) -> ValidationFailed:
        return ValidationFailed(message, field=field, code=code_)

    if not code:
        raise fail(_("统一社会信用代码不能为空"), "required")
    if len(code) != 18:
        raise fail(_("统一社会信用代码应为18位，实际为 %(length)d 位") % {"length": len(code)}, "length")
    bad = _first_bad(code, CREDIT_ALLOWED)
    if bad is not None:
        raise fail(
            _("统一社会信用代码第%(position)d位字符「%(char)s」不允许使用")
            % {"position": bad + 1, "char": code[bad]},
            "invalid_char",
        )
    bad = _first_bad(code[2:8], _DIGITS)
    if bad is not None:
        raise fail(
            _("统一社会信用代码第%(position)d位应为数字（第3–8位为行政区划码），实际为「%(char)s」")
            % {"position": bad + 3, "char": code[2 + bad]},
            "invalid_char",
        )
    expected_org = org_code_check_char(code[8:16])
    if code[16] != expected_org:
        # A wrong character anywhere in 9–17 also breaks the overall check; naming the organisation code
        # narrows the search for the user.
        raise fail(
            _(
                "统一社会信用代码第9–17位（组织机构代码 %(org)s）校验不通过：第17位应为 %(expected)s，实际为 %(actual)s"
            )
            % {"org": code[8:17], "expected": expected_org, "actual": code[16]},
            "org_check_char",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise fail(
            _("统一社会信用代码第18位校验码应为 %(expected)s，实际为 %(actual)s")
            % {"expected": expected, "actual": code[17]},
            "check_char",
        )
    return CreditCodeInfo(
        number=code,
        registration_authority=code[0],
        organisation_type=code[1],
        division_code=code[2:8],
        organisation_code=code[8:17],
    )


def is_valid_credit_code(value: str) -> bool:
    try:
        validate_credit_code(value)
    except ValidationFailed:
        return False
    return True
