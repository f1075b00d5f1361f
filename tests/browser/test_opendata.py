"""The API's documentation and /open-data/ in a real browser, under the strict policy."""

from urllib.parse import urlsplit

from django.urls import reverse
from playwright.sync_api import expect

from .test_accessibility import run_axe
from .test_csp import RECORD_VIOLATIONS, violations


def test_the_api_docs_work_with_our_own_files_only(site, context):
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console, requests = [], []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OCOP")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 10
    # Opening an operation and trying it sends a request to the API, from the page's origin.
    page.locator("#operations-products-opendata_api_list_products").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live = page.locator(".live-responses-table tbody .response-col_status")
    expect(live.first).to_contain_text("200")
    page.wait_for_load_state("networkidle")
    site_origin = urlsplit(site).netloc
    others = [url for url in requests if urlsplit(url).netloc not in (site_origin, "")]
    assert [url for url in others if not url.startswith("data:")] == []
    assert violations(page, console) == []


def test_the_open_data_page_is_accessible_and_its_files_download(site, new_context, axe_path):
    page = new_context(bypass_csp=True).new_page()  # axe is injected as an inline script
    page.goto(site + reverse("opendata:dataset"))
    expect(page.locator("h1")).to_be_visible()
    serious = [v["id"] for v in run_axe(page, axe_path) if v["impact"] in ("serious", "critical")]
    assert serious == []
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("ocop-thai-nguyen-")
