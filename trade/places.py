"""Places to buy and visit, gathered by commune: the points of sale, the tourism products and
the producers who welcome visitors. A fixed number of queries, however many places."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from catalogue.models import Product
from places.models import Commune

from .models import PointOfSale, ProducerPlace, SalesChannel, directions_url


@dataclass
class CommuneGroup:
    commune: Commune | None
    points: list = field(default_factory=list)
    tourism: list = field(default_factory=list)
    hosts: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.commune.name if self.commune else _("Commune not recorded")


def tourism_products(commune=None):
    """Published tourism services (category marked as a service), with their producer's place."""
    products = (
        Product.objects.for_listing()
        .filter(category__is_service=True)
        .select_related("producer__place")
        .by_stars_then_name()
    )
    return products.filter(producer__commune=commune) if commune else products


def hosts(commune=None):
    """Producers that welcome visitors and have a published product, with those products."""
    published = Product.objects.published().select_related("category").order_by("name")
    places = (
        ProducerPlace.objects.filter(welcomes_visitors=True)
        .filter(producer__products__is_published=True)
        .distinct()
        .select_related("producer__commune")
        .prefetch_related(Prefetch("producer__products", queryset=published))
        .order_by("producer__name")
    )
    return places.filter(producer__commune=commune) if commune else places


def mapped_producers():
    """Producers with coordinates and a published product (tourism or not)."""
    return (
        ProducerPlace.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .filter(producer__products__is_published=True)
        .distinct()
        .select_related("producer__commune")
        .order_by("producer__name")
    )


def by_commune(points=(), tourism=(), host_places=()) -> list[CommuneGroup]:
    """Groups by commune, in the communes' name order, the places of no recorded commune last."""
    groups: dict[int | None, CommuneGroup] = {}

    def group(commune):
        key = commune.pk if commune else None
        if key not in groups:
            groups[key] = CommuneGroup(commune)
        return groups[key]

    for point in points:
        group(point.commune).points.append(point)
    for product in tourism:
        group(product.producer.commune if product.producer else None).tourism.append(product)
    for place in host_places:
        group(place.producer.commune).hosts.append(place)
    return sorted(groups.values(), key=lambda g: (g.commune is None, g.name))


def visits(commune=None) -> list[CommuneGroup]:
    return by_commune(tourism=tourism_products(commune), host_places=hosts(commune))


def map_places(language_name=None) -> list[dict]:
    """Every place with coordinates, as plain data for the map's script."""
    places = []
    points = PointOfSale.objects.filter(latitude__isnull=False).select_related("commune")
    for point in points:
        places.append(
            {
                "name": point.name,
                "kind": str(_("OCOP point of sale")),
                "url": point.get_absolute_url(),
                "lat": float(point.latitude),
                "lng": float(point.longitude),
                "address": point.full_address,
            }
        )
    for place in mapped_producers():
        producer = place.producer
        places.append(
            {
                "name": producer.name,
                "kind": str(_("Welcomes visitors") if place.welcomes_visitors else _("Producer")),
                "url": producer.get_absolute_url(),
                "lat": float(place.latitude),
                "lng": float(place.longitude),
                "address": producer_address(producer),
            }
        )
    return places


def producer_directions(producer) -> str:
    place = getattr(producer, "place", None)
    latitude = place.latitude if place else None
    longitude = place.longitude if place else None
    return directions_url(producer_address(producer), latitude, longitude)


def producer_address(producer) -> str:
    parts = [producer.address]
    if producer.commune and producer.commune.name not in producer.address:
        parts.append(str(producer.commune))
    if any(parts):
        parts.append("Thái Nguyên")
    return ", ".join(part for part in parts if part)


def points_in(commune):
    return PointOfSale.objects.for_listing().filter(commune=commune)


def channels_of(product):
    """The product's own channels, then its producer's, points of sale with their commune."""
    mine = Q(product=product)
    if product.producer_id:
        mine |= Q(producer_id=product.producer_id)
    return (
        SalesChannel.objects.filter(mine)
        .select_related("point_of_sale__commune")
        .order_by("kind", "producer_id", "position", "pk")
    )


def products_at(point):
    """The published products a point of sale carries: its own channels' and its producers'."""
    channels = SalesChannel.objects.filter(point_of_sale=point)
    carried = Q(pk__in=channels.values("product")) | Q(
        producer__in=channels.filter(producer__isnull=False).values("producer")
    )
    return Product.objects.for_listing().filter(carried).by_stars_then_name()
