"""A product's current stars: those of its newest certificate in force, and their stored copy.

Certificates belong to the certification app, which points to products; this reads them
through the ORM (the `certificates` relation and apps.get_model), never by import. The
stored copy (Product.stored_*) lets listings sort and filter on stars through an index;
saves of products and certificates keep it right for the day, and the first listing of a
new day recomputes what the date made stale.
"""

import datetime
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThanOrEqual, IsNull
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def product_model():
    return apps.get_model("catalogue", "Product")


def certificate_model():
    return apps.get_model("certification", "Certificate")


class RatingState(models.TextChoices):
    """A product's rating on a given day, as far as the record can prove it."""

    IN_FORCE = "in_force", _("in force")
    REPORTED = "reported", _("reported in force")
    MAY_HAVE_EXPIRED = "may_have_expired", _("may have expired")
    EXPIRED = "expired", _("expired")
    UNDATED = "undated", _("dates not on record")


NEWEST_FIRST = (F("starts_on").desc(nulls_last=True), F("stars").desc(nulls_last=True), "-pk")


def current_certificate(certificate_model, on: datetime.date) -> models.QuerySet:
    """The ratings in force on `on` of the outer product, the current one first."""
    return (
        certificate_model.objects.in_force(on)
        .filter(product=OuterRef("pk"))
        .order_by(*NEWEST_FIRST)
    )


def rating_columns(certificate_model, on: datetime.date) -> dict:
    """The outer product's rating on `on`: its state, and the stars and id of the rating
    that shows it.

    In force: a dated rating covers the day. Reported in force: else, a later report within
    the validity period (the renewal's decision is not on record). Otherwise the latest rating
    on record says: may have expired (the day falls inside the period its end is known to),
    expired, or dates not on record. No rating at all: an empty state.
    """
    theirs = certificate_model.objects.filter(product=OuterRef("pk"))
    in_force = current_certificate(certificate_model, on)
    reported = theirs.filter(
        evidence=certificate_model.Evidence.LATER_REPORT, starts_on__lte=on, ends_on__gte=on
    ).exclude(revoked_on__lte=on)
    reported = reported.order_by(*NEWEST_FIRST)
    latest = theirs.exclude(starts_on__gt=on).order_by(*NEWEST_FIRST)

    def chosen(field: str):
        return Case(
            When(Exists(in_force), then=Subquery(in_force.values(field)[:1])),
            When(Exists(reported), then=Subquery(reported.values(field)[:1])),
            default=Subquery(latest.values(field)[:1]),
        )

    state = Case(
        When(Exists(in_force), then=Value(RatingState.IN_FORCE)),
        When(Exists(reported), then=Value(RatingState.REPORTED)),
        When(~Exists(latest), then=Value("")),
        When(
            IsNull(Subquery(latest.values("starts_on")[:1]), True), then=Value(RatingState.UNDATED)
        ),
        When(
            GreaterThanOrEqual(Subquery(latest.values("ends_by")[:1]), Value(on)),
            then=Value(RatingState.MAY_HAVE_EXPIRED),
        ),
        default=Value(RatingState.EXPIRED),
        output_field=models.CharField(),
    )
    return {"stars": chosen("stars"), "certificate_id": chosen("pk"), "state": state}


def stored_stars_columns(certificate_model, on: datetime.date) -> dict:
    """Product.update() values storing the rating on `on` and the days it holds for.

    A product's rating changes only on a rating's first day, the day after its earliest or
    its latest end; between the changes nearest to `on` it stays the same.
    """
    theirs = certificate_model.objects.filter(product=OuterRef("pk")).order_by()

    def earliest(field: str, **after) -> Coalesce:
        first = theirs.filter(**after).values("product").annotate(day=models.Min(field))
        return Coalesce(
            Subquery(first.values("day")),
            Value(datetime.date.max),
            output_field=models.DateField(),
        )

    rating = rating_columns(certificate_model, on)
    return {
        "stored_stars": rating["stars"],
        "stored_certificate_id": rating["certificate_id"],
        "stored_state": rating["state"],
        # A product without ratings has none on any day: stored as a new one is.
        "stored_stars_on": Case(
            When(Exists(theirs), then=Value(on)),
            default=Value(datetime.date.min),
            output_field=models.DateField(),
        ),
        "stored_stars_changes_on": earliest("starts_on", starts_on__gt=on),
        "stored_stars_last_day": Least(
            earliest("ends_on", ends_on__gte=on), earliest("ends_by", ends_by__gte=on)
        ),
    }


# The day this process last made sure no stored stars were stale, and when (time.monotonic()).
STORED_STARS_CHECKED: list = [None, 0.0]
STORED_STARS_CHECK_SECONDS = 60


class StarsQuerySet(models.QuerySet):
    def with_current_stars(self, on=None):
        """Annotate the rating on `on` (today): its stars (the latest level on record),
        state (RatingState, "" without ratings) and the id of the rating that shows them.

        Today's come from the stored copy (see store_current_stars), which listings
        sort and filter on through an index; any other day's from the certificates.
        """
        today = timezone.localdate()
        if on is None or on == today:
            self.model.objects.refresh_stale_stars(today)
            return self.annotate(
                current_stars=F("stored_stars"),
                current_certificate_id=F("stored_certificate_id"),
                rating_state=F("stored_state"),
            )
        rating = rating_columns(certificate_model(), on)
        return self.annotate(
            current_stars=rating["stars"],
            current_certificate_id=rating["certificate_id"],
            rating_state=rating["state"],
        )

    def store_current_stars(self, on=None) -> int:
        """Store these products' current stars on `on` (today), and the days they hold for."""
        on = on or timezone.localdate()
        if on != STORED_STARS_CHECKED[0]:  # stored for another day than the one checked
            STORED_STARS_CHECKED[:] = [None, 0.0]
        return self.update(**self.stored_columns(on))

    def stored_columns(self, on) -> dict:
        """update() values of the copies store_current_stars() writes (products add their
        groupings: groupings.py)."""
        return stored_stars_columns(certificate_model(), on)

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
        """Products whose level the record shows held on `on`: in force or reported so."""
        return self.with_current_stars(on).filter(
            rating_state__in=[RatingState.IN_FORCE, RatingState.REPORTED],
            current_stars__isnull=False,
        )


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
        product_model().objects.filter(
            Q(pk__in=products) | Q(stored_certificate_id__in=certificates)
        ).store_current_stars()


@receiver(post_save, sender="catalogue.Product")
def store_saved_product_stars(sender, instance, created, **kwargs):
    """A save writes the stored stars the instance was loaded with: store them afresh."""
    if created:
        return
    if deferred := STARS_TO_STORE.get():
        deferred[0].add(instance.pk)
    else:
        product_model().objects.filter(pk=instance.pk).store_current_stars()


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
    products = product_model().objects.filter(
        Q(pk=instance.product_id) | Q(stored_certificate_id=instance.pk)
    )
    products.store_current_stars()
