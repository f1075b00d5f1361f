"""Phone layout, tap targets, the filters drawer, image zoom, and pages without JavaScript."""

from django.urls import reverse
from playwright.sync_api import expect

from catalogue.models import Product

from .conftest import PHONE

TAN_CUONG_TEA = "Chè Đinh Tân Cương"
# Links and buttons that are controls rather than words in a sentence (WCAG 2.5.5: 44 × 44 px).
CONTROLS = (
    ".site-name, .site-nav a, .language-switcher a, .site-search input, .site-search button, "
    ".breadcrumbs a, .filters-disclosure__summary, .facet__link, .chip, .button, "
    ".pagination__link, .drawer__close, .filters input, .filters select"
)

# The visible ones among `elements` that are smaller than 44 × 44 px (rounded to whole px).
SMALL = """elements => elements
    .filter(e => e.checkVisibility())
    .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
    .filter(([, box]) => Math.round(box.width) < 44 || Math.round(box.height) < 44)
    .map(([html, box]) => [html, Math.round(box.width), Math.round(box.height)])"""


def main_pages() -> list[str]:
    product = Product.objects.get(name=TAN_CUONG_TEA)
    return [
        reverse("catalogue:home"),
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?stars=5",
        product.get_absolute_url(),
        product.producer.get_absolute_url(),
        product.producer.commune.get_absolute_url(),
        reverse("catalogue:commune-list"),
        reverse("catalogue:category-list"),
        reverse("certification:verify") + "?q=" + product.public_code,
        "/en" + product.get_absolute_url(),
        "/khong-co-trang-nay/",
    ]


def test_no_horizontal_scrolling_from_320_px(site, new_context):
    """At 320 and 375 px wide no page is wider than the screen."""
    for width in (320, 375):
        page = new_context(viewport={"width": width, "height": 700}).new_page()
        for path in main_pages():
            page.goto(site + path)
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            assert scroll <= inner, f"{path} at {width} px: {scroll} px wide"


def test_product_grid_has_one_column_on_a_phone_and_more_wider(site, new_context):
    """1 column at 360 px, 2 on a tablet, 4 on the desktop home page."""
    for width, columns in ((360, 1), (700, 2), (1280, 4)):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(site + reverse("catalogue:home"))
        lefts = page.eval_on_selector_all(
            ".product-grid > li", "items => items.map(i => i.getBoundingClientRect().left)"
        )
        assert len(set(lefts)) == columns, (width, lefts)


def test_controls_are_at_least_44_px(site, new_context):
    """On a phone every visible control (link or button) is at least 44 × 44 px."""
    page = new_context(viewport=PHONE).new_page()
    small = []
    for path in main_pages()[:6]:
        page.goto(site + path)
        summary = page.locator(".filters-disclosure__summary")
        if summary.count() and summary.is_visible():
            summary.click()  # the drawer's controls too
        small += [(path, *found) for found in page.eval_on_selector_all(CONTROLS, SMALL)]
    assert not small, "\n".join(map(str, small))


def test_filters_drawer_opens_and_closes_on_a_phone(site, new_context):
    """On a phone the filters open as a drawer, closed by its button or by Escape."""
    page = new_context(viewport=PHONE).new_page()
    # Active filters open the disclosure in the HTML; the script starts it closed on a phone.
    page.goto(site + reverse("catalogue:product-list") + "?stars=5")
    summary = page.locator(".filters-disclosure__summary")
    panel = page.locator(".filters")
    expect(page.locator(".filters-disclosure")).not_to_have_attribute("open", "")
    expect(panel).to_be_hidden()

    summary.click()
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.locator(".filters input[name=q]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(summary).to_be_focused()

    summary.click()
    page.locator(".drawer__close").click()
    expect(panel).to_be_hidden()

    summary.click()
    page.locator(".facet__link[href*='commune=tan-cuong']").click()
    expect(page).to_have_url(
        site + reverse("catalogue:product-list") + "?stars=5&commune=tan-cuong"
    )


def test_filters_are_a_sidebar_on_a_desktop(site, page):
    """On a wide screen the filters are shown without a click."""
    page.goto(site + reverse("catalogue:product-list"))
    expect(page.locator(".filters")).to_be_visible()
    expect(page.locator(".drawer__close")).to_be_hidden()


def test_a_product_photo_zooms_in_a_dialog(site, page):
    """A click on the photo opens it large in a dialog; Escape closes it."""
    product = Product.objects.get(name=TAN_CUONG_TEA)
    page.goto(site + product.get_absolute_url())
    page.locator(".gallery a").first.click()
    dialog = page.locator("dialog.zoom")
    expect(dialog).to_be_visible()
    expect(dialog.locator("img")).to_have_attribute("alt", product.images.first().alt_text)
    assert page.url == site + product.get_absolute_url()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_search_and_filters_work_without_javascript(site, new_context):
    """With JavaScript off, the disclosure, the filter form and the facet links still work."""
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(site + reverse("catalogue:product-list"))
    page.locator(".filters-disclosure__summary").click()
    page.locator(".facet__link[href='?stars=5']").click()
    expect(page.locator(".chip--remove")).to_contain_text("5 sao")
    expect(page.locator(".filters")).to_be_visible()  # open: a filter is active
    page.locator(".filters input[name=q]").fill("tan cuong")
    page.locator(".filters button[type=submit]").click()
    assert "stars=5" in page.url and "q=tan+cuong" in page.url
    assert TAN_CUONG_TEA in page.locator(".card__title").all_inner_texts()

    product = Product.objects.get(name=TAN_CUONG_TEA)
    page.goto(site + product.get_absolute_url())
    page.locator(".gallery a").first.click()  # a plain link to the large photo
    assert page.url != site + product.get_absolute_url()
