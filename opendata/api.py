"""The register's read-only API, /api/v1/ (django-ninja; its OpenAPI schema comes from here).

Lists are pages in a stable order (by id), reached by an opaque `cursor`: a page's `next`
address (and its Link header) gives the following one; a row added meanwhile never shifts a
page. The products list takes the HTML listing's filters, through the same ProductFilter, so
the two always count the same products.
"""

import base64
import binascii
import datetime

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, reverse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger
from pydantic import Field, create_model

from catalogue.filters import ProductFilter
from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from events.models import Event
from places.models import Commune
from trade.models import PointOfSale

from . import records, schemas
from .changes import changed_since, validity_changed, withdrawn_since
from .serving import PARAMETERS, json_response, served

DEFAULT_LIMIT = 24  # the HTML listing's page
MAX_LIMIT = 200
# The listing's filters the API takes; `sort` is left out: API lists are in id order.
PRODUCT_FILTERS = [name for name in ProductFilter.base_filters if name != "sort"]


class BadParameter(HttpError):
    def __init__(self, parameter: str, message: str):
        super().__init__(400, message)
        self.parameter = parameter


api = NinjaAPI(
    title="OCOP Thái Nguyên — open data",
    version="1",
    description=(
        "The register of OCOP products of Thái Nguyên province: products, their ratings "
        "(certificates) as their sources state them, producers, communes and categories. "
        "Read-only, no key. Licence CC BY 4.0: cite “OCOP Thái Nguyên” and link the product "
        "pages. Whole-register downloads (CSV, JSON, XLSX) are on /open-data/."
    ),
    urls_namespace="api-v1",
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(parameter: str, message: str) -> dict:
    return {"parameter": parameter, "message": message}


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    errors = []
    for item in exc.errors:
        names = [str(part) for part in item.get("loc", ()) if isinstance(part, str)]
        names = [name for name in names if name not in ("query", "path", "filters")]
        errors.append(error(names[-1] if names else "", item.get("msg", "invalid")))
    return bad_request(errors)


@api.exception_handler(BadParameter)
def bad_parameter(request, exc: BadParameter):
    return bad_request([error(exc.parameter, exc.message)])


def bad_request(errors: list[dict]) -> HttpResponse:
    named = ", ".join(sorted({e["parameter"] for e in errors if e["parameter"]}))
    return json_response(400, {"detail": f"Invalid parameter: {named}.", "errors": errors})


# Pages


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        after = int(base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii"))
    except (ValueError, UnicodeError, binascii.Error):
        raise BadParameter("cursor", "Not a cursor of this API: follow a page's `next`.") from None
    if not 0 <= after < 2**63:
        raise BadParameter("cursor", "Not a cursor of this API: follow a page's `next`.")
    return after


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def keyset_page(request, response, queryset, limit: int, cursor: str | None, count: int):
    """(rows of this page, the page envelope without results); sets the Link header."""
    after = decode_cursor(cursor)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    query = request.GET.copy()
    query.pop("cursor", None)
    links = [f'<{request.build_absolute_uri("?" + query.urlencode())}>; rel="first"']
    if more:
        query["cursor"] = encode_cursor(rows[-1].pk)
        next_url = request.build_absolute_uri("?" + query.urlencode())
        links.insert(0, f'<{next_url}>; rel="next"')
    response["Link"] = ", ".join(links)
    return rows, {"count": count, "next": next_url}


def since(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # the site's time zone, Asia/Ho_Chi_Minh
    return value


ProductFilters = create_model(
    "ProductFilters",
    __base__=Schema,
    **{
        name: (
            str | None,
            Field(
                None,
                description=f"{ProductFilter.base_filters[name].label}, as on the HTML listing"
                + (
                    f": {', '.join(str(v) for v, _l in choices)}"
                    if (choices := ProductFilter.base_filters[name].extra.get("choices"))
                    and not callable(choices)
                    else " (a slug)"
                    if name != "q"
                    else " (words, accents ignored)"
                ),
            ),
        )
        for name in PRODUCT_FILTERS
    },
)


class Paging(Schema):
    cursor: str | None = Field(None, description="From the previous page's `next`.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


class Changes(Schema):
    changed_since: datetime.datetime | None = Field(
        None,
        description="Only what changed at or after this time (ISO 8601; a date alone means "
        "its midnight; without a zone, Asia/Ho_Chi_Minh).",
    )


@api.get("", tags=["index"], summary="Where everything is")
def index(request) -> dict:
    """The resources of this API, its documentation and the downloads."""

    def url(path: str) -> str:
        return request.build_absolute_uri(path)

    return {
        "documentation": url(reverse("api-v1:openapi-view")),
        "openapi": url(reverse("api-v1:openapi-json")),
        "resources": {
            name: url(reverse(f"api-v1:list_{name}"))
            for name in [
                "products",
                "producers",
                "communes",
                "categories",
                "certificates",
                "points_of_sale",
                "events",
            ]
        },
        "downloads": url(reverse("opendata:dataset")),
        "feed": url(reverse("opendata:rating-feed")),
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


# Products


@api.get(
    "/products",
    response=schemas.page_of(schemas.ProductOut),
    tags=["products"],
    summary="Published products, with the HTML listing's filters",
)
def list_products(
    request,
    response: HttpResponse,
    filters: Query[ProductFilters],
    paging: Query[Paging],
    changes: Query[Changes],
):
    """Each product with its rating today (stars, state and the certificate that shows it)."""
    data = request.GET.copy()
    for name in list(data):
        if name not in PRODUCT_FILTERS:
            del data[name]
    filterset = ProductFilter(data, queryset=Product.objects.for_listing())
    if filterset.errors:
        errors = [error(name, " ".join(messages)) for name, messages in filterset.errors.items()]
        return bad_request(errors)
    products = filterset.qs
    if changes.changed_since:
        products = changed_since(products, since(changes.changed_since))
    products = records.products_for_api(products)
    rows, page = keyset_page(
        request, response, products, paging.limit, paging.cursor, products.count()
    )
    return page | {"results": records.products(rows)}


@api.get(
    "/products/withdrawn",
    response=list[schemas.RemovedOut],
    tags=["products"],
    summary="Products deleted or unpublished since a moment",
)
def withdrawn_products(request, changes: Query[Changes]):
    """For mirrors: what to remove after applying /products?changed_since= (without it,
    every product withdrawn so far)."""
    return withdrawn_since(since(changes.changed_since))


@api.get("/products/{slug}", response=schemas.ProductOut, tags=["products"])
def get_product(request, slug: str):
    products = records.products_for_api(Product.objects.for_listing())
    return records.products([get_object_or_404(products, slug=slug)])[0]


# Producers


def public_producers():
    return records.producers_for_api(
        Producer.objects.filter(pk__in=Product.objects.published().values("producer"))
    )


@api.get("/producers", response=schemas.page_of(schemas.ProducerOut), tags=["producers"])
def list_producers(request, response: HttpResponse, paging: Query[Paging]):
    """Producers of published products."""
    producers = public_producers()
    rows, page = keyset_page(
        request, response, producers, paging.limit, paging.cursor, producers.count()
    )
    return page | {"results": [records.producer(p) for p in rows]}


@api.get("/producers/{slug}", response=schemas.ProducerOut, tags=["producers"])
def get_producer(request, slug: str):
    return records.producer(get_object_or_404(public_producers(), slug=slug))


# Communes and categories


@api.get("/communes", response=schemas.page_of(schemas.CommuneOut), tags=["places"])
def list_communes(request, response: HttpResponse, paging: Query[Paging]):
    """The 92 communes and wards since 1 July 2025, with the units merged into them."""
    communes = records.communes_for_api(Commune.objects.all())
    rows, page = keyset_page(
        request, response, communes, paging.limit, paging.cursor, Commune.objects.count()
    )
    return page | {"results": [records.commune(c) for c in rows]}


@api.get("/communes/{slug}", response=schemas.CommuneOut, tags=["places"])
def get_commune(request, slug: str):
    communes = records.communes_for_api(Commune.objects.all())
    return records.commune(get_object_or_404(communes, slug=slug))


def category_index() -> dict[int, Category]:
    return {category.pk: category for category in Category.objects.all()}


@api.get("/categories", response=list[schemas.CategoryOut], tags=["categories"])
def list_categories(request):
    """The OCOP taxonomy, all of it: sectors, groups, product sets."""
    by_id = category_index()
    ordered = sorted(by_id.values(), key=lambda c: (c.level, c.position, c.name, c.pk))
    return [records.category(category, by_id) for category in ordered]


@api.get("/categories/{slug}", response=schemas.CategoryOut, tags=["categories"])
def get_category(request, slug: str):
    by_id = category_index()
    found = next((c for c in by_id.values() if c.slug == slug), None)
    if found is None:
        raise Http404
    return records.category(found, by_id)


# Certificates


@api.get("/certificates", response=schemas.page_of(schemas.CertificateOut), tags=["certificates"])
def list_certificates(
    request,
    response: HttpResponse,
    paging: Query[Paging],
    changes: Query[Changes],
    product: str | None = Query(None, description="A product's slug."),
):
    """Every rating of published products, as its sources state it."""
    certificates = records.certificates_for_api(Certificate.objects.all())
    if product:
        certificates = certificates.filter(product__slug=product)
    if changes.changed_since:
        moment = since(changes.changed_since)
        written = Certificate.history.model.objects.filter(history_date__gte=moment)
        certificates = certificates.filter(
            Q(pk__in=written.values("id")) | validity_changed(moment)
        )
    rows, page = keyset_page(
        request, response, certificates, paging.limit, paging.cursor, certificates.count()
    )
    today = timezone.localdate()
    return page | {"results": [records.certificate(c, today) for c in rows]}


@api.get("/certificates/{int:id}", response=schemas.CertificateOut, tags=["certificates"])
def get_certificate(request, id: int):
    certificate = get_object_or_404(records.certificates_for_api(Certificate.objects.all()), pk=id)
    return records.certificate(certificate)


# Points of sale and events


@api.get("/points-of-sale", response=schemas.page_of(schemas.PointOfSaleOut), tags=["where to buy"])
def list_points_of_sale(request, response: HttpResponse, paging: Query[Paging]):
    """OCOP points of sale (điểm giới thiệu và bán sản phẩm OCOP) on record."""
    points = PointOfSale.objects.select_related("commune").prefetch_related("sources")
    rows, page = keyset_page(request, response, points, paging.limit, paging.cursor, points.count())
    return page | {"results": [records.point_of_sale(p) for p in rows]}


@api.get("/points-of-sale/{slug}", response=schemas.PointOfSaleOut, tags=["where to buy"])
def get_point_of_sale(request, slug: str):
    points = PointOfSale.objects.select_related("commune").prefetch_related("sources")
    return records.point_of_sale(get_object_or_404(points, slug=slug))


@api.get("/events", response=schemas.page_of(schemas.EventOut), tags=["events"])
def list_events(request, response: HttpResponse, paging: Query[Paging]):
    """Published contests, fairs, exhibitions and seminars, with the products taking part."""
    events = records.events_for_api(Event.objects.all())
    rows, page = keyset_page(request, response, events, paging.limit, paging.cursor, events.count())
    return page | {"results": [records.event(e) for e in rows]}


@api.get("/events/{slug}", response=schemas.EventOut, tags=["events"])
def get_event(request, slug: str):
    return records.event(get_object_or_404(records.events_for_api(Event.objects.all()), slug=slug))


NOT_CATALOGUE = {"openapi-json", "openapi-view", "api-root"}


def urls():
    """The API's URL patterns, each served through serving.served()."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = served(
                pattern.callback,
                cacheable=pattern.name not in NOT_CATALOGUE,
                parameters=PARAMETERS,
            )
    return patterns, app_name, namespace
