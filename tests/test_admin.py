"""The Django admin that staff use to edit the catalogue."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from marks.models import QualityMark
from places.models import Commune

from .factories import (
    make_alias,
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_producer,
    make_product,
    make_source,
)

pytestmark = pytest.mark.django_db

MODELS = [Commune, Category, Producer, Product, QualityMark, Certificate]


def model_name(model) -> str:
    return model._meta.model_name


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def results(response) -> set:
    return set(response.context["cl"].result_list)


@pytest.fixture
def one_of_each():
    """A certified product with an image and a link, its producer, commune and category."""
    category = make_category()
    commune = make_commune()
    make_alias(commune=commune)
    product = make_product(producer=make_producer(commune=commune), category=category)
    make_image(product=product)
    make_link(product=product)
    certificate = make_certificate(product=product)
    mark = QualityMark.objects.create(kind=QualityMark.Kind.VIETGAP, name="VietGAP thử")
    mark.products.add(product)
    return {
        Commune: commune,
        Category: category,
        Producer: product.producer,
        Product: product,
        QualityMark: mark,
        Certificate: certificate,
    }


def test_every_catalogue_model_with_its_own_page_is_registered():
    """Inline-only models (aliases, images, links) have no page of their own."""
    registered = {
        model
        for model in admin.site._registry
        if model._meta.app_label in {"places", "editors", "catalogue", "certification", "marks"}
    }
    assert registered == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=model_name)
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_staff_can_open_changelist_and_add_page(staff_client, one_of_each, model, view):
    assert staff_client.get(admin_url(model, view)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=model_name)
def test_staff_can_open_change_page(staff_client, one_of_each, model):
    response = staff_client.get(admin_url(model, "change", one_of_each[model].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=model_name)
def test_anonymous_visitors_are_sent_to_login(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_product_changelist_shows_thumbnail_commune_and_stars(staff_client):
    product = make_product(producer=make_producer(commune=make_commune(name="Xã Tân Cương")))
    image = make_image(product=product)
    make_certificate(product=product, stars=5)
    response = staff_client.get(admin_url(Product, "changelist"))
    assert f'src="{image.image.url}"'.encode() in response.content
    assert "Xã Tân Cương" in response.content.decode()
    with translation.override("vi"):
        assert str(Certificate.Stars.FIVE.label) in response.content.decode()


def test_product_search_ignores_accents(staff_client):
    product = make_product(name="Chè Đinh Tân Cương")
    make_product(name="Mật ong Võ Nhai")
    response = staff_client.get(admin_url(Product, "changelist"), {"q": "che dinh"})
    assert results(response) == {product}


def test_certificate_form_finds_its_product_accent_free(staff_client):
    """The product autocomplete on a certificate uses the same search as the changelist."""
    product = make_product(name="Chè Đinh Tân Cương")
    make_product(name="Mật ong Võ Nhai")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "certification",
            "model_name": "certificate",
            "field_name": "product",
            "term": "tan cuong",
        },
    )
    assert [item["id"] for item in response.json()["results"]] == [str(product.pk)]


def test_product_filter_by_current_stars(staff_client):
    five = make_product()
    make_certificate(product=five, stars=5, score=92)
    four = make_product()
    make_certificate(product=four, stars=4)
    make_product()
    response = staff_client.get(admin_url(Product, "changelist"), {"current_stars": "5"})
    assert results(response) == {five}


@pytest.mark.parametrize(
    ("model", "parameter"),
    [(Product, "current_stars"), (Product, "certificate"), (Certificate, "status")],
    ids=["current_stars", "certificate", "status"],
)
def test_unknown_filter_values_are_ignored(staff_client, model, parameter):
    make_certificate()
    response = staff_client.get(admin_url(model, "changelist"), {parameter: "abc"})
    assert len(results(response)) == 1


def test_product_filter_by_commune_not_recorded(staff_client):
    unknown = make_product(producer=make_producer(commune=None))
    make_product()
    response = staff_client.get(
        admin_url(Product, "changelist"), {"producer__commune__isnull": "True"}
    )
    assert results(response) == {unknown}


def test_product_filter_by_certificate_status(staff_client):
    today = timezone.localdate()
    in_force = make_product()
    make_certificate(product=in_force)
    expired = make_product()
    make_certificate(
        product=expired,
        decision_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=100),
    )
    revoked = make_product()
    make_certificate(
        product=revoked, revoked_on=today - datetime.timedelta(days=1), revocation_reason="Vi phạm"
    )
    undated = make_product()
    make_certificate(product=undated, decision_number="", decision_date=None)
    reported = make_product()
    make_certificate(
        product=reported,
        decision_number="",
        decision_date=None,
        evidence=Certificate.Evidence.LATER_REPORT,
        reported_on=today - datetime.timedelta(days=10),
    )
    never = make_product()
    url = admin_url(Product, "changelist")
    assert results(staff_client.get(url, {"certificate": "in_force"})) == {in_force}
    assert results(staff_client.get(url, {"certificate": "reported"})) == {reported}
    # An expired or revoked rating keeps its level (current stars) but not its state.
    assert results(staff_client.get(url, {"certificate": "expired"})) == {expired, revoked}
    assert results(staff_client.get(url, {"current_stars": "4"})) >= {expired, revoked}
    assert results(staff_client.get(url, {"certificate": "undated"})) == {undated}
    assert results(staff_client.get(url, {"certificate": "never"})) == {never}


def test_producer_filter_by_commune_not_recorded(staff_client):
    unknown = make_producer(commune=None)
    make_producer()
    response = staff_client.get(admin_url(Producer, "changelist"), {"commune__isnull": "True"})
    assert results(response) == {unknown}


def test_certificate_filter_by_status(staff_client):
    today = timezone.localdate()
    in_force = make_certificate()
    expiring = make_certificate(valid_until=today + datetime.timedelta(days=30))
    expired = make_certificate(
        decision_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=1),
    )
    revoked = make_certificate(revoked_on=today, revocation_reason="Vi phạm")
    url = admin_url(Certificate, "changelist")
    assert results(staff_client.get(url, {"status": "expiring"})) == {expiring}
    assert results(staff_client.get(url, {"status": "in_force"})) == {in_force, expiring}
    assert results(staff_client.get(url, {"status": "expired"})) == {expired}
    assert results(staff_client.get(url, {"status": "revoked"})) == {revoked}


@pytest.mark.parametrize(
    ("action", "before", "after"), [("publish", False, True), ("unpublish", True, False)]
)
def test_publish_actions_change_selected_products(staff_client, action, before, after):
    """The message counts the products that changed, not those already in the new state."""
    chosen = [make_product(is_published=before) for _ in range(2)]
    unchanged = make_product(is_published=after)
    other = make_product(is_published=before)
    response = staff_client.post(
        admin_url(Product, "changelist"),
        {"action": action, "_selected_action": [p.pk for p in [*chosen, unchanged]]},
        follow=True,
    )
    assert dict(Product.objects.values_list("pk", "is_published")) == {
        chosen[0].pk: after,
        chosen[1].pk: after,
        unchanged.pk: after,
        other.pk: before,
    }
    [message] = response.context["messages"]
    assert re.search(r"\b2\b", str(message)) and not re.search(r"\b3\b", str(message))


def certificate_form(product, **overrides) -> dict:
    return {
        "product": product.pk,
        "stars": 5,
        "score": "95",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2025-03-01",
        "issuer": "UBND tỉnh Thái Nguyên",
        "issuer_level": Certificate.IssuerLevel.PROVINCE,
        "decision_date_precision": "day",
        "evidence": Certificate.Evidence.DECISION,
        "round_year": "",
        "batch": "",
        "valid_until": "",
        "reported_on": "",
        "reported_on_precision": "day",
        "commune": "",
        "revoked_on": "",
        "revocation_reason": "",
        "note": "",
    } | overrides


def test_certificate_added_in_admin_gets_default_validity(staff_client):
    product = make_product()
    """No validity stated: none is recorded, and the rating runs 36 months from its date."""
    response = staff_client.post(admin_url(Certificate, "add"), certificate_form(product))
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.valid_until is None
    assert certificate.ends_on == certificate.ends_by == datetime.date(2028, 2, 29)


def test_a_rating_known_only_to_the_month_without_a_number_is_added_with_its_source(
    staff_client,
):
    """Only what the source states: no decision number, a month, the source that says so."""
    product = make_product()
    source = make_source(url="https://baothainguyen.vn/ocop-2025")
    form = certificate_form(
        product,
        decision_number="",
        decision_date="01/06/2025",
        decision_date_precision="month",
        score="",
        sources=[source.pk],
    )
    response = staff_client.post(admin_url(Certificate, "add"), form)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.decision_number == "" and certificate.valid_until is None
    assert list(certificate.sources.all()) == [source]
    # The 36 months end some day of June 2028: the earliest and the latest are both kept.
    assert certificate.ends_on == datetime.date(2028, 5, 31)
    assert certificate.ends_by == datetime.date(2028, 6, 29)


def test_certificate_score_outside_its_band_is_refused_with_a_message(staff_client):
    product = make_product()
    response = staff_client.post(
        admin_url(Certificate, "add"), certificate_form(product, stars=4, score="95")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["score"]
    assert "70" in errors["score"][0] and "90" in errors["score"][0]
    assert not Certificate.objects.exists()


def inline_management(prefix: str) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


BLANK_ADD_FORMS = {
    Commune: {"kind": Commune.Kind.COMMUNE, **inline_management("aliases")},
    Category: {"level": Category.Level.SECTOR, "position": "0"},
    Producer: {
        "kind": Producer.Kind.COOPERATIVE,
        **inline_management("products"),
        # trade: where to buy and the producer's place
        **inline_management("sales_channels"),
        **inline_management("place"),
    },
    Product: {
        **inline_management("images"),
        **inline_management("links"),
        **inline_management("certificates"),
        **inline_management("sales_channels"),  # trade
    },
}


@pytest.mark.parametrize("model", BLANK_ADD_FORMS, ids=model_name)
def test_slug_left_blank_in_admin_is_made_ascii_from_the_name(staff_client, model):
    data = BLANK_ADD_FORMS[model] | {"name": "Chè Đinh Tân Cương", "slug": ""}
    if model is Product:
        data["producer"] = make_producer().pk
    assert staff_client.post(admin_url(model, "add"), data).status_code == 302
    assert model.objects.get(name="Chè Đinh Tân Cương").slug == "che-dinh-tan-cuong"


def test_former_units_are_added_inline_on_the_commune(staff_client):
    data = BLANK_ADD_FORMS[Commune] | {
        "name": "Phường Phan Đình Phùng",
        "kind": Commune.Kind.WARD,
        "aliases-TOTAL_FORMS": "1",
        "aliases-0-name": "Đồng Quang",
        "aliases-0-former_kind": "phường",
        "aliases-0-former_district": "TP Thái Nguyên",
    }
    assert staff_client.post(admin_url(Commune, "add"), data).status_code == 302
    alias = Commune.objects.get(slug="phuong-phan-dinh-phung").aliases.get()
    assert alias.slug == "dong-quang"


def test_certificate_inline_on_a_product_shows_the_score_band_error(staff_client):
    data = {
        "producer": make_producer().pk,
        "name": "Miến dong Na Rì",
        **inline_management("images"),
        **inline_management("links"),
        **inline_management("certificates"),
        "certificates-TOTAL_FORMS": "1",
        "certificates-0-stars": "3",
        "certificates-0-score": "40",
        "certificates-0-decision_number": "7/QĐ-UBND",
        "certificates-0-decision_date": "2025-03-01",
        "certificates-0-decision_date_precision": "day",
        "certificates-0-evidence": Certificate.Evidence.DECISION,
        "certificates-0-reported_on_precision": "day",
        "certificates-0-issuer_level": Certificate.IssuerLevel.DISTRICT,
    }
    response = staff_client.post(admin_url(Product, "add"), data)
    assert response.status_code == 200
    [certificates] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "certificates"
    ]
    assert list(certificates.errors[0]) == ["score"]
    assert not Product.objects.exists()


# What each model's delete page lists as protected, for the objects of one_of_each.
PROTECTED_BY = {Commune: Producer, Category: Product, Producer: Product, Product: Certificate}


@pytest.mark.parametrize("model", PROTECTED_BY, ids=model_name)
def test_deleting_what_products_depend_on_is_refused(staff_client, one_of_each, model):
    """Communes, categories and producers protect their products; products their certificates."""
    obj = one_of_each[model]
    response = staff_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 200
    assert response.context["protected"]
    assert str(one_of_each[PROTECTED_BY[model]]) in response.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()


def test_deleting_a_producer_without_products_works(staff_client):
    producer = make_producer()
    response = staff_client.post(admin_url(Producer, "delete", producer.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Producer.objects.exists()


def count_changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(admin_url(model, "changelist")).status_code == 200
    return len(queries)


def make_listed_products(count: int) -> None:
    """Products each with their own producer, commune, category (below a sector) and image."""
    for _ in range(count):
        product = make_product(category=make_category(parent=make_category()))
        make_image(product=product)
        make_certificate(product=product)


@pytest.mark.parametrize("model", MODELS, ids=model_name)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, model):
    make_listed_products(3)
    few = count_changelist_queries(staff_client, model)
    make_listed_products(27)
    assert count_changelist_queries(staff_client, model) == few


def test_admin_reads_dates_day_first(staff_client):
    """Staff type 01/06/2026 the Vietnamese way: 1 June, not 6 January."""
    product = make_product()
    response = staff_client.post(
        admin_url(Certificate, "add"),
        certificate_form(product, decision_date="01/06/2026", valid_until=""),
    )
    assert response.status_code == 302
    assert Certificate.objects.get().decision_date == datetime.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("model", "query"),
    [(Producer, "htx che hao dat"), (Certificate, "tra shan tuyet"), (Commune, "thinh duc")],
)
def test_admin_search_ignores_accents_on_every_list(staff_client, model, query):
    """Staff type without accents on the producer, certificate and commune lists too."""
    commune = make_commune(name="Tân Cương")
    make_alias(commune=commune, name="Thịnh Đức", former_district="TP Thái Nguyên")
    producer = make_producer(name="HTX Chè Hảo Đạt", commune=commune)
    product = make_product(name="Trà Shan tuyết", producer=producer)
    certificate = make_certificate(product=product)
    make_certificate()  # another producer, product and commune
    expected = {Producer: producer, Certificate: certificate, Commune: commune}[model]
    response = staff_client.get(admin_url(model, "changelist"), {"q": query})
    assert list(response.context["cl"].result_list) == [expected]
