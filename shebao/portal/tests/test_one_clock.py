"""One clock: at 23:30 UTC on the last day of November it is already 1 December in Asia/Shanghai, so every page
shows 2026-12-01 as today and 202612 as the current period; what is issued then is dated 2026-12-01 07:30."""

import re

import pytest
from django.urls import get_resolver
from freezegun import freeze_time

from shebao.accounts.permissions import visible_items
from shebao.portal.registry import ITEM_VIEWS

from .queryhelpers import pdf_text, table_rows, text_of

pytestmark = pytest.mark.django_db

UTC_MOMENT = "2026-11-30T23:30:00+00:00"  # = 2026-12-01 07:30 in Asia/Shanghai
PERIOD_INPUTS = re.compile(r'<input[^>]*name="(period|end|start_period|year)"[^>]*value="([^"]*)"')


def _pages(user):
    yield "/portal/"
    if user.kind == "individual":
        yield "/portal/me/"
    for item in visible_items(user):
        if item.code in ITEM_VIEWS:
            yield f"/portal/items/{item.code}/"


@pytest.mark.parametrize("who", ["operator_a", "individual"])
def test_every_portal_page_takes_today_and_the_period_in_shanghai(personas, login_as, who):
    user = getattr(personas, who)
    client = login_as(user)
    seen_defaults = 0
    assert get_resolver().url_patterns  # build the URLconf (and the API's schemas) before the clock is frozen
    with freeze_time(UTC_MOMENT):
        for url in _pages(user):
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "2026-11-30" not in html and "20261130" not in html, url
            for name, value in PERIOD_INPUTS.findall(html):
                seen_defaults += 1
                expected = "2026" if name == "year" else "202612"
                assert value == expected, (url, name, value)
    assert seen_defaults >= 3  # the walk did meet pages with a default period


def test_what_is_issued_at_that_moment_is_dated_in_shanghai(personas, login_as):
    from shebao.core.signing import office_signer

    office_signer()  # the demo signing key is made before the clock is frozen (cryptography rejects freezegun's)
    operator = login_as(personas.operator_a)
    with freeze_time(UTC_MOMENT):
        # Q11 answers "as of today"
        assert "截至 2026-12-01" in text_of(operator.get("/portal/items/Q11/"))
        pdf = operator.post("/portal/items/Q16/", {"kind": "employer", "start": "202401", "end": "202410"})
        assert pdf["Content-Type"] == "application/pdf"
        assert "2026-12-01 07:30" in pdf_text(pdf.content)
        listed = operator.get("/portal/items/Q16/")
        (row,) = table_rows(listed)
        assert "2026-12-01" in row
        exported = operator.get("/portal/items/Q16/", {"format": "csv"}).getvalue().decode("utf-8-sig")
        assert "2026-12-01" in exported and "2026-11-30" not in exported
