"""The open-data API, /api/v1/: the listing's filters and counts, pages, validation by the
catalogue version, the rate limit, CORS, errors and the OpenAPI schema."""

import datetime
import json

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from catalogue.models import Product
from certification.models import Certificate
from core.dates import add_months
from opendata.api import PRODUCT_FILTERS

from . import hostile
from .factories import make_certificate, make_certified_product, make_product

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products"


def get_json(client, url, params=None, status=200, **headers):
    response = client.get(url, params, headers=headers)
    assert response.status_code == status, response.content[:500]
    return response, response.json()


def every_page(client, url, params=None):
    """Every item of a list, following `next` from the first page."""
    response, page = get_json(client, url, params)
    items = list(page["results"])
    while page["next"]:
        response, page = get_json(client, page["next"])
        items += page["results"]
    return items


def test_pages_follow_a_stable_order_and_link_headers(client):
    products = [make_certified_product(stars=4) for _ in range(5)]
    response, page = get_json(client, PRODUCTS, {"limit": "2"})
    assert page["count"] == 5
    assert 'rel="next"' in response["Link"] and page["next"] in response["Link"]
    make_product(name="Added meanwhile")  # a later id: never shifts a page already served
    items = page["results"] + every_page(client, page["next"])
    assert [i["slug"] for i in items][:5] == [p.slug for p in products]


def test_a_product_carries_its_rating_and_certificate(client):
    certificate = make_certificate(stars=5, decision_number="9/QĐ-BNN")
    _r, body = get_json(client, f"{PRODUCTS}/{certificate.product.slug}")
    assert body["rating"]["stars"] == 5
    assert body["rating"]["state"] == "in_force" and body["rating"]["in_force"]
    assert body["rating"]["certificate"]["decision_number"] == "9/QĐ-BNN"
    assert body["rating"]["certificate"]["status"] == "in_force"
    assert body["commune"]["slug"] == certificate.product.producer.commune.slug
    assert body["producer"]["slug"] == certificate.product.producer.slug


def test_unpublished_products_are_nowhere(client):
    draft = make_certified_product(name="Bản nháp", is_published=False)
    assert get_json(client, PRODUCTS)[1]["count"] == 0
    get_json(client, f"{PRODUCTS}/{draft.slug}", status=404)
    assert get_json(client, "/api/v1/certificates")[1]["count"] == 0
    assert get_json(client, "/api/v1/producers")[1]["count"] == 0


def test_a_repeated_request_with_the_etag_is_a_304_until_the_catalogue_changes(client):
    product = make_certified_product()
    first = client.get(PRODUCTS)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    again = client.get(PRODUCTS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    product.name = "Tên mới"
    product.save()
    changed = client.get(PRODUCTS, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["name"]["vi"] == "Tên mới"


def test_cached_answers_are_served_until_the_catalogue_changes(client, django_assert_num_queries):
    make_certified_product()
    client.get(PRODUCTS)
    with django_assert_num_queries(0):
        assert client.get(PRODUCTS).status_code == 200
    make_certified_product()
    assert client.get(PRODUCTS).json()["count"] == 2


def test_search_text_is_never_cached(client, django_assert_num_queries):
    make_certified_product(name="Chè xanh")
    client.get(PRODUCTS, {"q": "chè"})
    response = client.get(PRODUCTS, {"q": "chè"})
    assert response.json()["count"] == 1


def test_too_many_requests_from_one_client_are_a_429_with_retry_after(client, settings):
    settings.OPENDATA_API_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/v1/categories").status_code == 200
    refused = client.get("/api/v1/categories")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= settings.OPENDATA_API_RATE_WINDOW
    assert "Too many requests" in refused.json()["detail"]
    # Another client is counted apart; behind a trusted proxy, by X-Forwarded-For.
    assert client.get("/api/v1/categories", REMOTE_ADDR="10.9.9.9").status_code == 200
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    behind = client.get("/api/v1/categories", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert behind.status_code == 200


def test_any_origin_may_read_and_preflight_is_answered(client):
    response = client.get("/api/v1/categories", headers={"Origin": "https://news.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response["Access-Control-Expose-Headers"]
    preflight = client.options(PRODUCTS, headers={"Origin": "https://news.example"})
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_head_answers_without_a_body_and_writes_are_refused(client):
    make_certified_product()
    head = client.head(PRODUCTS)
    assert head.status_code == 200 and head.content == b""
    for method in ["post", "put", "patch", "delete"]:
        assert getattr(client, method)(PRODUCTS).status_code == 405


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("stars=abc", "stars"),
        ("cursor=%%%garbage", "cursor"),
        ("cursor=LTE", "cursor"),  # "-1"
        ("changed_since=not-a-date", "changed_since"),
        ("limit=1000000", "limit"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("kind=nobody", "kind"),
    ],
)
def test_bad_parameters_are_json_400s_naming_the_parameter(client, query, parameter):
    response = client.get(PRODUCTS, QUERY_STRING=query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert parameter in [e["parameter"] for e in body["errors"]]
    assert "Traceback" not in response.content.decode()


def test_changed_since_gives_what_changed_and_what_was_withdrawn(client):
    old = make_certified_product(name="Cũ")
    renamed = make_certified_product(name="Đổi tên")
    withdrawn = make_certified_product(name="Rút")
    long_ago = timezone.now() - datetime.timedelta(days=3)
    Product.objects.update(updated_at=long_ago)
    Certificate.history.model.objects.update(history_date=long_ago)
    Product.history.model.objects.update(history_date=long_ago)
    old.producer.history.update(history_date=long_ago)
    for p in (renamed, withdrawn):
        p.producer.history.update(history_date=long_ago)
    moment = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    renamed.name = "Đã đổi tên"
    renamed.save()
    withdrawn.is_published = False
    withdrawn.save()
    items = every_page(client, PRODUCTS, {"changed_since": moment})
    assert [i["slug"] for i in items] == [renamed.slug]
    _r, gone = get_json(client, f"{PRODUCTS}/withdrawn", {"changed_since": moment})
    assert [row["slug"] for row in gone] == [withdrawn.slug]


def test_a_rating_ending_since_the_moment_counts_as_a_change(client):
    """No row is written when a rating expires: the day alone changes the product's state."""
    today = timezone.localdate()
    decided = add_months(today, -36) - datetime.timedelta(days=3)
    certificate = make_certificate(decision_date=decided)  # its last day: 4 days ago
    assert certificate.ends_on == today - datetime.timedelta(days=4)
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Product.objects.update(updated_at=long_ago)
    Certificate.history.model.objects.update(history_date=long_ago)
    certificate.product.producer.history.update(history_date=long_ago)

    def changed(days):
        since = (today - datetime.timedelta(days=days)).isoformat()
        return [i["slug"] for i in every_page(client, PRODUCTS, {"changed_since": since})]

    assert changed(7) == [certificate.product.slug]
    assert changed(2) == []


def test_the_openapi_schema_validates_and_documents_the_filters(client):
    response = client.get("/api/v1/openapi.json")
    schema = response.json()
    validate(schema)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/products"]["get"]["parameters"]}
    assert {"stars", "commune", "category", "q", "cursor", "limit", "changed_since"} <= parameters


def test_the_docs_page_loads_only_our_own_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert (
        json.loads(html.split('id="swagger-settings">')[1].split("</script>")[0])["validatorUrl"]
        is None
    )


def test_a_product_lists_where_it_is_sold_and_its_published_events(client):
    from trade.models import PointOfSale, SalesChannel

    from .factories_events import make_entrant, make_event

    product = make_certified_product()
    point = PointOfSale.objects.create(name="Điểm OCOP")
    SalesChannel.objects.create(product=product, kind="point_of_sale", point_of_sale=point)
    SalesChannel.objects.create(producer=product.producer, kind="online", url="https://tiki.vn/a")
    make_entrant(event=make_event(name="Hội chợ"), product=product, award="Giải nhất", rank=1)
    make_entrant(event=make_event(name="Chưa công bố", is_published=False), product=product)
    _r, body = get_json(client, f"{PRODUCTS}/{product.slug}")
    channels = {(c["kind"], c["point_of_sale"], c["platform"]) for c in body["sales_channels"]}
    assert channels == {("point_of_sale", point.slug, ""), ("online", None, "tiki")}
    assert [(e["event"]["name"]["vi"], e["award"]) for e in body["events"]] == [
        ("Hội chợ", "Giải nhất")
    ]
    _r, points = get_json(client, "/api/v1/points-of-sale")
    assert [p["slug"] for p in points["results"]] == [point.slug]
    _r, events = get_json(client, "/api/v1/events")
    assert [e["entrants"] for e in events["results"]] == [[product.slug]]


def test_list_queries_do_not_grow_with_the_page(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_TIMEOUT = 0  # drawn each time

    def queries(n):
        for _ in range(n):
            make_certified_product()
        client.get("/api/v1/events")  # warm: the catalogue version, the stale stars check
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PRODUCTS, {"limit": "200"}).status_code == 200
        return len(captured)

    assert queries(3) == queries(27)


@pytest.mark.parametrize("payload", hostile.PAYLOADS, ids=range(len(hostile.PAYLOADS)))
def test_hostile_values_in_every_api_parameter(client, settings, payload):
    """A JSON answer every time: 200, or a 400 naming the refused parameters; never a 500."""
    settings.OPENDATA_API_RATE_LIMIT = 0
    make_certified_product()
    names = [*PRODUCT_FILTERS, "cursor", "limit", "changed_since"]
    for name in names:
        response = client.get(PRODUCTS, {name: payload})
        hostile.check(response, statuses={200, 400}, what=f"{name}={payload[:40]!r}")
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 400:
            assert name in {e["parameter"] for e in response.json()["errors"]}
    everywhere = dict.fromkeys(names, payload)
    for path in ["/api/v1/producers", "/api/v1/certificates", "/api/v1/products/withdrawn"]:
        hostile.check(client.get(path, everywhere), statuses={200, 400}, what=path)


def test_the_api_is_never_redirected_to_a_language(client):
    """Outside the language prefixes: a French browser gets the same JSON, no redirect."""
    make_certified_product()
    french = client.get(PRODUCTS, headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and french.json()["count"] == 1
    assert client.get("/en/api/v1/products").status_code == 404
    _r, body = get_json(client, PRODUCTS, {"stars": "x"}, status=400, **{"Accept-Language": "vi"})
    assert "Invalid parameter" in body["detail"]  # the API's messages are in English
