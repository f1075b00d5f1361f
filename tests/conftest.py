import time

import pytest
from django.test import override_settings
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files in tests go to a temporary folder, never ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.invalid", "pw")
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def real_catalogue(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real communes, categories and demo products, loaded once for a whole test module.

    Loading them takes seconds on PostgreSQL. Each test still runs in a transaction that is
    rolled back, so its edits never reach the next test; the rows go when the module ends.
    """
    from django.core.management import call_command

    from catalogue.models import Category, Producer, Product
    from certification.models import Certificate
    from places.models import Commune
    from sources.models import Lead, OfficialFigure, Source

    with django_db_blocker.unblock():
        call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
    yield
    # Deleting images deletes their files: never from the real ./media.
    media = tmp_path_factory.mktemp("media")
    # Nor any history rows: they would outlive the module, unlike the rows of each test.
    no_history = override_settings(SIMPLE_HISTORY_ENABLED=False)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), no_history:
        Certificate.objects.all().delete()
        Product.objects.all().delete()  # with their images and links
        Producer.objects.all().delete()
        Commune.objects.all().delete()  # with their former units
        for level in reversed(Category.Level.values):
            Category.objects.filter(level=level).delete()
        OfficialFigure.objects.all().delete()
        Lead.objects.all().delete()
        Source.objects.all().delete()


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks (imports) run inside the request that queues them: no worker needed.

    tests/test_import_jobs.py starts a real worker where it needs one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty cache: its rolled-back rows must not linger as pages."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def stored_stars_checked():
    """Saves keep the stored stars right: no page needs to check them for a new day.

    So the first page a test requests runs the same queries as the next.
    """
    from catalogue.models import stars

    stars.STORED_STARS_CHECKED[:] = [timezone.localdate(), time.monotonic()]


@pytest.fixture(autouse=True)
def site_language():
    """A request to /en/ or /fr/ leaves its language active: back to the default after each test."""
    yield
    translation.deactivate()


def pytest_terminal_summary(terminalreporter):
    """The hostile-input tally (tests/hostile.py), when those tests ran."""
    import sys

    hostile = sys.modules.get("tests.hostile")
    if hostile and hostile.TALLY["cases"]:
        terminalreporter.write_line(
            f"hostile input: {hostile.TALLY['cases']} cases tried, "
            f"{hostile.TALLY['server errors']} server errors (500s) seen"
        )
