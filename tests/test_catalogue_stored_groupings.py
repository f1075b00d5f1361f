"""The copies of what listings group by never disagree with their sources.

Listings count, filter and order products by their producer's commune and kind and by the
group and sector above their category, through copies on the product
(catalogue/models/groupings.py). These tests write producers, products and categories every
way the site does (saves, stale instances, queryset update(), bulk_create(), bulk_update(),
imports, fixtures loaded raw), then compare each product's copies with its sources.
"""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Category, Producer, Product

from .factories import make_category, make_certificate, make_commune, make_producer, make_product

pytestmark = pytest.mark.django_db


def expected(product: Product) -> tuple:
    """(commune, kind, group, sector) read from the producer and the category tree."""
    producer, category = product.producer, product.category
    chain = []
    while category is not None:
        chain.insert(0, category)
        category = category.parent
    by_level = {node.level: node.pk for node in chain}
    return (
        producer.commune_id if producer else None,
        producer.kind if producer else "",
        by_level.get(Category.Level.GROUP),
        by_level.get(Category.Level.SECTOR),
    )


def stored(product: Product) -> tuple:
    return (
        product.stored_commune_id,
        product.stored_kind,
        product.stored_group_id,
        product.stored_sector_id,
    )


def assert_copies_agree() -> int:
    """Every product's copies equal their sources; the number of products checked."""
    products = Product.objects.select_related("producer", "category__parent__parent")
    for product in products:
        assert stored(product) == expected(product), product.name
    return len(products)


class World:
    """Three communes, two sectors with two groups each, each group with a product set;
    producers and products among them."""

    def __init__(self):
        self.communes = [make_commune() for _ in range(3)]
        self.sectors = [make_category() for _ in range(2)]
        self.groups = [make_category(parent=s) for s in self.sectors for _ in range(2)]
        self.sets = [make_category(parent=g) for g in self.groups]
        self.producers = [make_producer(commune=c) for c in self.communes]
        self.producers.append(make_producer(commune=None, kind=Producer.Kind.HOUSEHOLD))
        self.categories = [None, *self.sectors, *self.groups, *self.sets]
        self.products = [
            make_product(producer=self.producers[i % 4], category=self.categories[i % 11])
            for i in range(6)
        ]
        self.products.append(make_product(producer=None, category=self.sets[0]))

    def pick(self, items, i):
        return items[i % len(items)]

    # Each step: (kind of write, two numbers that choose what it touches).

    def step(self, action: str, i: int, j: int) -> None:
        product = self.pick(self.products, i)
        producer = self.pick(self.producers, i)
        category = self.pick(self.categories, j)
        commune = self.pick([*self.communes, None], j)
        kind = self.pick(Producer.Kind.values, j)
        if action == "product save":
            product = Product.objects.get(pk=product.pk)
            product.producer, product.category = self.pick([*self.producers, None], j), category
            product.save()
        elif action == "product created":
            self.products.append(
                make_product(producer=self.pick(self.producers, j), category=category)
            )
        elif action == "product update()":
            Product.objects.filter(pk=product.pk).update(
                producer=self.pick(self.producers, j), category=category
            )
        elif action == "products bulk_update()":
            rows = list(Product.objects.filter(pk__in=[p.pk for p in self.products[: j % 4 + 1]]))
            for row in rows:
                row.category = category
                row.producer = producer
            Product.objects.bulk_update(rows, ["category", "producer"])
        elif action == "products bulk_create()":
            made = Product(name=f"Loạt {len(self.products)}", producer=producer, category=category)
            Product.objects.give_public_codes([made])
            made.slug = f"loat-{len(self.products)}"
            self.products += Product.objects.bulk_create([made])
        elif action == "producer save":
            producer = Producer.objects.get(pk=producer.pk)
            producer.commune, producer.kind = commune, kind
            producer.save()
        elif action == "producer saved from a stale instance":
            stale = Producer.objects.get(pk=producer.pk)
            Producer.objects.filter(pk=producer.pk).update(kind=kind)
            stale.commune = commune
            stale.save()
        elif action == "producers update()":
            Producer.objects.filter(pk__in=[p.pk for p in self.producers[: j % 4 + 1]]).update(
                commune=commune, kind=kind
            )
        elif action == "producers bulk_update()":
            rows = list(Producer.objects.filter(pk=producer.pk))
            rows[0].commune = commune
            Producer.objects.bulk_update(rows, ["commune"])
        elif action == "group moved":
            group = Category.objects.get(pk=self.pick(self.groups, i).pk)
            group.parent = self.pick(self.sectors, j)
            group.save()
        elif action == "product set made a group":
            product_set = Category.objects.get(pk=self.pick(self.sets, i).pk)
            product_set.parent, product_set.level = self.pick(self.sectors, j), 2
            product_set.save()
        elif action == "categories update()":
            product_set = self.pick(self.sets, i)
            group = Category.objects.get(pk=self.pick(self.groups, j).pk)
            if group.level == Category.Level.GROUP:
                Category.objects.filter(pk=product_set.pk).update(parent=group, level=3)
        elif action == "categories bulk_update()":
            group = Category.objects.get(pk=self.pick(self.groups, i).pk)
            if group.level == Category.Level.GROUP:
                group.parent = self.pick(self.sectors, j)
                Category.objects.bulk_update([group], ["parent"])


ACTIONS = [
    "product save",
    "product created",
    "product update()",
    "products bulk_update()",
    "products bulk_create()",
    "producer save",
    "producer saved from a stale instance",
    "producers update()",
    "producers bulk_update()",
    "group moved",
    "product set made a group",
    "categories update()",
    "categories bulk_update()",
]
STEPS = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_any_writes_keep_the_copies_right(steps):
    """Whatever sequence of saves, bulk writes and moves of products, producers and
    categories: each product's copies equal what its producer and category say."""
    with transaction.atomic():  # each example on its own rows
        world = World()
        assert_copies_agree()
        for action, i, j in steps:
            world.step(action, i, j)
            assert_copies_agree()
        transaction.set_rollback(True)


def test_a_moved_producer_moves_its_products_in_the_commune_listing(client):
    """What a visitor sees: the commune page and the commune facet follow the producer."""
    before, after = make_commune(name="Tân Cương"), make_commune(name="Phúc Xuân")
    producer = make_producer(commune=before)
    product = make_product(producer=producer, name="Chè móc câu")
    producer.commune = after
    producer.save()
    listed = client.get(after.get_absolute_url()).context["page"].object_list
    assert product in listed
    assert product not in client.get(before.get_absolute_url()).context["page"].object_list
    response = client.get(reverse("catalogue:product-list"))
    communes = {
        f.label: f.count
        for g in response.context["facets"]
        if g.name == "commune"
        for f in g.facets
    }
    assert communes == {"Phúc Xuân": 1}


def test_a_moved_category_moves_its_products_in_the_category_listings(client):
    """A product set moved to another group: listed under the new group and sector."""
    old_sector, new_sector = make_category(name="Thực phẩm"), make_category(name="Đồ uống")
    old_group = make_category(name="Chè", parent=old_sector)
    new_group = make_category(name="Trà", parent=new_sector)
    product_set = make_category(name="Chè xanh", parent=old_group)
    product = make_product(category=product_set)
    product_set.parent = new_group
    product_set.save()
    for category, listed in [(new_group, True), (new_sector, True), (old_group, False)]:
        page = client.get(category.get_absolute_url()).context["page"]
        assert (product in page.object_list) is listed, category.name


def test_fixtures_loaded_raw_store_their_copies():
    """loaddata writes rows without save(), products perhaps before their producers."""
    call_command("load_demo", verbosity=0)
    assert assert_copies_agree() > 50
    assert Product.objects.exclude(stored_commune_id=None).exists()


def test_seeded_catalogue_stores_its_copies():
    """seed_catalogue writes producers and products with bulk_create()."""
    call_command("seed_catalogue", products=60, verbosity=0)
    assert assert_copies_agree() >= 60


def test_an_import_stores_the_copies_of_the_products_it_wrote(tmp_path):
    from .spreadsheets import ROW, load_places, write_csv

    load_places()
    moved = ROW | {"commune": "Xã Phúc Xuân", "decision_number": "40/QĐ-UBND"}
    call_command("import_ocop", write_csv(tmp_path / "first.csv", [ROW]), verbosity=0)
    assert assert_copies_agree() == 1
    (product,) = Product.objects.all()
    assert product.stored_commune_id == product.producer.commune_id is not None
    assert product.stored_group_id is not None
    call_command("import_ocop", write_csv(tmp_path / "again.csv", [moved]), verbosity=0)
    assert assert_copies_agree() >= 1


def test_related_products_are_the_best_rated_of_the_same_category_or_commune(client):
    """The product page's four related products: the same as ordering every candidate."""
    commune, category = make_commune(), make_category()
    product = make_product(producer=make_producer(commune=commune), category=category)
    candidates = []
    for i in range(12):
        same = {"category": category} if i % 2 else {"producer": make_producer(commune=commune)}
        other = make_product(**same)
        make_certificate(product=other, stars=3 + i % 3)
        candidates.append(other)
    make_product(category=make_category())  # neither: never related
    best = sorted(
        candidates,
        key=lambda p: (-Product.objects.with_current_stars().get(pk=p.pk).current_stars, p.name),
    )
    related = client.get(product.get_absolute_url()).context["related"]
    assert list(related) == best[:4]


def test_aggregates_follow_every_change_with_the_page_cache_off(client, settings):
    """The facet counts, home figures and statistics are kept per catalogue version: a new
    product shows at once even when pages are not cached."""
    settings.PAGE_CACHE_TIMEOUT = 0
    make_certificate(stars=5)
    listing = reverse("catalogue:product-list")
    home, statistics = reverse("catalogue:home"), reverse("catalogue:statistics")
    assert client.get(listing).context["page"].paginator.count == 1
    assert client.get(home).context["counts"]["products"] == 1
    assert client.get(statistics).context["figures"].by_stars[5] == 1
    make_certificate(stars=5)
    assert client.get(listing).context["page"].paginator.count == 2
    assert client.get(home).context["counts"]["products"] == 2
    assert client.get(statistics).context["figures"].by_stars[5] == 2
    Product.objects.update(name=F("name"))  # a bulk write of no source: nothing to recount
    assert client.get(listing).context["page"].paginator.count == 2
