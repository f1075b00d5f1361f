"""Nothing private in open data: every API operation of the OpenAPI schema (so one added later
is walked too), every page of every list, the downloads and the feed.

Private rows carry marker strings: an unpublished product (a draft) and its producer, a
correction report (reporter's email and message), an enquiry, a producer account's proposal.
No marker may appear anywhere; and every JSON key must be in PUBLIC_KEYS, so a new field is
a reviewed decision, not an accident.
"""

import datetime
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from corrections.models import CorrectionReport
from marks.models import QualityMark
from opendata import downloads
from trade.models import PointOfSale, SalesChannel

from .factories import (
    make_alias,
    make_category,
    make_certificate,
    make_producer,
    make_product,
    make_source,
)
from .factories_events import make_entrant, make_event

pytestmark = pytest.mark.django_db

SECRET = "PRIVATE-MARKER"
# Every key the API may print, wherever it appears.
PUBLIC_KEYS = {
    # envelopes and errors
    "count",
    "next",
    "results",
    "detail",
    "errors",
    "parameter",
    "message",
    # text in three languages, partial dates, sources
    "vi",
    "en",
    "fr",
    "date",
    "precision",
    "text",
    "url",
    "publisher",
    "title",
    "kind",
    "published",
    "sources",
    # products
    "code",
    "slug",
    "name",
    "summary",
    "story",
    "category",
    "category_path",
    "level",
    "commune",
    "producer",
    "rating",
    "stars",
    "state",
    "in_force",
    "certificate",
    "quality_marks",
    "ingredients",
    "net_weight",
    "packaging",
    "shelf_life",
    "price_vnd",
    "visiting_address",
    "opening_hours",
    "images",
    "created_at",
    "updated_at",
    "sales_channels",
    "events",
    "removed_at",
    # certificates
    "id",
    "product",
    "score",
    "decision_number",
    "decided",
    "round_year",
    "batch",
    "issuer",
    "issuer_level",
    "valid_until",
    "evidence",
    "reported",
    "revoked_on",
    "revocation_reason",
    "note",
    "starts_on",
    "ends_on",
    "ends_by",
    "status",
    # producers (their public contact details, as on their pages), communes, categories
    "address",
    "former_address",
    "phone",
    "email",
    "website",
    "representative",
    "products",
    "former_units",
    "aliases",
    "former_kind",
    "former_district",
    "former_province",
    "product_count",
    "parent",
    "is_service",
    "path",
}
# The index (/api/v1/).
PUBLIC_KEYS |= {"documentation", "openapi", "resources", "downloads", "feed", "license"}
PUBLIC_KEYS |= {"producers", "communes", "categories", "certificates"}
# Where to buy (trade) and events, reviewed: the fields their public pages show.
PUBLIC_KEYS |= {"sales_channels", "platform", "point_of_sale", "points_of_sale"}
PUBLIC_KEYS |= {"operator", "recognised_year", "latitude", "longitude"}
PUBLIC_KEYS |= {"event", "award", "rank", "description", "starts", "ends", "venue"}
PUBLIC_KEYS |= {"organiser", "entrants"}
PUBLIC_KEYS |= {
    # sales channels, points of sale, events (when the trade and events apps provide them)
    "channel",
    "point_of_sale",
    "label",
    "starts",
    "ends",
    "venue",
    "award",
    "result",
    "latitude",
    "longitude",
    "opening_hours_text",
    "place",
    "place_name",
    "kind_label",
}

QUERY_SCHEMAS = {"ProductFilters", "Paging", "Changes"}


def plant_private_rows(product):
    """Rows the public must never see, each carrying SECRET."""
    draft = make_product(
        name=f"{SECRET} draft",
        producer=make_producer(name=f"{SECRET} producer", email="hidden@private.invalid"),
        is_published=False,
    )
    make_certificate(product=draft, decision_number=f"{SECRET}/QĐ")
    CorrectionReport.objects.create(
        product=product,
        product_name=product.name,
        message=f"{SECRET} report",
        email="reporter@private.invalid",
    )
    planted = ["draft", "correction"]
    if apps.is_installed("trade") and "enquiry" in apps.get_app_config("trade").models:
        apps.get_model("trade", "Enquiry").objects.create(
            product=product,
            product_name=product.name,
            name=f"{SECRET} buyer",
            email="buyer@private.invalid",
            message=f"{SECRET} enquiry",
        )
        planted.append("enquiry")
    if "proposal" in apps.get_app_config("producers").models:
        user = get_user_model().objects.create_user(
            "member@private.invalid", "member@private.invalid", "pw"
        )
        apps.get_model("producers", "Proposal").objects.create(
            producer=product.producer,
            product=product,
            author=user,
            changes={"story": {"old": "", "new": f"{SECRET} proposal"}},
        )
        planted.append("proposal")
    return draft, planted


@pytest.fixture
def catalogue(settings):
    settings.OPENDATA_API_RATE_LIMIT = 0
    sector = make_category(name="Thực phẩm")
    group = make_category(name="Chè", parent=sector)
    source = make_source(title="Báo Thái Nguyên")
    product = make_product(name="Chè Tân Cương", category=group, summary="Chè ngon")
    product.sources.add(source)
    make_alias(commune=product.producer.commune)
    certificate = make_certificate(product=product, stars=4, note="Ghi chú công khai")
    certificate.sources.add(source)
    make_certificate(
        product=product,
        stars=3,
        decision_date=certificate.decision_date - datetime.timedelta(days=2000),
        revoked_on=certificate.decision_date - datetime.timedelta(days=1500),
        revocation_reason="Vi phạm",
    )
    mark = QualityMark.objects.create(kind="gi", name="Chè Thái Nguyên", slug="che-tn")
    mark.products.add(product)
    point = PointOfSale.objects.create(
        name="Điểm OCOP Thái Nguyên", commune=product.producer.commune
    )
    SalesChannel.objects.create(product=product, kind="point_of_sale", point_of_sale=point)
    SalesChannel.objects.create(producer=product.producer, kind="online", url="https://shopee.vn/x")
    event = make_event(name="Hội chợ OCOP")
    make_entrant(event=event, product=product, award="Giải nhất", rank=1)
    draft, planted = plant_private_rows(product)
    make_event(name=f"{SECRET} event", is_published=False)
    make_entrant(event=event, product=draft, award=f"{SECRET} award")
    return {
        "product": product,
        "certificate": certificate,
        "draft": draft,
        "planted": planted,
        "point": point,
        "event": event,
    }


def path_values(catalogue):
    product = catalogue["product"]
    return {
        "slug": {
            "products": product.slug,
            "producers": product.producer.slug,
            "communes": product.producer.commune.slug,
            "categories": product.category.slug,
            "points-of-sale": catalogue["point"].slug,
            "events": catalogue["event"].slug,
        },
        "id": catalogue["certificate"].pk,
    }


def operations(client) -> list[str]:
    """Every GET path of the OpenAPI schema, as a template (/api/v1/products/{slug})."""
    schema = client.get(reverse("api-v1:openapi-json")).json()
    return [path for path, item in schema["paths"].items() if "get" in item]


def fill(template: str, values) -> str:
    def value(match):
        name = match[1]
        if name == "slug":
            resource = template.split("/")[3]
            return str(values["slug"].get(resource, "no-such-slug"))
        return str(values.get(name, 1))

    return re.sub(r"{(\w+)}", value, template)


def keys(data) -> set[str]:
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(key)
            found |= keys(value)
    elif isinstance(data, list):
        for value in data:
            found |= keys(value)
    return found


def assert_public(body: bytes, what: str):
    text = body.decode("utf-8", "replace")
    assert SECRET not in text, what
    for address in ["hidden@private", "reporter@private", "buyer@private", "member@private"]:
        assert address not in text, (address, what)


def test_every_api_answer_holds_only_public_keys_and_rows(client, catalogue):
    values = path_values(catalogue)
    seen, walked = set(), []
    for template in operations(client):
        queries = [{}, {"limit": "200", "changed_since": "2000-01-01"}]
        for query in queries:
            url = fill(template, values)
            while url:
                response = client.get(url, query)
                query = {}
                assert response.status_code in (200, 400), (url, response.content[:300])
                assert_public(response.content, url)
                body = response.json()
                seen |= keys(body)
                walked.append(url)
                url = body.get("next") if isinstance(body, dict) and "results" in body else None
        # A draft's address answers nothing.
        if "{slug}" in template and template.split("/")[3] == "products":
            assert (
                client.get(template.replace("{slug}", catalogue["draft"].slug)).status_code == 404
            )
    assert not seen - PUBLIC_KEYS, f"fields not reviewed as public: {sorted(seen - PUBLIC_KEYS)}"
    assert len(walked) >= 10
    assert {"draft", "correction"} <= set(catalogue["planted"])


def test_the_openapi_schema_declares_no_private_field(client):
    schema = client.get(reverse("api-v1:openapi-json")).json()
    declared = set()
    for name, component in schema["components"]["schemas"].items():
        if name not in QUERY_SCHEMAS:  # parameters, not fields
            declared |= set(component.get("properties", {}))
    assert not declared - PUBLIC_KEYS, sorted(declared - PUBLIC_KEYS)


def test_downloads_the_feed_and_the_page_hold_no_private_row(client, catalogue):
    for fmt in downloads.FORMATS:
        response = client.get(reverse("opendata:download", args=[fmt]))
        body = b"".join(response.streaming_content)
        if fmt == "xlsx":
            import io

            import openpyxl

            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            body = json.dumps([[str(c) for c in row] for row in sheet.values]).encode()
        assert_public(body, fmt)
    for name in ["opendata:rating-feed", "opendata:dataset"]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_public(response.content, name)
