"""What search engines and link previews read: sitemaps, robots.txt, head tags and JSON-LD."""

import datetime
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.sitemaps import ProductSitemap
from core.dates import add_months

from .factories import (
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_producer,
    make_product,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGE_PREFIXES = {"vi": "", "en": "/en", "fr": "/fr"}


def site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class Head(HTMLParser):
    """The <title>, <link>, <meta> and JSON-LD blocks of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.title, self.links, self.meta, self.json_ld = "", [], {}, []
        self._in_title = self._in_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "title" and not self.title:
            self._in_title = True
        elif tag == "link":
            self.links.append(attributes)
        elif tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta.setdefault(key, []).append(attributes.get("content"))
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_ld:
            self.json_ld[-1] += data

    def canonical(self) -> str:
        (url,) = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        return url

    def structured(self) -> dict[str, dict]:
        """Every JSON-LD block parsed, by its @type."""
        blocks = [json.loads(text) for text in self.json_ld]
        return {block["@type"]: block for block in blocks}


def head(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.content.decode())


@pytest.fixture
def catalogue():
    today = timezone.localdate()
    commune = make_commune(name="Tân Cương")
    sector = make_category(name="Thực phẩm", slug="thuc-pham")
    group = make_category(name="Chè", slug="che", parent=sector)
    producer = make_producer(
        name="HTX Chè Hảo Đạt",
        commune=commune,
        address="Xóm Hồng Thái 2, Tân Cương",
        phone="0208 3 123 456",
        website="https://haodat.example.invalid",
    )
    tea = make_product(
        name="Chè Tân Cương",
        producer=producer,
        category=group,
        summary="Chè búp hái tay.",
        price_vnd=350000,
    )
    make_image(product=tea)
    make_certificate(
        product=tea,
        stars=4,
        decision_number="1234/QĐ-UBND",
        decision_date=today - 1200 * ONE_DAY,
        valid_until=today - 100 * ONE_DAY,
    )
    current = make_certificate(
        product=tea,
        stars=5,
        decision_number="377/QĐ-BNN-VPĐP",
        decision_date=today - 90 * ONE_DAY,
        issuer="Bộ Nông nghiệp và Môi trường",
        issuer_level="central",
    )
    # A later report of the level: the renewal's decision is not on record.
    make_certificate(
        product=tea,
        stars=5,
        decision_number="",
        decision_date=None,
        evidence="later_report",
        reported_on=today - 20 * ONE_DAY,
    )
    noodles = make_product(name="Miến dong", producer=producer)  # no price, no photo
    make_certificate(product=noodles, stars=3)
    hidden = make_product(name="Chè chưa duyệt", producer=producer, is_published=False)
    make_certificate(product=hidden, stars=5)
    return {
        "tea": tea,
        "noodles": noodles,
        "hidden": hidden,
        "current": current,
        "producer": producer,
        "commune": commune,
        "sector": sector,
        "group": group,
    }


# JSON-LD


def test_product_json_ld_is_a_product_with_its_ocop_certifications(client, catalogue):
    """Product with brand, image, offer and hasCertification → Certification, parsed as JSON."""
    tea = catalogue["tea"]
    data = head(client, tea.get_absolute_url()).structured()
    product = data["Product"]
    assert product["@context"] == "https://schema.org"
    assert product["name"] == "Chè Tân Cương"
    assert product["url"] == site(tea.get_absolute_url())
    assert product["sku"] == product["productID"] == tea.public_code
    assert product["brand"] == {
        "@type": "Organization",
        "name": "HTX Chè Hảo Đạt",
        "url": site(catalogue["producer"].get_absolute_url()),
    }
    assert product["description"] == "Chè búp hái tay."
    assert product["category"] == "Chè"
    assert len(product["image"]) == 1 and urlsplit(product["image"][0]).scheme in ("http", "https")
    assert product["offers"] == {
        "@type": "Offer",
        "price": 350000,
        "priceCurrency": "VND",
        "url": product["url"],
    }
    certifications = {c["certificationIdentification"]: c for c in product["hasCertification"]}
    # Only what the record shows in force: neither the expired rating nor the later report.
    assert set(certifications) == {"377/QĐ-BNN-VPĐP"}
    assert len(product["hasCertification"]) == 1
    current = certifications["377/QĐ-BNN-VPĐP"]
    assert current == {
        "@type": "Certification",
        "name": "OCOP 5★",
        "certificationIdentification": "377/QĐ-BNN-VPĐP",
        "certificationRating": {
            "@type": "Rating",
            "ratingValue": 5,
            "bestRating": 5,
            "worstRating": 3,
        },
        "certificationStatus": "https://schema.org/CertificationActive",
        "issuedBy": {"@type": "Organization", "name": "Bộ Nông nghiệp và Môi trường"},
        "validFrom": catalogue["current"].decision_date.isoformat(),
        # No validity is stated: 36 months from the decision date, less one day.
        "expires": (add_months(catalogue["current"].decision_date, 36) - ONE_DAY).isoformat(),
    }


def test_product_without_price_or_photo_has_no_offer_and_no_image(client, catalogue):
    product = head(client, catalogue["noodles"].get_absolute_url()).structured()["Product"]
    assert "offers" not in product and "image" not in product
    assert len(product["hasCertification"]) == 1


NOT_IN_FORCE = {
    "undated": lambda today: {"decision_number": "", "decision_date": None},
    "reported": lambda today: {
        "decision_number": "",
        "decision_date": None,
        "evidence": "later_report",
        "reported_on": today - 30 * ONE_DAY,
    },
    "expired": lambda today: {"decision_date": today - 1200 * ONE_DAY},
    "revoked": lambda today: {"revoked_on": today - ONE_DAY, "revocation_reason": "Vi phạm"},
}


@pytest.mark.parametrize("rating", NOT_IN_FORCE.values(), ids=NOT_IN_FORCE.keys())
def test_a_product_without_a_rating_in_force_claims_no_certification(client, rating):
    """A rating that is undated, only reported, expired or revoked certifies nothing to
    search engines, though the page shows it."""
    product = make_product(name="Bánh gio")
    certificate = make_certificate(product=product, stars=3, **rating(timezone.localdate()))
    assert certificate.status() != "in_force"
    data = head(client, product.get_absolute_url()).structured()["Product"]
    assert "hasCertification" not in data
    make_certificate(product=product, stars=4)  # and one in force is claimed
    data = head(client, product.get_absolute_url()).structured()["Product"]
    assert [c["name"] for c in data["hasCertification"]] == ["OCOP 4★"]


def test_json_ld_invents_no_decision_number_or_date(client):
    """A rating in force known only to the year, with no decision number: its Certification
    has no identification, no start day and no expiry day, rather than made-up ones."""
    product = make_product(name="Gạo nếp vải")
    year = timezone.localdate().year - 1
    certificate = make_certificate(
        product=product,
        stars=3,
        decision_number="",
        decision_date=datetime.date(year, 1, 1),
        decision_date_precision="year",
    )
    assert certificate.status() == "in_force"
    [claim] = head(client, product.get_absolute_url()).structured()["Product"]["hasCertification"]
    assert claim["name"] == "OCOP 3★"
    assert claim["certificationStatus"] == "https://schema.org/CertificationActive"
    assert not {"certificationIdentification", "validFrom", "expires"} & set(claim)


@pytest.mark.parametrize(
    "url",
    [
        lambda d: d["tea"].get_absolute_url(),
        lambda d: d["noodles"].get_absolute_url(),
        lambda d: d["producer"].get_absolute_url(),
        lambda d: d["commune"].get_absolute_url(),
        lambda d: d["group"].get_absolute_url(),
        lambda d: reverse("catalogue:home"),
        lambda d: reverse("catalogue:product-list"),
        lambda d: reverse("catalogue:star-detail", args=[5]),
    ],
)
def test_no_page_presents_the_rating_as_a_review_score(client, catalogue, url):
    """Every JSON-LD block parses, and none has aggregateRating or review."""
    page = head(client, url(catalogue))
    for text in page.json_ld:
        data = json.loads(text)
        assert data["@context"] == "https://schema.org"
        assert "aggregateRating" not in text and '"review"' not in text


def test_json_ld_cannot_close_its_script_element(client):
    """A name with </script> is escaped in the block and comes back intact from JSON."""
    name = "Chè </script><script>alert(1)</script> & <b>"
    product = make_product(name=name)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert Head(html).structured()["Product"]["name"] == name


def test_producer_json_ld_is_an_organization(client, catalogue):
    producer = catalogue["producer"]
    data = head(client, producer.get_absolute_url()).structured()
    organization = data["Organization"]
    assert organization["name"] == "HTX Chè Hảo Đạt"
    assert organization["url"] == site(producer.get_absolute_url())
    assert organization["telephone"] == "0208 3 123 456"
    assert organization["address"]["streetAddress"] == "Xóm Hồng Thái 2, Tân Cương"
    assert organization["address"]["addressLocality"] == "Tân Cương"
    assert organization["sameAs"] == ["https://haodat.example.invalid"]


@pytest.mark.parametrize(
    "url, trail",
    [
        (
            lambda d: d["tea"].get_absolute_url(),
            lambda d: [reverse("catalogue:home"), d["commune"].get_absolute_url()],
        ),
        (
            lambda d: d["producer"].get_absolute_url(),
            lambda d: [reverse("catalogue:home"), reverse("catalogue:producer-list")],
        ),
        (
            lambda d: d["commune"].get_absolute_url(),
            lambda d: [reverse("catalogue:home"), reverse("catalogue:commune-list")],
        ),
        (
            lambda d: d["group"].get_absolute_url(),
            lambda d: [
                reverse("catalogue:home"),
                reverse("catalogue:category-list"),
                d["sector"].get_absolute_url(),
            ],
        ),
    ],
)
def test_detail_pages_have_a_breadcrumb_list(client, catalogue, url, trail):
    """ListItems numbered from 1, absolute, ending with the page itself."""
    path = url(catalogue)
    breadcrumbs = head(client, path).structured()["BreadcrumbList"]
    items = breadcrumbs["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert [item["item"] for item in items] == [site(p) for p in [*trail(catalogue), path]]
    assert all(item["@type"] == "ListItem" and item["name"] for item in items)


# Head tags


def test_product_page_has_canonical_and_open_graph_tags(client, catalogue):
    path = f"/en{catalogue['tea'].get_absolute_url()}"
    page = head(client, path)
    canonical = site(path)
    assert page.canonical() == canonical
    assert page.meta["og:url"] == [canonical]
    assert page.meta["og:type"] == ["product"]
    assert page.meta["og:title"] == ["Chè Tân Cương"]
    assert page.meta["og:description"] == ["Chè búp hái tay."]
    assert page.meta["og:locale"] == ["en_US"]
    assert set(page.meta["og:locale:alternate"]) == {"vi_VN", "fr_FR"}
    (image,) = page.meta["og:image"]
    assert image.startswith(settings.SITE_URL.rstrip("/") + "/") or urlsplit(image).scheme
    assert page.meta["twitter:card"] == ["summary_large_image"]
    assert page.meta["description"] == ["Chè búp hái tay."]


def test_a_product_without_photo_has_a_small_card(client, catalogue):
    page = head(client, catalogue["noodles"].get_absolute_url())
    assert "og:image" not in page.meta
    assert page.meta["twitter:card"] == ["summary"]


def test_canonical_drops_filters_and_keeps_a_later_page(client, catalogue):
    products = reverse("catalogue:product-list")
    assert head(client, products).canonical() == site(products)
    assert head(client, products + "?stars=4&q=che").canonical() == site(products)
    assert head(client, products + "?page=2").canonical() == site(products + "?page=2")
    assert head(client, products + "?page=1").canonical() == site(products)
    assert head(client, products + "?page=2&stars=5").canonical() == site(products)


def test_main_pages_have_distinct_titles_and_descriptions(client, catalogue):
    urls = [
        reverse("catalogue:home"),
        reverse("catalogue:product-list"),
        reverse("catalogue:producer-list"),
        reverse("catalogue:commune-list"),
        reverse("catalogue:category-list"),
        reverse("catalogue:statistics"),
        reverse("catalogue:star-detail", args=[5]),
        reverse("catalogue:star-detail", args=[4]),
        catalogue["tea"].get_absolute_url(),
        catalogue["noodles"].get_absolute_url(),
        catalogue["producer"].get_absolute_url(),
        catalogue["commune"].get_absolute_url(),
        catalogue["group"].get_absolute_url(),
    ]
    pages = [head(client, url) for url in urls]
    titles = [page.title.strip() for page in pages]
    assert len(set(titles)) == len(titles), titles
    assert all(title for title in titles)
    details = [page.meta["description"][0] for page in pages[5:]]
    assert len(set(details)) == len(details), details


def test_the_404_page_has_no_canonical_link(client):
    response = client.get("/products/khong-co/")
    assert response.status_code == 404
    assert 'rel="canonical"' not in response.content.decode()


# robots.txt and sitemaps


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert f"Disallow: {reverse('admin:index')}" in lines
    assert f"Sitemap: {site('/sitemap.xml')}" in lines


def sitemap_urls(client, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    return ET.fromstring(response.content).findall(f"{SITEMAP}url")


def index_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [element.findtext(f"{SITEMAP}loc") for element in root.findall(f"{SITEMAP}sitemap")]


def all_sitemap_entries(client) -> dict[str, ET.Element]:
    entries = {}
    for location in index_locations(client):
        assert location.startswith(settings.SITE_URL.rstrip("/") + "/")
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for url in sitemap_urls(client, path):
            entries[url.findtext(f"{SITEMAP}loc")] = url
    return entries


def test_sitemap_lists_every_published_page_in_every_language_with_lastmod(client, catalogue):
    entries = all_sitemap_entries(client)
    expected_paths = [
        catalogue["tea"].get_absolute_url(),
        catalogue["noodles"].get_absolute_url(),
        catalogue["producer"].get_absolute_url(),
        catalogue["commune"].get_absolute_url(),
        catalogue["group"].get_absolute_url(),
        catalogue["sector"].get_absolute_url(),
        reverse("catalogue:star-detail", args=[5]),
        reverse("catalogue:statistics"),
        reverse("catalogue:home"),
    ]
    for path in expected_paths:
        for prefix in LANGUAGE_PREFIXES.values():
            location = site(prefix + path)
            assert location in entries, location
            entry = entries[location]
            assert entry.findtext(f"{SITEMAP}lastmod"), location
            alternates = {
                link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")
            }
            assert alternates == {
                "vi": site(path),
                "en": site("/en" + path),
                "fr": site("/fr" + path),
                "x-default": site(path),
            }
    hidden = catalogue["hidden"].get_absolute_url()
    assert not [location for location in entries if location.endswith(hidden)]


def test_product_lastmod_follows_its_newest_certificate(client, catalogue):
    """A certificate signed after the product's last edit moves its lastmod to that day."""
    noodles = catalogue["noodles"]
    later = timezone.localdate() + 5 * ONE_DAY
    type(noodles).objects.filter(pk=noodles.pk).update(updated_at=timezone.now() - 400 * ONE_DAY)
    make_certificate(product=noodles, stars=4, decision_date=timezone.localdate() - 2 * ONE_DAY)
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in sitemap_urls(client, "/sitemap-products.xml")
    }
    expected = (timezone.localdate() - 2 * ONE_DAY).isoformat()
    assert entries[site(noodles.get_absolute_url())] == expected
    assert later.isoformat() not in entries.values()


def test_a_long_sitemap_is_split_into_pages(client, catalogue, monkeypatch):
    """Past `limit` addresses, the index lists ?p=2 and the pages hold every address once."""
    for i in range(4):
        make_certificate(product=make_product(name=f"Chè {i}"))
    monkeypatch.setattr(ProductSitemap, "limit", 4)
    locations = [loc for loc in index_locations(client) if "sitemap-products" in loc]
    assert len(locations) == 5  # 6 products × 3 languages = 18 addresses, 4 a page
    seen = []
    for location in locations:
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        seen += [url.findtext(f"{SITEMAP}loc") for url in sitemap_urls(client, path)]
    assert len(seen) == len(set(seen)) == 18
    assert client.get("/sitemap-products.xml?p=6").status_code == 404
    assert client.get("/sitemap-products.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_sitemap_queries_do_not_grow_with_products(client, monkeypatch):
    """Each sitemap page: a count and its own rows, for 3 products as for 30."""
    monkeypatch.setattr(ProductSitemap, "limit", 30)
    for _ in range(3):
        make_certificate(product=make_product(category=make_category()))
    small = {url: count_queries(client, url) for url in ["/sitemap.xml", "/sitemap-products.xml"]}
    for _ in range(27):
        make_certificate(product=make_product(category=make_category()))
    for url in ["/sitemap-products.xml", "/sitemap-products.xml?p=2"]:
        assert count_queries(client, url) == small["/sitemap-products.xml"] == 2
    assert count_queries(client, "/sitemap.xml") == small["/sitemap.xml"]
