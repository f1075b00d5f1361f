"""The anonymous page cache: served without queries, and never stale after a change."""

import datetime
import gzip
import re
from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from marks.models import QualityMark
from places.models import Commune

from .adminforms import form_data
from .factories import (
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_producer,
    make_product,
)
from .spreadsheets import ROW, load_places, write_csv

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def page_urls(product: Product) -> dict[str, str]:
    """Every public page that can show `product`, its producer, commune, category or stars."""
    producer, commune, category = product.producer, product.producer.commune, product.category
    products = reverse("catalogue:product-list")
    return {
        "home": reverse("catalogue:home"),
        "list": products,
        "list-filtered": f"{products}?commune={commune.slug}&sort=name",
        "search": f"{products}?q={product.name.split()[0]}",
        "detail": product.get_absolute_url(),
        "detail-en": "/en" + product.get_absolute_url(),
        "label": reverse("catalogue:product-label", args=[product.slug]),
        "producers": reverse("catalogue:producer-list"),
        "producer": producer.get_absolute_url(),
        "communes": reverse("catalogue:commune-list"),
        "commune": commune.get_absolute_url(),
        "categories": reverse("catalogue:category-list"),
        "category": category.get_absolute_url(),
        "sector": category.parent.get_absolute_url(),
        **{f"stars-{n}": reverse("catalogue:star-detail", args=[n]) for n in (3, 4, 5)},
    }


def read(client: Client, urls: dict[str, str]) -> dict[str, bytes]:
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        pages[name] = response.content
    return pages


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def fresh(settings, urls: dict[str, str]) -> dict[str, bytes]:
    """The pages rendered now, with the page cache off."""
    timeout, settings.PAGE_CACHE_TIMEOUT = settings.PAGE_CACHE_TIMEOUT, 0
    try:
        return read(Client(), urls)
    finally:
        settings.PAGE_CACHE_TIMEOUT = timeout


def comparable(name: str, pages: dict[str, bytes]):
    # The home page features five-star products in random order.
    return sorted(pages[name].splitlines()) if name == "home" else pages[name]


def assert_pages_follow(settings, anonymous: Client, urls, before, change, must_change):
    """After `change`, every page is as fresh; the `must_change` pages differ from `before`."""
    change()
    after = read(anonymous, urls)
    now = fresh(settings, urls)
    stale = [name for name in urls if comparable(name, after) != comparable(name, now)]
    assert not stale, f"stale cached pages: {stale}"
    unchanged = [name for name in must_change if after[name] == before[name]]
    assert not unchanged, f"pages that should show the change: {unchanged}"


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_superuser("cache-staff", "s@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """Two certified tea products of one commune, one with a photo; a third product elsewhere."""
    sector = make_category(name="Thực phẩm")
    group = make_category(name="Chè", parent=sector)
    commune = make_commune(name="Tân Cương")
    producer = make_producer(name="HTX Chè Hảo Đạt", commune=commune)
    product = make_product(name="Chè búp Hảo Đạt", producer=producer, category=group)
    make_image(product=product)
    certificate = make_certificate(product=product, stars=4)
    other = make_product(
        name="Chè móc câu La Bằng", producer=make_producer(commune=commune), category=group
    )
    make_certificate(product=other, stars=5)
    make_certificate(product=make_product(category=make_category()), stars=3)
    return {"product": product, "certificate": certificate, "other": other}


@pytest.fixture
def warm(world, anonymous):
    """The pages of `world`, read once by a visitor: they are all in the cache now."""
    urls = page_urls(world["product"])
    before = read(anonymous, urls)
    return urls, before


# Changes made from a shell: plain save() and delete(), as any code would


def rename_product(w):
    w["product"].name = "Chè Thái Hảo Hạng"
    w["product"].save()


def rename_producer(w):
    w["product"].producer.name = "HTX Chè Hảo Đạt Mới"
    w["product"].producer.save()


def upgrade_certificate(w):
    w["certificate"].stars = 5
    w["certificate"].save()


def add_certificate(w):
    make_certificate(product=w["product"], stars=3, decision_date=timezone.localdate() - ONE_DAY)


def revoke_certificate(w):
    w["certificate"].revoked_on = timezone.localdate()
    w["certificate"].revocation_reason = "Không duy trì chất lượng"
    w["certificate"].save()


def add_image(w):
    make_image(product=w["other"])


def remove_image(w):
    w["product"].images.get().delete()


def rename_commune(w):
    commune = w["product"].producer.commune
    commune.name = "Tân Cương Mới"
    commune.save()


def rename_category(w):
    w["product"].category.name = "Chè và trà"
    w["product"].category.save()


def unpublish_product(w):
    w["product"].is_published = False
    w["product"].save()


def add_link(w):
    make_link(product=w["product"], label="Gian hàng Postmart")


def add_quality_mark(w):
    mark = QualityMark.objects.create(kind=QualityMark.Kind.VIETGAP, name="VietGAP Hảo Đạt")
    mark.products.add(w["product"])


EVERYWHERE = ["detail", "list", "list-filtered", "producer", "commune", "category", "sector"]
PRODUCT_CATEGORY = ["detail", "list", "list-filtered", "commune", "category", "sector"]
STAR_PAGES = ["list", "list-filtered", "stars-4", "stars-5", "home", "commune", "category"]

SHELL_CHANGES: dict[str, tuple[Callable, list[str]]] = {
    "product renamed": (rename_product, [*EVERYWHERE, "stars-4", "label"]),
    "producer renamed": (rename_producer, [*EVERYWHERE, "producers", "label"]),
    "certificate upgraded": (upgrade_certificate, [*STAR_PAGES, "detail"]),
    "new certificate": (add_certificate, ["detail", "stars-3", "stars-4", "list"]),
    "certificate revoked": (revoke_certificate, ["detail", "stars-4", "list", "home"]),
    "image added": (add_image, ["list", "commune", "stars-5", "home"]),
    "image removed": (remove_image, ["detail", "list", "producer", "stars-4"]),
    "commune renamed": (rename_commune, [*EVERYWHERE, "communes", "home", "producers"]),
    "category renamed": (rename_category, [*PRODUCT_CATEGORY, "categories"]),
    "product unpublished": (unpublish_product, ["list", "commune", "stars-4", "home"]),
    "shop link added": (add_link, ["detail"]),
    "quality mark added": (add_quality_mark, ["detail"]),
}


@pytest.mark.parametrize("change", SHELL_CHANGES)
def test_a_change_saved_from_a_shell_shows_on_the_next_request(
    settings, world, warm, anonymous, change
):
    """Every page, cached before, is as fresh as an uncached one right after the change."""
    urls, before = warm
    assert queries(anonymous, urls["list"]) == 0  # the pages are cached
    apply, must_change = SHELL_CHANGES[change]
    assert_pages_follow(settings, anonymous, urls, before, lambda: apply(world), must_change)


# Changes made by staff in the admin


def change_in_admin(staff: Client, obj, **fields) -> None:
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(staff.get(url).content, f"{obj._meta.model_name}_form")
    response = staff.post(url, data | fields)
    assert response.status_code == 302, response.context and response.context.get("errors")


def admin_remove_image(staff, w):
    product = w["product"]
    url = admin_url(Product, "change", product.pk)
    data = form_data(staff.get(url).content, "product_form")
    response = staff.post(url, data | {"images-0-DELETE": "on"})
    assert response.status_code == 302
    assert not product.images.exists()


def admin_add_certificate(staff, w):
    url = admin_url(Certificate, "add")
    data = form_data(staff.get(url).content, "certificate_form") | {
        "product": w["product"].pk,
        "stars": "3",
        "score": "60",
        "decision_number": "99/QĐ-UBND",
        "decision_date": (timezone.localdate() - ONE_DAY).isoformat(),
        "issuer_level": Certificate.IssuerLevel.PROVINCE,
    }
    assert staff.post(url, data).status_code == 302


def admin_unpublish(staff, w):
    response = staff.post(
        admin_url(Product, "changelist"),
        {"action": "unpublish", "_selected_action": [w["product"].pk]},
    )
    assert response.status_code == 302
    assert not Product.objects.get(pk=w["product"].pk).is_published


ADMIN_CHANGES: dict[str, tuple[Callable, list[str]]] = {
    "product renamed": (
        lambda staff, w: change_in_admin(staff, w["product"], name="Chè Thái Hảo Hạng"),
        [*EVERYWHERE, "stars-4"],
    ),
    "producer renamed": (
        lambda staff, w: change_in_admin(staff, w["product"].producer, name="HTX Hảo Đạt Mới"),
        [*EVERYWHERE, "producers"],
    ),
    "certificate upgraded": (
        lambda staff, w: change_in_admin(staff, w["certificate"], stars="5", score="95"),
        [*STAR_PAGES, "detail"],
    ),
    "certificate revoked": (
        lambda staff, w: change_in_admin(
            staff,
            w["certificate"],
            revoked_on=timezone.localdate().isoformat(),
            revocation_reason="Không duy trì chất lượng",
        ),
        ["detail", "stars-4", "list", "home"],
    ),
    "new certificate": (admin_add_certificate, ["detail", "stars-3", "stars-4", "list"]),
    "image removed": (admin_remove_image, ["detail", "list", "producer", "stars-4"]),
    "commune renamed": (
        lambda staff, w: change_in_admin(staff, w["product"].producer.commune, name="Tân Cương 2"),
        [*EVERYWHERE, "communes", "home"],
    ),
    "category renamed": (
        lambda staff, w: change_in_admin(staff, w["product"].category, name="Chè và trà"),
        [*PRODUCT_CATEGORY, "categories"],
    ),
    "product unpublished (bulk action)": (
        admin_unpublish,
        ["list", "commune", "stars-4", "home", "detail"],
    ),
}


@pytest.mark.parametrize("change", ADMIN_CHANGES)
def test_a_change_made_in_the_admin_shows_on_the_next_request(
    settings, world, warm, anonymous, staff, change
):
    urls, before = warm
    apply, must_change = ADMIN_CHANGES[change]
    assert_pages_follow(settings, anonymous, urls, before, lambda: apply(staff, world), must_change)


def test_a_product_published_again_by_the_bulk_action_reappears(settings, world, staff):
    """Unpublished behind the cache's back, cache cleared, then published by the admin action."""
    anonymous = Client()
    product = world["product"]
    Product.objects.filter(pk=product.pk).update(is_published=False)  # sends no signal
    call_command("clear_page_cache", verbosity=0)
    assert anonymous.get(product.get_absolute_url()).status_code == 404
    list_before = anonymous.get(reverse("catalogue:product-list")).content
    staff.post(
        admin_url(Product, "changelist"), {"action": "publish", "_selected_action": [product.pk]}
    )
    assert anonymous.get(product.get_absolute_url()).status_code == 200
    list_after = anonymous.get(reverse("catalogue:product-list")).content
    assert product.name.encode() not in list_before and product.name.encode() in list_after


# Changes made by the spreadsheet import


@pytest.fixture
def imported(tmp_path):
    """The register of one product, imported: its pages, read once by a visitor."""
    load_places()
    call_command("import_ocop", str(write_csv(tmp_path / "first.csv", [ROW])), verbosity=0)
    product = Product.objects.get()
    return {"product": product, "certificate": product.certificates.get()}


IMPORT_CHANGES: dict[str, tuple[dict, list[str]]] = {
    "stars corrected": ({"stars": "5 sao", "score": "92"}, ["detail", "stars-4", "stars-5"]),
    "new certificate": (
        {"decision_number": "77/QĐ-UBND", "stars": "3", "score": "60", "decision_date": "today"},
        ["detail", "stars-3", "stars-4", "list"],
    ),
    "description changed": ({"description": "Chè búp hái tay, sao thủ công."}, ["detail"]),
    "producer moved": ({"address": "Xóm Nam Đồng, xã Tân Cương"}, ["producer"]),
}


@pytest.mark.parametrize("change", IMPORT_CHANGES)
def test_a_change_made_by_an_import_shows_on_the_next_request(
    settings, tmp_path, imported, anonymous, change
):
    urls = page_urls(imported["product"])
    before = read(anonymous, urls)
    assert queries(anonymous, urls["detail"]) == 0
    cells, must_change = IMPORT_CHANGES[change]
    if cells.get("decision_date") == "today":
        cells = cells | {"decision_date": timezone.localdate().strftime("%d/%m/%Y")}
    path = write_csv(tmp_path / "second.csv", [ROW | cells])

    def run_import():
        call_command("import_ocop", str(path), verbosity=0)

    assert_pages_follow(settings, anonymous, urls, before, run_import, must_change)


def test_a_dry_run_import_changes_no_page(settings, tmp_path, imported, anonymous):
    urls = page_urls(imported["product"])
    before = read(anonymous, urls)
    path = write_csv(tmp_path / "second.csv", [ROW | {"stars": "5", "score": "92"}])
    call_command("import_ocop", str(path), "--dry-run", verbosity=0)
    assert read(anonymous, urls) == before == fresh(settings, urls)


# The date


def test_a_certificate_expiring_at_midnight_shows_as_expired_on_cached_pages(
    anonymous, monkeypatch
):
    """Valid until day D: the cached pages of day D show it in force; the first request of D+1
    shows it expired (its level stays on record), with nothing saved in between."""
    last_day = datetime.date(2030, 6, 30)
    group = make_category(parent=make_category())
    product = make_product(name="Mật ong Bạc Kạn", category=group)
    make_certificate(
        product=product, stars=4, decision_date=datetime.date(2027, 7, 1), valid_until=last_day
    )
    real_localdate = timezone.localdate
    today = {"date": last_day}

    def localdate(value=None, timezone=None):
        return today["date"] if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    urls = page_urls(product) | {
        "stars-4-in-force": reverse("catalogue:star-detail", args=[4]) + "?state=in_force"
    }
    on_last_day = read(anonymous, urls)
    assert detail_stars(on_last_day["detail"]) == ("4", "in_force")
    assert read(anonymous, urls) == on_last_day
    assert queries(anonymous, urls["detail"]) == 0

    today["date"] = last_day + ONE_DAY  # midnight in Asia/Ho_Chi_Minh; nothing was saved
    next_day = read(anonymous, urls)
    assert detail_stars(next_day["detail"]) == ("4", "expired")
    assert detail_stars(next_day["detail-en"]) == ("4", "expired")
    # The star page lists every product whose latest level is 4, whatever its state.
    assert product.name.encode() in on_last_day["stars-4"]
    assert product.name.encode() in next_day["stars-4"]
    assert b"badge--expired" not in on_last_day["stars-4"]
    assert b"badge--expired" in next_day["stars-4"]
    assert product.name.encode() in on_last_day["stars-4-in-force"]
    assert product.name.encode() not in next_day["stars-4-in-force"]
    # A printed label never shows stars the record does not show held.
    assert "★★★★".encode() in on_last_day["label"]
    assert "★".encode() not in next_day["label"]


def detail_stars(page: bytes) -> tuple[str, str]:
    """The stars a product page shows beside the product's name ("3" to "5", or "none"), and
    the state of its rating ("in_force", "expired"…)."""
    match = re.search(
        r'class="product__stars">\s*<span class="stars stars--(\w+)".*?'
        r'<span class="badge badge--(\w+)">',
        page.decode(),
        re.S,
    )
    return match[1], match[2]


# Who gets cached pages


def test_a_cached_page_runs_no_query_and_an_uncached_one_does(world, anonymous):
    url = world["product"].get_absolute_url()
    assert queries(anonymous, url) > 0
    assert queries(anonymous, url) == 0
    assert queries(Client(), url) == 0  # another visitor, same page


def test_staff_never_get_a_cached_page_nor_fill_the_cache(world, anonymous, staff):
    """A change made behind the cache's back: visitors still see the cached page, staff never."""
    product = world["product"]
    url = product.get_absolute_url()
    assert queries(staff, url) > 0
    assert queries(anonymous, url) > 0  # the staff request stored nothing
    Product.objects.filter(pk=product.pk).update(name="Chè đổi tên lặng lẽ")  # no signal
    assert b"Ch\xc3\xa8 \xc4\x91\xe1\xbb\x95i t\xc3\xaan" in staff.get(url).content
    assert "Chè đổi tên lặng lẽ" not in anonymous.get(url).content.decode()
    response = staff.get(url)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_clear_page_cache_shows_changes_made_behind_the_caches_back(world, anonymous):
    product = world["product"]
    url = product.get_absolute_url()
    anonymous.get(url)
    Product.objects.filter(pk=product.pk).update(name="Chè đổi tên lặng lẽ")
    assert "Chè đổi tên lặng lẽ" not in anonymous.get(url).content.decode()
    call_command("clear_page_cache", verbosity=0)
    assert "Chè đổi tên lặng lẽ" in anonymous.get(url).content.decode()


def test_a_page_showing_a_flash_message_is_neither_cached_nor_served_from_cache(world, anonymous):
    url = reverse("catalogue:product-list")
    cached = anonymous.get(url).content
    request = RequestFactory().get(url)
    storage = CookieStorage(request)
    storage.add(messages.INFO, "Thông báo riêng cho một người")
    carrier = HttpResponse()
    storage.update(carrier)
    with_message = Client()
    with_message.cookies["messages"] = carrier.cookies["messages"].value
    assert "Thông báo riêng cho một người" in with_message.get(url).content.decode()
    assert anonymous.get(url).content == cached
    assert "Thông báo riêng" not in Client().get(url).content.decode()


def test_public_pages_set_no_cookie_hold_no_csrf_token_and_vary_on_cookie(world, anonymous):
    for name, url in page_urls(world["product"]).items():
        for _ in range(2):  # uncached, then cached
            response = anonymous.get(url)
            assert response.status_code == 200, name
            assert not response.cookies, name
            assert b"csrfmiddlewaretoken" not in response.content, name
            assert "Cookie" in response["Vary"], name
            assert response["Cache-Control"] == "public, max-age=0, must-revalidate", name


def test_a_missing_product_is_never_cached(world, anonymous):
    url = reverse("catalogue:product-detail", args=["not-yet-there"])
    assert anonymous.get(url).status_code == 404
    product = make_product(name="Sản phẩm mới", slug="not-yet-there")
    assert anonymous.get(url).status_code == 200
    assert product.name in anonymous.get(url).content.decode()


def test_addresses_with_unknown_parameters_are_drawn_but_not_cached(world, anonymous):
    """fbclid, utm_source...: one-off addresses that would only fill the cache."""
    url = reverse("catalogue:product-list") + "?stars=4&fbclid=IwAR0abc"
    # Drawn twice (the second time, with the facet counts of this catalogue version)
    assert queries(anonymous, url) >= queries(anonymous, url) > 0
    assert world["product"].name in anonymous.get(url).content.decode()


def test_the_page_cache_can_be_turned_off(settings, world, anonymous):
    settings.PAGE_CACHE_TIMEOUT = 0
    url = world["product"].get_absolute_url()
    assert queries(anonymous, url) == queries(anonymous, url) > 0


def test_each_language_and_query_string_is_its_own_page(world, anonymous):
    urls = page_urls(world["product"])
    english = anonymous.get(urls["detail-en"])
    vietnamese = anonymous.get(urls["detail"])
    assert english.content != vietnamese.content
    assert english["Content-Language"] == "en"
    assert anonymous.get(urls["detail-en"]).content == english.content
    products = reverse("catalogue:product-list")
    assert (
        anonymous.get(f"{products}?stars=5").content != anonymous.get(f"{products}?stars=4").content
    )


# HTTP caching


def test_public_pages_answer_304_to_a_matching_etag(world, anonymous):
    url = reverse("catalogue:product-list")
    response = anonymous.get(url)
    etag = response["ETag"]
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    rename_product(world)
    changed = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_html_is_gzipped_for_browsers_that_accept_it(world, anonymous):
    url = world["product"].get_absolute_url()
    for _ in range(2):  # uncached, then cached
        response = anonymous.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert world["product"].name in gzip.decompress(response.content).decode()
        etag = response["ETag"]
        assert (
            anonymous.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag).status_code
            == 304
        )


def test_hashed_static_files_are_cached_for_a_year_and_precompressed(settings, tmp_path):
    """collectstatic with the production storage, then the files as whitenoise serves them."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    # The admin's hundreds of files only make compressing them slow.
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
    hashed = staticfiles_storage.url("css/site.css")
    assert hashed != "/static/css/site.css"
    browser = Client()  # a new handler: whitenoise reads the new STATIC_ROOT

    response = browser.get(hashed, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    cache_control = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    assert int(cache_control["max-age"]) >= 365 * 24 * 60 * 60
    assert "immutable" in cache_control and "public" in cache_control
    assert response["Content-Encoding"] == "br"
    assert browser.get(hashed, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    plain = browser.get("/static/css/site.css")  # unhashed: short cache, revalidated
    assert "immutable" not in plain["Cache-Control"]
    response.close()
    plain.close()


def test_models_shown_on_pages_are_all_watched():
    """A model added to the catalogue later needs its signals too (catalogue.caching.watch)."""
    from django.db.models.signals import post_delete, post_save

    for model in [Commune, Category, Producer, Product, Certificate, QualityMark]:
        assert post_save.has_listeners(model) and post_delete.has_listeners(model)
