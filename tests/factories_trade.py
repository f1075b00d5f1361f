"""Small makers for the trade app's rows: points of sale, sales channels, producers' places."""

import itertools

from trade.models import PointOfSale, ProducerPlace, SalesChannel

from .factories import make_commune

_sequence = itertools.count(1)


def make_point(**overrides) -> PointOfSale:
    n = next(_sequence)
    fields = {"name": f"Điểm bán OCOP thử {n}", "kind": PointOfSale.Kind.COMMUNE_POINT}
    if "commune" not in overrides:
        fields["commune"] = make_commune()
    return PointOfSale.objects.create(**(fields | overrides))


def make_channel(**overrides) -> SalesChannel:
    n = next(_sequence)
    fields = {"kind": SalesChannel.Kind.ONLINE, "url": f"https://shopee.vn/shop-thu-{n}"}
    return SalesChannel.objects.create(**(fields | overrides))


def make_place(producer, **overrides) -> ProducerPlace:
    fields = {"welcomes_visitors": True, "visit": "Tham quan đồi chè, thử trà."}
    return ProducerPlace.objects.create(producer=producer, **(fields | overrides))
