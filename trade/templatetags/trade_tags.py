from django import template

from catalogue.templatetags.seo_tags import json_ld

from .. import places, structured_data
from ..models import ProducerPlace, directions_url

register = template.Library()


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
    """The commune page's points of sale and visits (a fixed number of queries)."""
    return {
        "commune": commune,
        "points": places.points_in(commune),
        "groups": places.visits(commune),
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
