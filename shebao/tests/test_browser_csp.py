"""The Content-Security-Policy allows no inline style or script: a real browser walks the main pages of each
kind of user and the console shows no violation (issue 14)."""

import pytest

from shebao.conftest import browser_login, screenshot
from shebao.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _collect(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text}")
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    # Violations are also reported as DOM events: count them on every page.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
    )
    return problems


def _visit(page, problems: list[str], paths: list[str], shot: str) -> int:
    visited = 0
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}, path
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        problems += [f"{path}: {v}" for v in violations]
        visited += 1
    screenshot(page, shot)
    return visited


def test_main_pages_show_no_csp_violation(browser_context_factory):
    personas = Personas()
    walks = [
        (None, "", ["/", "/accounts/login/", "/accounts/login/?kind=staff", "/verify/certificate/ZM0/"]),
        (
            personas.admin_a,
            "employer",
            [
                "/portal/",
                "/portal/me/",
                "/portal/items/Q01/",
                "/portal/items/Q02/",
                "/portal/items/Q03/",
                "/portal/items/Q18/",
                "/portal/items/Q19/",
                "/portal/items/H01/",
                "/portal/items/H07/",
                "/portal/items/H19/",
                "/portal/items/progress/",
                "/accounts/security/",
                "/portal/items/Q02/?print=1",
            ],
        ),
        (personas.individual, "individual", ["/portal/", "/portal/items/Q07/", "/portal/items/Q09/"]),
        (
            personas.office_admin,
            "staff",
            [
                "/office/",
                "/office/users/",
                "/office/settlements/",
                "/office/arrivals/",
                "/office/benefits/",
                "/office/interest/",
                "/office/admin/",
            ],
        ),
        (personas.reviewer, "staff", ["/office/review/", "/office/review/auto-rules/"]),
        (personas.clerk, "staff", ["/office/counter/", "/office/review/counter/"]),
    ]
    problems: list[str] = []
    visited = 0
    for user, kind, paths in walks:
        page = browser_context_factory().new_page()
        problems += _collect(page)
        if user is not None:
            browser_login(page, user.username, PASSWORD, kind=kind)
        visited += _visit(page, problems, paths, f"csp-{kind or 'public'}")
    assert visited == sum(len(p) for _u, _k, p in walks)
    assert not [p for p in problems if "404" not in p], "\n".join(problems)
