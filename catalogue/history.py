"""Deleted products, from their history (django-simple-history), and bringing one back.

Every save and delete of a producer, product, image, link or certificate leaves a
historical row (who, when, the whole state). A deleted product's last row is its
state when it was deleted: restoring saves that state again, with the same id, slug
and public code, and the links deleted with it.
"""

import datetime
from contextlib import contextmanager

from django.apps import apps
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.test.utils import override_settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

from .models import Category, Producer, Product, ProductImage, ProductLink

# Objects deleted with a product (a cascade) are deleted just before it, in one request.
CASCADE_WINDOW = datetime.timedelta(seconds=10)
RESTORE_REASON = "restore"

# django-simple-history ships no Vietnamese: its admin strings are translated here.
LIBRARY_STRINGS = [
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Deleted %(type_name)s"),
    ngettext_lazy("entry", "entries", 1),
]


@contextmanager
def not_recorded():
    """Saves and deletes inside leave no history: for synthetic data only."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


class RestoreError(Exception):
    """Why a deleted product cannot be restored as it was; nothing was changed."""


def deleted_products(communes: frozenset[int] | None = None):
    """The last historical row of each product that was deleted and is not back, newest first.

    `communes`: only the products whose producer is in those communes (commune editors).
    """
    history = Product.history.model.objects
    latest = history.filter(id=OuterRef("id")).order_by("-history_date", "-history_id")
    records = (
        history.filter(history_type="-", history_id=Subquery(latest.values("history_id")[:1]))
        .exclude(id__in=Product.objects.values("pk"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    if communes is not None:
        records = records.filter(producer__commune__in=communes)
    return records


def related_history(product_id, limit: int = 100) -> list[dict]:
    """The newest changes of a product's images, links and certificates, newest first."""
    certificate = apps.get_model("certification", "Certificate")  # that app builds on this one
    described = {
        ProductImage: lambda record: record.image,
        ProductLink: lambda record: f"{record.label} ({record.url})",
        certificate: lambda record: f"{record.decision_number} · {record.stars}★",
    }
    records = []
    for model, describe in described.items():
        newest = model.history.filter(product_id=product_id).select_related("history_user")
        records += [
            {"kind": model._meta.verbose_name, "label": describe(record), "record": record}
            for record in newest.order_by("-history_date", "-history_id")[:limit]
        ]
    records.sort(key=lambda entry: entry["record"].history_date, reverse=True)
    return records[:limit]


def deleted_links(record) -> list:
    """The last state of the links deleted with the product of `record` (a deletion)."""
    history = ProductLink.history.model.objects
    latest = history.filter(id=OuterRef("id")).order_by("-history_date", "-history_id")
    return list(
        history.filter(
            product_id=record.id,
            history_type="-",
            history_id=Subquery(latest.values("history_id")[:1]),
            history_date__gte=record.history_date - CASCADE_WINDOW,
            history_date__lte=record.history_date,
        ).exclude(id__in=ProductLink.objects.values("pk"))
    )


def check_restorable(record) -> None:
    """Raise RestoreError when the deleted product of `record` cannot come back as it was."""
    if record.history_type != "-" or Product.objects.filter(pk=record.id).exists():
        raise RestoreError(_("This product is not deleted, or was restored already."))
    if not Producer.objects.filter(pk=record.producer_id).exists():
        raise RestoreError(
            _("Its producer no longer exists: restore or create the producer first.")
        )
    if record.category_id and not Category.objects.filter(pk=record.category_id).exists():
        raise RestoreError(_("Its category no longer exists."))
    if Product.objects.filter(slug=record.slug).exists():
        raise RestoreError(
            _("Another product now has its address (slug) “%(slug)s”.") % {"slug": record.slug}
        )
    if Product.objects.filter(producer=record.producer_id, name=record.name).exists():
        raise RestoreError(
            _("Its producer now has another product named “%(name)s”.") % {"name": record.name}
        )
    if Product.objects.filter(public_code=record.public_code).exists():
        raise RestoreError(_("Another product now has its public code."))


@transaction.atomic
def restore_product(record, user=None) -> Product:
    """Save the deleted product of `record` again as it was, with its links; return it.

    Raises RestoreError, changing nothing, when check_restorable() refuses.
    Its images and quality marks are not restored: the image files were deleted
    with the product, and quality marks keep no history.
    """
    check_restorable(record)
    product = record.instance
    product._history_user, product._change_reason = user, RESTORE_REASON
    product.save(force_insert=True)
    # auto_now_add stamped the restore time: keep the date the product was first created.
    Product.objects.filter(pk=product.pk).update(created_at=record.created_at)
    product.created_at = record.created_at
    for link_record in deleted_links(record):
        link = link_record.instance
        if not ProductLink.objects.filter(product=product, url=link.url).exists():
            link._history_user, link._change_reason = user, RESTORE_REASON
            link.save(force_insert=True)
    return product
