"""Reconciliation with the official register: the official totals and the leads as data, the
staff report of what to import or confirm per area, and the real data behind them."""

import csv
import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Product
from catalogue.reconciliation import TO_CONFIRM
from core.dates import PartialDate, Precision
from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS, PROVINCIAL_EDITORS
from registry.fixture_builder.reading import DataError
from registry.fixture_builder.totals import parse_as_of, scope_kind_and_area
from sources.areas import FormerArea
from sources.models import Lead, OfficialFigure, Source

from .factories import (
    make_certificate,
    make_lead,
    make_official_figure,
    make_producer,
    make_product,
    make_source,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPORT = "/admin/sources/officialfigure/reconciliation/"
Kind = OfficialFigure.Kind
DISTRICTS = {"huyện Đồng Hỷ": "tỉnh Thái Nguyên", "TP Bắc Kạn": "tỉnh Bắc Kạn"}


def csv_rows(name: str) -> list[dict[str, str]]:
    if not (DATA / name).exists():
        pytest.skip(f"{DATA / name} is not available")
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def login(client, django_user_model, group=None, superuser=False, communes=()):
    user = django_user_model.objects.create_user(
        "someone", password="pw", is_staff=True, is_superuser=superuser
    )
    if group:
        call_command("setup_roles", verbosity=0)
        user.groups.add(Group.objects.get(name=group))
    if group == COMMUNE_EDITORS:
        CommuneEditor.objects.create(user=user).communes.set(communes)
    client.force_login(user)
    return client


def expired_product(**overrides) -> Product:
    """A published product whose only rating ended long ago."""
    product = make_product(**overrides)
    make_certificate(product=product, decision_date=datetime.date(2015, 1, 1))
    return product


# Areas before the merger, read from addresses


@pytest.mark.parametrize(
    "address, province, district",
    [
        ("xã Hóa Trung, huyện Đồng Hỷ, tỉnh Thái Nguyên", "tỉnh Thái Nguyên", "huyện Đồng Hỷ"),
        (
            "xóm Nam Tiến, xã Tân Cương, TP Thái Nguyên, tỉnh Thái Nguyên",
            "tỉnh Thái Nguyên",
            "TP Thái Nguyên",
        ),
        ("thị trấn Đồng Tâm, huyện Chợ Mới, tỉnh Bắc Kạn", "tỉnh Bắc Kạn", "huyện Chợ Mới"),
        (
            "huyện Bạch Thông, tỉnh Bắc Kạn (vùng nguyên liệu ở xã Dương Phong, Đôn Phong)",
            "tỉnh Bắc Kạn",
            "huyện Bạch Thông",
        ),
        ("thành phố Sông Công, tỉnh Thái Nguyên", "tỉnh Thái Nguyên", "TP Sông Công"),
        ("tỉnh Bắc Kạn", "tỉnh Bắc Kạn", ""),
        ("", "", ""),
    ],
)
def test_former_area_of_an_address(address, province, district):
    assert FormerArea.parse(address) == FormerArea(province, district)


def test_an_area_contains_its_districts_accents_aside():
    dong_hy = FormerArea.parse("huyện Đồng Hỷ, tỉnh Thái Nguyên")
    hoa_binh = FormerArea.parse("xã Hoà Bình, huyện Đồng Hỷ, tỉnh Thái Nguyên")
    assert dong_hy.contains(hoa_binh) and FormerArea("tỉnh Thái Nguyên").contains(hoa_binh)
    assert FormerArea().contains(hoa_binh) and FormerArea().contains(FormerArea())
    assert not dong_hy.contains(FormerArea("tỉnh Thái Nguyên"))
    assert not FormerArea("tỉnh Bắc Kạn").contains(hoa_binh)


# The builder of totals.csv and leads.csv


@pytest.mark.parametrize(
    "scope, kind, area",
    [
        ("Thái Nguyên (hợp nhất) – lượt sản phẩm chứng nhận 3–5★", Kind.PROVINCE, ""),
        ("Thái Nguyên (hợp nhất)", Kind.PROVINCE, ""),
        ("Thái Nguyên (cũ)", Kind.FORMER_PROVINCE, "tỉnh Thái Nguyên"),
        ("Bắc Kạn (cũ) – sản phẩm năm 2018", Kind.ROUND, "tỉnh Bắc Kạn"),
        ("Thái Nguyên (cũ) – sản phẩm chè OCOP", Kind.PART, "tỉnh Thái Nguyên"),
        ("huyện Đồng Hỷ (cũ)", Kind.FORMER_DISTRICT, "huyện Đồng Hỷ, tỉnh Thái Nguyên"),
        ("TP Bắc Kạn (cũ) – điểm trưng bày", Kind.POINTS_OF_SALE, "TP Bắc Kạn, tỉnh Bắc Kạn"),
        ("Việt Nam – sản phẩm OCOP 5★", Kind.NATIONAL, ""),
    ],
)
def test_a_totals_scope_says_what_area_and_what_it_counts(scope, kind, area):
    assert scope_kind_and_area(scope, DISTRICTS) == (kind, area)


@pytest.mark.parametrize(
    "scope", ["Hà Giang (cũ)", "huyện Không Có (cũ)", "Thái Nguyên (cũ) – doanh thu"]
)
def test_a_scope_the_builder_cannot_read_stops_the_build(scope):
    with pytest.raises(DataError):
        scope_kind_and_area(scope, DISTRICTS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("02/02/2026", PartialDate(datetime.date(2026, 2, 2), Precision.DAY)),
        ("04/2025", PartialDate(datetime.date(2025, 4, 1), Precision.MONTH)),
        ("2025 (after merger; date not shown)", PartialDate(datetime.date(2025, 1, 1), "year")),
        ("end-2024 (reported 17/01/2025)", PartialDate(datetime.date(2024, 1, 1), "year")),
        ("early 2023 (date not shown)", PartialDate(datetime.date(2023, 1, 1), "year")),
        ("11/2020 (year inferred)", PartialDate(datetime.date(2020, 11, 1), "month")),
        ("", None),
    ],
)
def test_a_totals_date_keeps_its_precision(text, expected):
    assert parse_as_of(text) == expected


def test_a_date_the_builder_cannot_read_stops_the_build():
    with pytest.raises(DataError):
        parse_as_of("sometime")


# The models


def test_a_figure_keeps_the_sources_words_for_its_date_and_follows_a_plain_date():
    worded = make_official_figure(as_of_text="end-2024 (reported 17/01/2025)")
    assert worded.as_of_remark == "end-2024 (reported 17/01/2025)"
    plain = make_official_figure(as_of_text="")
    assert plain.as_of_text == "02/02/2026" and plain.as_of_remark == ""
    plain.as_of, plain.as_of_precision = datetime.date(2026, 3, 1), Precision.MONTH
    plain.save()
    assert plain.as_of_text == "03/2026" and plain.as_of_remark == ""


def test_a_figure_at_least_its_total():
    assert make_official_figure(total=30, total_at_least=True).total_text == "30+"


# The staff report


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_superusers_and_provincial_editors_open_the_report(client, django_user_model):
    login(client, django_user_model, group=PROVINCIAL_EDITORS)
    assert client.get(REPORT).status_code == 200
    superuser = Client()
    superuser.force_login(django_user_model.objects.create_superuser("boss", "b@example.invalid"))
    assert superuser.get(REPORT).status_code == 200


def test_commune_editors_may_not_open_the_report(client, django_user_model):
    """Totals are counted per province and district: a commune's share would show false gaps."""
    producer = make_producer()
    login(client, django_user_model, group=COMMUNE_EDITORS, communes=[producer.commune])
    assert client.get(REPORT).status_code == 403
    assert REPORT not in client.get(reverse("admin:index")).content.decode()


def test_staff_without_the_permission_may_not_open_the_report(client, django_user_model):
    login(client, django_user_model)
    assert client.get(REPORT).status_code == 403


def test_the_report_is_linked_from_the_admin_index_and_the_figures(client, django_user_model):
    login(client, django_user_model, group=PROVINCIAL_EDITORS)
    assert f'href="{REPORT}"' in client.get(reverse("admin:index")).content.decode()
    changelist = reverse("admin:sources_officialfigure_changelist")
    assert f'href="{REPORT}"' in client.get(changelist).content.decode()


def test_provincial_editors_edit_figures_and_leads(client, django_user_model):
    login(client, django_user_model, group=PROVINCIAL_EDITORS)
    source = make_source()
    response = client.post(
        reverse("admin:sources_lead_add"),
        {
            "name": "Gà đồi",
            "producer_name": "",
            "former_address": "huyện Phú Bình, tỉnh Thái Nguyên",
            "product_group": "",
            "stars": "",
            "source": source.pk,
            "status": Lead.Status.TO_VERIFY,
            "note": "",
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get().name == "Gà đồi"
    figure = make_official_figure()
    change = reverse("admin:sources_officialfigure_change", args=[figure.pk])
    assert client.get(change).status_code == 200


def test_a_figure_names_the_area_its_kind_needs():
    figure = make_official_figure(kind=Kind.FORMER_DISTRICT, area="tỉnh Thái Nguyên")
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert list(error.value.message_dict) == ["area"]
    figure.area = "huyện Đồng Hỷ, tỉnh Thái Nguyên"
    figure.full_clean()


def test_the_report_lists_leads_and_ratings_to_confirm_per_area(client, django_user_model):
    """The merged province counts everything; each former area what lies in it."""
    make_official_figure(total=50)
    make_official_figure(
        scope="huyện Phú Bình (cũ)",
        kind=Kind.FORMER_DISTRICT,
        area="huyện Phú Bình, tỉnh Thái Nguyên",
        total=33,
        stars5=None,
    )
    phu_binh = make_producer(former_address="xã Hà Châu, huyện Phú Bình, tỉnh Thái Nguyên")
    elsewhere = make_producer(former_address="xã Văn Lang, huyện Na Rì, tỉnh Bắc Kạn")
    expired = expired_product(name="Chè hết hạn", producer=phu_binh)
    undated = make_product(name="Gạo chưa rõ ngày", producer=elsewhere)
    make_certificate(product=undated, decision_date=None, decision_number="")
    in_force = make_product(name="Chè còn hạn", producer=phu_binh)
    make_certificate(product=in_force)
    hidden = expired_product(name="Chè ẩn", producer=phu_binh, is_published=False)
    lead = make_lead(name="Gà đồi Phú Bình")
    make_lead(name="Măng", former_address="huyện Bạch Thông, tỉnh Bắc Kạn")
    make_lead(name="Đã xác minh", status=Lead.Status.CONFIRMED)
    login(client, django_user_model, superuser=True)
    response = client.get(REPORT)
    html = response.content.decode()
    areas = {str(area.area): area for area in response.context["areas"]}
    province, district = areas[""], areas["huyện Phú Bình, tỉnh Thái Nguyên"]
    assert (province.ours.total, province.difference, province.leads, province.to_confirm) == (
        3,
        47,
        2,
        2,
    )
    assert (district.ours.total, district.difference, district.leads, district.to_confirm) == (
        2,
        31,
        1,
        1,
    )
    worklists = {w.label: w for w in response.context["worklists"]}
    assert list(worklists) == [  # by former province, then district
        "huyện Bạch Thông, tỉnh Bắc Kạn",
        "huyện Na Rì, tỉnh Bắc Kạn",
        "huyện Phú Bình, tỉnh Thái Nguyên",
    ]
    assert worklists["huyện Phú Bình, tỉnh Thái Nguyên"].products == [expired]
    assert worklists["huyện Phú Bình, tỉnh Thái Nguyên"].leads == [lead]
    assert worklists["huyện Na Rì, tỉnh Bắc Kạn"].products == [undated]
    for product in (expired, undated):
        assert reverse("admin:catalogue_product_change", args=[product.pk]) in html
    for product in (in_force, hidden):
        assert reverse("admin:catalogue_product_change", args=[product.pk]) not in html
    assert reverse("admin:sources_lead_change", args=[lead.pk]) in html
    assert "Đã xác minh" not in html


def report_build(first: int, n: int) -> None:
    """n former districts, each with an official total, an expired product and a lead."""
    for i in range(first, first + n):
        district = f"huyện Thử {i}, tỉnh Thái Nguyên"
        expired_product(producer=make_producer(former_address=f"xã Một, {district}"))
        make_lead(former_address=district)
        make_official_figure(
            scope=f"huyện Thử {i} (cũ)",
            kind=Kind.FORMER_DISTRICT,
            area=district,
            further_sources=[make_source()],
        )


def test_the_report_runs_the_same_queries_for_3_or_30_areas(client, django_user_model):
    login(client, django_user_model, superuser=True)
    counts = []
    for first, n in ((0, 3), (3, 27)):
        report_build(first, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(REPORT)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["worklists"]) == 30
    assert counts[0] == counts[1]


# The real data


def test_every_total_and_lead_of_the_data_is_in_the_fixtures_unchanged(real_catalogue):
    totals, leads = csv_rows("totals.csv"), csv_rows("leads.csv")
    assert OfficialFigure.objects.count() == len(totals) == 41
    for row in totals:
        figure = OfficialFigure.objects.get(scope=row["scope"], as_of_text=row["date"])
        total = row["total"].removesuffix("+")
        assert figure.total == (int(total) if total else None), row["scope"]
        assert figure.total_at_least == row["total"].endswith("+")
        for stars in ("stars5", "stars4", "stars3"):
            expected = int(row[stars]) if row[stars] else None
            assert getattr(figure, stars) == expected, (row["scope"], stars)
        first, *others = [url.strip() for url in row["source"].split(";")]
        assert figure.source.url == first
        assert {source.url for source in figure.further_sources.all()} == set(others)
        assert (figure.other, figure.note) == (row["other"], row["note"])
    assert Lead.objects.count() == len(leads) == 18
    for row in leads:
        lead = Lead.objects.get(name=row["product_name_vi"], producer_name=row["producer_name_vi"])
        assert (
            lead.former_address,
            lead.product_group,
            lead.stars,
            lead.source.url,
            lead.note,
        ) == (
            row["former_address"],
            row["product_group"],
            row["stars"],
            row["source"],
            row["note"],
        )
        assert lead.status == Lead.Status.TO_VERIFY


def test_loading_the_sources_again_adds_nothing(real_catalogue):
    before = [model.objects.count() for model in (Source, OfficialFigure, Lead)]
    call_command("loaddata", "sources", verbosity=0)
    assert [model.objects.count() for model in (Source, OfficialFigure, Lead)] == before


def test_leads_are_never_published(real_catalogue, client):
    products = set(Product.objects.values_list("name", "producer__name"))
    for lead in Lead.objects.all():
        assert (lead.name, lead.producer_name or None) not in products
        listed = client.get("/products/", {"q": lead.name}).context["page"].object_list
        assert lead.name not in [product.name for product in listed]


def test_the_statistics_page_shows_the_official_620_and_10_beside_ours(real_catalogue, client):
    response = client.get("/statistics/")
    province = response.context["comparisons"][0]
    assert (province.figure.total, province.figure.stars5) == (620, 10)
    assert province.ours.total == Product.objects.published().count() == 101
    assert province.ours.five_star == 10 and province.five_star_difference == 0
    assert province.difference == 519
    html = response.content.decode()
    assert "02/02/2026" in html
    assert f'href="{province.figure.source.url}"' in html
    labels = [comparison.label for comparison in response.context["comparisons"]]
    assert "tỉnh Bắc Kạn (cũ)" in labels and "huyện Đồng Hỷ (cũ)" in labels


def test_the_report_lists_every_lead_and_every_rating_to_confirm(
    real_catalogue, client, django_user_model
):
    login(client, django_user_model, superuser=True)
    response = client.get(REPORT)
    html = response.content.decode()
    for lead in Lead.objects.all():
        assert reverse("admin:sources_lead_change", args=[lead.pk]) in html
    to_confirm = (
        Product.objects.published().with_current_stars().filter(rating_state__in=TO_CONFIRM)
    )
    assert to_confirm.count() > 50  # most real ratings date from 2018-2023 rounds
    for product in to_confirm:
        assert reverse("admin:catalogue_product_change", args=[product.pk]) in html
    certified = Product.objects.published().certified()
    assert certified.count() == 10
    listed = [p for w in response.context["worklists"] for p in w.products]
    assert not set(listed) & set(certified)
    province = response.context["areas"][0]
    assert (province.leads, province.to_confirm) == (18, to_confirm.count())
