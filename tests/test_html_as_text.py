"""Names and stories that contain HTML are shown as text, never as markup, everywhere.

Pages, <title> and meta tags, Open Graph, JSON-LD data blocks, labels, the sitemap, and the
CSV/XLSX exports, where a cell that starts like a formula is neutralised.
"""

import csv
import importlib.util
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from openpyxl import load_workbook

from catalogue.models import Product
from core.spreadsheets import FORMULA_TRIGGERS, neutralise
from registry.importing import cell_text, import_file
from sources.models import Source

from . import hostile
from .factories import make_category, make_certificate, make_commune, make_producer, make_product

pytestmark = pytest.mark.django_db

HTML = '<b>bold</b><script>alert(1)</script>"onmouseover="x'
FORMULA = '=HYPERLINK("http://evil.example","click")'


class Markup(HTMLParser):
    """The elements and attributes a browser would build from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.title = ""
        self.bold: list[str] = []  # the text of each <b> element: the payload's would be "bold"
        self._open = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open = (tag, dict(attrs))
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_data(self, data):
        if self._open and self._open[0] == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        if self._open and self._open[0] == "title":
            self.title += data
        if self._open and self._open[0] == "b":
            self.bold.append(data)

    def handle_endtag(self, tag):
        self._open = None


def markup(response) -> Markup:
    parser = Markup()
    parser.feed(response.content.decode())
    return parser


def assert_text_not_markup(response, shown=True):
    """The payload built no element and no attribute; when `shown`, it is there as text."""
    hostile.check(response, statuses={200})
    page = markup(response)
    assert "bold" not in page.bold
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    for attrs, text in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/ld+json", (attrs, text)
        assert "alert(1)" not in text or attrs.get("type") == "application/ld+json"
    if shown:
        assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;" in response.content.decode()
    return page


@pytest.fixture
def hostile_product(settings):
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 10**9
    commune = make_commune(name=f"Xã {HTML}", slug="xa-html")
    category = make_category(name=f"Nhóm {HTML}", slug="nhom-html", name_en=f"Group {HTML}")
    producer = make_producer(
        name=f"HTX {HTML}", commune=commune, story=HTML, address=f" {FORMULA}", phone="+84 1"
    )
    product = make_product(
        name=f"Chè {HTML}",
        name_en=f"Tea {HTML}",
        summary=f"Tóm tắt {HTML}",
        summary_en=f"Summary {HTML}",
        story=f"Chuyện {HTML}",
        story_en=f"Story {HTML}",
        ingredients=HTML,
        producer=producer,
        category=category,
    )
    make_certificate(
        product=product,
        stars=5,
        decision_number=f"9/{HTML}",
        issuer=f"@UBND {HTML}",
        batch="-1",
        note=f"{FORMULA} {HTML}",
    ).sources.add(Source.objects.create(url="https://example.org/=1+1?<b>", kind=Source.Kind.PRESS))
    Product.objects.give_public_codes([product])
    product.save()
    make_product(name=FORMULA, summary=f"\t{FORMULA}", producer=producer)
    make_product(name=f"  @SUM(A1) {HTML}", summary="-2+3", producer=producer)
    return Product.objects.get(pk=product.pk)


def test_product_page_shows_html_as_text_in_body_title_meta_and_json_ld(client, hostile_product):
    for language in ["vi", "en", "fr"]:
        with translation.override(language):
            url = hostile_product.get_absolute_url()
        page = assert_text_not_markup(client.get(url))
        assert "<b>" in page.title  # the parsed title is the text, markup included as text
        for attrs in [a for t, a in page.tags if t == "meta"]:
            if attrs.get("name") == "description" or attrs.get("property", "").startswith("og:"):
                assert "<script>" not in attrs.get("content", "") or "alert(1)" in attrs["content"]
        check_json_ld(client.get(url), expect_name=True)


def check_json_ld(response, expect_name=False):
    """Every JSON-LD block parses, cannot close its <script>, and carries names as given."""
    content = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    if expect_name and importlib.util.find_spec("catalogue.structured_data"):
        assert blocks, "the product page has no JSON-LD"
    texts = []
    for block in blocks:
        assert "</" not in block and "<script" not in block.lower()
        data = json.loads(block)
        texts.append(json.dumps(data, ensure_ascii=False))
    if expect_name:
        assert any(HTML.replace('"', '\\"') in text for text in texts), texts


def test_every_page_that_names_the_product_or_producer_shows_it_as_text(client, hostile_product):
    producer = hostile_product.producer
    pages = [
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?q=bold",
        reverse("catalogue:product-list") + "?q=" + HTML,
        producer.get_absolute_url(),
        reverse("catalogue:producer-list"),
        producer.commune.get_absolute_url(),
        hostile_product.category.get_absolute_url(),
        reverse("catalogue:star-detail", args=[5]),
        reverse("catalogue:home"),
        reverse("catalogue:product-label", args=[hostile_product.slug]),
        reverse("catalogue:product-label", args=[hostile_product.slug]) + "?layout=sheet",
        reverse("certification:verify") + "?q=" + hostile_product.public_code,
        reverse("certification:verify") + "?q=9/" + HTML,
    ]
    for path in pages:
        response = client.get(path)
        assert_text_not_markup(response)
        check_json_ld(response)
    for path in [reverse("catalogue:commune-list"), reverse("catalogue:category-list")]:
        assert_text_not_markup(client.get(path))
    try:
        statistics = reverse("catalogue:statistics")
    except NoReverseMatch:
        return
    assert_text_not_markup(client.get(statistics))


def test_admin_pages_show_html_as_text(staff_client, hostile_product):
    for path in [
        reverse("admin:catalogue_product_changelist"),
        reverse("admin:catalogue_product_change", args=[hostile_product.pk]),
        reverse("admin:catalogue_producer_changelist"),
        reverse("admin:certification_certificate_changelist"),
    ]:
        response = staff_client.get(path)
        hostile.check(response, statuses={200})
        page = markup(response)
        assert "bold" not in page.bold, path
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_sitemap_escapes_what_it_lists(client, hostile_product):
    try:
        index = reverse("sitemap")
    except NoReverseMatch:
        pytest.skip("no sitemap")
    sections = re.findall(
        r"<loc>[^<]*?(/sitemap-[\w-]+\.xml)[^<]*</loc>", client.get(index).content.decode()
    )
    assert sections
    for path in sections:
        body = client.get(path).content.decode()
        assert "<script>" not in body and "<b>" not in body


# Spreadsheets


def assert_neutralised(cells):
    """No cell starts like a formula, even after spaces: those get a leading quote."""
    for cell in cells:
        if isinstance(cell, str) and cell:
            assert not cell.lstrip().startswith(FORMULA_TRIGGERS), repr(cell)
            assert not cell.startswith(FORMULA_TRIGGERS), repr(cell)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  =1+1", "'  =1+1"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        ("\n-5", "'\n-5"),
        ("  Chè", "  Chè"),
    ],
)
def test_formulas_after_leading_spaces_are_neutralised_too(value, expected):
    assert neutralise(value) == expected
    assert cell_text(expected) == value.strip()  # an import reads it back


def test_public_csv_neutralises_formulas_and_keeps_html_as_plain_text(client, hostile_product):
    response = client.get(reverse("registry:product-export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert_neutralised(cells)
    assert f"Chè {HTML}" in cells  # text as it was written, not escaped for HTML
    assert "'" + FORMULA in cells and f"'\t{FORMULA}" in cells and "'-2+3" in cells


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_command_neutralises_formulas(tmp_path, hostile_product, suffix):
    path = tmp_path / f"register.{suffix}"
    call_command("export_ocop", str(path), verbosity=0)
    if suffix == "csv":
        text = path.read_text(encoding="utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    else:
        sheet = load_workbook(path).active
        cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert_neutralised(cells)
    assert "'" + FORMULA in cells
    assert f"HTX {HTML}" in cells


def test_the_exported_register_imports_back_as_it_was_written(tmp_path, hostile_product):
    """The quote before a formula is the export's, not the data's: an import removes it."""
    path = tmp_path / "register.csv"
    call_command("export_ocop", str(path), verbosity=0)
    result = import_file(path, dry_run=True)
    assert not result.errors
    # The rating and its source; the import trims the spaces and tab before the formulas of
    # the producer's address and a product's description, as it trims every cell.
    assert result.counts()["certificate"] == {"unchanged": 1}
    assert result.counts()["source"] == {"unchanged": 1}
    certificate = hostile_product.certificates.get()
    assert (certificate.issuer, certificate.batch) == (f"@UBND {HTML}", "-1")


def test_statistics_csv_neutralises_formulas(client, hostile_product):
    hostile_product.producer.commune.name = FORMULA
    hostile_product.producer.commune.save()
    try:
        reverse("catalogue:statistics-csv", args=["communes"])
    except NoReverseMatch:
        pytest.skip("no statistics downloads")
    from catalogue.statistics import CHARTS

    for chart in CHARTS:
        response = client.get(reverse("catalogue:statistics-csv", args=[chart]))
        assert response.status_code == 200, chart
        text = b"".join(response).decode().removeprefix("\ufeff")
        assert_neutralised(cell for row in csv.reader(io.StringIO(text)) for cell in row)


def test_a_listing_with_html_in_the_query_stays_inert_for_a_plain_client(hostile_product):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("catalogue:product-list"), {"q": HTML, "sort": HTML, "kind": HTML}
    )
    assert_text_not_markup(response, shown=False)
