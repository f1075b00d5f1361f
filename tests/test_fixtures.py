"""The fixtures built by manage.py build_fixtures: complete, repeatable, all or nothing."""

import csv
import datetime
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError
from django.utils.html import escape

from catalogue.models import Category, Producer, Product, ProductImage, RatingState
from certification.models import Certificate
from marks.models import QualityMark
from places.models import Commune, CommuneAlias

FIXTURES = ["communes", "categories", "sources", "register"]
FIXTURE_DIR = Path(settings.FIXTURE_DIRS[0])
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PRODUCTS_CSV = DATA / "thai_nguyen_ocop_products.csv"
RATINGS_CSV = DATA / "ratings.csv"
LEADS_CSV = DATA / "leads.csv"
SOURCE_URL = re.compile(r"https?://[^\s;]+")
DECISION_NUMBER = re.compile(r"\b\d+/QĐ-[A-ZĐa-z-]+")
LEVELS = {"national": "central", "provincial": "province", "district": "district", "": ""}
MODELS = [Commune, CommuneAlias, Category, Producer, Product, ProductImage, Certificate]


@pytest.fixture
def csv_rows() -> list[dict[str, str]]:
    if not PRODUCTS_CSV.exists():
        pytest.skip(f"{PRODUCTS_CSV} is not available")
    with PRODUCTS_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def rating_rows() -> list[dict[str, str]]:
    if not RATINGS_CSV.exists():
        pytest.skip(f"{RATINGS_CSV} is not available")
    with RATINGS_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every fixture model, with all its field values."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_fixture_files_use_natural_keys_only():
    """No object carries a "pk", so loading matches existing rows by natural key."""
    for name in FIXTURES:
        objects = json.loads((FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert objects
        assert all("pk" not in obj for obj in objects), name


def test_every_image_file_exists():
    objects = json.loads((FIXTURE_DIR / "register.json").read_text(encoding="utf-8"))
    images = [obj["fields"]["image"] for obj in objects if obj["model"] == "catalogue.productimage"]
    assert len(images) == 12
    for image in images:
        path = FIXTURE_DIR / "media" / image
        assert path.is_file(), image
        assert path.stat().st_size < 40_000


def test_communes(loaded):
    """All 92 units after 1 July 2025: 77 communes (xã) and 15 wards (phường)."""
    assert Commune.objects.count() == 92
    assert Commune.objects.filter(kind=Commune.Kind.COMMUNE).count() == 77
    assert Commune.objects.filter(kind=Commune.Kind.WARD).count() == 15
    assert not Commune.objects.filter(aliases__isnull=True).exists()


def test_old_commune_name_resolves_to_the_new_commune(loaded):
    alias = CommuneAlias.objects.get(slug="thinh-duc")
    assert alias.commune.slug == "tan-cuong"
    assert (alias.former_kind, alias.former_district) == ("xã", "TP Thái Nguyên")
    assert list(Commune.objects.by_slug_or_alias("thinh-duc")) == [alias.commune]


def test_category_tree(loaded):
    """6 sectors, 17 groups, 26 leaves; tourism is a service down to its leaf."""
    assert Category.objects.sectors().count() == 6
    assert Category.objects.filter(level=Category.Level.GROUP).count() == 17
    assert Category.objects.filter(children__isnull=True).count() == 26
    tourism = Category.objects.get(slug="du-lich-cong-dong")
    assert tourism.level == Category.Level.GROUP
    assert tourism.is_service and tourism.parent.is_service
    assert Category.objects.filter(is_service=True).count() == 2
    assert Category.objects.get(slug="tra-thuc-vat-khac").parent.slug == "che"


def test_every_product_of_the_data_is_in_the_fixtures(loaded, csv_rows):
    """One product a row, its producer by exact name (none where the data names none)."""
    assert Product.objects.count() == len(csv_rows) == 101
    named = {row["producer_name_vi"] for row in csv_rows if row["producer_name_vi"]}
    assert set(Producer.objects.values_list("name", flat=True)) == named
    for row in csv_rows:
        product = (
            Product.objects.get(
                name=row["product_name_vi"], producer__name=row["producer_name_vi"] or None
            )
            if row["producer_name_vi"]
            else Product.objects.get(name=row["product_name_vi"], producer=None)
        )
        commune = product.commune
        # A product whose producer no source names has no commune on the site either: the
        # commune belongs to the producer.
        if row["commune_vi"] and row["producer_name_vi"]:
            kind, name = row["commune_vi"].split(" ", 1)
            assert (commune.kind, commune.name) == ("xa" if kind == "xã" else "phuong", name)
        else:
            assert commune is None, product.name
        urls = set(SOURCE_URL.findall(row["source"]))
        assert set(product.sources.values_list("url", flat=True)) == urls, product.name


def rating_row_values(row) -> tuple:
    """A rating as ratings.csv states it: what the fixture must hold unchanged."""
    return (
        row["product_name_vi"],
        row["producer_name_vi"],
        int(row["stars"]) if row["stars"] else None,
        LEVELS[row["level"]],
        int(row["round_year"][:4]) if row["round_year"] else None,
        row["batch"],
        row["decision_number"],
        row["decision_date"],
        row["issuer"],
        Decimal(row["score"]) if row["score"] else None,
        row["valid_until"],
        row["evidence"].replace(" ", "_"),
        row["reported_on"],
        frozenset(SOURCE_URL.findall(row["source"])),
        row["note"],
    )


def rating_values(rating) -> tuple:
    product = rating.product
    return (
        product.name,
        product.producer.name if product.producer else "",
        rating.stars,
        rating.issuer_level,
        rating.round_year,
        rating.batch,
        rating.decision_number,
        rating.decided.text() if rating.decided else "",
        rating.issuer,
        rating.score,
        rating.valid_until.strftime("%d/%m/%Y") if rating.valid_until else "",
        rating.evidence,
        rating.reported.text() if rating.reported else "",
        frozenset(source.url for source in rating.sources.all()),
        rating.note,
    )


def test_every_rating_of_the_data_is_in_the_fixtures_unchanged(loaded, rating_rows):
    ratings = Certificate.objects.select_related("product__producer").prefetch_related("sources")
    assert Counter(rating_values(r) for r in ratings) == Counter(
        rating_row_values(row) for row in rating_rows
    )
    assert ratings.count() == len(rating_rows) == 114


def test_no_decision_number_or_date_is_invented(loaded, rating_rows, client):
    """Every decision number and date on record, on every page and in the CSV export, is one
    the data states; no placeholder (DEMO-…) anywhere."""
    numbers = {row["decision_number"] for row in rating_rows} - {""}
    # Other decisions a page may cite: a quality mark's (the GI Chè Tân Cương).
    numbers |= set(QualityMark.objects.values_list("decision", flat=True))
    dates = {row["decision_date"] for row in rating_rows} - {""}
    assert (
        set(
            Certificate.objects.exclude(decision_number="").values_list(
                "decision_number", flat=True
            )
        )
        <= numbers
    )
    for rating in Certificate.objects.exclude(decision_date=None):
        assert rating.decided.text() in dates
    for name in FIXTURES:
        assert "DEMO" not in (FIXTURE_DIR / f"{name}.json").read_text(encoding="utf-8")
    pages = [product.get_absolute_url() for product in Product.objects.all()]
    for url in [*pages, "/products/export.csv"]:
        content = client.get(url).content.decode()
        assert "DEMO" not in content, url
        for number in DECISION_NUMBER.findall(content):
            assert number in numbers, (url, number)


def test_the_ten_national_five_star_products_are_in_force_or_reported(loaded, client):
    """On 6 December 2026 the record proves all ten: 8 by decision or dated round, 2 by later
    reports (shared/data/README.md)."""
    day = datetime.date(2026, 12, 6)
    five = Product.objects.with_current_stars(day).filter(current_stars=5)
    states = Counter(five.values_list("rating_state", flat=True))
    assert states == {RatingState.IN_FORCE: 8, RatingState.REPORTED: 2}
    tom_non = five.get(name="Chè tôm nõn", producer__name="HTX Chè Hảo Đạt")
    decision = tom_non.certificates.get(decision_number="2890/QĐ-BNN-VPĐP")
    assert (decision.decision_date, decision.score) == (
        datetime.date(2021, 6, 30),
        Decimal("90.86"),
    )


def test_leads_are_not_published_as_products(loaded):
    leads = LEADS_CSV.read_text(encoding="utf-8") if LEADS_CSV.exists() else ""
    for row in csv.DictReader(leads.splitlines()):
        assert not Product.objects.filter(
            name=row["product_name_vi"], producer__name=row["producer_name_vi"] or None
        ).exists(), row["product_name_vi"]


def test_every_row_passes_validation(loaded):
    """full_clean() also checks each model's constraints, such as the score bands."""
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_search_text_is_what_save_would_store(loaded):
    products = Product.objects.select_related("producer__commune", "category")
    for product in products:
        assert (product.search_name, product.search_text) == product.build_search_fields()
    assert Product.objects.search("che tan cuong").filter(slug="che-dinh-tan-cuong").exists()


def test_loading_twice_changes_nothing(loaded):
    before = snapshot()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert snapshot() == before


PRODUCER = {
    "model": "catalogue.producer",
    "fields": {"name": "HTX Thử lỗi", "slug": "htx-thu-loi", "kind": "cooperative"},
}


def product(producer_slug: str) -> dict:
    return {
        "model": "catalogue.product",
        "fields": {
            "name": "Sản phẩm thử lỗi",
            "slug": "san-pham-thu-loi",
            "producer": [producer_slug],
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        },
    }


SCORE_OUT_OF_BAND = [
    PRODUCER,
    product("htx-thu-loi"),
    {
        "model": "certification.certificate",
        "fields": {
            "product": ["san-pham-thu-loi"],
            "stars": 3,
            "score": "95.00",
            "decision_number": "999/QĐ-UBND",
            "decision_date": "2025-06-30",
            "issuer_level": "province",
            "record_key": "999-qd-ubnd",
        },
    },
]
UNKNOWN_PRODUCER = [PRODUCER, product("khong-co-chu-the-nay")]


@pytest.mark.parametrize(
    ("objects", "model", "reason"),
    [
        (SCORE_OUT_OF_BAND, "certification.Certificate", "certificate_score_in_band"),
        (UNKNOWN_PRODUCER, "catalogue.product", "Producer matching query does not exist"),
    ],
    ids=["score-out-of-band", "unknown-producer"],
)
def test_a_broken_fixture_loads_nothing(loaded, tmp_path, objects, model, reason):
    """The error names the model and why; rows before the broken one are rolled back."""
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    before = snapshot()
    with pytest.raises((IntegrityError, DeserializationError)) as error:
        call_command("loaddata", str(path), verbosity=0)
    assert model in str(error.value)
    assert reason in str(error.value)
    assert snapshot() == before
    assert not Producer.objects.filter(slug="htx-thu-loi").exists()


def test_every_product_page_states_its_rating_in_words_and_names_its_sources(loaded, client):
    """On 6 December 2026 as on any day: a sentence for the state, and the sources section."""
    sentences = {
        "in_force": "in force until",
        "reported": "renewal's decision is not on record",
        "may_have_expired": "it may have expired",
        "expired": "no renewal on record since",
        "undated": "dates of this rating are not on record",
        "": "No OCOP rating of this product is on record",
    }
    for product in Product.objects.with_current_stars().prefetch_related("sources"):
        html = client.get(f"/en/products/{product.slug}/").content.decode()
        assert sentences[product.rating_state] in html.replace("&#x27;", "'"), product.slug
        assert 'id="sources-title"' in html
        for source in product.sources.all():
            assert f'href="{escape(source.url)}"' in html, (product.slug, source.url)
