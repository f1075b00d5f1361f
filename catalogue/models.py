import datetime
import re
import time
from collections.abc import Container
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certification.models import in_force_condition

from . import images, qrcodes, search
from .text import fold, slugify_vi


def unique_slug(instance: models.Model, text: str, taken: Container[str] | None = None) -> str:
    """A slug for `text` that no other row of the instance's model uses yet.

    `taken`: the slugs in use, when the caller has them all (an import), to spare
    a query per try.
    """
    base = slugify_vi(text)[:80] or "item"
    others = type(instance)._default_manager.exclude(pk=instance.pk)

    def is_taken(slug: str) -> bool:
        return slug in taken if taken is not None else others.filter(slug=slug).exists()

    slug, n = base, 2
    while is_taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


class LocalizedText(str):
    """Text that knows its language, so templates can mark a Vietnamese fallback."""

    def __new__(cls, text: str, lang: str):
        instance = super().__new__(cls, text)
        instance.lang = lang
        return instance


class TranslatedFieldsMixin:
    """Models whose text fields have `_en` and `_fr` versions beside the Vietnamese."""

    def localized(self, field: str) -> LocalizedText:
        """The field in the active language, or the Vietnamese text when there is none."""
        language = (get_language() or "vi")[:2]
        translated = getattr(self, f"{field}_{language}", "") if language != "vi" else ""
        if translated:
            return LocalizedText(translated, language)
        return LocalizedText(getattr(self, field), "vi")


class SlugManager(models.Manager):
    """Natural key by slug, so fixtures load twice without duplicates."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CommuneQuerySet(models.QuerySet):
    def with_product_count(self):
        return self.annotate(
            product_count=models.Count(
                "producers__products",
                filter=Q(producers__products__is_published=True),
            )
        )

    def search(self, query: str):
        """Communes whose name or a former unit's name holds every word, accents ignored."""
        words = search.plain_words(query[: search.MAX_QUERY_LENGTH])
        matching = [
            commune.pk
            for commune in self.prefetch_related("aliases")
            if all(
                search.pattern(word) in search.document(*commune.search_names()) for word in words
            )
        ]
        return self.filter(pk__in=matching)

    def by_slug_or_alias(self, slug: str):
        """Communes with this slug, or that a former unit with this slug merged into."""
        return self.filter(Q(slug=slug) | Q(aliases__slug=slug)).distinct()


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "xa", _("commune (xã)")
        WARD = "phuong", _("ward (phường)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
    former_units = models.TextField(
        _("former units"), blank=True, help_text=_("The units merged into it on 1 July 2025.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = SlugManager.from_queryset(CommuneQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)
        Product.objects.filter(producer__commune=self).refresh_search_text()

    def get_absolute_url(self):
        return reverse("catalogue:commune-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def search_names(self) -> list[str]:
        """Its name and the names of the units merged into it, which people still use."""
        return [self.name, *(alias.name for alias in self.aliases.all())]


class CommuneAliasManager(models.Manager):
    def get_by_natural_key(self, commune_slug, name, former_district):
        return self.get(commune__slug=commune_slug, name=name, former_district=former_district)


class CommuneAlias(models.Model):
    """A pre-merger unit, still printed on older packaging and certificates."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("commune")
    )
    name = models.CharField(_("former name"), max_length=100)
    former_kind = models.CharField(_("former kind"), max_length=20, blank=True)
    former_district = models.CharField(_("former district"), max_length=100, blank=True)
    former_province = models.CharField(_("former province"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100)

    objects = CommuneAliasManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("former unit")
        verbose_name_plural = _("former units")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name", "former_district"], name="commune_alias_unique"
            )
        ]
        indexes = [models.Index(fields=["slug"])]

    def __str__(self):
        place = ", ".join(part for part in [self.former_district, self.former_province] if part)
        return f"{self.former_kind} {self.name} ({place})".strip()

    def save(self, *args, **kwargs):
        self.slug = slugify_vi(self.name)
        super().save(*args, **kwargs)
        Product.objects.filter(producer__commune=self.commune_id).refresh_search_text()

    def natural_key(self):
        return (self.commune.slug, self.name, self.former_district)

    natural_key.dependencies = ["catalogue.commune"]


class CategoryQuerySet(models.QuerySet):
    def sectors(self):
        return self.filter(parent__isnull=True)

    def tree_with_counts(self):
        """Sectors, each with `.nodes` below it; `.product_count` includes descendants."""
        categories = list(self.order_by("level", "position", "name"))
        direct = dict(
            Product.objects.published()
            .filter(category__isnull=False)
            .values_list("category")
            .annotate(n=models.Count("pk"))
        )
        by_id = {category.pk: category for category in categories}
        for category in categories:
            category.product_count = 0
            category.nodes = []
        for category in categories:
            node = category
            while node is not None:
                node.product_count += direct.get(category.pk, 0)
                node = by_id.get(node.parent_id)
            if category.parent_id:
                by_id[category.parent_id].nodes.append(category)
        return [category for category in categories if category.parent_id is None]


class Category(TranslatedFieldsMixin, models.Model):
    """One node of the OCOP taxonomy: sector (ngành) › group (nhóm) › product set."""

    class Level(models.IntegerChoices):
        SECTOR = 1, _("sector")
        GROUP = 2, _("group")
        PRODUCT_SET = 3, _("product set")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_service = models.BooleanField(
        _("is a service"),
        default=False,
        help_text=_("Tourism services show visiting information instead of pack details."),
    )

    objects = SlugManager.from_queryset(CategoryQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True)
                | Q(level__in=[2, 3], parent__isnull=False),
                name="category_level_matches_parent",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)
        Product.objects.in_category(self).refresh_search_text()

    def get_absolute_url(self):
        return reverse("catalogue:category-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        expected = self.parent.level + 1 if self.parent else self.Level.SECTOR
        if self.level != expected:
            raise ValidationError(
                {"level": _("A category's level must be one below its parent's.")}
            )

    @property
    def localized_name(self) -> LocalizedText:
        return self.localized("name")

    def ancestors(self) -> list["Category"]:
        """From the sector down to this category's parent."""
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


class ProducerQuerySet(models.QuerySet):
    def with_published_products(self):
        return self.filter(products__is_published=True).distinct()

    def with_product_count(self):
        return self.annotate(
            product_count=models.Count("products", filter=Q(products__is_published=True))
        )


class Producer(TranslatedFieldsMixin, models.Model):
    """A "chủ thể OCOP": the cooperative, business or household behind products."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("cooperative (HTX)")
        ENTERPRISE = "enterprise", _("enterprise")
        HOUSEHOLD = "household", _("household business")
        COOPERATIVE_GROUP = "cooperative_group", _("cooperative group")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="producers",
        verbose_name=_("commune"),
        help_text=_("Leave empty when the source does not name the commune."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    former_address = models.CharField(
        _("former address"),
        max_length=300,
        blank=True,
        help_text=_("The pre-merger address as printed on older certificates."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    story = models.TextField(_("story"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    story_fr = models.TextField(_("story (French)"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="producers/", blank=True, validators=[images.validate_image]
    )

    objects = SlugManager.from_queryset(ProducerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        if self.logo and not self.logo._committed:
            content, _image = images.store_original(self.logo, self.slug)
            self.logo.save(content.name, content, save=False)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # a new producer has no products yet
            self.products.refresh_search_text()

    def get_absolute_url(self):
        return reverse("catalogue:producer-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def localized_story(self) -> LocalizedText:
        return self.localized("story")


PUBLIC_CODE_PREFIX = "TN-OCOP-"
PUBLIC_CODE_PATTERN = re.compile(r"^TN[_-]*OCOP[_-]*0*(\d{1,9})$", re.ASCII)


def public_code(number: int) -> str:
    return f"{PUBLIC_CODE_PREFIX}{number:04d}"


class CodeSequenceManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def take(self, name: str, count: int = 1) -> list[int]:
        """The next `count` numbers of the sequence; a number once taken is never given again."""
        with transaction.atomic():
            sequence, _ = self.select_for_update().get_or_create(name=name)
            first = sequence.last_value + 1
            sequence.last_value += count
            sequence.save(update_fields=["last_value"])
        return list(range(first, first + count))


class CodeSequence(models.Model):
    """The last number handed out for public codes; only ever goes up, so codes are never reused."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    objects = CodeSequenceManager()

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self):
        return f"{self.name}: {self.last_value}"

    def natural_key(self):
        return (self.name,)


def headline_figures(by_stars: dict, by_kind: list, by_commune: list) -> dict[str, int]:
    """The home page's four figures, summed from the statistics' star, kind and commune counts."""
    return {
        "products": sum(by_stars.values()),
        "five_star": by_stars[5],
        "producers": sum(n for _kind, _label, n in by_kind),
        "communes": sum(1 for slug, _name, _n in by_commune if slug),
    }


def current_certificate(certificate_model, on: datetime.date) -> models.QuerySet:
    """The certificates in force on `on` of the outer product, the current one first."""
    return certificate_model.objects.filter(
        in_force_condition(on), product=OuterRef("pk")
    ).order_by("-decision_date", "-stars", "-pk")


def stored_stars_columns(certificate_model, on: datetime.date) -> dict:
    """Product.update() values storing the current stars on `on` and the days they hold for.

    Which certificates are in force changes only on a decision date, the day after a
    valid_until and a revocation date; between the changes nearest to `on` the current
    stars stay the same. A function of the model, so that migrations can use it.
    """
    theirs = certificate_model.objects.filter(product=OuterRef("pk")).order_by()

    def earliest(field: str, **after) -> Coalesce:
        first = theirs.filter(**after).values("product").annotate(day=models.Min(field))
        return Coalesce(
            Subquery(first.values("day")),
            Value(datetime.date.max),
            output_field=models.DateField(),
        )

    current = current_certificate(certificate_model, on)
    return {
        "stored_stars": Subquery(current.values("stars")[:1]),
        "stored_certificate_id": Subquery(current.values("pk")[:1]),
        # A product without certificates has no stars on any day: stored as a new one is.
        "stored_stars_on": Case(
            When(Exists(theirs), then=Value(on)),
            default=Value(datetime.date.min),
            output_field=models.DateField(),
        ),
        "stored_stars_changes_on": Least(
            earliest("decision_date", decision_date__gt=on),
            earliest("revoked_on", revoked_on__gt=on),
        ),
        "stored_stars_last_day": earliest("valid_until", valid_until__gte=on),
    }


# The day this process last made sure no stored stars were stale, and when (time.monotonic()).
STORED_STARS_CHECKED: list = [None, 0.0]
STORED_STARS_CHECK_SECONDS = 60


class ProductQuerySet(models.QuerySet):
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
        return self.filter(
            *[any_of("search_text", alternatives) for alternatives in words]
        ).annotate(
            name_match=Case(When(in_name, then=1), default=0, output_field=models.IntegerField())
        )

    def with_current_stars(self, on=None):
        """Annotate the stars and id of the newest certificate in force on `on` (today).

        Today's come from the stored copy (see store_current_stars), which listings
        sort and filter on through an index; any other day's from the certificates.
        """
        today = timezone.localdate()
        if on is None or on == today:
            self.model.objects.refresh_stale_stars(today)
            return self.annotate(
                current_stars=F("stored_stars"), current_certificate_id=F("stored_certificate_id")
            )
        current = current_certificate(apps.get_model("certification", "Certificate"), on)
        return self.annotate(
            current_stars=Subquery(current.values("stars")[:1]),
            current_certificate_id=Subquery(current.values("pk")[:1]),
        )

    def store_current_stars(self, on=None) -> int:
        """Store these products' current stars on `on` (today), and the days they hold for."""
        on = on or timezone.localdate()
        if on != STORED_STARS_CHECKED[0]:  # stored for another day than the one checked
            STORED_STARS_CHECKED[:] = [None, 0.0]
        certificate_model = apps.get_model("certification", "Certificate")
        return self.update(**stored_stars_columns(certificate_model, on))

    def with_stale_stars(self, on):
        """Products whose stored stars may differ from the certificates' on `on`."""
        return self.filter(
            Q(stored_stars_on__gt=on)
            | Q(stored_stars_changes_on__lte=on)
            | Q(stored_stars_last_day__lt=on)
        )

    def refresh_stale_stars(self, today) -> None:
        """Recompute the stored stars that a new day made stale (a certificate ended,
        started or was revoked since they were stored).

        Certificate and product saves keep the copy right for the day they run; only the
        date moves it. So one check per process and day suffices, repeated each minute for
        a write in another process whose transaction spanned midnight.
        """
        checked_day, checked_at = STORED_STARS_CHECKED
        if checked_day == today and time.monotonic() - checked_at < STORED_STARS_CHECK_SECONDS:
            return
        stale = self.model.objects.with_stale_stars(today)
        if stale.exists():
            stale.store_current_stars(today)
        STORED_STARS_CHECKED[:] = [today, time.monotonic()]

    def certified(self, on=None):
        return self.with_current_stars(on).filter(current_stars__isnull=False)

    def headline_counts(self, on=None):
        """The home page's figures, from the queries behind the statistics page's charts."""
        return headline_figures(
            self.count_by_stars(on), self.producers_by_kind(on), self.count_by_commune(on)
        )

    # Statistics: each counts the products of this queryset with a certificate in force on `on`.

    def count_by_stars(self, on=None) -> dict[int, int]:
        """Products per current star level, 5 to 3 (0 where there are none)."""
        rows = self.certified(on).order_by().values_list("current_stars")
        counts = dict(rows.annotate(n=models.Count("pk")))
        return {stars: counts.get(stars, 0) for stars in (5, 4, 3)}

    def count_by_category_group(self, on=None) -> list[tuple[str | None, str, int]]:
        """(slug, name, products) per category group (nhóm), most first.

        A product set's products count in its group; the slug is None for products
        filed under a sector only or under no category.
        """
        level = Category.Level
        fields = ["slug", "name", "name_en", "name_fr"]
        group = {
            f"group_{field}": Case(
                When(category__level=level.GROUP, then=F(f"category__{field}")),
                When(category__level=level.PRODUCT_SET, then=F(f"category__parent__{field}")),
            )
            for field in fields
        }
        rows = self.certified(on).order_by().annotate(**group).values(*group)
        rows = rows.annotate(n=models.Count("pk")).order_by("-n", "group_name")
        return [
            (
                row["group_slug"],
                Category(**{f: row[f"group_{f}"] for f in fields}).localized_name
                if row["group_slug"]
                else _("Group not recorded"),
                row["n"],
            )
            for row in rows
        ]

    def count_by_commune(self, on=None) -> list[tuple[str | None, str, int]]:
        """(slug, name, products) per commune, most first; the slug is None for "not recorded"."""
        rows = self.certified(on).order_by()
        rows = rows.values_list("producer__commune__slug", "producer__commune__name")
        rows = rows.annotate(n=models.Count("pk")).order_by("-n", "producer__commune__name")
        return [(slug, name or _("Commune not recorded"), n) for slug, name, n in rows]

    def producers_by_kind(self, on=None) -> list[tuple[str, str, int]]:
        """(kind, label, producers) for the producers of these products, most first."""
        rows = self.certified(on).order_by().values_list("producer__kind")
        rows = rows.annotate(n=models.Count("producer", distinct=True)).order_by(
            "-n", "producer__kind"
        )
        return [(kind, Producer.Kind(kind).label, n) for kind, n in rows]

    def related_to(self, product):
        """Other products of the same category or commune, same category first."""
        same = Q(pk__in=[])
        if product.category_id:
            same |= Q(category_id=product.category_id)
        if product.producer.commune_id:
            same |= Q(producer__commune_id=product.producer.commune_id)
        return self.filter(same).exclude(pk=product.pk).by_stars_then_name()

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
        """Products of `category` or of any category below it."""
        return self.filter(
            Q(category=category)
            | Q(category__parent=category)
            | Q(category__parent__parent=category)
        )

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
        return self.for_listing(on).prefetch_related(
            "links",
            "quality_marks",
            Prefetch(
                "certificates",
                queryset=certificate_model.objects.select_related("commune").order_by(
                    "-decision_date", "-pk"
                ),
            ),
        )

    def by_stars_then_name(self):
        return self.order_by(F("current_stars").desc(nulls_last=True), "name", "pk")

    def featured(self, count: int = 8):
        """`count` five-star products in a random order.

        Drawn among the ids alone, which the stars index holds; only those are loaded.
        """
        drawn = self.filter(current_stars=5).order_by("?").values("pk")[:count]
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
        Producer, on_delete=models.PROTECT, related_name="products", verbose_name=_("producer")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
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
        return self.producer.commune

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


class ProductImageManager(models.Manager):
    def get_by_natural_key(self, product_slug, image):
        return self.get(product__slug=product_slug, image=image)


class ProductImage(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.ImageField(_("image"), upload_to="products/", validators=[images.validate_image])
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"), max_length=200, blank=True, help_text=_("Empty: the product name is used.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first; the first is the cover.")
    )

    objects = ProductImageManager()
    history = HistoricalRecords(excluded_fields=["width", "height", "renditions"])

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self):
        return self.alt or str(self.image)

    def save(self, *args, **kwargs):
        if self.image and not self.image._committed:
            content, decoded = images.store_original(self.image, self.product.slug)
            old = None
            if self.pk:
                old = type(self).objects.filter(pk=self.pk).values("image", "renditions").first()
            self.image.save(content.name, content, save=False)
            self.set_renditions(decoded)
            if old and old["image"] != self.image.name:
                storage = self.image.storage
                transaction.on_commit(
                    lambda: images.delete_files(storage, old["image"], old["renditions"])
                )
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.product.slug, self.image.name)

    natural_key.dependencies = ["catalogue.product"]

    @property
    def alt(self) -> str:
        return self.alt_text or self.product.name

    def set_renditions(self, decoded=None) -> None:
        """Cut the renditions from the stored original (or its decoded image)."""
        if decoded is None:
            with self.image.open("rb") as file:
                decoded = images.open_checked(file).image
        storage = self.image.storage
        images.delete_files(storage, "", self.renditions)
        self.width, self.height = decoded.size
        self.renditions = images.make_renditions(decoded, self.image.name, storage)

    def srcset(self, kind: str) -> str:
        storage, seen, parts = self.image.storage, set(), []
        for entry in self.renditions.values():
            if entry["width"] not in seen:
                seen.add(entry["width"])
                parts.append(f"{storage.url(entry[kind])} {entry['width']}w")
        return ", ".join(parts)

    @property
    def picture(self) -> dict:
        """What templates need for <picture>: srcsets, and a fallback of each size."""
        if not self.renditions:  # loaded raw from a fixture, before rebuild_renditions
            url = self.image.url
            return {
                "src": url,
                "zoom": url,
                "width": self.width,
                "height": self.height,
                "webp": "",
                "jpeg": "",
            }
        medium = self.renditions.get("medium") or next(iter(self.renditions.values()))
        return {
            "src": self.image.storage.url(medium["jpeg"]),
            "zoom": self.image.storage.url(self.renditions.get("large", medium)["jpeg"]),
            "width": medium["width"],
            "height": medium["height"],
            "webp": self.srcset("webp"),
            "jpeg": self.srcset("jpeg"),
        }


# Inside stars_stored_at_the_end(): the (product ids, certificate ids) written so far.
STARS_TO_STORE: ContextVar[tuple[set, set] | None] = ContextVar("stars_to_store", default=None)


@contextmanager
def stars_stored_at_the_end():
    """Store the current stars of every product written inside the block once, at its end.

    For many writes in one transaction (the import): one UPDATE instead of one per save.
    Nothing is stored when the block raises (its transaction is rolled back anyway).
    """
    products, certificates = set(), set()
    token = STARS_TO_STORE.set((products, certificates))
    try:
        yield
    finally:
        STARS_TO_STORE.reset(token)
    if products or certificates:
        Product.objects.filter(
            Q(pk__in=products) | Q(stored_certificate_id__in=certificates)
        ).store_current_stars()


@receiver(post_save, sender=Product)
def store_saved_product_stars(sender, instance, created, **kwargs):
    """A save writes the stored stars the instance was loaded with: store them afresh."""
    if created:
        return
    if deferred := STARS_TO_STORE.get():
        deferred[0].add(instance.pk)
    else:
        Product.objects.filter(pk=instance.pk).store_current_stars()


@receiver(post_save, sender="certification.Certificate")
@receiver(post_delete, sender="certification.Certificate")
def store_certified_product_stars(sender, instance, **kwargs):
    """A certificate written or deleted: store its product's stars afresh.

    And those of a product it was current for before it moved to another; for any other
    product it left, today's stars stay the same and the stored days only get fewer.
    """
    if deferred := STARS_TO_STORE.get():
        deferred[0].add(instance.product_id)
        deferred[1].add(instance.pk)
        return
    products = Product.objects.filter(
        Q(pk=instance.product_id) | Q(stored_certificate_id=instance.pk)
    )
    products.store_current_stars()


@receiver(post_delete, sender=ProductImage)
def delete_image_files(sender, instance, **kwargs):
    """A deleted image (alone or with its product) takes its files with it."""
    if instance.image:
        storage, name, renditions = instance.image.storage, instance.image.name, instance.renditions
        # After the commit: a rolled-back delete keeps its files.
        transaction.on_commit(lambda: images.delete_files(storage, name, renditions))


class ProductLinkManager(models.Manager):
    def get_by_natural_key(self, product_slug, url):
        return self.get(product__slug=product_slug, url=url)


class ProductLink(models.Model):
    """A place to buy the product or book the service."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="links", verbose_name=_("product")
    )
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("address"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ProductLinkManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("where to buy")
        verbose_name_plural = _("where to buy")
        constraints = [
            models.UniqueConstraint(fields=["product", "url"], name="product_link_unique")
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.product.slug, self.url)

    natural_key.dependencies = ["catalogue.product"]


class QualityMark(models.Model):
    """A quality mark besides OCOP: geographical indication, collective trademark, VietGAP..."""

    class Kind(models.TextChoices):
        GEOGRAPHICAL_INDICATION = "gi", _("geographical indication")
        COLLECTIVE_TRADEMARK = "collective_trademark", _("collective trademark")
        VIETGAP = "vietgap", _("VietGAP")
        ORGANIC = "organic", _("organic")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
    number = models.CharField(
        _("number"), max_length=100, blank=True, help_text=_("Certificate or registration number.")
    )
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    area = models.CharField(_("area covered"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="quality_marks", verbose_name=_("products")
    )

    objects = SlugManager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("quality mark")
        verbose_name_plural = _("quality marks")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, f"{self.kind} {self.name}")
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)


class CommuneEditor(models.Model):
    """A commune editor's communes: in the admin they see and edit only what belongs to these."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="commune_editor",
        verbose_name=_("user"),
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="editors", verbose_name=_("communes")
    )

    class Meta:
        verbose_name = _("commune editor")
        verbose_name_plural = _("commune editors")

    def __str__(self):
        return str(self.user)
