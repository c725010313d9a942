"""Every page a demo user can reach shows money, rates and counts through the one set of filters (core.formats):
no amount without thousands separators (12345.60), no raw fraction (0.023000), no unquantized sum (12.3456).

The test builds the demo through the same command an office runs, logs in as each demo role, follows every link
of its pages breadth-first (GET only, a few variants per path) and reads the text a user sees."""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from shebao.accounts.models import User, UserKind
from shebao.core.period import Period
from shebao.declarations import clock, services
from shebao.demo.personas import DEMO_PASSWORD
from shebao.persons.models import Employment

# A number of four or more integer digits with decimals and no thousands separator: an unformatted amount.
BARE_AMOUNT = re.compile(r"(?<![\d,.\w])\d{4,}\.\d+(?![\d%E])")
# More than two decimals (not a percentage): a raw rate (0.023000) or an unrounded sum.
LONG_DECIMALS = re.compile(r"(?<![\d,.\w])\d+\.\d{3,}(?![\d%E])")
HIDDEN = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<textarea\b.*?</textarea>|<input\b[^>]*>|<!--.*?-->",
    re.S | re.I,
)
TAG = re.compile(r"<[^>]+>")
HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(r"export=|logout|\.pdf|/download|/api/|/admin/|/static/|/verify/|format=")

ROLES = [
    ("employer_operator", "employer", "/portal/"),
    ("employer_admin", "employer", "/portal/"),
    (None, "individual", "/portal/"),  # the demo person's username is their ID number
    ("reviewer", "staff", "/office/"),
    ("clerk", "staff", "/office/"),
    ("office_admin", "staff", "/office/"),
]
PAGES_PER_ROLE = 400
MIN_PAGES = {"employer": 40, "individual": 8, "staff": 6}
VARIANTS_PER_PATH = 2


def visible_text(html: str) -> str:
    return unescape(TAG.sub(" ", HIDDEN.sub(" ", html)))


def crawl(client: Client, start: str) -> tuple[dict[str, list[str]], dict[str, int], set[str]]:
    """Breadth-first over the links of the pages a user sees; returns the offending snippets and bad statuses."""
    seen: set[str] = set()
    per_path: dict[str, int] = {}
    queue = deque([start])
    found: dict[str, list[str]] = {}
    failed: dict[str, int] = {}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or per_path.get(path, 0) >= VARIANTS_PER_PATH:
            continue
        seen.add(url)
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        visited += 1
        if response.status_code >= 400:
            failed[url] = response.status_code
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        text = visible_text(html)
        bad = [m.group(0) for rx in (BARE_AMOUNT, LONG_DECIMALS) for m in rx.finditer(text)]
        if bad:
            found[url] = sorted(set(bad))[:5]
        for href in HREF.findall(html):
            href = unescape(href)
            if href.startswith(("/portal/", "/office/", "/accounts/")) and not SKIP.search(href):
                queue.append(href)
    return found, failed, seen


def _submit_for_review() -> None:
    """Two H08 declarations waiting in the review queue, so the reviewer's pages (queue, detail with the current
    base) are crawled too: the demo's own declarations are all decided."""
    operator = User.objects.get(username="employer_operator")
    today = clock.today()
    employments = Employment.objects.filter(employer=operator.employer, status="active").order_by("pk")
    for employment in employments.select_related("person")[:2]:
        services.declaration_submit(
            employer=operator.employer,
            item_code="H08",
            raw={
                "id_number": employment.person.id_number,
                "name": employment.person.name,
                "period": str(Period.from_date(today)),
                "wage": "12345.67",
                "reason": "调薪",
            },
            actor=operator,
            today=today,
        )


@pytest.mark.django_db
def test_no_page_shows_an_unformatted_amount():
    call_command(
        "demo", "--no-serve", "--employers", "8", "--persons", "160", "--period", "202611", "--seed", "5"
    )
    _submit_for_review()
    individual = (
        User.objects.filter(kind=UserKind.INDIVIDUAL).order_by("pk").values_list("username", flat=True)[0]
    )
    problems = {}
    for username, kind, start in ROLES:
        username = username or individual
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD, "kind": kind}
        )
        assert response.status_code == 302, (username, response.content.decode()[:500])
        found, failed, seen = crawl(client, start)
        assert len(seen) >= MIN_PAGES[kind], (
            username,
            sorted(seen),
        )  # the crawl really went through the pages
        if found or failed:
            problems[username] = {"unformatted": found, "failed": failed}
    assert not problems, problems
