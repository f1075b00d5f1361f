"""Products: what the catalogue lists, searches and shows."""

import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connections, models
from django.db.models import Case, F, Prefetch, Q, Subquery, Value, When
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import search
from core.slugs import SlugManager, slug_field, unique_slug
from core.text import fold
from core.translation import LocalizedText, TranslatedFieldsMixin
from places.models import Commune, CommuneAlias

from .. import qrcodes
from . import fulltext
from .categories import Category
from .codes import PUBLIC_CODE_PATTERN, CodeSequence, public_code
from .counts import CountsQuerySet
from .groupings import GroupingsQuerySet
from .media import ProductImage
from .producers import Producer
from .stars import NEWEST_FIRST, RatingState


class ProductQuerySet(GroupingsQuerySet, CountsQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def refresh_search_text(self):
        """Recompute the search fields after a producer, commune or category changed."""
        products = list(
            self.select_related("producer__commune", "category__parent__parent").prefetch_related(
                "producer__commune__aliases"
            )
        )
        for product in products:
            product.search_name, product.search_text = product.build_search_fields()
        self.model.objects.bulk_update(products, ["search_name", "search_text"], batch_size=500)

    def search(self, query: str):
        """Products that match every word of `query` (or a synonym), accents ignored.

        A word matches at the start of any word of the product's searchable text.
        Products whose name holds every word get `name_match` 1, the others 0.
        """

        def any_of(field, alternatives):
            return Q(
                *[(f"{field}__contains", search.pattern(word)) for word in alternatives],
                _connector=Q.OR,
            )

        if not query.strip():
            return self.annotate(name_match=Value(0))
        words = search.query_words(query)
        if not words:  # only punctuation: nothing can match it
            return self.none().annotate(name_match=Value(0))
        in_name = Q(*[any_of("search_name", alternatives) for alternatives in words])
        if connections[self.db].vendor == "sqlite":  # through its full-text index
            matching = self.filter(pk__in=fulltext.matching_ids(words))
        else:  # PostgreSQL: through the trigram indexes of the LIKE patterns
            matching = self.filter(*[any_of("search_text", alternatives) for alternatives in words])
        return matching.annotate(
            name_match=Case(When(in_name, then=1), default=0, output_field=models.IntegerField())
        )

    def related_to(self, product, count: int = 4):
        """The first `count` other products of the same category or commune, by stars then
        name.

        The first `count` of each, through its index, then the first of those: the same
        products as ordering all of them, at the cost of a few rows whatever their number.
        """
        others = self.exclude(pk=product.pk).by_stars_then_name().values("pk")
        same = Q(pk__in=[])
        if product.category_id:
            same |= Q(pk__in=others.filter(category_id=product.category_id)[:count])
        if product.stored_commune_id:
            same |= Q(pk__in=others.filter(stored_commune_id=product.stored_commune_id)[:count])
        return self.filter(same).by_stars_then_name()[:count]

    def similar_to(self, query: str):
        """Close matches for a query with typos (PostgreSQL only).

        Compared by trigram word similarity with the names (product, producer,
        commune), which are short: against the whole text it matched too loosely
        and took seconds at 100,000 products.
        """
        folded = " ".join(search.plain_words(query[: search.MAX_QUERY_LENGTH]))
        return self.filter(search_name__trigram_word_similar=folded).annotate(
            similarity=TrigramWordSimilarity(folded, "search_name"), name_match=Value(0)
        )

    def in_category(self, category):
        """Products of `category` or of any category below it (through the copied groupings)."""
        column = {
            Category.Level.SECTOR: "stored_sector_id",
            Category.Level.GROUP: "stored_group_id",
        }.get(category.level, "category_id")
        return self.filter(**{column: category.pk})

    def for_listing(self, on=None):
        return (
            self.published()
            .select_related("producer__commune", "category")
            .with_current_stars(on)
            .prefetch_related(
                Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))
            )
        )

    def for_detail(self, on=None):
        certificate_model = apps.get_model("certification", "Certificate")
        ratings = certificate_model.objects.select_related("commune").prefetch_related("sources")
        return self.for_listing(on).prefetch_related(
            "links",
            "quality_marks",
            "sources",
            Prefetch("certificates", queryset=ratings.order_by(*NEWEST_FIRST)),
        )

    def by_stars_then_name(self):
        return self.order_by(F("current_stars").desc(nulls_last=True), "name", "pk")

    def featured(self, count: int = 8):
        """`count` five-star products whose rating holds today (in force or reported so),
        in a random order: an expired 5-star rating is listed, never featured.

        Drawn among the ids alone, which the stars index holds; only those are loaded.
        """
        held = [RatingState.IN_FORCE, RatingState.REPORTED]
        drawn = self.filter(current_stars=5, rating_state__in=held).order_by("?").values("pk")
        drawn = drawn[:count]
        return self.filter(pk__in=Subquery(drawn)).order_by("?")

    def with_public_code(self, text: str):
        """The product whose public code is `text` (spaces, case, dashes and zeros forgiven)."""
        match = PUBLIC_CODE_PATTERN.match(fold(text).upper().replace(" ", ""))
        if not match:
            return self.none()
        return self.filter(public_code=public_code(int(match[1])))

    def give_public_codes(self, products: list["Product"]) -> None:
        """Fill the public code of new products made without save() (bulk_create)."""
        missing = [product for product in products if not product.public_code]
        numbers = CodeSequence.objects.take("product", len(missing)) if missing else []
        taken = set(
            self.model.objects.filter(
                public_code__in=[public_code(n) for n in numbers]
            ).values_list("public_code", flat=True)
        )
        for product, number in zip(missing, numbers, strict=True):
            code = public_code(number)
            while code in taken:  # rows loaded raw (fixtures) past the sequence
                number = CodeSequence.objects.take("product")[0]
                code = public_code(number)
            product.public_code = code


class Product(TranslatedFieldsMixin, models.Model):
    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("producer"),
        help_text=_("Leave empty when no source names the producer."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    slug = slug_field()
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
        help_text=_("The most specific level of the OCOP taxonomy that is known."),
    )
    summary = models.CharField(_("short description"), max_length=300, blank=True)
    summary_en = models.CharField(_("short description (English)"), max_length=300, blank=True)
    summary_fr = models.CharField(_("short description (French)"), max_length=300, blank=True)
    story = models.TextField(_("story"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    story_fr = models.TextField(_("story (French)"), blank=True)
    ingredients = models.TextField(_("ingredients or materials"), blank=True)
    net_weight = models.CharField(_("net weight or volume"), max_length=100, blank=True)
    packaging = models.CharField(_("packaging"), max_length=200, blank=True)
    shelf_life = models.CharField(_("shelf life"), max_length=100, blank=True)
    price_vnd = models.PositiveIntegerField(_("price (VND)"), null=True, blank=True)
    visiting_address = models.CharField(_("visiting address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    visiting_contact = models.CharField(_("visiting contact"), max_length=200, blank=True)
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="products", verbose_name=_("sources")
    )
    is_published = models.BooleanField(_("published"), default=True)
    public_code = models.CharField(
        _("public code"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("Given once when the product is created, never changed or reused."),
    )
    search_name = models.TextField(_("searchable name"), blank=True, editable=False)
    search_text = models.TextField(_("searchable text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # A copy of with_current_stars() for listings to sort and filter on through an index.
    # Kept by certificate and product saves; read through with_current_stars(), which first
    # recomputes the rows a new day made stale. Defaults: no certificate, true on any day.
    stored_stars = models.PositiveSmallIntegerField(
        _("current stars (stored)"), null=True, blank=True, editable=False
    )
    stored_state = models.CharField(
        _("rating state (stored)"),
        max_length=20,
        choices=RatingState.choices,
        blank=True,
        editable=False,
    )
    # Indexed: each certificate write looks up the products it is stored as current for.
    stored_certificate_id = models.BigIntegerField(
        _("current certificate (stored)"), null=True, blank=True, editable=False, db_index=True
    )
    stored_stars_on = models.DateField(
        _("stored stars computed for"), default=datetime.date.min, editable=False
    )
    stored_stars_changes_on = models.DateField(
        _("stored stars may change on"), default=datetime.date.max, editable=False
    )
    stored_stars_last_day = models.DateField(
        _("stored stars hold until"), default=datetime.date.max, editable=False
    )
    # Copies of what listings group and filter by, so that they read this table alone
    # (groupings.py keeps them): the producer's commune and kind, the category's group and
    # sector.
    stored_commune_id = models.BigIntegerField(
        _("commune (stored)"), null=True, blank=True, editable=False
    )
    stored_kind = models.CharField(
        _("producer kind (stored)"), max_length=20, blank=True, editable=False
    )
    stored_group_id = models.BigIntegerField(
        _("category group (stored)"), null=True, blank=True, editable=False
    )
    stored_sector_id = models.BigIntegerField(
        _("sector (stored)"), null=True, blank=True, editable=False
    )

    objects = SlugManager.from_queryset(ProductQuerySet)()
    # Who changed what and when; the derived search texts and the timestamp would only add noise.
    history = HistoricalRecords(
        excluded_fields=[
            "search_name",
            "search_text",
            "updated_at",
            "stored_stars",
            "stored_certificate_id",
            "stored_stars_on",
            "stored_stars_changes_on",
            "stored_stars_last_day",
            "stored_state",
            "stored_commune_id",
            "stored_kind",
            "stored_group_id",
            "stored_sector_id",
        ]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["is_published", "name"]),
            # The listings' orders: stars (the default; its index is in migration 0012, as SQLite
            # takes no NULLS LAST in an index), newest.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(is_published=True),
                name="product_published_newest",
            ),
            # with_stale_stars()
            models.Index(fields=["stored_stars_on"], name="product_stored_stars_on"),
            models.Index(fields=["stored_stars_changes_on"], name="product_stars_changes_on"),
            models.Index(fields=["stored_stars_last_day"], name="product_stars_last_day"),
        ]
        constraints = [
            # The register and its import tell products apart by name within a producer.
            models.UniqueConstraint(
                fields=["producer", "name"],
                name="product_name_unique_per_producer",
                violation_error_message=_("This producer already has a product of this name."),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        self.search_name, self.search_text = self.build_search_fields()
        if not self.public_code:
            type(self).objects.give_public_codes([self])
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalogue:product-detail", args=[self.slug])

    @property
    def public_url(self) -> str:
        """The page's canonical address, in Vietnamese (no language prefix): the QR code target."""
        with translation.override(settings.LANGUAGE_CODE):
            path = self.get_absolute_url()
        return settings.SITE_URL.rstrip("/") + path

    def qr_code(self, kind: str) -> bytes:
        """The QR code of public_url, as an "svg" or "png" file."""
        return qrcodes.render(self.public_url, kind)

    def natural_key(self):
        return (self.slug,)

    def build_search_fields(self) -> tuple[str, str]:
        """Accent-free (names, everything) texts that search() matches words against.

        Names: the product's in every language, its producer's and its commune's,
        with the former units merged into it. Everything adds the descriptions, the
        producer's addresses and the category with those above it.
        """
        names = [self.name, self.name_en, self.name_fr]
        producer = self.producer if self.producer_id else None
        if producer:
            names.append(producer.name)
            if producer.commune_id:
                names += producer.commune.search_names()
        parts = [*names, self.summary, self.summary_en, self.summary_fr]
        parts += [self.story, self.story_en, self.story_fr]
        if producer:  # "chè Thái Nguyên": the province and old district are in addresses
            parts += [producer.address, producer.former_address]
        if self.category_id:
            for category in [*self.category.ancestors(), self.category]:
                parts += [category.name, category.name_en, category.name_fr]
        return search.document(*names), search.document(*parts)

    @property
    def localized_name(self) -> LocalizedText:
        return self.localized("name")

    @property
    def localized_summary(self) -> LocalizedText:
        return self.localized("summary")

    @property
    def localized_story(self) -> LocalizedText:
        return self.localized("story")

    @property
    def commune(self):
        return self.producer.commune if self.producer else None

    @property
    def is_service(self) -> bool:
        return self.category is not None and self.category.is_service

    @property
    def cover_image(self):
        """The first image, from the prefetched `images` of for_listing()."""
        images = self.images.all()
        return images[0] if images else None

    @property
    def current_certificate(self):
        """The certificate annotated by with_current_stars(), from the prefetched history."""
        certificate_id = getattr(self, "current_certificate_id", None)
        return next((c for c in self.certificates.all() if c.pk == certificate_id), None)


@receiver(post_save, sender=Commune)
def refresh_commune_products(sender, instance, raw=False, **kwargs):
    """A commune's name is in its products' search texts."""
    if not raw:
        Product.objects.filter(producer__commune=instance).refresh_search_text()


@receiver(post_save, sender=CommuneAlias)
def refresh_alias_products(sender, instance, raw=False, **kwargs):
    """So are the names of the units merged into it."""
    if not raw:
        Product.objects.filter(producer__commune=instance.commune_id).refresh_search_text()
