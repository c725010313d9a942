"""Reads of employers for office staff."""

from __future__ import annotations

import re

from shebao.core.idnumbers import normalize_identifier

from .models import Employer

SEARCH_LIMIT = 50
NUMBER = re.compile(r"^[0-9]{8}$")
CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")


def employer_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Employer]:
    """Employers by 单位编号 (8 digits), 统一社会信用代码 (18 characters), or name prefix; at most limit + 1."""
    raw = (query or "")[:100]
    term = normalize_identifier(raw)
    if not term:
        return []
    if NUMBER.match(term):
        return list(Employer.objects.filter(number=term)[:1])
    if CREDIT_CODE.match(term):
        return list(Employer.objects.filter(credit_code=term)[:1])
    name = " ".join(raw.split())
    if any(ord(c) < 32 for c in name):
        return []
    # Not ORDER BY in SQL (see persons.selectors.person_search): any limit + 1 matches, sorted here.
    return sorted(
        Employer.objects.filter(name__startswith=name)[: limit + 1], key=lambda e: (e.name, e.number)
    )
