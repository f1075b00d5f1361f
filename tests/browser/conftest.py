"""A real browser for the tests in this folder: Debian's Chromium driven by Playwright.

Without /usr/bin/chromium (or without axe-core in node_modules/ for the accessibility
checks) the tests are skipped with a message saying how to get it; with
BROWSER_TESTS_REQUIRED=1 (set by .ci/run) they fail instead, so CI cannot go green
by skipping them.
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.test import override_settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED") == "1"
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def unavailable(message: str):
    """Skip, or fail when the browser tests are required."""
    if REQUIRED:
        pytest.fail(f"{message} (BROWSER_TESTS_REQUIRED=1: a skip is a failure)", pytrace=False)
    pytest.skip(message)


# Package scope: Playwright's loop stops when this folder is done, before the other tests.
@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        unavailable(
            f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (Debian) "
            "to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, which makes Django refuse
    # ORM calls from the tests ("SynchronousOnlyOperation"); they are synchronous. Only
    # while this folder runs: `check --deploy` in other tests rejects the variable.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def new_context(browser):
    """Opens browser contexts (a viewport, JavaScript off, ...), all closed after the test."""
    contexts = []

    def new_context(**options):
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def axe_path():
    if not AXE.exists():
        unavailable(
            f"axe-core not found at {AXE}: run `npm ci` in the project folder "
            "to run the accessibility checks"
        )
    return AXE


def is_test_database(connection) -> bool:
    name = str(connection.settings_dict["NAME"])
    return (
        name.startswith(TEST_DATABASE_PREFIX)
        or name == connection.settings_dict["TEST"]["NAME"]
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())
    )


@pytest.fixture(scope="package")
def site(browser, django_db_setup, django_db_blocker):
    """A live server over the real communes, categories and demo products; its address.

    Loaded once for the whole folder and committed, so the server's thread sees it on
    every database, and the tests read it freely. Tests that change data put it back.
    The database is emptied at the end, as a transactional test would leave it.
    Tests here must not ask for `db` (nor `django_user_model`, which does): its transaction
    would hide their rows from the server's own PostgreSQL connection.
    SITE_URL points at the server, so QR codes lead to it. Without a browser, no site:
    the tests skip before anything loads.
    """
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        # pytest-django creates the test database only for tests that ask for `db`; these
        # use the committed data instead, so when they run alone they create it here.
        created = None
        if not is_test_database(connection):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        assert is_test_database(connection), "refusing to load data outside a test database"
        cache.clear()  # no page or QR code cached by earlier tests on other data
        call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()  # ALLOWED_HOSTS += localhost
        with override_settings(SITE_URL=server.url):
            yield server.url
        server._live_server_modified_settings.disable()
        server.stop()
        cache.clear()
        call_command("flush", interactive=False, verbosity=0)
        if created:
            teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def staff_accounts_go(request, django_db_blocker):
    """Accounts a test creates on the shared live site are deleted after it."""
    yield
    if "site" in request.fixturenames:
        from django.contrib.auth import get_user_model

        with django_db_blocker.unblock():
            get_user_model().objects.all().delete()
