"""Certificate numbers: ZM + issue date (8) + 8 random digits + 4 check characters.

The check characters are a keyed hash (HMAC-SHA256 under a key derived from SECRET_KEY) of the rest, so a
number with any character changed is recognised as tampered, not merely unknown, and numbers cannot be
guessed by counting. Pure: no ORM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings

PREFIX = "ZM"
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
SHAPE = re.compile(rf"^{PREFIX}([0-9]{{8}})([0-9]{{8}})([{CHECK_ALPHABET}]{{4}})$")
LENGTH = 22


def _key() -> bytes:
    return hashlib.sha256(("shebao.certificates:" + settings.SECRET_KEY).encode()).digest()


def check_chars(body: str) -> str:
    digest = hmac.new(_key(), body.encode(), hashlib.sha256).digest()
    return "".join(CHECK_ALPHABET[b % len(CHECK_ALPHABET)] for b in digest[:4])


def make_number(issued_on: dt.date) -> str:
    body = f"{PREFIX}{issued_on:%Y%m%d}{secrets.randbelow(10**8):08d}"
    return body + check_chars(body)


def normalise(number: str) -> str:
    return "".join(str(number).split()).upper()[:40]


def is_well_formed(number: str) -> bool:
    """The right shape and the right check characters (what was issued by this office)."""
    match = SHAPE.match(number)
    if not match:
        return False
    body = number[:-4]
    # compared as bytes: hmac.compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
    return hmac.compare_digest(check_chars(body).encode(), number[-4:].encode())
