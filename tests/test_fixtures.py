"""The fixtures built by manage.py build_fixtures: complete, repeatable, all or nothing."""

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError

from catalogue.models import Category, Producer, Product, ProductImage
from certification.models import Certificate
from places.models import Commune, CommuneAlias

FIXTURES = ["communes", "categories", "demo"]
FIXTURE_DIR = Path(settings.FIXTURE_DIRS[0])
PRODUCTS_CSV = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "thai_nguyen_ocop_products.csv"
)
MODELS = [Commune, CommuneAlias, Category, Producer, Product, ProductImage, Certificate]
UNKNOWN_COMMUNE = "chưa rõ xã"


@pytest.fixture
def csv_rows() -> list[dict[str, str]]:
    if not PRODUCTS_CSV.exists():
        pytest.skip(f"{PRODUCTS_CSV} is not available")
    with PRODUCTS_CSV.open(encoding="utf-8", newline="") as file:
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
    objects = json.loads((FIXTURE_DIR / "demo.json").read_text(encoding="utf-8"))
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


def test_counts_match_the_csv(loaded, csv_rows):
    """One product a row; producers by exact name, plus one placeholder a nameless row."""
    named = {row["producer_name_vi"] for row in csv_rows if row["producer_name_vi"]}
    nameless = [row for row in csv_rows if not row["producer_name_vi"]]
    assert Product.objects.count() == len(csv_rows) == 73
    assert Producer.objects.count() == len(named) + len(nameless)
    for row in nameless:
        product = Product.objects.get(name=row["product_name_vi"])
        assert product.producer.name.startswith("Chủ thể chưa được ghi nhận")
        assert product.producer.kind == Producer.Kind.OTHER

    stars = Counter(int(row["stars"]) for row in csv_rows if row["stars"])
    assert Certificate.objects.count() == stars.total()
    for star, count in stars.items():
        assert Certificate.objects.filter(stars=star).count() == count


def test_every_five_star_row_has_a_five_star_certificate(loaded, csv_rows):
    five_star = [row for row in csv_rows if row["stars"] == "5"]
    assert len(five_star) == 10
    for row in five_star:
        product = Product.objects.get(name=row["product_name_vi"])
        certificate = product.certificates.get()
        assert certificate.stars == 5
        assert certificate.issuer_level == Certificate.IssuerLevel.CENTRAL


def test_a_row_without_stars_has_no_certificate(loaded, csv_rows):
    unrated = [row["product_name_vi"] for row in csv_rows if not row["stars"]]
    assert unrated
    products = Product.objects.filter(name__in=unrated)
    assert products.count() == len(unrated)
    assert not Certificate.objects.filter(product__in=products).exists()
    assert not Product.objects.certified().filter(name__in=unrated).exists()


def test_rows_with_an_unknown_commune_have_no_commune(loaded, csv_rows):
    unknown = {row["product_name_vi"] for row in csv_rows if UNKNOWN_COMMUNE in row["commune_vi"]}
    assert len(unknown) == 25
    for product in Product.objects.select_related("producer").prefetch_related("certificates"):
        if product.name in unknown:
            assert product.producer.commune_id is None, product.name
            assert all(c.commune_id is None for c in product.certificates.all())
            assert product.producer.former_address
        else:
            assert product.producer.commune_id is not None, product.name


def test_demo_certificates_are_marked_as_demo(loaded):
    for certificate in Certificate.objects.all():
        assert certificate.is_demo
        assert certificate.decision_number.startswith("DEMO-")
        assert certificate.score is None
        assert "giữ chỗ" in certificate.note
        assert certificate.source_url.startswith("http")


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
            "decision_number": "DEMO-999",
            "decision_date": "2025-06-30",
            "valid_until": "2028-06-29",
            "issuer_level": "province",
        },
    },
]
UNKNOWN_PRODUCER = [PRODUCER, product("khong-co-chu-the-nay")]


@pytest.mark.parametrize(
    ("objects", "model", "reason"),
    [
        (SCORE_OUT_OF_BAND, "certification.Certificate", "certificate_score_in_band"),
        (UNKNOWN_PRODUCER, "catalogue.Product", "producer_id"),
    ],
    ids=["score-out-of-band", "unknown-producer"],
)
def test_a_broken_fixture_loads_nothing(loaded, tmp_path, objects, model, reason):
    """The error names the model and why; rows before the broken one are rolled back."""
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    before = snapshot()
    with pytest.raises(IntegrityError) as error:
        call_command("loaddata", str(path), verbosity=0)
    assert model in str(error.value)
    assert reason in str(error.value)
    assert snapshot() == before
    assert not Producer.objects.filter(slug="htx-thu-loi").exists()
