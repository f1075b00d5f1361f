"""The shapes of the API's answers: what a client may rely on, and the OpenAPI schema's source.

Only public facts appear here, those the site's pages show; a field is added to a schema on
purpose, never by listing a model's fields (tests/test_opendata_privacy.py walks every answer).
Text kept in three languages is an object {vi, en, fr}; an empty en/fr means no translation.
"""

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, create_model


class Text(Schema):
    vi: str
    en: str = ""
    fr: str = ""


class PartialDateOut(Schema):
    """A date known to the day, the month or only the year, as its source gives it."""

    date: datetime.date = Field(description="The first day of the period the date names.")
    precision: str = Field(description="day, month or year.")
    text: str = Field(description="As the sources write it: 30/06/2021, 06/2021 or 2021.")


class SourceOut(Schema):
    url: str
    publisher: str
    title: str
    kind: str = Field(description="decision, government, press or producer.")
    published: PartialDateOut | None


class CommuneRef(Schema):
    slug: str
    name: str
    kind: str = Field(description="xa (commune) or phuong (ward).")


class CategoryRef(Schema):
    slug: str
    level: int = Field(description="1 sector, 2 group, 3 product set.")
    name: Text


class ProducerRef(Schema):
    slug: str
    name: str
    kind: str
    url: str


class MarkOut(Schema):
    slug: str
    kind: str
    name: str


class CertificateOut(Schema):
    """One rating of one product, as its sources state it, and the validity computed from it."""

    id: int
    product: str = Field(description="The product's slug.")
    stars: int | None = Field(description="3, 4 or 5; null where the sources do not agree.")
    score: Decimal | None
    decision_number: str
    decided: PartialDateOut | None
    round_year: int | None
    batch: str
    issuer: str
    issuer_level: str = Field(description="district, province, central or empty.")
    valid_until: datetime.date | None = Field(description="Only where a source states it.")
    evidence: str = Field(description="decision, report or later_report.")
    reported: PartialDateOut | None
    commune: str | None = Field(description="Slug of the commune at certification.")
    revoked_on: datetime.date | None
    revocation_reason: str
    note: str
    starts_on: datetime.date | None = Field(description="In force from (computed).")
    ends_on: datetime.date | None = Field(description="In force until, at the earliest.")
    ends_by: datetime.date | None = Field(description="In force until, at the latest.")
    status: str = Field(
        description="Today: in_force, reported, may_have_expired, expired, undated, "
        "revoked or pending."
    )
    sources: list[SourceOut]


class RatingOut(Schema):
    """A product's rating today, as far as the record proves it."""

    stars: int | None
    state: str = Field(
        description="in_force, reported, may_have_expired, expired, undated; empty: no rating."
    )
    in_force: bool = Field(description="The certificate below is in force today.")
    certificate: CertificateOut | None = Field(description="The rating that shows the state.")


class ChannelOut(Schema):
    """Where the product is sold: its own channels and its producer's."""

    kind: str = Field(description="farm_gate, point_of_sale, shop or online.")
    platform: str = Field(description="shopee, lazada, tiktok, tiki, … or empty.")
    name: str
    url: str
    point_of_sale: str | None = Field(description="The OCOP point of sale's slug.")
    address: str
    opening_hours: str
    phone: str


class EventRef(Schema):
    slug: str
    name: Text
    url: str
    kind: str
    starts: PartialDateOut | None


class EntryOut(Schema):
    """A published event the product took part in, and its award."""

    event: EventRef
    award: str
    rank: int | None


class ProductOut(Schema):
    code: str = Field(description="The public code, printed on labels; never reused.")
    slug: str
    url: str = Field(description="The product's page.")
    name: Text
    summary: Text
    story: Text
    category: CategoryRef | None
    category_path: list[CategoryRef] = Field(description="From the sector down.")
    commune: CommuneRef | None
    producer: ProducerRef | None
    rating: RatingOut
    quality_marks: list[MarkOut]
    ingredients: str
    net_weight: str
    packaging: str
    shelf_life: str
    price_vnd: int | None
    visiting_address: str
    opening_hours: str
    images: list[str]
    sources: list[SourceOut]
    sales_channels: list[ChannelOut]
    events: list[EntryOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProducerOut(Schema):
    slug: str
    url: str
    name: str
    kind: str
    commune: CommuneRef | None
    address: str
    former_address: str
    phone: str
    email: str
    website: str
    representative: str
    story: Text
    products: list[str] = Field(description="Slugs of its published products.")
    sources: list[SourceOut]


class AliasOut(Schema):
    name: str
    former_kind: str
    former_district: str
    former_province: str


class CommuneOut(Schema):
    slug: str
    url: str
    name: str
    kind: str
    former_units: str
    aliases: list[AliasOut] = Field(description="Units merged into it on 1 July 2025.")
    product_count: int
    sources: list[SourceOut]


class CategoryOut(Schema):
    slug: str
    url: str
    level: int
    name: Text
    parent: str | None
    is_service: bool
    path: list[CategoryRef]


class PointOfSaleOut(Schema):
    slug: str
    url: str
    name: str
    operator: str
    kind: str
    address: str
    former_address: str
    commune: CommuneRef | None
    opening_hours: str
    phone: str
    recognised_year: int | None
    note: str
    latitude: Decimal | None
    longitude: Decimal | None
    sources: list[SourceOut]


class EventOut(Schema):
    slug: str
    url: str
    kind: str
    name: Text
    description: Text
    starts: PartialDateOut | None
    ends: PartialDateOut | None
    status: str
    venue: str
    address: str
    commune: CommuneRef | None
    organiser: str
    website: str
    entrants: list[str] = Field(description="Slugs of the published products taking part.")
    sources: list[SourceOut]


class RemovedOut(Schema):
    code: str
    slug: str
    removed_at: datetime.datetime


def page_of(item):
    """The envelope of a list: total, the next page's address, the items."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, Field(description="Every item matching the filters, across pages.")),
        next=(str | None, Field(description="The next page, also in the Link header.")),
        results=(list[item], ...),
    )


class ErrorItem(Schema):
    parameter: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
