"""Phones: every portal page at 390×844 (and 360 wide) fits its width — tables scroll inside their own box, the
header folds, forms are one column — with a screenshot of each at phone and desktop size; and an axe-core pass
over every page finds no serious or critical accessibility violation."""

import datetime as dt

import pytest
from django.utils import timezone

from shebao.accounts.permissions import visible_items
from shebao.conftest import ARTIFACTS, browser_login
from shebao.portal.registry import ITEM_VIEWS
from shebao.testing import PASSWORD, Personas

from .queryhelpers import History

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
NOW = dt.datetime(2024, 3, 15, 2, 0, tzinfo=dt.UTC)  # 2024-03-15 10:00 in Shanghai: History's data is current


def _pages(user, personas):
    yield "home", "/portal/"
    for item in visible_items(user):
        if item.code in ITEM_VIEWS:
            yield item.code, f"/portal/items/{item.url_code}/"
    if user.kind == "individual":
        yield "me", "/portal/me/"
        return
    id_number = personas.person_1.id_number
    yield "Q03-period", "/portal/items/Q03/?period=202403"
    yield "Q07-person", f"/portal/items/Q07/?id_number={id_number}&year=2024"
    yield "Q08-person", f"/portal/items/Q08/?id_number={id_number}&year=2024"
    yield "Q09-person", "/portal/items/Q09/?name=王小明&start=202401&end=202403"
    yield "employee", f"/portal/employees/?id_number={id_number}"
    yield "search", "/portal/search/?q=王"
    yield "H01-lookup", f"/portal/items/H01/?id_number={id_number}&lookup=1"


def _too_wide(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("who", ["operator_a", "individual"])
def test_every_portal_page_fits_a_phone_and_passes_axe(browser_context_factory, monkeypatch, who):
    personas = Personas()
    History(personas)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    user = getattr(personas, who)
    context = browser_context_factory()
    page = context.new_page()
    kind = "individual" if who == "individual" else "employer"
    browser_login(page, user.username, PASSWORD, kind=kind)
    folder = ARTIFACTS / "screenshots" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    too_wide, inaccessible, visited = [], [], 0
    for name, url in _pages(user, personas):
        for size, label in ((PHONE, "phone"), (NARROW, None), (DESKTOP, "desktop")):
            page.set_viewport_size(size)
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            page.wait_for_load_state("networkidle")
            if size is not DESKTOP and (extra := _too_wide(page)) > 0:
                too_wide.append(f"{url} at {size['width']}px: {extra}px too wide")
            if label:
                page.screenshot(path=str(folder / f"{who}-{name}-{label}.png"), full_page=True)
            if size is PHONE:
                inaccessible += [f"{url}: {v}" for v in _serious(page)]
        visited += 1
    assert visited >= (30 if who == "operator_a" else 7)
    assert not too_wide, "\n".join(too_wide)
    assert not inaccessible, "\n".join(inaccessible)


def test_public_pages_fit_a_phone_and_pass_axe(browser_context_factory):
    Personas()
    page = browser_context_factory().new_page()
    folder = ARTIFACTS / "screenshots" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, url in (("public-home", "/"), ("login", "/accounts/login/")):
        page.set_viewport_size(PHONE)
        page.goto(url)
        if (extra := _too_wide(page)) > 0:
            problems.append(f"{url}: {extra}px too wide")
        page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
        problems += [f"{url}: {v}" for v in _serious(page)]
    assert not problems, "\n".join(problems)
