"""Exporting the register (command, admin action) and the public CSV of a listing."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from catalogue.models import Category, Producer
from certification.models import Certificate
from core.spreadsheets import neutralise
from places.models import Commune
from registry.importing import import_file

from .factories import make_certificate, make_producer, make_product
from .spreadsheets import load_places, snapshot

pytestmark = pytest.mark.django_db

D = datetime.date
EXPORT_URL = reverse("registry:product-export")


@pytest.fixture
def register():
    """A register with what tends to break round trips: history, gaps, shared names, formulas."""
    load_places()
    tan_cuong = Commune.objects.get(slug="tan-cuong")
    hao_dat = make_producer(
        name="HTX Chè Thử Hảo Đạt",
        commune=tan_cuong,
        kind=Producer.Kind.COOPERATIVE,
        phone="+84 208 3855 123",
        address="@Xóm Nam Tân",
    )
    tea = make_product(
        producer=hao_dat,
        name="Chè Đinh Thử",
        category=Category.objects.get(slug="che-tuoi-che-bien"),
        summary="=1+1 hương cốm",
    )
    make_certificate(
        product=tea,
        stars=4,
        score=Decimal("75.50"),
        decision_number="12/QĐ-UBND",
        decision_date=D(2021, 3, 1),
    )
    make_certificate(
        product=tea,
        stars=5,
        score=Decimal("90.86"),
        decision_number="377/QĐ-BNN-VPĐP",
        decision_date=D(2025, 1, 17),
        issuer_level=Certificate.IssuerLevel.CENTRAL,
    )
    # Two communes are called Văn Lang / Văn Lăng, and a sector and its group share a name.
    tourism = make_product(
        producer=make_producer(
            name="Tổ hợp tác Du lịch Thử",
            commune=Commune.objects.get(slug="van-lang-na-ri"),
            kind=Producer.Kind.COOPERATIVE_GROUP,
        ),
        name="Du lịch bản Thử",
        category=Category.objects.get(slug="du-lich"),
        summary="-50% vé cho học sinh",
    )
    # No commune, no category, no score, a validity of its own.
    dried = make_product(
        producer=make_producer(name="Chủ thể Thử", commune=None, kind=Producer.Kind.OTHER),
        name="Thịt trâu khô Thử",
    )
    make_certificate(
        product=dried,
        stars=3,
        score=None,
        decision_number="DEMO-001",
        decision_date=D(2023, 12, 31),
        valid_until=D(2026, 6, 30),
    )
    return {"tea": tea, "tourism": tourism, "dried": dried}


def export(path, *args):
    call_command("export_ocop", str(path), *args, stdout=io.StringIO())
    return path


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("name", ["register.xlsx", "register.csv"])
@pytest.mark.parametrize("english", [False, True], ids=["vietnamese", "english"])
def test_export_then_import_changes_nothing(register, tmp_path, name, english):
    path = export(tmp_path / name, *(["--english-headers"] if english else []))
    before = snapshot()
    result = import_file(path)
    assert not result.errors
    assert snapshot() == before
    assert result.counts() == {
        "producer": {"unchanged": 3},
        "product": {"unchanged": 3},
        "certificate": {"unchanged": 3},
    }


def test_the_register_has_a_row_per_certificate_and_one_per_product_without(register, tmp_path):
    rows = csv_rows(export(tmp_path / "r.csv").read_text(encoding="utf-8"))
    assert rows[0][:3] == ["Tên sản phẩm", "Chủ thể", "Loại hình"]
    by_product = [(row[0], row[7]) for row in rows[1:]]
    assert by_product == [
        ("Chè Đinh Thử", "12/QĐ-UBND"),
        ("Chè Đinh Thử", "377/QĐ-BNN-VPĐP"),
        ("Du lịch bản Thử", ""),
        ("Thịt trâu khô Thử", "DEMO-001"),
    ]


def test_the_xlsx_register_has_date_cells_and_neutralised_text(register, tmp_path):
    sheet = load_workbook(export(tmp_path / "r.xlsx")).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    first = dict(zip([cell.value for cell in sheet[1]], rows[0], strict=True))
    assert first["Ngày quyết định"] == datetime.datetime(2021, 3, 1)
    assert first["Số sao"] == 4
    assert first["Mô tả"] == "'=1+1 hương cốm"
    assert first["Điện thoại"] == "'+84 208 3855 123"
    assert first["Địa chỉ"] == "'@Xóm Nam Tân"
    assert all(sheet.cell(row, 1).data_type != "f" for row in range(1, sheet.max_row + 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+84", "'+84"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Chè = trà", "Chè = trà"),
        (4, 4),
        (None, None),
    ],
)
def test_cells_that_start_like_a_formula_get_a_quote(value, expected):
    assert neutralise(value) == expected


def test_export_refuses_other_file_types(tmp_path):
    with pytest.raises(Exception, match=".xlsx or .csv"):
        export(tmp_path / "r.ods")


@pytest.mark.parametrize(
    ("action", "content_type"),
    [("export_xlsx", "spreadsheetml"), ("export_csv", "text/csv")],
)
def test_admin_action_exports_the_selected_products(staff_client, register, action, content_type):
    tea = register["tea"]
    response = staff_client.post(
        reverse("admin:catalogue_product_changelist"),
        {"action": action, "_selected_action": [tea.pk]},
    )
    assert content_type in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    if action == "export_csv":
        rows = csv_rows(response.content.decode())
    else:
        rows = [
            [cell for cell in row]
            for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(
                values_only=True
            )
        ]
    assert [row[0] for row in rows[1:]] == ["Chè Đinh Thử", "Chè Đinh Thử"]


# The public CSV


def public_rows(client, **query) -> list[dict]:
    response = client.get(EXPORT_URL, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))


def test_public_export_lists_published_products_with_their_certificate_in_force(client, register):
    make_product(name="Bản nháp", is_published=False)
    rows = {row["product_name"]: row for row in public_rows(client)}
    assert set(rows) == {"Chè Đinh Thử", "Du lịch bản Thử", "Thịt trâu khô Thử"}
    tea = rows["Chè Đinh Thử"]
    assert (tea["stars"], tea["score"], tea["decision_number"]) == ("5", "90.86", "377/QĐ-BNN-VPĐP")
    assert tea["url"] == "http://testserver" + register["tea"].get_absolute_url()
    assert rows["Du lịch bản Thử"]["stars"] == ""


def test_public_export_applies_the_listing_filters(client, register):
    assert [row["product_name"] for row in public_rows(client, stars="5")] == ["Chè Đinh Thử"]
    rows = public_rows(client, commune="tan-cuong")
    assert [row["product_name"] for row in rows] == ["Chè Đinh Thử"]
    rows = public_rows(client, q="trau kho")
    assert [row["product_name"] for row in rows] == ["Thịt trâu khô Thử"]
    assert public_rows(client, commune="not-recorded")[0]["commune"] == ""


def test_public_export_refuses_unknown_filter_values_in_plain_words(client, register):
    """Not the whole register in place of the list asked for: a 400 naming each bad value."""
    with translation.override("en"):
        url = reverse("registry:product-export")
    response = client.get(url, {"stars": "9", "kind": "x\x00y", "q": "chè"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "Unknown value for Stars: ‘9’ — remove it to download the list.",
        "Unknown value for Producer kind: ‘xy’ — remove it to download the list.",
    ]
    assert len(public_rows(client, page="abc")) == 3  # not a filter


def test_a_listing_links_to_its_csv_without_the_values_it_refused(client, register):
    response = client.get(reverse("catalogue:product-list"), {"stars": "9", "kind": "household"})
    url = EXPORT_URL + "?kind=household"
    assert response.context["export_query"] == "?kind=household"
    assert f'href="{escape(url)}"' in response.content.decode()


def test_public_export_neutralises_formulas(client, register):
    rows = {row["product_name"]: row for row in public_rows(client)}
    assert rows["Chè Đinh Thử"]["description"] == "'=1+1 hương cốm"
    assert rows["Chè Đinh Thử"]["phone"] == "'+84 208 3855 123"
    assert rows["Du lịch bản Thử"]["description"] == "'-50% vé cho học sinh"


def count_export_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        public_rows(client)
    return len(queries)


def test_public_export_query_count_does_not_grow_with_products(client):
    for _ in range(3):
        make_certificate()
    few = count_export_queries(client)
    for _ in range(27):
        make_certificate()
    assert count_export_queries(client) == few


def test_every_listing_links_to_its_csv_with_the_same_filters(client):
    """The star page's download link exports that star level, with the other filters kept."""
    response = client.get(reverse("catalogue:star-detail", args=[4]), {"kind": "cooperative"})
    url = EXPORT_URL + response.context["export_query"]
    assert url.startswith(reverse("registry:product-export") + "?")
    assert QueryDict(url.split("?", 1)[1]) == QueryDict("kind=cooperative&stars=4")
    assert f'href="{escape(url)}"' in response.content.decode()
