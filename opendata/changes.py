"""What changed in the register since a moment: for mirrors (?changed_since=) and the ratings feed.

A product's public record changes when the product is saved, when one of its ratings or its
producer is written (their history, simple_history, keeps every write with its time, deletes
included), and when a day passes that starts or ends one of its ratings: then its state
changes though no row is written.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product
from certification.models import Certificate

ONE_DAY = datetime.timedelta(days=1)


def validity_changed(since: datetime.datetime) -> Q:
    """Ratings whose start or end falls after `since`'s day, up to today."""
    day, today = timezone.localtime(since).date(), timezone.localdate()
    return (
        Q(starts_on__gt=day, starts_on__lte=today)
        | Q(ends_on__gte=day, ends_on__lt=today)
        | Q(ends_by__gte=day, ends_by__lt=today)
    )


def changed_since(products, since: datetime.datetime):
    """`products` whose public record may have changed since `since`."""
    rated = Certificate.history.model.objects.filter(history_date__gte=since).values("product")
    ended = Certificate.objects.filter(validity_changed(since)).values("product")
    producers = Producer.history.model.objects.filter(history_date__gte=since).values("id")
    return products.filter(
        Q(updated_at__gte=since) | Q(pk__in=rated) | Q(pk__in=ended) | Q(producer__in=producers)
    )


def withdrawn_since(since: datetime.datetime | None) -> list[dict]:
    """Products that were published and, since `since` (None: ever), were deleted or
    unpublished."""
    history = Product.history.model.objects
    once_public = history.filter(is_published=True).values("id")
    recent = history.filter(history_date__gte=since) if since else history.all()
    gone = (
        recent.filter(id__in=once_public)
        .filter(Q(history_type="-") | Q(is_published=False))
        .values("id")
        .annotate(removed_at=Max("history_date"))
    )
    removed = {row["id"]: row["removed_at"] for row in gone}
    still = set(Product.objects.published().filter(pk__in=removed).values_list("pk", flat=True))
    last = (
        history.filter(id__in=removed.keys() - still)
        .order_by("id", "-history_date")
        .values("id", "public_code", "slug")
    )
    rows, seen = [], set()
    for row in last:
        if row["id"] not in seen:
            seen.add(row["id"])
            rows.append(
                {"code": row["public_code"], "slug": row["slug"], "removed_at": removed[row["id"]]}
            )
    return sorted(rows, key=lambda row: row["removed_at"], reverse=True)


@dataclass
class RatingChange:
    kind: str  # new, upgrade, downgrade, renewal, may_have_expired, expired, revoked
    day: datetime.date
    certificate: Certificate
    previous: Certificate | None

    @property
    def title(self) -> str:
        product = self.certificate.product.name
        stars = self.certificate.stars
        level = _("%(stars)s stars") % {"stars": stars} if stars else _("level not on record")
        before = self.previous and self.previous.stars
        titles = {
            "new": _("%(product)s: rated %(level)s"),
            "upgrade": _("%(product)s: upgraded from %(before)s to %(level)s"),
            "downgrade": _("%(product)s: rated %(level)s, down from %(before)s"),
            "renewal": _("%(product)s: %(level)s renewed"),
            "may_have_expired": _("%(product)s: %(level)s may have expired"),
            "expired": _("%(product)s: %(level)s expired"),
            "revoked": _("%(product)s: %(level)s revoked"),
        }
        before_text = _("%(stars)s stars") % {"stars": before} if before else ""
        return titles[self.kind] % {"product": product, "level": level, "before": before_text}


def rating_changes(window_days: int = 730, limit: int = 100) -> list[RatingChange]:
    """The latest rating events of published products, newest first, within `window_days`."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=window_days)
    recent = (
        Q(starts_on__gte=start, starts_on__lte=today)
        | Q(ends_on__gte=start - ONE_DAY, ends_on__lt=today)
        | Q(revoked_on__gte=start, revoked_on__lte=today)
    )
    certificates = list(
        Certificate.objects.of_published_products()
        .filter(recent)
        .select_related("product")
        .order_by("-pk")[: limit * 3]
    )
    product_ids = {c.product_id for c in certificates}
    history: dict[int, list[Certificate]] = {}
    for other in Certificate.objects.filter(product__in=product_ids).order_by("starts_on", "pk"):
        history.setdefault(other.product_id, []).append(other)
    changes = []
    for certificate in certificates:
        ratings = history[certificate.product_id]
        earlier = [
            c
            for c in ratings
            if c.pk != certificate.pk
            and c.starts_on
            and (certificate.starts_on and c.starts_on < certificate.starts_on)
        ]
        later = [
            c
            for c in ratings
            if c.pk != certificate.pk
            and c.starts_on
            and (certificate.starts_on and c.starts_on > certificate.starts_on)
        ]
        previous = earlier[-1] if earlier else None
        if certificate.starts_on and start <= certificate.starts_on <= today:
            kind = "new"
            if previous and previous.stars and certificate.stars:
                if certificate.stars > previous.stars:
                    kind = "upgrade"
                elif certificate.stars < previous.stars:
                    kind = "downgrade"
                else:
                    kind = "renewal"
            changes.append(RatingChange(kind, certificate.starts_on, certificate, previous))
        if certificate.revoked_on and start <= certificate.revoked_on <= today:
            changes.append(RatingChange("revoked", certificate.revoked_on, certificate, None))
        elif certificate.ends_on and not later and certificate.ends_on < today:
            # Not followed by another rating on record: its end is the product's.
            if certificate.ends_by < today:
                changes.append(
                    RatingChange("expired", certificate.ends_by + ONE_DAY, certificate, None)
                )
            else:
                changes.append(
                    RatingChange(
                        "may_have_expired", certificate.ends_on + ONE_DAY, certificate, None
                    )
                )
    changes = [change for change in changes if start <= change.day <= today]
    changes.sort(key=lambda change: (change.day, change.certificate.pk), reverse=True)
    return changes[:limit]
