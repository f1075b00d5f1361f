"""schema.org JSON-LD for the places to buy and visit (as catalogue/structured_data.py)."""

from catalogue.structured_data import SCHEMA, absolute


def postal_address(address: str, commune) -> dict:
    data = {
        "@type": "PostalAddress",
        "addressRegion": "Thái Nguyên",
        "addressCountry": "VN",
    }
    if address:
        data["streetAddress"] = address
    if commune:
        data["addressLocality"] = commune.name
    return data


def geo(place) -> dict:
    if place is None or place.latitude is None or place.longitude is None:
        return {}
    return {
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    }


def store(point) -> dict:
    data = {
        "@context": SCHEMA,
        "@type": "Store",
        "@id": absolute(point.get_absolute_url()) + "#store",
        "name": point.name,
        "url": absolute(point.get_absolute_url()),
        "address": postal_address(point.address, point.commune),
        **geo(point),
    }
    if point.phone:
        data["telephone"] = point.phone
    if point.opening_hours:
        data["openingHours"] = point.opening_hours
    return data


def tourist_attraction(product) -> dict:
    producer = product.producer
    place = getattr(producer, "place", None) if producer else None
    data = {
        "@type": "TouristAttraction",
        "name": product.name,
        "url": absolute(product.get_absolute_url()),
        "address": postal_address(product.visiting_address, producer.commune if producer else None),
        **geo(place),
    }
    if product.opening_hours:
        data["openingHours"] = product.opening_hours
    return data


def local_business(place) -> dict:
    producer = place.producer
    return {
        "@type": "LocalBusiness",
        "name": producer.name,
        "url": absolute(producer.get_absolute_url()),
        "address": postal_address(producer.address, producer.commune),
        **geo(place),
    }


def visits(groups) -> dict:
    items = []
    for group in groups:
        items += [tourist_attraction(product) for product in group.tourism]
        items += [local_business(place) for place in group.hosts]
    return {
        "@context": SCHEMA,
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "item": item}
            for i, item in enumerate(items, start=1)
        ],
    }
