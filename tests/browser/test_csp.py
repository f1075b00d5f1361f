"""The strict Content-Security-Policy in a real browser: nothing blocked, admin scripts run."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from catalogue.models import Product

# Runs before any page script and outside the page's policy (Playwright injects it).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def watched(context):
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console) -> list[str]:
    return page.evaluate("window.cspViolations") + console


def test_public_pages_break_no_rule(site, watched):
    page, console = watched
    product = Product.objects.filter(images__isnull=False).first()
    for url in [
        reverse("catalogue:home"),
        reverse("catalogue:product-list") + "?stars=4",
        product.get_absolute_url(),
        product.get_absolute_url() + "label/?layout=sheet",
        reverse("certification:verify") + f"?q={product.public_code}",
        reverse("catalogue:commune-list"),
        reverse("catalogue:statistics"),
        "/en" + reverse("catalogue:product-list"),
    ]:
        page.goto(site + url)
        expect(page.locator("main")).to_be_visible()
        page.wait_for_load_state("load")
        assert violations(page, console) == [], url


def test_the_admin_works_under_the_policy(site, watched):
    """Signing in and the admin's forms and widgets load with no violation, and its scripts run."""
    page, console = watched
    get_user_model().objects.create_superuser("editor", "editor@example.invalid", "s3cret-pass")
    page.goto(site + reverse("admin:login"))
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("s3cret-pass")
    page.locator("input[type=submit], button[type=submit]").first.click()
    expect(page.locator("#user-tools")).to_be_visible()
    product = Product.objects.filter(images__isnull=False).first()
    for url in [
        reverse("admin:index"),
        reverse("admin:catalogue_product_changelist"),
        reverse("admin:catalogue_product_change", args=[product.pk]),
        reverse("admin:catalogue_producer_change", args=[product.producer.pk]),
        reverse("admin:certification_certificate_changelist"),
        reverse("admin:auth_user_add"),
    ]:
        page.goto(site + url)
        expect(page.locator("#content")).to_be_visible()
        page.wait_for_load_state("load")
        assert violations(page, console) == [], url
    page.goto(site + reverse("admin:certification_certificate_add"))
    # DateTimeShortcuts.js adds the "Today" link and calendar beside each date field.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    assert violations(page, console) == []
