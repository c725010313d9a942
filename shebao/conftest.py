import os
from importlib import import_module
from pathlib import Path

import pytest
from django.test import Client

from shebao.testing import Personas


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


@pytest.fixture
def login_as():
    """login_as(user) → a test Client logged in as that user (forces login, bypassing the login page)."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _policy_parameters_survive_flush(request):
    """Transactional tests (browser, races) flush every table afterwards, including the policy parameters that a
    data migration seeded; put them back for the next test, in whatever order the tests run."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from shebao.parameters.models import InsuranceRate, MaternityRule

    class Seeded:  # the seed names the models by their label when it was written (contributions)
        @staticmethod
        def get_model(app_label, name):
            return apps.get_model("parameters", name)

    if not InsuranceRate.objects.exists():
        import_module("shebao.contributions.migrations.0002_seed_illustrative_parameters").seed(Seeded, None)
    if not MaternityRule.objects.exists():  # divisors, grant months, leave days (parameters 0003)
        import_module("shebao.parameters.migrations.0003_seed_divisors_grants_maternity").seed(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (settings); tests hash with MD5 so the suite stays fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Browser tests (Playwright on Debian's chromium); marked `browser`, run by .ci/run separately. ---

CHROMIUM = os.environ.get("SHEBAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(os.environ.get("SHEBAO_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (never a downloaded browser)."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test itself are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def browser_context_factory(browser, live_server):
    """new_context() → a fresh browser context (its own cookies) pointed at the live server, in Chinese."""
    contexts = []

    def _new():
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(browser_context_factory):
    """A Playwright page on a fresh context; page.goto("/portal/") is relative to the live server."""
    return browser_context_factory().new_page()


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot as a CI artifact: artifacts/screenshots/<name>.png."""
    target = ARTIFACTS / "screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


def browser_login(page, username: str, password: str, *, kind: str = "employer") -> None:
    """Log in through the real login page (kind: employer, individual, or staff for the office)."""
    if kind == "staff":
        page.goto("/accounts/login/?kind=staff")
    else:
        page.goto("/accounts/login/")
        page.locator(f"input[name=kind][value={kind}]").check()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
