"""A deleted product restored in the admin (catalogue/history.py) gets its sales channels back.

The catalogue restores its own rows; it cannot import trade, so trade listens for the restore:
the product's historical record saved with the restore's reason.
"""

from catalogue.history import CASCADE_WINDOW, RESTORE_REASON
from catalogue.models import Product

from .models import PointOfSale, SalesChannel


def restore_channels(sender, instance, history_instance, **kwargs) -> None:
    if not isinstance(instance, Product) or history_instance.history_type != "+":
        return
    if history_instance.history_change_reason != RESTORE_REASON:
        return
    deletion = (
        Product.history.filter(id=instance.pk, history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if deletion is None:
        return
    deleted = SalesChannel.history.filter(
        product_id=instance.pk,
        history_type="-",
        history_date__gte=deletion.history_date - CASCADE_WINDOW,
        history_date__lte=deletion.history_date + CASCADE_WINDOW,
    ).order_by("history_date", "history_id")
    for record in deleted:
        channel = record.instance
        if SalesChannel.objects.filter(pk=channel.pk).exists():
            continue
        point = channel.point_of_sale_id
        if point and not PointOfSale.objects.filter(pk=point).exists():
            continue  # its point of sale is gone since: nothing to point to
        channel._history_user = history_instance.history_user
        channel._change_reason = RESTORE_REASON
        channel.save(force_insert=True)
