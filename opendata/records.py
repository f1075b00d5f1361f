"""The register's public rows as plain data: what the API, the JSON download and the feed print.

Each function takes rows loaded by the querysets below (constant queries per page) and
returns dicts in the shapes of schemas.py. Addresses are absolute, in Vietnamese (no prefix).
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from core.dates import PartialDate
from events.models import Entrant, Event
from places.models import Commune
from sources.models import Source
from trade.models import PointOfSale, SalesChannel

SOURCE_FIELDS = ("url", "publisher", "title", "kind", "published_on", "published_precision")


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def page_url(obj) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(obj.get_absolute_url())


def partial_date(value: PartialDate | None) -> dict | None:
    if value is None:
        return None
    return {"date": value.first_day, "precision": value.precision, "text": value.text()}


def text(obj, field: str) -> dict:
    return {
        "vi": getattr(obj, field),
        "en": getattr(obj, f"{field}_en", ""),
        "fr": getattr(obj, f"{field}_fr", ""),
    }


def source(obj: Source) -> dict:
    return {
        "url": obj.url,
        "publisher": obj.publisher,
        "title": obj.title,
        "kind": obj.kind,
        "published": partial_date(obj.published),
    }


def sources_of(obj) -> list[dict]:
    return [source(s) for s in obj.sources.all()]


def commune_ref(commune: Commune | None) -> dict | None:
    if commune is None:
        return None
    return {"slug": commune.slug, "name": commune.name, "kind": commune.kind}


def category_ref(category: Category) -> dict:
    return {"slug": category.slug, "level": category.level, "name": text(category, "name")}


def category_path(category: Category | None) -> list[dict]:
    if category is None:
        return []
    return [category_ref(node) for node in [*category.ancestors(), category]]


def certificate(obj: Certificate, today=None) -> dict:
    return {
        "id": obj.pk,
        "product": obj.product.slug,
        "stars": obj.stars,
        "score": obj.score,
        "decision_number": obj.decision_number,
        "decided": partial_date(obj.decided),
        "round_year": obj.round_year,
        "batch": obj.batch,
        "issuer": obj.issuer,
        "issuer_level": obj.issuer_level,
        "valid_until": obj.valid_until,
        "evidence": obj.evidence,
        "reported": partial_date(obj.reported),
        "commune": obj.commune.slug if obj.commune_id else None,
        "revoked_on": obj.revoked_on,
        "revocation_reason": obj.revocation_reason,
        "note": obj.note,
        "starts_on": obj.starts_on,
        "ends_on": obj.ends_on,
        "ends_by": obj.ends_by,
        "status": obj.status(today),
        "sources": sources_of(obj),
    }


# Product rows: the listing's bundle, with the category path, marks, sources, where they are
# sold and the published events they took part in.
def products_for_api(queryset):
    entries = Entrant.objects.of_published_events().select_related("event")
    return queryset.select_related(
        "category__parent__parent", "producer__commune"
    ).prefetch_related(
        "sources",
        "quality_marks",
        Prefetch("sales_channels", queryset=CHANNELS),
        Prefetch("producer__sales_channels", queryset=CHANNELS),
        Prefetch("event_entries", queryset=entries.order_by("event__first_day", "pk")),
    )


CHANNELS = SalesChannel.objects.select_related("point_of_sale").order_by("position", "pk")


def channel(obj: SalesChannel) -> dict:
    return {
        "kind": obj.kind,
        "platform": obj.platform,
        "name": obj.name,
        "url": obj.url,
        "point_of_sale": obj.point_of_sale.slug if obj.point_of_sale_id else None,
        "address": obj.address,
        "opening_hours": obj.opening_hours,
        "phone": obj.phone,
    }


def event_ref(event: Event) -> dict:
    return {
        "slug": event.slug,
        "name": text(event, "name"),
        "url": page_url(event),
        "kind": event.kind,
        "starts": partial_date(event.start),
    }


def current_certificates(products: list[Product]) -> dict[int, Certificate]:
    """The certificates that show each product's rating (with_current_stars), in one query."""
    ids = [p.current_certificate_id for p in products if p.current_certificate_id]
    rows = Certificate.objects.select_related("commune", "product").prefetch_related("sources")
    return rows.in_bulk(ids)


def product(obj: Product, shown: Certificate | None, extra: dict | None = None) -> dict:
    producer = obj.producer
    state = obj.rating_state or ""
    today = timezone.localdate()
    return {
        "code": obj.public_code,
        "slug": obj.slug,
        "url": page_url(obj),
        "name": text(obj, "name"),
        "summary": text(obj, "summary"),
        "story": text(obj, "story"),
        "category": category_ref(obj.category) if obj.category else None,
        "category_path": category_path(obj.category),
        "commune": commune_ref(producer.commune if producer else None),
        "producer": producer
        and {
            "slug": producer.slug,
            "name": producer.name,
            "kind": producer.kind,
            "url": page_url(producer),
        },
        "rating": {
            "stars": obj.current_stars,
            "state": state,
            "in_force": state == "in_force",
            "certificate": certificate(shown, today) if shown else None,
        },
        "quality_marks": [
            {"slug": m.slug, "kind": m.kind, "name": m.name} for m in obj.quality_marks.all()
        ],
        "ingredients": obj.ingredients,
        "net_weight": obj.net_weight,
        "packaging": obj.packaging,
        "shelf_life": obj.shelf_life,
        "price_vnd": obj.price_vnd,
        "visiting_address": obj.visiting_address,
        "opening_hours": obj.opening_hours,
        "images": [absolute_media(image.image.url) for image in obj.images.all()],
        "sources": sources_of(obj),
        "sales_channels": [
            channel(c)
            for c in [
                *obj.sales_channels.all(),
                *(producer.sales_channels.all() if producer else []),
            ]
        ],
        "events": [
            {"event": event_ref(e.event), "award": e.award, "rank": e.rank}
            for e in obj.event_entries.all()
        ],
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
        **(extra or {}),
    }


def products(rows: list[Product]) -> list[dict]:
    shown = current_certificates(rows)
    return [product(p, shown.get(p.current_certificate_id)) for p in rows]


def absolute_media(url: str) -> str:
    return url if "://" in url else absolute(url)


def producers_for_api(queryset):
    published = Product.objects.published().order_by("name", "pk").only("slug", "producer")
    return queryset.select_related("commune").prefetch_related(
        "sources", Prefetch("products", queryset=published, to_attr="published_products")
    )


def producer(obj: Producer) -> dict:
    return {
        "slug": obj.slug,
        "url": page_url(obj),
        "name": obj.name,
        "kind": obj.kind,
        "commune": commune_ref(obj.commune),
        "address": obj.address,
        "former_address": obj.former_address,
        "phone": obj.phone,
        "email": obj.email,
        "website": obj.website,
        "representative": obj.representative,
        "story": text(obj, "story"),
        "products": [p.slug for p in obj.published_products],
        "sources": sources_of(obj),
    }


def communes_for_api(queryset):
    return queryset.with_product_count().prefetch_related("aliases", "sources")


def commune(obj: Commune) -> dict:
    return {
        "slug": obj.slug,
        "url": page_url(obj),
        "name": obj.name,
        "kind": obj.kind,
        "former_units": obj.former_units,
        "aliases": [
            {
                "name": alias.name,
                "former_kind": alias.former_kind,
                "former_district": alias.former_district,
                "former_province": alias.former_province,
            }
            for alias in obj.aliases.all()
        ],
        "product_count": obj.product_count,
        "sources": sources_of(obj),
    }


def category(obj: Category, by_id: dict[int, Category]) -> dict:
    chain, node = [], obj
    while node is not None:
        chain.insert(0, node)
        node = by_id.get(node.parent_id)
    return {
        "slug": obj.slug,
        "url": page_url(obj),
        "level": obj.level,
        "name": text(obj, "name"),
        "parent": by_id[obj.parent_id].slug if obj.parent_id in by_id else None,
        "is_service": obj.is_service,
        "path": [category_ref(node) for node in chain],
    }


def certificates_for_api(queryset):
    return (
        queryset.of_published_products()
        .select_related("product", "commune")
        .prefetch_related("sources")
    )


def point_of_sale(obj: PointOfSale) -> dict:
    return {
        "slug": obj.slug,
        "url": page_url(obj),
        "name": obj.name,
        "operator": obj.operator,
        "kind": obj.kind,
        "address": obj.address,
        "former_address": obj.former_address,
        "commune": commune_ref(obj.commune),
        "opening_hours": obj.opening_hours,
        "phone": obj.phone,
        "recognised_year": obj.recognised_year,
        "note": obj.note,
        "latitude": obj.latitude,
        "longitude": obj.longitude,
        "sources": sources_of(obj),
    }


def events_for_api(queryset):
    entrants = Entrant.objects.filter(product__is_published=True).select_related("product")
    return (
        queryset.published()
        .select_related("commune")
        .prefetch_related("sources", Prefetch("entrants", queryset=entrants))
    )


def event(obj: Event) -> dict:
    return {
        **event_ref(obj),
        "description": text(obj, "description"),
        "ends": partial_date(obj.end),
        "status": obj.status,
        "venue": obj.venue,
        "address": obj.address,
        "commune": commune_ref(obj.commune),
        "organiser": obj.organiser,
        "website": obj.website,
        "entrants": sorted({e.product.slug for e in obj.entrants.all() if e.product_id}),
        "sources": sources_of(obj),
    }
