from django import template

from catalogue.templatetags.seo_tags import json_ld

from .. import places, structured_data
from ..models import ProducerPlace, directions_url

register = template.Library()

# The commune page shows this many tourism services and producers who welcome visitors.
COMMUNE_PAGE_PLACES = 12


@register.inclusion_tag("trade/where_to_buy.html", takes_context=True)
def where_to_buy(context, product):
    """The product page's "Where to buy": its channels and its producer's (two queries)."""
    channels = list(places.channels_of(product))
    return {
        "product": product,
        "online": [channel for channel in channels if channel.is_online],
        "places": [channel for channel in channels if not channel.is_online],
        # The catalogue's older shop links (catalogue.ProductLink), prefetched by for_detail().
        "links": product.links.all(),
        "request": context.get("request"),
    }


@register.inclusion_tag("trade/commune_places.html")
def commune_places(commune):
    """The commune page's points of sale and visits (a fixed number of queries).

    At most COMMUNE_PAGE_PLACES tourism services and as many hosts, so the page does not grow
    with the catalogue; /visit/ has them all.
    """
    limit = COMMUNE_PAGE_PLACES
    tourism = list(places.tourism_products(commune)[: limit + 1])
    hosts = list(places.hosts(commune)[: limit + 1])
    return {
        "commune": commune,
        "points": places.points_in(commune),
        "groups": places.by_commune(tourism=tourism[:limit], host_places=hosts[:limit]),
        "more_visits": len(tourism) > limit or len(hosts) > limit,
    }


@register.simple_tag
def product_directions(product) -> str:
    producer = product.producer
    place = getattr(producer, "place", None) if producer else None
    address = product.visiting_address or (places.producer_address(producer) if producer else "")
    return directions_url(
        address, place.latitude if place else None, place.longitude if place else None
    )


@register.simple_tag
def place_directions(place) -> str:
    return places.producer_directions(place.producer)


@register.simple_tag
def point_json_ld(point) -> str:
    return json_ld(structured_data.store(point))


@register.simple_tag
def visits_json_ld(groups) -> str:
    return json_ld(structured_data.visits(groups))


@register.inclusion_tag("trade/producer_place.html")
def producer_place(producer):
    """The producer page's directions and, if it welcomes visitors, what they can do (one query)."""
    place = ProducerPlace.objects.filter(producer=producer).first()
    if place is not None:
        producer.place = place  # directions read its coordinates
    address = places.producer_address(producer)
    return {
        "producer": producer,
        "place": place,
        "directions": directions_url(
            address,
            place.latitude if place else None,
            place.longitude if place else None,
        )
        if address
        else "",
    }
