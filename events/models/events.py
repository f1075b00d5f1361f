"""The programme's public life: contests, fairs, exhibitions and seminars, with their entrants,
awards and seminar sessions; and the programme's news.

An event's dates are partial dates (core/dates.py), as the sources give them; either may be
unknown. Whether an event is upcoming, on or past is computed from the dates on a given day
(`on`, the site's date in Asia/Ho_Chi_Minh), from two stored days: the first day it can start
and the last day it can end.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import PartialDate, Precision, partial
from core.slugs import SlugManager, slug_field, unique_slug
from core.translation import LocalizedText, TranslatedFieldsMixin

from .pictures import Picture, delete_picture_files, localized_or_any


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, on=None):
        """Not over on `on`: starting later, or on that day (an event with no known end is
        on during its start day, or the period its start is known to)."""
        on = on or timezone.localdate()
        return self.filter(last_day__gte=on)

    def past(self, on=None):
        """Over before `on`: its last possible day (the end, else the start) is before it."""
        on = on or timezone.localdate()
        return self.filter(last_day__lt=on)

    def undated(self):
        return self.filter(last_day__isnull=True)

    def soonest_first(self):
        return self.order_by("first_day", "last_day", "name", "pk")

    def latest_first(self):
        return self.order_by(F("first_day").desc(nulls_last=True), "name", "pk")

    def for_listing(self):
        return self.select_related("commune").prefetch_related(
            models.Prefetch("images", queryset=EventImage.objects.order_by("position", "pk"))
        )


class Event(TranslatedFieldsMixin, models.Model):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("contest")
        FAIR = "fair", _("fair or festival")
        EXHIBITION = "exhibition", _("exhibition")
        SEMINAR = "seminar", _("seminar")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled or held")
        POSTPONED = "postponed", _("postponed")
        RESCHEDULED = "rescheduled", _("rescheduled")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    slug = slug_field()
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    starts_on = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_("Empty when no source gives it. For a month or a year only, its first day."),
    )
    starts_on_precision = models.CharField(
        _("start date known to the"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    ends_on = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("Empty when no source gives it. For a month or a year only, its first day."),
    )
    ends_on_precision = models.CharField(
        _("end date known to the"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("commune"),
        help_text=_("Leave empty when the source does not name the commune."),
    )
    organiser = models.CharField(_("organiser"), max_length=300, blank=True)
    website = models.URLField(_("official page"), max_length=500, blank=True)
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="events", verbose_name=_("sources")
    )
    is_published = models.BooleanField(_("published"), default=True)
    # Computed by save() from the dates: what "upcoming" and "past" filter on.
    first_day = models.DateField(_("first possible day"), null=True, editable=False)
    last_day = models.DateField(_("last possible day"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager.from_queryset(EventQuerySet)()

    class Meta:
        ordering = [F("first_day").desc(nulls_last=True), "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "last_day"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        self.set_days()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:event-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        start, end = self.start, self.end
        if start and end and end.last_day < start.first_day:
            raise ValidationError(
                {"ends_on": _("The event cannot end before it starts: check the two dates.")}
            )

    def set_days(self) -> None:
        start, end = self.start, self.end
        self.first_day = start.first_day if start else None
        last = end or start
        self.last_day = last.last_day if last else None

    @property
    def start(self) -> PartialDate | None:
        return partial(self.starts_on, self.starts_on_precision)

    @property
    def end(self) -> PartialDate | None:
        return partial(self.ends_on, self.ends_on_precision)

    @property
    def is_one_day(self) -> bool:
        start, end = self.start, self.end
        return bool(start and end and start == end)

    def timing(self, on: datetime.date | None = None) -> str:
        """ "upcoming", "ongoing", "past" or "undated" on the day `on`."""
        on = on or timezone.localdate()
        if self.last_day is None:
            return "undated"
        if self.last_day < on:
            return "past"
        if self.first_day > on:
            return "upcoming"
        return "ongoing"

    @property
    def localized_name(self) -> LocalizedText:
        return self.localized("name")

    @property
    def localized_description(self) -> LocalizedText:
        return localized_or_any(self, "description")

    @property
    def cover_image(self):
        pictures = self.images.all()
        return pictures[0] if pictures else None


class EventImage(Picture):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="images", verbose_name=_("event")
    )

    class Meta(Picture.Meta):
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")

    def stem(self) -> str:
        return self.event.slug


class EntrantQuerySet(models.QuerySet):
    def of_published_events(self):
        return self.filter(event__is_published=True)

    def public(self):
        """Entrants whose product, if any, is published: a withdrawn product is not shown."""
        return self.filter(Q(product__isnull=True) | Q(product__is_published=True))

    def for_event_page(self):
        return self.public().select_related("product__category", "product__producer", "producer")

    def of_product(self, product):
        return self.of_published_events().filter(product=product)

    def of_producer(self, producer):
        return (
            self.of_published_events()
            .public()
            .filter(Q(producer=producer) | Q(product__producer=producer))
        )


class Entrant(models.Model):
    """A product or producer taking part in an event: its booth, what it presented, its award."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="entrants", verbose_name=_("event")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_entries",
        verbose_name=_("product"),
    )
    producer = models.ForeignKey(
        "catalogue.Producer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_entries",
        verbose_name=_("producer"),
        help_text=_("Empty: the product's producer."),
    )
    booth = models.CharField(_("booth"), max_length=50, blank=True)
    product_story = models.CharField(_("product story"), max_length=500, blank=True)
    packaging_concept = models.CharField(_("packaging concept"), max_length=500, blank=True)
    market_idea = models.CharField(_("market-connection idea"), max_length=500, blank=True)
    value_chain_plan = models.CharField(_("value-chain plan"), max_length=500, blank=True)
    award = models.CharField(
        _("award"), max_length=200, blank=True, help_text=_("As the results name it.")
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, blank=True, help_text=_("1 for the first prize; empty if unranked.")
    )
    score = models.DecimalField(
        _("score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only where the results publish it."),
    )

    objects = EntrantQuerySet.as_manager()

    class Meta:
        ordering = ["event", F("rank").asc(nulls_last=True), "award", "pk"]
        verbose_name = _("entrant")
        verbose_name_plural = _("entrants")
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False) | Q(producer__isnull=False),
                name="entrant_has_product_or_producer",
            ),
            models.UniqueConstraint(
                fields=["event", "product"],
                condition=Q(product__isnull=False),
                name="entrant_product_once_per_event",
                violation_error_message=_("This product is already an entrant of this event."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="entrant_score_positive"
            ),
        ]

    def __str__(self):
        return str(self.product or self.producer or "")

    def save(self, *args, **kwargs):
        if self.product_id and not self.producer_id:
            self.producer_id = self.product.producer_id
        super().save(*args, **kwargs)

    def clean(self):
        if not self.product_id and not self.producer_id:
            raise ValidationError(_("Choose the product, the producer, or both."))
        if self.rank is not None and not self.award:
            raise ValidationError({"award": _("A rank needs the award it was given in.")})
        if self.score is not None and self.score < 0:
            raise ValidationError({"score": _("A score cannot be negative.")})

    @property
    def presented(self) -> list[tuple[str, str]]:
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in ("product_story", "packaging_concept", "market_idea", "value_chain_plan")
            if getattr(self, name)
        ]


class Session(TranslatedFieldsMixin, models.Model):
    """A seminar session in an event's programme."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event")
    )
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    topic = models.TextField(_("topic"), blank=True)
    day = models.DateField(_("day"), null=True, blank=True, help_text=_("Empty when unknown."))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=200, blank=True)

    class Meta:
        ordering = [
            F("day").asc(nulls_last=True),
            F("starts_at").asc(nulls_last=True),
            "title",
            "pk",
        ]
        verbose_name = _("seminar session")
        verbose_name_plural = _("seminar sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The session cannot end before it starts.")})
        if self.day and self.event_id:
            start, end = self.event.start, self.event.end
            if start and self.day < start.first_day or end and self.day > end.last_day:
                raise ValidationError({"day": _("The day is outside the event's dates.")})

    @property
    def localized_title(self) -> LocalizedText:
        return self.localized("title")

    def starts(self) -> datetime.datetime | None:
        if self.day and self.starts_at:
            return timezone.make_aware(datetime.datetime.combine(self.day, self.starts_at))
        return None

    def ends(self) -> datetime.datetime | None:
        if self.day and self.ends_at:
            return timezone.make_aware(datetime.datetime.combine(self.day, self.ends_at))
        return None


class Speaker(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("session")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name


receiver(post_delete, sender=EventImage)(delete_picture_files)
