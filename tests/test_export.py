"""Exporting the register (command, admin action) and the public CSV of a listing."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from catalogue.models import Category, Producer, Product, RatingState
from certification.models import Certificate
from core.dates import Precision
from core.spreadsheets import neutralise
from places.models import Commune
from registry.fixture_builder.sources import urls as source_urls
from registry.importing import import_file
from sources.models import Source

from .factories import make_certificate, make_producer, make_product
from .spreadsheets import ENGLISH, load_places, snapshot, write_csv

pytestmark = pytest.mark.django_db

D = datetime.date
EXPORT_URL = reverse("registry:product-export")
RATINGS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ratings.csv"


@pytest.fixture
def register():
    """A register with what tends to break round trips: history, gaps, shared names, formulas,
    dates known to the month or the year, ratings without decision, sources, no producer."""
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
    decision = Source.objects.create(
        url="https://luatvietnam.vn/quyet-dinh-377.html", kind=Source.Kind.DECISION
    )
    press = Source.objects.create(url="https://baothainguyen.vn/ocop-2024", kind=Source.Kind.PRESS)
    first = make_certificate(
        product=tea,
        stars=4,
        score=Decimal("75.50"),
        decision_number="12/QĐ-UBND",
        decision_date=D(2021, 3, 1),
        issuer="",
        issuer_level="",
    )
    make_certificate(
        product=tea,
        stars=5,
        score=Decimal("90.86"),
        decision_number="377/QĐ-BNN-VPĐP",
        decision_date=D(2025, 1, 17),
        issuer="Bộ Nông nghiệp và Phát triển nông thôn",
        issuer_level=Certificate.IssuerLevel.CENTRAL,
        round_year=2024,
        batch="đợt 3",
        note="=28 sản phẩm cả nước",
    ).sources.set([decision, press])
    # A report of the rating, known to the month, and a later report, known to the year.
    make_certificate(
        product=tea,
        stars=4,
        decision_number="",
        decision_date=None,
        issuer="",
        issuer_level=Certificate.IssuerLevel.PROVINCE,
        round_year=2021,
        evidence=Certificate.Evidence.REPORT,
        reported_on=D(2021, 4, 1),
        reported_on_precision=Precision.MONTH,
    ).sources.set([press])
    first.sources.set([press])
    tea.sources.set([press])
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
    tourism.sources.set([press])
    # No commune, no category, no score, a validity of its own; a later report of it.
    dried = make_product(
        producer=make_producer(name="Chủ thể Thử", commune=None, kind=Producer.Kind.OTHER),
        name="Thịt trâu khô Thử",
    )
    make_certificate(
        product=dried,
        stars=3,
        score=None,
        decision_number="2616/QĐ-UBND",
        decision_date=D(2023, 12, 1),
        decision_date_precision=Precision.MONTH,
        valid_until=D(2026, 6, 30),
    )
    make_certificate(
        product=dried,
        stars=3,
        decision_number="",
        decision_date=None,
        issuer="",
        issuer_level=Certificate.IssuerLevel.DISTRICT,
        evidence=Certificate.Evidence.LATER_REPORT,
        reported_on=D(2025, 1, 1),
        reported_on_precision=Precision.YEAR,
    )
    # No producer on record, a rating of unknown stars and date.
    rice = make_product(
        producer=None, name="Gạo đặc sản Thử", category=Category.objects.get(slug="che")
    )
    make_certificate(
        product=rice,
        stars=None,
        decision_number="",
        decision_date=None,
        issuer="",
        issuer_level="",
        evidence=Certificate.Evidence.REPORT,
        note="Sources disagree on the level",
    )
    return {"tea": tea, "tourism": tourism, "dried": dried, "rice": rice}


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
        "product": {"unchanged": 4},
        "certificate": {"unchanged": 6},
        "source": {"unchanged": 2},
    }


def test_the_register_has_a_row_per_rating_and_one_per_product_without(register, tmp_path):
    rows = csv_rows(export(tmp_path / "r.csv", "--english-headers").read_text(encoding="utf-8"))
    header, rows = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header == list(ENGLISH)
    assert header[:3] == ["product_name", "producer_name", "producer_kind"]
    keys = ["product_name", "stars", "decision_number", "decision_date", "evidence", "reported_on"]
    assert [[row[key] for key in keys] for row in rows] == [
        ["Chè Đinh Thử", "4", "", "", "report", "04/2021"],  # its round: 2021
        ["Chè Đinh Thử", "4", "12/QĐ-UBND", "01/03/2021", "decision", ""],
        ["Chè Đinh Thử", "5", "377/QĐ-BNN-VPĐP", "17/01/2025", "decision", ""],
        ["Du lịch bản Thử", "", "", "", "", ""],
        ["Gạo đặc sản Thử", "", "", "", "report", ""],
        ["Thịt trâu khô Thử", "3", "2616/QĐ-UBND", "12/2023", "decision", ""],
        ["Thịt trâu khô Thử", "3", "", "", "later report", "2025"],
    ]
    national = rows[2]
    assert (national["level"], national["round_year"], national["batch"]) == (
        "national",
        "2024",
        "đợt 3",
    )
    assert national["issuer"] == "Bộ Nông nghiệp và Phát triển nông thôn"
    assert national["source"] == (
        "https://baothainguyen.vn/ocop-2024 ; https://luatvietnam.vn/quyet-dinh-377.html"
    )
    assert national["note"] == "'=28 sản phẩm cả nước"
    assert rows[3]["source"] == "https://baothainguyen.vn/ocop-2024"  # the product's own
    rice = rows[4]
    assert [rice[key] for key in ["producer_name", "producer_kind", "commune"]] == ["", "", ""]
    assert rows[5]["valid_until"] == "30/06/2026"
    levels = ["provincial", "", "national", "", "", "provincial", "district"]
    assert [row["level"] for row in rows] == levels


def test_the_vietnamese_register_writes_kinds_levels_and_evidence_in_vietnamese(register, tmp_path):
    rows = csv_rows(export(tmp_path / "r.csv").read_text(encoding="utf-8"))
    rows = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    levels = ["Tỉnh", "", "Trung ương", "", "", "Tỉnh", "Huyện"]
    assert [row["Cấp công nhận"] for row in rows] == levels
    assert [row["Căn cứ"] for row in rows] == [
        "Báo cáo",
        "Quyết định",
        "Quyết định",
        "",
        "Báo cáo",
        "Quyết định",
        "Báo cáo sau",
    ]
    assert rows[0]["Loại hình"] == "Hợp tác xã"


def test_no_export_invents_a_date_or_a_validity(register, tmp_path):
    """Only what is on record: no validity where none is stated, dates at their precision."""
    rows = csv_rows(export(tmp_path / "r.csv", "--english-headers").read_text(encoding="utf-8"))
    rows = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [row["valid_until"] for row in rows] == ["", "", "", "", "", "30/06/2026", ""]
    dates = {row["decision_date"] for row in rows} | {row["reported_on"] for row in rows}
    assert dates == {"", "01/03/2021", "17/01/2025", "12/2023", "04/2021", "2025"}


def test_the_xlsx_register_has_dates_at_their_precision_and_neutralised_text(register, tmp_path):
    sheet = load_workbook(export(tmp_path / "r.xlsx")).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    first = dict(zip([cell.value for cell in sheet[1]], rows[1], strict=True))
    assert first["Ngày quyết định"] == "01/03/2021"  # text: a month stays a month
    assert first["Số sao"] == 4
    assert first["Mô tả"] == "'=1+1 hương cốm"
    assert first["Điện thoại"] == "'+84 208 3855 123"
    assert first["Địa chỉ"] == "'@Xóm Nam Tân"
    assert all(sheet.cell(row, 1).data_type != "f" for row in range(1, sheet.max_row + 1))


def test_dates_keep_their_precision_through_import_export_import(tmp_path):
    """30/06/2021, 06/2021 and 2021 come back as written, and a second import changes nothing."""
    load_places()
    row = {
        "product_name": "Chè Thử",
        "producer_name": "HTX Thử",
        "producer_kind": "HTX",
        "commune": "Tân Cương",
        "category": "Chè",
        "stars": "4",
    }
    rows = [
        row | {"decision_number": "1/QĐ", "decision_date": "30/06/2021", "reported_on": "2021"},
        row | {"decision_number": "2/QĐ", "decision_date": "06/2022", "reported_on": "07/2022"},
        row | {"decision_number": "3/QĐ", "decision_date": "2023"},
        row | {"evidence": "later report", "reported_on": "04/2025", "stars": "5"},
        row | {"round_year": "2020", "reported_on": "05/07/2021"},
    ]
    import_file(write_csv(tmp_path / "in.csv", rows, headers=ENGLISH))
    for name in ["out.csv", "out.xlsx"]:
        path = export(tmp_path / name, "--english-headers")
        before = snapshot()
        result = import_file(path)
        assert not result.errors
        assert snapshot() == before
        assert result.counts()["certificate"] == {"unchanged": 5}
    exported = csv_rows((tmp_path / "out.csv").read_text(encoding="utf-8"))
    written = [(line[8], line[14]) for line in exported[1:]]  # decision date, reported on
    assert written == [
        ("", "05/07/2021"),  # the round of 2020
        ("30/06/2021", "2021"),
        ("06/2022", "07/2022"),
        ("2023", ""),
        ("", "04/2025"),
    ]
    assert [
        (rating.decision_date_precision, rating.reported_on_precision)
        for rating in Certificate.objects.filter(decision_number__gt="").order_by("pk")
    ] == [("day", "year"), ("month", "month"), ("year", "day")]


# The whole register of the fixtures


@pytest.fixture
def fixture_register(db):
    call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)


@pytest.mark.parametrize("name", ["register.csv", "register.xlsx"])
def test_the_fixture_register_exports_and_imports_back_with_no_change(
    fixture_register, tmp_path, name
):
    """Every product, producer, rating and source of the real data, as the file carries them."""
    path = export(tmp_path / name)
    before = snapshot()
    result = import_file(path)
    assert not result.errors
    assert snapshot() == before
    counts = result.counts()
    assert counts["product"] == {"unchanged": Product.objects.count()}
    assert counts["certificate"] == {"unchanged": Certificate.objects.count()}
    assert counts["producer"] == {"unchanged": Producer.objects.count()}
    assert set(counts["source"]) == {"unchanged"}
    assert Certificate.objects.count() == 114 and Product.objects.count() == 101
    assert Product.objects.filter(producer=None).exists()  # exported without producer


def test_the_ratings_file_of_the_data_imports_over_the_fixtures_with_no_change(
    fixture_register, tmp_path
):
    """../shared/data/ratings.csv is in the register's format, but for two headers."""
    if not RATINGS_CSV.exists():
        pytest.skip(f"{RATINGS_CSV} is not available")
    with RATINGS_CSV.open(encoding="utf-8", newline="") as file:
        ratings = list(csv.DictReader(file))
    path = tmp_path / "ratings.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        # The register's required columns, empty: the ratings name existing products.
        keys = ["product_name", "producer_name", "producer_kind", "commune", "category"]
        writer = csv.DictWriter(file, [*keys, *list(ratings[0])[2:]])
        writer.writeheader()
        for rating in ratings:
            rating["product_name"] = rating.pop("product_name_vi")
            rating["producer_name"] = rating.pop("producer_name_vi")
            # The source column holds addresses only: a few cells of the data file comment
            # on them, which the fixture builder leaves out as well.
            rating["source"] = " ; ".join(source_urls(rating["source"]))
            writer.writerow(rating)
    before = snapshot()
    result = import_file(path)
    assert not result.errors
    assert snapshot() == before
    assert result.counts()["certificate"] == {"unchanged": 114}


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
    assert [row[0] for row in rows[1:]] == ["Chè Đinh Thử"] * 3


# The public CSV


def public_rows(client, **query) -> list[dict]:
    response = client.get(EXPORT_URL, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))


def test_public_export_lists_published_products_with_the_rating_that_shows_their_state(
    client, register
):
    make_product(name="Bản nháp", is_published=False)
    rows = {row["product_name"]: row for row in public_rows(client)}
    assert set(rows) == {"Chè Đinh Thử", "Du lịch bản Thử", "Thịt trâu khô Thử", "Gạo đặc sản Thử"}
    tea = rows["Chè Đinh Thử"]
    assert (tea["stars"], tea["score"], tea["decision_number"]) == ("5", "90.86", "377/QĐ-BNN-VPĐP")
    assert (tea["decision_date"], tea["level"], tea["evidence"]) == (
        "17/01/2025",
        "national",
        "decision",
    )
    assert tea["source"].split(" ; ") == [
        "https://baothainguyen.vn/ocop-2024",
        "https://luatvietnam.vn/quyet-dinh-377.html",
    ]
    assert tea["url"] == "http://testserver" + register["tea"].get_absolute_url()
    assert rows["Du lịch bản Thử"]["stars"] == ""
    rice = rows["Gạo đặc sản Thử"]
    assert (rice["producer_name"], rice["stars"], rice["evidence"]) == ("", "", "report")


def test_public_export_gives_each_product_its_rating_state(client, register):
    """The state of the listing's rating_state annotation, in its English keys."""
    rows = {row["product_name"]: row for row in public_rows(client)}
    states = dict(Product.objects.for_listing().values_list("name", "rating_state"))
    assert {name: row["rating_state"] for name, row in rows.items()} == states
    assert rows["Du lịch bản Thử"]["rating_state"] == ""  # no rating on record
    assert rows["Gạo đặc sản Thử"]["rating_state"] == RatingState.UNDATED
    assert set(states.values()) <= {"", *RatingState.values}
    recent = make_product(name="Mật ong Thử", producer=register["tea"].producer)
    make_certificate(product=recent, stars=3)  # 30 days ago
    assert {row["product_name"]: row["rating_state"] for row in public_rows(client)}[
        "Mật ong Thử"
    ] == RatingState.IN_FORCE


def test_no_public_export_invents_a_decision_or_a_date(client, register):
    rows = public_rows(client)
    assert not any("DEMO" in cell for row in rows for cell in row.values())
    assert {row["valid_until"] for row in rows} <= {"", "30/06/2026"}


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
    assert len(public_rows(client, page="abc")) == 4  # not a filter


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
