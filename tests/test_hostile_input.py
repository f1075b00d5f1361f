"""Bad input at every public address and form: never a 500, a leak, a reflected script or a write.

Each request goes through `hostile.check`; the session ends with a line counting the cases
tried and the server errors seen (always 0 when the suite passes).
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalogue.filters import ProductFilter
from catalogue.models import Product
from marks.models import QualityMark
from trade.models import PointOfSale, SalesChannel

from . import hostile
from .factories import make_alias, make_category, make_certificate, make_commune, make_product
from .factories_events import make_entrant, make_event, make_news, make_session

pytestmark = pytest.mark.django_db

FILTERS = [*ProductFilter.base_filters, "page"]
LISTING_URLS = ["catalogue:product-list", "registry:product-export"]
HYPOTHESIS = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture
def client():
    """A server error comes back as a 500 response, counted by hostile.check."""
    return Client(raise_request_exception=False)


@pytest.fixture
def catalogue(settings):
    """A small catalogue with every kind of page; the DB snapshot is compared after the test."""
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 10**9
    settings.OPENDATA_API_RATE_LIMIT = 0
    sector = make_category(name="Thực phẩm", slug="thuc-pham")
    group = make_category(name="Chè", slug="che", parent=sector)
    commune = make_commune(name="Tân Cương", slug="tan-cuong")
    make_alias(name="Xã Thịnh Đức", commune=commune)  # an old name: redirect
    make_alias(name="Xã Trùng", commune=commune)  # the same old name in two communes: choice
    make_alias(name="Xã Trùng", commune=make_commune(name="Phúc Xuân", slug="phuc-xuan"))
    certificate = make_certificate(
        stars=4, product=make_product(name="Chè Tân Cương", category=group)
    )
    product = certificate.product
    product.producer.commune = commune
    product.producer.save()
    mark = QualityMark.objects.create(kind="gi", name="Chè Thái Nguyên", slug="che-thai-nguyen")
    mark.products.add(product)
    Product.objects.give_public_codes([product])
    product.save()
    point = PointOfSale.objects.create(name="Điểm bán OCOP Tân Cương", commune=commune)
    SalesChannel.objects.create(product=product, kind="point_of_sale", point_of_sale=point)
    event = make_event(name="Hội thi OCOP", commune=commune)
    make_entrant(event=event, product=product, award="Giải Nhất")
    make_session(event=event, day=event.starts_on, speakers=[("Diễn giả", "Sở NN&MT")])
    news = make_news(title="Kết quả hội thi")
    news.events.add(event)
    samples = {
        "events:event-detail": {"slug": event.slug},
        "events:event-ics": {"slug": event.slug},
        "events:news-detail": {"slug": news.slug},
        "trade:point-detail": {"slug": point.slug},
        "slug": product.slug,
        "catalogue:producer-detail": {"slug": product.producer.slug},
        "catalogue:commune-detail": {"slug": commune.slug},
        "catalogue:category-detail": {"slug": group.slug},
        "catalogue:star-detail": {"stars": 4},
        "sitemap-section": {"section": "products"},
        "catalogue:statistics-csv": {"chart": "stars"},
        "opendata:download": {"fmt": "csv"},
        "api-v1:get_producer": {"slug": product.producer.slug},
        "api-v1:get_commune": {"slug": commune.slug},
        "api-v1:get_category": {"slug": group.slug},
        "api-v1:get_certificate": {"id": certificate.pk},
    }
    before = hostile.snapshot()
    yield {"product": product, "samples": samples, "commune": commune}
    assert hostile.snapshot() == before, "hostile input changed the database"


def urls(catalogue, **options):
    return hostile.public_urls(catalogue["samples"], **options)


# Every public page


def name_route(name):
    return next(str(p.pattern) for n, _localized, p in hostile.public_patterns() if n == name)


def test_every_public_page_answers_get_and_head(client, catalogue):
    pages = urls(catalogue)
    names = {name for name, _path in pages}
    assert {"catalogue:home", "catalogue:product-list", "certification:verify"} <= names
    for name, path in pages:
        # A page added since these tests were written is filled with a product's slug.
        ok = {200} if name in catalogue["samples"] or "<" not in name_route(name) else {200, 404}
        hostile.check(client.get(path), statuses=ok, what=path)
        hostile.check(client.head(path), statuses=ok, what=path)


# Public pages that take a POST: their form, refused and shown again (nothing is written).
FORMS = {"corrections:report", "trade:enquiry"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_are_refused_on_every_public_page(client, catalogue, method):
    for name, path in urls(catalogue):
        response = getattr(client, method)(path, {"q": "<script>alert(1)</script>"})
        refused = {200} if method == "post" and name in FORMS else {405}
        hostile.check(response, statuses=refused, what=f"{method} {path}")


def test_hostile_values_in_every_filter_on_every_public_page(client, catalogue):
    """One payload per filter at once, rotating, on every page in every language."""
    payloads = hostile.PAYLOADS
    for i, (_name, path) in enumerate(urls(catalogue)):
        query = {name: payloads[(i * 7 + j) % len(payloads)] for j, name in enumerate(FILTERS)}
        query["layout"] = "sheet"
        hostile.check(client.get(path, query), what=f"{path} {query}")


@pytest.mark.parametrize("payload", hostile.PAYLOADS, ids=range(len(hostile.PAYLOADS)))
def test_each_payload_in_each_listing_filter(client, catalogue, payload):
    listing = reverse("catalogue:product-list")
    for field in FILTERS:
        hostile.check(client.get(listing, {field: payload}), what=f"{listing} {field}")
    everywhere = dict.fromkeys(FILTERS, payload)
    for path in [
        reverse("registry:product-export"),
        reverse("certification:verify"),
        catalogue["commune"].get_absolute_url(),
        reverse("catalogue:producer-list"),
    ]:
        hostile.check(client.get(path, everywhere), what=path)


@pytest.mark.parametrize("query", hostile.RAW_QUERIES)
def test_raw_query_strings_on_every_public_page(client, catalogue, query):
    for _name, path in urls(catalogue, languages=("vi",)):
        hostile.check(client.get(path, QUERY_STRING=query), what=f"{path}?{query}")


def test_repeated_parameters_use_one_value_and_say_nothing_wrong(client, catalogue):
    response = client.get(reverse("catalogue:product-list"), QUERY_STRING="stars=3&stars=x&stars=4")
    hostile.check(response, statuses={200})
    assert [p.name for p in response.context["page"]] == ["Chè Tân Cương"]  # the last: 4


@pytest.mark.parametrize("page", ["-1", "0", str(10**30), "1e9", "last", "NaN", "", "١"])
def test_any_page_number_shows_a_page(client, catalogue, page):
    for name in ["catalogue:product-list", "catalogue:producer-list"]:
        response = client.get(reverse(name), {"page": page})
        hostile.check(response, statuses={200})
        assert len(response.context["page"].object_list) == 1


@given(
    query=st.dictionaries(
        st.sampled_from([*FILTERS, "layout", "x"]),
        st.one_of(st.sampled_from(hostile.PAYLOADS), st.text(max_size=300)),
        max_size=len(FILTERS) + 2,
    ),
    page=st.sampled_from(["catalogue:product-list", "registry:product-export"]),
)
@HYPOTHESIS
def test_generated_filters_never_break_a_listing(client, catalogue, query, page):
    # Text that is not Unicode (lone surrogates) cannot be sent as a str: it is tried
    # encoded in test_raw_query_strings_on_every_public_page.
    query = {k: v.encode("utf-8", "replace").decode() for k, v in query.items()}
    hostile.check(client.get(reverse(page), query), what=repr(query))


@given(q=st.one_of(st.sampled_from(hostile.PAYLOADS), st.text(max_size=300)))
@HYPOTHESIS
def test_generated_certificate_lookups(client, catalogue, q):
    q = q.encode("utf-8", "replace").decode()
    response = client.get(reverse("certification:verify"), {"q": q})
    hostile.check(response, statuses={200}, what=repr(q))


@given(raw=st.binary(max_size=200))
@HYPOTHESIS
def test_generated_raw_bytes_in_the_query_string(client, catalogue, raw):
    query = "".join(f"%{byte:02X}" if i % 2 else chr(byte) for i, byte in enumerate(raw))
    query = "".join(ch if 32 < ord(ch) < 127 else f"%{ord(ch):02X}" for ch in query)
    for page in ["catalogue:product-list", "certification:verify"]:
        response = client.get(reverse(page), QUERY_STRING="q=" + query)
        hostile.check(response, what=query)


# Unknown addresses and files

UNKNOWN_SLUGS = [
    "no-such-thing",
    "a" * 3000,
    "x.y.z",
    "..",
    "%2e%2e",
    "a%2fb",
    "%252e%252e%252f",
    "%00",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%FF%FE",
    "%ED%A0%80",
    "ch%C3%A8",
    "-",
    "1' OR '1'='1",
]


@pytest.mark.parametrize("slug", UNKNOWN_SLUGS)
def test_unknown_slugs_are_the_sites_404(client, catalogue, slug):
    for prefix in ["/products/", "/en/producers/", "/fr/communes/", "/categories/", "/stars/"]:
        for suffix in ["/", "/label/", "/qr.svg", "/qr.png", ""]:
            response = client.get(f"{prefix}{slug}{suffix}")
            hostile.check(response, statuses={301, 404}, what=prefix + slug + suffix)
            if response.status_code == 404:  # the site's page, with its way back
                assert reverse("catalogue:commune-list") in response.content.decode(), slug


TRAVERSALS = [
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252fetc%252fpasswd",
    "....//....//etc/passwd",
    "..\\..\\ocop_site\\settings.py",
    "%2e%2e/ocop_site/settings.py",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "..%00/etc/passwd",
    "..%c0%af..%c0%afetc/passwd",
    "images/../../../manage.py",
]


@pytest.mark.urls("tests.urls_with_media")
@pytest.mark.parametrize("path", TRAVERSALS)
def test_media_and_static_addresses_never_leave_their_folder(client, catalogue, media_root, path):
    """With media served as in DEBUG (tests/urls_with_media.py), nothing outside MEDIA_ROOT."""
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "inside.txt").write_text("inside")
    (media_root.parent / "secret.txt").write_text("SECRET-OUTSIDE-MEDIA")
    inside = client.get(settings.MEDIA_URL + "inside.txt")
    assert inside.status_code == 200, inside.content.decode()[-3000:]
    assert b"".join(inside) == b"inside"
    for prefix in [settings.MEDIA_URL, "/" + settings.STATIC_URL.lstrip("/")]:
        for target in [path, path.replace("etc/passwd", "secret.txt")]:
            response = client.get(prefix + target)
            hostile.check(response, statuses={301, 302, 400, 404}, what=prefix + target)
            body = b"".join(response) if response.streaming else response.content
            assert b"SECRET-OUTSIDE-MEDIA" not in body and b"SECRET_KEY" not in body


# The admin


@pytest.fixture
def csrf_client(db):
    user = User.objects.create_superuser("staff", "staff@example.invalid", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_admin_forms_without_a_csrf_token_are_refused(csrf_client, catalogue):
    product = catalogue["product"]
    forms = [
        reverse("admin:catalogue_product_change", args=[product.pk]),
        reverse("admin:catalogue_product_add"),
        reverse("admin:catalogue_product_delete", args=[product.pk]),
        reverse("admin:catalogue_product_import"),
        reverse("admin:catalogue_producer_change", args=[product.producer.pk]),
        reverse("admin:places_commune_change", args=[catalogue["commune"].pk]),
        reverse("admin:certification_certificate_change", args=[product.certificates.get().pk]),
        reverse("admin:catalogue_product_changelist"),
        reverse("admin:logout"),
    ]
    before = hostile.snapshot()
    for path in forms:
        response = csrf_client.post(
            path,
            {
                "name": "<script>alert(1)</script>",
                "action": "delete_selected",
                "post": "yes",
                "_selected_action": [product.pk],
            },
        )
        hostile.check(response, statuses={403}, what=path)
    assert hostile.snapshot() == before


ADMIN_LISTS = [
    "admin:catalogue_product_changelist",
    "admin:catalogue_producer_changelist",
    "admin:places_commune_changelist",
    "admin:catalogue_category_changelist",
    "admin:certification_certificate_changelist",
    "admin:marks_qualitymark_changelist",
]


@pytest.mark.parametrize("payload", hostile.PAYLOADS[::3], ids=range(len(hostile.PAYLOADS[::3])))
def test_admin_search_and_filters_with_hostile_values(staff_client, catalogue, payload):
    for name in ADMIN_LISTS:
        response = staff_client.get(
            reverse(name), {"q": payload, "o": payload, "p": payload, "stars": payload}
        )
        # The admin answers a bad lookup with ?e=1 (a redirect); never a 500.
        hostile.check(response, statuses={200, 302}, what=name)


@pytest.mark.parametrize("query", hostile.RAW_QUERIES[:8])
def test_admin_lists_with_raw_query_strings(staff_client, catalogue, query):
    for name in ADMIN_LISTS:
        hostile.check(staff_client.get(reverse(name), QUERY_STRING=query), statuses={200, 302})


def test_admin_pages_with_unknown_ids(staff_client, catalogue):
    for value in ["999999", "abc", "-1", "%00", "1'", str(10**30)]:
        path = reverse("admin:catalogue_product_changelist") + value + "/change/"
        hostile.check(staff_client.get(path), statuses={200, 302, 404}, what=path)


# Bugs this suite found, each pinned


def test_control_characters_are_never_echoed_and_search_ignores_them(client, catalogue):
    """A NUL in q used to come back in the "unknown value" message and the search boxes."""
    response = client.get(
        reverse("catalogue:product-list"), {"q": "Chè\x00 Tân\x1b Cương\u202e", "kind": "x\x00"}
    )
    hostile.check(response, statuses={200})
    assert [product.name for product in response.context["page"]] == ["Chè Tân Cương"]
    assert not response.context["filterset"].form.errors.get("q")
    content = response.content.decode()
    assert "\u202e" not in content and "\x00" not in content
    assert "‘x’" in content  # the refused kind, shown without its NUL


def test_a_huge_or_non_ascii_page_number_keeps_the_plain_canonical_address(client, catalogue):
    """int() reads "４" and refuses 4,301 digits: the canonical link used to raise a 500."""
    for page in ["９", "9" * 5000, "٣"]:
        response = client.get(reverse("catalogue:product-list"), {"page": page})
        hostile.check(response, statuses={200})
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', response.content.decode())
        assert canonical is None or "?" not in canonical[1]
