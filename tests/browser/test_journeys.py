"""What a visitor and an editor do, in a real browser against the live server."""

import io

import zxingcpp
from django.contrib.auth import get_user_model
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from catalogue.models import Product
from catalogue.views import PAGE_SIZE

TAN_CUONG_TEA = "Chè Đinh Tân Cương"


def breadcrumb_trail(page) -> list[str]:
    return [item.inner_text().strip() for item in page.locator(".breadcrumbs li").all()]


def test_home_then_a_commune_then_one_of_its_products(site, page):
    """Home page → a commune's products → a product, whose breadcrumbs are Home › Commune › it."""
    page.goto(site + reverse("catalogue:home"))
    page.locator(".site-nav").get_by_role("link", name="Xã, phường").click()
    page.get_by_role("link", name="Tân Cương", exact=False).first.click()
    expect(page.locator("h1")).to_have_text("Tân Cương")
    page.locator(".card__title a", has_text=TAN_CUONG_TEA).click()
    expect(page.locator("h1")).to_have_text(TAN_CUONG_TEA)
    assert breadcrumb_trail(page) == ["Trang chủ", "Tân Cương", TAN_CUONG_TEA]
    page.locator(".breadcrumbs").get_by_role("link", name="Tân Cương").click()
    expect(page.locator("h1")).to_have_text("Tân Cương")


def test_filtering_by_stars_lists_only_that_rating(site, page):
    """The 4-star facet lists exactly its count of products, every one of them rated 4 stars."""
    page.goto(site + reverse("catalogue:product-list"))
    facet = page.locator(".facet__link[href='?stars=4']")
    expected = int(facet.locator(".facet__count").inner_text())
    facet.click()
    expect(page).to_have_url(site + reverse("catalogue:product-list") + "?stars=4")
    ratings = page.locator(".product-grid .card__stars .visually-hidden").all_inner_texts()
    assert ratings == ["4 sao"] * min(expected, PAGE_SIZE)  # the first page of the list
    expect(page.locator(".chip--remove")).to_contain_text("4 sao")


def test_search_without_diacritics_finds_the_tan_cuong_teas(site, page):
    """'che tan cuong' typed without tone marks finds Chè … Tân Cương."""
    page.goto(site + reverse("catalogue:home"))
    page.locator("#site-search-q").fill("che tan cuong")
    page.locator("#site-search-q").press("Enter")
    titles = page.locator(".card__title").all_inner_texts()
    assert TAN_CUONG_TEA in titles
    assert all(title.startswith("Chè") for title in titles), titles


def test_a_product_page_in_english_and_french(site, page):
    """The language switcher keeps the visitor on the same product, in English then French."""
    product = Product.objects.get(name=TAN_CUONG_TEA)
    page.goto(site + product.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator(".language-switcher a[hreflang='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.startswith(site + "/en/products/" + product.slug)
    expect(page.locator(".breadcrumbs li").first).to_have_text("Home")
    expect(page.locator(".product__stars .visually-hidden")).to_have_text("5 stars")
    page.locator(".language-switcher a[hreflang='fr']").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url.startswith(site + "/fr/products/" + product.slug)
    expect(page.locator(".product__stars .visually-hidden")).to_have_text("5 étoiles")


def test_scanning_the_qr_code_opens_the_product_page(site, page):
    """The QR code printed on the label decodes to the live product page."""
    product = Product.objects.get(name=TAN_CUONG_TEA)
    response = page.request.get(site + reverse("catalogue:product-qr-png", args=[product.slug]))
    assert response.ok
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
    assert code.text == site + product.get_absolute_url()
    page.goto(code.text)
    expect(page.locator("h1")).to_have_text(TAN_CUONG_TEA)
    expect(page.locator(".trace__code")).to_have_text(product.public_code)


def test_staff_log_in_and_rename_a_product_seen_by_visitors(site, new_context):
    """An editor logs into the admin, renames a product, and a visitor sees the new name."""
    get_user_model().objects.create_superuser("editor", "e@example.invalid", "s3cret-pw")
    product = Product.objects.get(name=TAN_CUONG_TEA)
    try:
        page = new_context().new_page()
        page.goto(site + reverse("admin:catalogue_product_change", args=[product.pk]))
        page.locator("#id_username").fill("editor")
        page.locator("#id_password").fill("s3cret-pw")
        page.locator("input[type=submit], button[type=submit]").first.click()
        expect(page.locator("#id_name")).to_have_value(TAN_CUONG_TEA)
        page.locator("#id_name").fill("Chè Đinh Tân Cương đặc biệt")
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()

        visitor = new_context().new_page()
        visitor.goto(site + product.get_absolute_url())
        expect(visitor.locator("h1")).to_have_text("Chè Đinh Tân Cương đặc biệt")
    finally:  # the other tests share the catalogue
        product.refresh_from_db()
        product.name = TAN_CUONG_TEA
        product.save()
