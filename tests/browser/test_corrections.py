"""Corrections from the public in a browser: report from a product page, accept in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from catalogue.models import Product
from corrections.models import CorrectionReport

from .conftest import DESKTOP, PHONE
from .test_accessibility import run_axe
from .test_csp import RECORD_VIOLATIONS
from .test_layout import CONTROLS, SMALL

TAN_CUONG_TEA = "Chè Đinh Tân Cương"
EMAIL = "nguoi-bao@example.invalid"


@pytest.fixture
def no_reports_left(site):
    """The reports and rate-limit counts a test makes go with it: the site is shared."""
    yield
    CorrectionReport.objects.all().delete()
    cache.clear()


def test_a_visitor_reports_an_error_and_staff_accept_it(site, new_context, no_reports_left):
    product = Product.objects.get(name=TAN_CUONG_TEA)
    visitor = new_context()
    visitor.add_init_script(RECORD_VIOLATIONS)
    page = visitor.new_page()
    page.goto(site + product.get_absolute_url())
    page.locator(".product").get_by_role("link", name="Báo lỗi hoặc sản phẩm còn thiếu").click()
    expect(page).to_have_url(f"{site}/report/?product={product.slug}")
    expect(page.locator(".report__product")).to_contain_text(TAN_CUONG_TEA)

    # The honeypot is off screen and out of the Tab order.
    box = page.locator("#id_subject").bounding_box()
    assert box["x"] + box["width"] <= 0
    page.get_by_label("Điều gì chưa đúng?").focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") != "subject"

    page.get_by_label("Điều gì chưa đúng?").fill("Số điện thoại của HTX đã đổi: 0208 3855 999.")
    page.get_by_label("Địa chỉ nguồn (không bắt buộc)").fill("https://thainguyen.gov.vn/ocop")
    page.get_by_label("Email của bạn (không bắt buộc)").fill(EMAIL)
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page).to_have_url(f"{site}/report/thanks/")
    expect(page.locator("h1")).to_have_text("Cảm ơn bạn đã báo lỗi")
    assert EMAIL not in page.content()
    assert page.evaluate("window.cspViolations") == []
    report = CorrectionReport.objects.get()
    assert (report.product, report.status, report.email) == (product, "new", EMAIL)

    get_user_model().objects.create_superuser("editor", "e@example.invalid", "s3cret-pw")
    admin = new_context().new_page()
    admin.goto(site + reverse("admin:corrections_correctionreport_changelist"))
    admin.locator("#id_username").fill("editor")
    admin.locator("#id_password").fill("s3cret-pw")
    admin.locator("input[type=submit], button[type=submit]").first.click()
    row = admin.locator("#result_list tbody tr", has_text=TAN_CUONG_TEA)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("mới")
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("accept")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist .success")).to_contain_text("1 báo cáo đã được chấp nhận.")
    expect(row).to_contain_text("đã chấp nhận")
    report.refresh_from_db()
    assert report.status == "accepted"
    assert report.handled_by.username == "editor" and report.handled_at is not None

    admin.goto(site + reverse("admin:corrections_correctionreport_change", args=[report.pk]))
    expect(admin.locator(".field-email")).to_contain_text(EMAIL)
    expect(admin.locator(".field-handled_by")).to_contain_text("editor")


def test_a_refused_report_says_why_next_to_the_field(site, page, no_reports_left):
    page.goto(site + "/en/report/")
    page.get_by_label("What is wrong?").fill("<script>alert(1)</script>")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".notice--error")).to_contain_text("Your report was not sent.")
    message = page.get_by_label("What is wrong?")
    expect(message).to_have_attribute("aria-invalid", "true")
    expect(message).to_have_value("<script>alert(1)</script>")  # kept, as text
    described = message.get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{id}").inner_text() for id in described]
    assert "Please write plain text, without HTML tags or scripts." in texts
    assert CorrectionReport.objects.count() == 0


def report_pages() -> dict[str, str]:
    product = Product.objects.get(name=TAN_CUONG_TEA)
    return {
        "form": "/report/",
        "form for a product": f"/report/?product={product.slug}",
        "form, French": f"/fr/report/?product={product.slug}",
        "thanks": "/report/thanks/",
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_no_axe_violation_on_the_report_pages(site, new_context, axe_path, viewport):
    """Not even a minor one, with the form refused and its errors showing too."""
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    found = {}
    for name, path in report_pages().items():
        page.goto(site + path)
        found[name] = run_axe(page, axe_path)
    page.goto(site + "/report/")
    page.get_by_label("Điều gì chưa đúng?").fill("<b>in đậm</b>")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".notice--error")).to_be_visible()
    found["refused form"] = run_axe(page, axe_path)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_form_fits_a_phone_with_large_controls(site, new_context):
    for width in (320, 375):
        page = new_context(viewport={"width": width, "height": 700}).new_page()
        page.goto(site + "/report/")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll <= inner, f"{width} px: {scroll} px wide"
        fields = ".report__form textarea, .report__form input:not([type=hidden])"
        small = page.eval_on_selector_all(f"{CONTROLS}, {fields}", SMALL)
        assert [s for s in small if "subject" not in s[0]] == [], small
