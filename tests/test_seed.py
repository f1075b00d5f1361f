"""seed_catalogue: a marked synthetic catalogue that --clear removes without touching real data."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from places.models import Commune, CommuneAlias
from registry.management.commands.seed_catalogue import DECISION_PREFIX, MARK, SLUG_PREFIX

from .test_fixtures import snapshot

pytestmark = pytest.mark.django_db

N = 200


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_catalogue", *args, verbosity=0, stdout=out, stderr=StringIO())
    return out.getvalue()


def synthetic_products():
    return Product.objects.filter(slug__startswith=SLUG_PREFIX)


@pytest.fixture
def seeded(db):
    """The real fixtures, then N synthetic products on top."""
    call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
    before = snapshot()
    seed("--products", str(N), "--seed", "7")
    return before


def test_seeding_adds_n_marked_products_each_with_a_certificate(seeded):
    products = list(synthetic_products().select_related("producer"))
    assert len(products) == N
    assert Product.objects.count() == N + len(seeded["catalogue.Product"])
    for product in products:
        assert product.producer.name.startswith(MARK)
        assert product.producer.slug.startswith(SLUG_PREFIX)
        assert product.summary.startswith(MARK)
        assert product.is_published
    certificates = Certificate.objects.filter(product__in=synthetic_products())
    assert certificates.count() == N
    assert set(certificates.values_list("product", flat=True)) == {p.pk for p in products}
    for certificate in certificates:
        assert certificate.decision_number.startswith(DECISION_PREFIX)


def test_seeded_records_are_valid(seeded):
    """Every synthetic row passes full_clean(), constraints included."""
    for model in [Producer, Product, Certificate]:
        for obj in model.objects.filter(pk__in=synthetic_pks(model)):
            obj.full_clean()


def synthetic_pks(model) -> list[int]:
    if model is Producer:
        return list(Producer.objects.filter(name__startswith=MARK).values_list("pk", flat=True))
    if model is Product:
        return list(synthetic_products().values_list("pk", flat=True))
    return list(
        Certificate.objects.filter(decision_number__startswith=DECISION_PREFIX).values_list(
            "pk", flat=True
        )
    )


def test_search_fields_are_what_save_would_store(seeded):
    """bulk_create skips save(): the command computes the same search fields itself."""
    products = synthetic_products().order_by("?")[:40]
    assert products
    for product in products:
        stored = (product.search_name, product.search_text)
        product.save()
        product.refresh_from_db()
        assert stored == (product.search_name, product.search_text), product.slug


def test_the_distribution_looks_like_the_province(db):
    """Mostly 3-star, some 4, few 5; about a tenth expired; every commune used, a few most."""
    seed("--products", "1000")
    certificates = Certificate.objects.filter(decision_number__startswith=DECISION_PREFIX)
    stars = Counter(certificates.values_list("stars", flat=True))
    assert stars[3] > 650 and 120 < stars[4] < 300 and 0 < stars[5] < 60, stars
    expired = certificates.filter(ends_by__lt=timezone.localdate()).count()
    assert 50 < expired < 170
    communes = Counter(synthetic_products().values_list("producer__commune__slug", flat=True))
    assert set(Commune.objects.values_list("slug", flat=True)) <= set(communes)
    assert communes[None] > 0
    top_five = sum(n for slug, n in communes.most_common(6) if slug is not None)
    assert top_five > 0.3 * 1000
    tea = Category.objects.get(slug="che")
    assert Product.objects.in_category(tea).count() > 0.2 * 1000


def test_communes_and_categories_are_loaded_into_an_empty_database(db):
    seed("--products", "20")
    assert Commune.objects.count() == 92
    assert CommuneAlias.objects.exists()
    assert Category.objects.sectors().count() == 6
    assert synthetic_products().count() == 20


@pytest.mark.parametrize(
    "url",
    [
        reverse("catalogue:home"),
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?q=che+tan+cuong&stars=3",
        reverse("catalogue:star-detail", args=[4]),
        reverse("catalogue:commune-detail", args=["tan-cuong"]),
        reverse("catalogue:category-detail", args=["che"]),
        reverse("catalogue:producer-list"),
        reverse("catalogue:commune-list"),
        reverse("catalogue:category-list"),
    ],
)
def test_listing_pages_render_with_the_synthetic_catalogue(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 200


def test_a_synthetic_product_page_renders(client, seeded):
    product = synthetic_products().first()
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    assert response.context["product"] == product
    producer_page = client.get(product.producer.get_absolute_url())
    assert producer_page.status_code == 200


def test_clear_removes_exactly_the_synthetic_records(seeded):
    """--clear deletes the synthetic certificates, products and producers and nothing else."""
    output = seed("--clear")
    assert f"{N} synthetic certificates, {N} products" in output
    assert snapshot() == seeded
    assert not Producer.objects.filter(name__startswith=MARK).exists()


def test_clear_keeps_lookalikes_that_are_not_fully_marked(seeded):
    """A real producer whose name happens to start with the mark is not synthetic."""
    lookalike = Producer.objects.create(name=f"{MARK} HTX thật", slug="htx-that")
    demo_like = Certificate.objects.exclude(decision_number__startswith=DECISION_PREFIX).first()
    seed("--clear")
    assert Producer.objects.filter(pk=lookalike.pk).exists()
    assert Certificate.objects.filter(pk=demo_like.pk).exists()


def test_seeding_twice_adds_more_with_new_slugs_and_clear_then_seed_replaces(seeded):
    seed("--products", "30")
    assert synthetic_products().count() == N + 30
    seed("--clear", "--products", "10")
    assert synthetic_products().count() == 10


def test_the_same_seed_gives_the_same_catalogue(db):
    seed("--products", "50", "--seed", "3")
    first = list(synthetic_products().order_by("slug").values_list("name", "category__slug"))
    seed("--clear", "--products", "50", "--seed", "3")
    second = list(synthetic_products().order_by("slug").values_list("name", "category__slug"))
    assert [row[0] for row in first] and first == second


def test_nothing_to_do_is_an_error(db):
    with pytest.raises(CommandError):
        seed()
