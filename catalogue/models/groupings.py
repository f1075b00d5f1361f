"""What listings group and filter by, copied onto each product: its producer's commune and
kind, and the group (nhóm) and sector (ngành) above its category.

Listings count facets, filter by commune, kind and category, and pick related products over
the product table alone, through its indexes, instead of joining every product to its
producer and categories. The copies are written by one UPDATE computed from the sources
(`store_groupings`), run by every write that can change them: saves (receivers below),
queryset update(), bulk_create() and bulk_update() of products, producers and categories
(their querysets), imports (once, at the end, with the stored stars) and fixtures loaded raw
(in any order: whichever row comes last writes the copy).
tests/test_catalogue_stored_groupings.py proves they always agree with the sources.
"""

from django.apps import apps
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.dispatch import receiver

from .stars import STARS_TO_STORE

# The sources of the copies: a product's own fields, a producer's, a category's.
PRODUCT_SOURCES = {"producer", "producer_id", "category", "category_id"}
PRODUCER_SOURCES = {"commune", "commune_id", "kind"}
CATEGORY_SOURCES = {"parent", "parent_id", "level"}


def model(name: str):
    return apps.get_model("catalogue", name)


def grouping_columns() -> dict:
    """Product.update() values copying the outer product's groupings from their sources."""
    producers = model("Producer").objects.filter(pk=OuterRef("producer_id"))
    categories = model("Category").objects.filter(pk=OuterRef("category_id"))
    level = model("Category").Level
    group = Case(
        When(level=level.GROUP, then=F("pk")),
        When(level=level.PRODUCT_SET, then=F("parent_id")),
        default=None,
        output_field=models.BigIntegerField(),
    )
    sector = Case(
        When(level=level.SECTOR, then=F("pk")),
        When(level=level.GROUP, then=F("parent_id")),
        When(level=level.PRODUCT_SET, then=F("parent__parent_id")),
        default=None,
        output_field=models.BigIntegerField(),
    )
    return {
        "stored_commune_id": Subquery(producers.values("commune_id")[:1]),
        "stored_kind": Coalesce(
            Subquery(producers.values("kind")[:1]), Value(""), output_field=models.CharField()
        ),
        "stored_group_id": Subquery(categories.annotate(group=group).values("group")[:1]),
        "stored_sector_id": Subquery(categories.annotate(sector=sector).values("sector")[:1]),
    }


# Beyond this many rows, a bulk write recomputes every product's copy rather than list ids.
MAX_IDS = 5000


def store_groupings_of(ids) -> None:
    products = model("Product").objects
    ids = list(ids)
    if ids:
        store_product_groupings(
            products.all() if len(ids) > MAX_IDS else products.filter(pk__in=ids)
        )


class GroupingsQuerySet(models.QuerySet):
    """Products: their copied groupings, and writes without save() that keep them."""

    def store_groupings(self) -> int:
        """Copy these products' groupings from their producer and category."""
        return self.update(**grouping_columns())

    def in_category_tree(self, category):
        """Products of `category` or below it, through the categories themselves (not the
        copies): what the copies are rewritten from when the tree changes."""
        return self.filter(
            Q(category=category)
            | Q(category__parent=category)
            | Q(category__parent__parent=category)
        )

    def stored_columns(self, on) -> dict:
        return super().stored_columns(on) | grouping_columns()

    def update(self, **kwargs):
        if not PRODUCT_SOURCES & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True)[: MAX_IDS + 1])
            count = super().update(**kwargs)
            store_groupings_of(ids)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if any(product.pk is None for product in created):  # a backend returning no ids
                store_product_groupings(self.model.objects.all())
            else:
                store_groupings_of(product.pk for product in created)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        if not PRODUCT_SOURCES & set(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            store_groupings_of(product.pk for product in objs)
        return count


class SourcesQuerySet(models.QuerySet):
    """Producers and categories: writes without save() that change their products' copies."""

    sources: set[str] = set()

    def products_of(self, ids) -> models.QuerySet:
        """The products whose copies the rows `ids` are a source of (all, past MAX_IDS)."""
        if len(ids) > MAX_IDS:
            return model("Product").objects.all()
        return self.products_of_rows(ids)

    def products_of_rows(self, ids) -> models.QuerySet:
        raise NotImplementedError

    def update(self, **kwargs):
        if not self.sources & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True)[: MAX_IDS + 1])
            count = super().update(**kwargs)
            store_product_groupings(self.products_of(ids))
        return count

    def bulk_update(self, objs, fields, *args, **kwargs):
        if not self.sources & set(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            store_product_groupings(self.products_of([obj.pk for obj in objs]))
        return count


class ProducerSourcesQuerySet(SourcesQuerySet):
    sources = PRODUCER_SOURCES

    def products_of_rows(self, ids):
        return model("Product").objects.filter(producer__in=ids)


class CategorySourcesQuerySet(SourcesQuerySet):
    sources = CATEGORY_SOURCES

    def products_of_rows(self, ids):
        return products_of_categories(ids)


def store_product_groupings(products: models.QuerySet) -> None:
    """Store the groupings of `products` now, or at the end of stars_stored_at_the_end()."""
    if (deferred := STARS_TO_STORE.get()) is not None:
        deferred[0].update(products.values_list("pk", flat=True))
    else:
        products.store_groupings()


def products_of_categories(ids) -> models.QuerySet:
    """The products filed under the categories `ids` or under any category below them."""
    ids = list(ids)
    return model("Product").objects.filter(
        Q(category__in=ids) | Q(category__parent__in=ids) | Q(category__parent__parent__in=ids)
    )


@receiver(post_save, sender="catalogue.Product")
def store_saved_product_groupings(sender, instance, created, raw=False, **kwargs):
    """A product written: copy its groupings afresh (a fixture's producer may come later)."""
    if deferred := STARS_TO_STORE.get():
        deferred[0].add(instance.pk)  # stored with the stars, at the block's end
    elif created or raw:  # an update is stored with the stars (store_saved_product_stars)
        model("Product").objects.filter(pk=instance.pk).store_groupings()


@receiver(post_save, sender="catalogue.Producer")
def store_producer_groupings(sender, instance, created, raw=False, **kwargs):
    """A producer written: its products' commune and kind."""
    if not created or raw:  # a new producer has no products, unless loaded raw after them
        store_product_groupings(model("Product").objects.filter(producer=instance.pk))


@receiver(post_save, sender="catalogue.Category")
def store_category_groupings(sender, instance, created, raw=False, **kwargs):
    """A category written (perhaps moved): the group and sector of the products below it."""
    if not created or raw:
        store_product_groupings(products_of_categories([instance.pk]))
