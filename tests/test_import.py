"""Importing the OCOP register from .csv and .xlsx: forgiving with names, strict with data."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from core.dates import PartialDate, Precision
from places.models import Commune
from registry.admin import PendingUpload
from registry.importing import ImportFileError, import_file
from registry.models import ImportJob
from sources.models import Source

from .factories import make_certificate, make_producer, make_product
from .spreadsheets import (
    ENGLISH,
    ROW,
    VIETNAMESE,
    load_places,
    snapshot,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def places(tmp_path, settings):
    load_places()
    # Uploads waiting for confirmation go to this test's folder, not the system's.
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storage["OPTIONS"] = {"location": tmp_path / "uploads"}
    settings.STORAGES = settings.STORAGES | {"imports": storage}


def run(path, *args, verbosity=1):
    """Run import_ocop; return its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ocop", str(path), *args, stdout=out, stderr=err, verbosity=verbosity)
    return out.getvalue(), err.getvalue()


def imported_one(tmp_path, writer=write_csv, **changes) -> Certificate:
    """Import ROW with `changes`; return the one certificate it made."""
    run(writer(tmp_path / f"register{writer_suffix(writer)}", [ROW | changes]))
    return Certificate.objects.select_related("product__producer__commune").get()


def writer_suffix(writer) -> str:
    return ".xlsx" if writer is write_xlsx else ".csv"


def errors_of(path) -> list[tuple]:
    return [(e.row, e.column, e.value) for e in import_file(path, dry_run=True).errors]


# Reading files


def test_csv_with_bom_and_vietnamese_headers_creates_producer_product_and_certificate(tmp_path):
    certificate = imported_one(tmp_path)
    product = certificate.product
    producer = product.producer
    assert (producer.name, producer.kind) == ("HTX Chè Thử Nghiệm", Producer.Kind.COOPERATIVE)
    assert producer.commune.slug == "tan-cuong"
    assert (product.name, product.category.slug, product.slug) == (
        "Chè búp Tân Cương",
        "che",
        "che-bup-tan-cuong",
    )
    assert " tan cuong " in product.search_text  # search fields computed by save()
    assert (certificate.stars, certificate.score) == (4, Decimal("75.5"))
    assert certificate.decision_number == "12/QĐ-UBND"
    assert certificate.decided == PartialDate(datetime.date(2025, 3, 1), Precision.DAY)
    assert certificate.evidence == Certificate.Evidence.DECISION  # it gives a decision number
    # Nothing the row does not say: no validity stored (the model computes it from the
    # date), no issuing level, no commune at certification.
    assert certificate.valid_until is None
    assert certificate.ends_on == datetime.date(2028, 2, 29)
    assert (certificate.issuer_level, certificate.issuer, certificate.commune) == ("", "", None)
    assert (certificate.round_year, certificate.batch, certificate.reported_on) == (None, "", None)
    assert not certificate.sources.exists()


def test_semicolon_separated_csv_without_bom_and_english_headers(tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW], headers=ENGLISH, delimiter=";", bom=False)
    run(path)
    assert Certificate.objects.get().score == Decimal("75.5")


def test_xlsx_with_real_date_cells_and_numbers(tmp_path):
    row = ROW | {
        "stars": 5,
        "score": 92.25,
        "decision_date": datetime.datetime(2024, 6, 25),
        "valid_until": datetime.date(2027, 6, 24),
        "phone": 912345678.0,
    }
    run(write_xlsx(tmp_path / "r.xlsx", [row]))
    certificate = Certificate.objects.get()
    assert (certificate.stars, certificate.score) == (5, Decimal("92.25"))
    assert (certificate.decision_date, certificate.valid_until) == (
        datetime.date(2024, 6, 25),
        datetime.date(2027, 6, 24),
    )
    assert certificate.decision_date_precision == Precision.DAY
    assert certificate.issuer_level == ""  # 5 stars, yet no level unless the row says it
    assert Producer.objects.get().phone == "912345678"


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("dd/mm/yyyy", "25/06/2024"),
        ("mm/yyyy", "06/2024"),
        ("yyyy", "2024"),
        ("mmm yyyy", "06/2024"),
    ],
)
def test_xlsx_date_cells_keep_the_precision_their_format_shows(tmp_path, number_format, expected):
    """Excel stores 06/2024 typed in a cell as 1 June 2024 shown as a month."""
    row = ROW | {
        "decision_date": datetime.datetime(2024, 6, 25),
        "reported_on": datetime.date(2024, 6, 25),
    }
    formats = {"decision_date": number_format, "reported_on": number_format}
    run(write_xlsx(tmp_path / "r.xlsx", [row], formats=formats))
    certificate = Certificate.objects.get()
    assert certificate.decided.text() == expected
    assert certificate.reported.text() == expected


def test_headers_match_in_any_order_case_accents_and_spaces_ignored(tmp_path):
    headers = {
        "decision_date": " ngay quyet dinh ",
        "product_name": "TÊN SẢN PHẨM",
        "producer_name": "chu the",
        "producer_kind": "Loại Hình",
        "commune": "Xa / Phuong",
        "category": "CATEGORY",
        "stars": "so sao",
        "score": "Score",
        "decision_number": "Số Quyết Định",
    }
    row = {key: ROW[key] for key in headers}
    run(write_csv(tmp_path / "r.csv", [row], headers=headers))
    assert Certificate.objects.count() == 1


def test_unknown_columns_are_ignored(tmp_path):
    headers = VIETNAMESE | {"remark": "Nhận xét"}
    run(write_csv(tmp_path / "r.csv", [ROW | {"remark": "=SUM(A1)"}], headers=headers))
    assert Certificate.objects.count() == 1


def test_only_the_product_producer_commune_kind_and_category_columns_are_required(tmp_path):
    """A list of products alone, without any rating column, is a register too."""
    keys = ["product_name", "producer_name", "producer_kind", "commune", "category"]
    run(write_csv(tmp_path / "r.csv", [{key: ROW[key] for key in keys}]))
    assert Product.objects.get().name == ROW["product_name"]
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Cấp công nhận", "level"),
        ("cap", "level"),
        ("Năm đánh giá", "round_year"),
        ("ĐỢT", "batch"),
        ("Căn cứ", "evidence"),
        ("Ngày đưa tin", "reported_on"),
        ("Nguồn", "source"),
        ("sources", "source"),
        ("Ghi chú", "note"),
        ("Cơ quan công nhận", "issuer"),
        ("round year", "round_year"),
    ],
)
def test_the_rating_columns_have_english_and_vietnamese_headers(tmp_path, written, key):
    values = {
        "level": "tỉnh",
        "round_year": "2021",
        "batch": "đợt 1",
        "evidence": "quyết định",
        "reported_on": "05/2022",
        "source": "https://baothainguyen.vn/a",
        "note": "Ghi chú thử",
        "issuer": "UBND tỉnh Thái Nguyên",
    }
    path = write_csv(
        tmp_path / "r.csv", [ROW | {key: values[key]}], headers=VIETNAMESE | {key: written}
    )
    run(path)
    certificate = Certificate.objects.get()
    if key == "source":
        assert [source.url for source in certificate.sources.all()] == [values["source"]]
    else:
        field = {"level": "issuer_level"}.get(key, key)
        stored = getattr(certificate, field)
        assert stored not in ("", None), field


def test_a_missing_column_refuses_the_file_naming_it(tmp_path):
    row = {key: value for key, value in ROW.items() if key != "category"}
    with pytest.raises(CommandError, match="category / Nhóm sản phẩm"):
        run(write_csv(tmp_path / "r.csv", [row]))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.xls", b"\xd0\xcf\x11\xe0", ".csv or .xlsx"),
        ("r.csv", "Tên sản phẩm;Chủ thể\n".encode("utf-16"), "UTF-8"),
        ("r.xlsx", b"not a zip", "not a readable .xlsx"),
        ("r.csv", b"", "empty"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(ImportFileError, match=message):
        import_file(path)


# Forgiving where people are


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Xã Tân Cương", "tan-cuong"),
        ("tân cương", "tan-cuong"),
        ("Tan Cuong", "tan-cuong"),
        ("  TAN CUONG  ", "tan-cuong"),
        ("xã Thịnh Đức", "tan-cuong"),  # merged into Tân Cương on 1 July 2025
        ("Phuc Triu", "dai-phuc"),
        ("Phường Phan Đình Phùng", "phan-dinh-phung"),
        ("van-lang-na-ri", "van-lang-na-ri"),
        ("Xã Văn Lăng", "van-lang-dong-hy"),  # accents tell it from Văn Lang
        ("xã Yên Lạc", "phu-luong"),  # former Yên Lạc (Phú Lương), not Yến Lạc (Na Rì)
    ],
)
def test_communes_match_with_or_without_accents_prefix_or_old_name(tmp_path, written, slug):
    assert imported_one(tmp_path, commune=written).product.producer.commune.slug == slug


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Chè", "che"),
        ("che", "che"),
        ("Tea", "che"),
        ("Chè tươi, chè chế biến", "che-tuoi-che-bien"),
        ("che-tuoi-che-bien", "che-tuoi-che-bien"),
        ("THỰC PHẨM", "thuc-pham"),
        # A sector and its only group share this name: it means the group.
        ("Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "du-lich-cong-dong"),
        ("du-lich", "du-lich"),
    ],
)
def test_categories_match_any_level_by_name_english_name_or_slug(tmp_path, written, slug):
    assert imported_one(tmp_path, category=written).product.category.slug == slug


@pytest.mark.parametrize("written", ["4", "4 sao", "★★★★", "4*", " 4 Sao ", "4 stars"])
def test_stars_are_read_as_people_write_them(tmp_path, written):
    assert imported_one(tmp_path, stars=written).stars == 4


@pytest.mark.parametrize("written", ["75,5", "75.5", " 75.50 "])
def test_scores_take_a_decimal_comma_or_point(tmp_path, written):
    assert imported_one(tmp_path, score=written).score == Decimal("75.5")


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Hợp tác xã", Producer.Kind.COOPERATIVE),
        ("htx", Producer.Kind.COOPERATIVE),
        ("cooperative", Producer.Kind.COOPERATIVE),
        ("Doanh nghiệp", Producer.Kind.ENTERPRISE),
        ("DN", Producer.Kind.ENTERPRISE),
        ("Công ty", Producer.Kind.ENTERPRISE),
        ("Công ty TNHH", Producer.Kind.ENTERPRISE),
        ("Hộ kinh doanh", Producer.Kind.HOUSEHOLD),
        ("HKD", Producer.Kind.HOUSEHOLD),
        ("Tổ hợp tác", Producer.Kind.COOPERATIVE_GROUP),
        ("THT", Producer.Kind.COOPERATIVE_GROUP),
        ("cooperative_group", Producer.Kind.COOPERATIVE_GROUP),
        ("Khác", Producer.Kind.OTHER),
    ],
)
def test_producer_kinds_accept_vietnamese_names_and_abbreviations(tmp_path, written, kind):
    assert imported_one(tmp_path, producer_kind=written).product.producer.kind == kind


@pytest.mark.parametrize("written", ["01/03/2025", "1/3/2025", "2025-03-01", "01-03-2025"])
def test_dates_day_first_or_iso(tmp_path, written):
    certificate = imported_one(tmp_path, decision_date=written)
    assert certificate.decided == PartialDate(datetime.date(2025, 3, 1), Precision.DAY)


@pytest.mark.parametrize(
    ("written", "first_day", "precision", "ends"),
    [
        ("30/06/2021", datetime.date(2021, 6, 30), Precision.DAY, ("29/06/2024", "29/06/2024")),
        ("06/2021", datetime.date(2021, 6, 1), Precision.MONTH, ("31/05/2024", "29/06/2024")),
        ("6/2021", datetime.date(2021, 6, 1), Precision.MONTH, ("31/05/2024", "29/06/2024")),
        ("2021-06", datetime.date(2021, 6, 1), Precision.MONTH, ("31/05/2024", "29/06/2024")),
        ("2021", datetime.date(2021, 1, 1), Precision.YEAR, ("31/12/2023", "30/12/2024")),
    ],
)
def test_a_decision_date_keeps_the_precision_it_is_written_at(
    tmp_path, written, first_day, precision, ends
):
    """A month or a year is stored as its first day, with its precision: never made a day."""
    certificate = imported_one(tmp_path, decision_date=written)
    assert (certificate.decision_date, certificate.decision_date_precision) == (
        first_day,
        precision,
    )
    assert certificate.valid_until is None
    assert (f"{certificate.ends_on:%d/%m/%Y}", f"{certificate.ends_by:%d/%m/%Y}") == ends


def test_the_level_is_what_the_row_says_and_never_guessed(tmp_path):
    """3 stars in the district era, 5 stars: without a level cell, the level stays empty."""
    rows = [
        ROW | {"stars": "3", "score": "60", "decision_date": "15/09/2024"},
        ROW | {"stars": "5", "score": "91", "decision_number": "2/QĐ-BNN", "decision_date": "2024"},
    ]
    run(write_csv(tmp_path / "r.csv", rows))
    assert set(Certificate.objects.values_list("issuer_level", flat=True)) == {""}


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("national", Certificate.IssuerLevel.CENTRAL),
        ("Trung ương", Certificate.IssuerLevel.CENTRAL),
        ("quốc gia", Certificate.IssuerLevel.CENTRAL),
        ("Cấp quốc gia", Certificate.IssuerLevel.CENTRAL),
        ("provincial", Certificate.IssuerLevel.PROVINCE),
        ("Tỉnh", Certificate.IssuerLevel.PROVINCE),
        ("cấp tỉnh", Certificate.IssuerLevel.PROVINCE),
        ("district", Certificate.IssuerLevel.DISTRICT),
        ("Huyện", Certificate.IssuerLevel.DISTRICT),
        ("cap huyen", Certificate.IssuerLevel.DISTRICT),
    ],
)
def test_levels_in_english_or_vietnamese(tmp_path, written, level):
    assert imported_one(tmp_path, level=written).issuer_level == level


@pytest.mark.parametrize(
    ("written", "evidence"),
    [
        ("decision", Certificate.Evidence.DECISION),
        ("Quyết định", Certificate.Evidence.DECISION),
        ("report", Certificate.Evidence.REPORT),
        ("Báo cáo", Certificate.Evidence.REPORT),
        ("đưa tin", Certificate.Evidence.REPORT),
        ("later report", Certificate.Evidence.LATER_REPORT),
        ("later_report", Certificate.Evidence.LATER_REPORT),
        ("Báo cáo sau", Certificate.Evidence.LATER_REPORT),
    ],
)
def test_evidence_in_english_or_vietnamese(tmp_path, written, evidence):
    certificate = imported_one(tmp_path, evidence=written, reported_on="04/2025")
    assert certificate.evidence == evidence


def test_without_a_word_on_it_the_evidence_is_the_decision_when_its_number_is_given(tmp_path):
    rows = [
        ROW,
        ROW | {"decision_number": "", "decision_date": "", "round_year": "2021"},
    ]
    run(write_csv(tmp_path / "r.csv", rows))
    assert sorted(Certificate.objects.values_list("decision_number", "evidence")) == [
        ("", Certificate.Evidence.REPORT),
        ("12/QĐ-UBND", Certificate.Evidence.DECISION),
    ]


def test_quote_an_export_put_before_a_formula_character_is_removed(tmp_path):
    certificate = imported_one(tmp_path, phone="'+84 912 345 678")
    assert certificate.product.producer.phone == "+84 912 345 678"


# Strict where data matters


BAD_VALUES = [
    ("commune", "Xã Không Có", "Unknown commune"),
    ("commune", "Sông Cầu", "Đồng Hỷ"),  # a former name of two communes: both named
    ("commune", "Van Lang", "van-lang-na-ri"),  # Văn Lang or Văn Lăng?
    ("category", "Bánh kẹo", "Unknown category"),
    ("stars", "6", "3, 4 or 5"),
    ("stars", "2 sao", "3, 4 or 5"),
    ("stars", "nhiều", "star rating"),
    ("score", "95", "70"),  # a 4-star score must be 70 to under 90
    ("score", "abc", "number"),
    ("score", "75.555", "decimal places"),
    ("decision_date", "31/02/2025", "does not exist"),
    ("decision_date", "13/2025", "does not exist"),
    ("decision_date", "March 2025", "dd/mm/yyyy, mm/yyyy or yyyy"),
    ("decision_date", "25", "dd/mm/yyyy, mm/yyyy or yyyy"),
    ("reported_on", "2025-02-30", "does not exist"),
    ("reported_on", "tháng 5", "dd/mm/yyyy, mm/yyyy or yyyy"),
    ("valid_until", "01/01/2025", "after its decision date"),
    ("valid_until", "06/2028", "whole date"),
    ("level", "xã", "Unknown level"),
    ("evidence", "tin đồn", "Unknown evidence"),
    ("round_year", "21", "year of a rating round"),
    ("round_year", "đợt 1", "year of a rating round"),
    ("source", "javascript:alert(1)", "http"),
    ("source", "ftp://files.example.org/qd.pdf", "ftp://files.example.org/qd.pdf"),
    ("source", "https://baothainguyen.vn/a ; www.example.org", "www.example.org"),
    # Words about a source go in the note: the column holds addresses only.
    ("source", "https://baothainguyen.vn/a (bản dịch)", "(bản"),
    ("source", "https://" + "a" * 500 + ".vn", "http"),
    ("batch", "đợt " + "1" * 60, "at most 50"),
    ("producer_kind", "Hội", "Unknown producer kind"),
    ("product_name", "", "required"),
    ("producer_name", "", "producer's name"),  # while the row gives its kind and commune
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES)
def test_a_bad_row_is_reported_with_row_column_and_value(tmp_path, key, value, message):
    good = ROW | {"product_name": "Miến dong", "decision_number": "1/QĐ-UBND"}
    path = write_csv(tmp_path / "r.csv", [good, ROW | {key: value}])
    with translation.override("en"):
        result = import_file(path)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, VIETNAMESE[key], value)
    assert message in error.message
    assert not result.written
    assert not Product.objects.exists() and not Producer.objects.exists()


def test_a_score_needs_its_stars(tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW | {"stars": ""}])
    with translation.override("en"):
        [error] = import_file(path).errors
    assert (error.column, error.value) == ("Điểm", "75,5")
    assert "star level" in error.message


def test_a_later_report_needs_the_date_of_the_report(tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW | {"evidence": "later report"}])
    with translation.override("en"):
        [error] = import_file(path).errors
    assert (error.column, error.value) == ("Ngày đưa tin", "")
    assert "date of the report" in error.message


def test_a_note_belongs_to_a_rating(tmp_path):
    row = {key: ROW[key] for key in ["product_name", "producer_name", "producer_kind", "commune"]}
    path = write_csv(tmp_path / "r.csv", [row | {"category": "Chè", "note": "Một ghi chú"}])
    with translation.override("en"):
        [error] = import_file(path).errors
    assert (error.column, error.value) == ("Ghi chú", "Một ghi chú")
    assert "belongs to a rating" in error.message


def test_row_numbers_are_those_the_spreadsheet_shows_blank_rows_included(tmp_path):
    rows = [ROW, {"product_name": ""}, ROW | {"stars": "9"}]
    assert errors_of(write_xlsx(tmp_path / "r.xlsx", rows)) == [(4, "Số sao", "9")]


def test_a_new_producer_needs_its_commune(tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW | {"commune": ""}])
    assert errors_of(path) == [(2, "Xã/Phường", "")]


def test_every_bad_row_is_reported_at_once(tmp_path):
    rows = [
        ROW,
        ROW | {"commune": "Nowhere", "decision_number": "2/QĐ"},
        ROW | {"stars": "7", "score": "abc", "decision_number": "3/QĐ"},
    ]
    errors = errors_of(write_csv(tmp_path / "r.csv", rows))
    assert errors == [(3, "Xã/Phường", "Nowhere"), (4, "Số sao", "7"), (4, "Điểm", "abc")]


def test_a_refused_file_changes_nothing(tmp_path):
    """All or nothing: the good rows before and after a bad one are not written either."""
    existing = make_certificate(product=make_product(producer=make_producer(name="HTX Cũ")))
    before = snapshot()
    rows = [
        ROW,
        ROW | {"producer_name": "HTX Cũ", "commune": existing.product.producer.commune.name},
        ROW | {"decision_date": "31/02/2025", "decision_number": "9/QĐ"},
        ROW | {"product_name": "Mật ong", "decision_number": "10/QĐ"},
    ]
    with pytest.raises(CommandError, match="1 invalid rows; nothing was written"):
        run(write_csv(tmp_path / "r.csv", rows))
    assert snapshot() == before
    assert (Producer.objects.count(), Product.objects.count(), Certificate.objects.count()) == (
        1,
        1,
        1,
    )


def test_the_command_lists_each_error(tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW | {"commune": "Atlantis"}])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ocop", str(path), stdout=io.StringIO(), stderr=err)
    expected = _("Row %(row)s, column “%(column)s”, value “%(value)s”: %(message)s") % {
        "row": 2,
        "column": "Xã/Phường",
        "value": "Atlantis",
        "message": _("Unknown commune."),
    }
    assert expected in err.getvalue()


# Dry run, idempotence, history


def mixed_register(tmp_path):
    """A file that creates, updates and leaves unchanged, over existing data."""
    run(write_csv(tmp_path / "first.csv", [ROW]))
    rows = [
        ROW,  # unchanged
        ROW | {"product_name": "Trà xanh", "decision_number": "2/QĐ"},  # new product
        ROW
        | {"decision_number": "3/QĐ", "decision_date": "01/03/2026", "stars": "5", "score": "91"},
        ROW | {"producer_name": "HTX Mới", "address": "Xóm 1"},  # new producer
    ]
    return write_csv(tmp_path / "second.csv", rows)


def test_dry_run_reports_exactly_what_a_real_run_does_and_writes_nothing(tmp_path):
    path = mixed_register(tmp_path)
    before = snapshot()
    dry = import_file(path, dry_run=True)
    assert not dry.written
    assert snapshot() == before
    real = import_file(path)
    assert real.written
    assert dry.counts() == real.counts()
    assert dry.counts() == {
        "producer": {"unchanged": 1, "created": 1},
        "product": {"unchanged": 1, "created": 2},
        "certificate": {"unchanged": 1, "created": 3},
        "source": {},
    }


def test_dry_run_command_prints_the_summary(tmp_path):
    out, _ = run(mixed_register(tmp_path), "--dry-run")
    assert "Dry run: nothing was written." in out
    assert [line.split() for line in out.splitlines() if line.startswith("ratings")] == [
        ["ratings", "3", "0", "1"]
    ]
    assert "sources                 0          0          0" in out


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = mixed_register(tmp_path)
    run(path)
    before = snapshot()
    result = import_file(path)
    assert snapshot() == before  # updated_at too: nothing was saved
    assert {model: set(counts) for model, counts in result.counts().items()} == {
        "producer": {"unchanged"},
        "product": {"unchanged"},
        "certificate": {"unchanged"},
        "source": set(),
    }


def test_new_stars_add_a_certificate_to_the_history(tmp_path):
    run(write_csv(tmp_path / "2025.csv", [ROW]))
    upgrade = ROW | {"stars": "★★★★★", "score": "90,5", "decision_number": "77/QĐ-BNNMT"}
    result = import_file(
        write_csv(tmp_path / "2026.csv", [upgrade | {"decision_date": "2/1/2026"}])
    )
    assert result.counts()["certificate"] == {"created": 1}
    product = Product.objects.get()
    assert sorted(product.certificates.values_list("stars", flat=True)) == [4, 5]


def test_a_corrected_score_updates_the_certificate(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW]))
    with translation.override("en"):
        result = import_file(write_csv(tmp_path / "b.csv", [ROW | {"score": "80"}]))
    assert result.counts()["certificate"] == {"updated": 1}
    assert Certificate.objects.get().score == Decimal("80")
    assert [change.fields for change in result.changes] == [["score"]]


def test_empty_cells_leave_existing_values_alone(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW | {"phone": "0208 3855 123", "address": "Xóm 3"}]))
    run(write_csv(tmp_path / "b.csv", [ROW | {"phone": "", "address": "Xóm 4"}]))
    producer = Producer.objects.get()
    assert (producer.phone, producer.address) == ("0208 3855 123", "Xóm 4")


def test_producers_match_by_name_accent_free_within_their_commune(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW]))
    run(write_csv(tmp_path / "b.csv", [ROW | {"producer_name": "htx che thu nghiem"}]))
    run(write_csv(tmp_path / "c.csv", [ROW | {"commune": "Đại Phúc"}]))
    assert sorted(Producer.objects.values_list("commune__slug", flat=True)) == [
        "dai-phuc",
        "tan-cuong",
    ]


def test_an_empty_commune_finds_the_only_producer_of_that_name(tmp_path):
    producer = make_producer(name="HTX Không Rõ Xã", commune=None)
    row = ROW | {"producer_name": "HTX Không Rõ Xã", "commune": ""}
    run(write_csv(tmp_path / "r.csv", [row]))
    assert Product.objects.get().producer == producer
    assert Producer.objects.get().commune is None


def test_a_commune_given_for_a_producer_recorded_without_one_fills_it(tmp_path):
    producer = make_producer(name="HTX Chè Thử Nghiệm", commune=None)
    run(write_csv(tmp_path / "r.csv", [ROW]))
    producer.refresh_from_db()
    assert producer.commune.slug == "tan-cuong"
    assert Producer.objects.count() == 1


def test_a_new_category_updates_the_product_and_its_search_text(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW]))
    run(write_csv(tmp_path / "b.csv", [ROW | {"category": "Thực phẩm"}]))
    product = Product.objects.get()
    assert product.category == Category.objects.get(slug="thuc-pham")
    assert " thuc pham " in product.search_text


# Ratings: only what the row says, found again without guessing

# A rating a newspaper reports, without the decision.
REPORT = ROW | {
    "stars": "3",
    "score": "",
    "decision_number": "",
    "decision_date": "",
    "level": "provincial",
    "round_year": "2021",
    "batch": "đợt 1",
    "reported_on": "11/2021",
}


def test_a_row_with_stars_but_no_date_is_a_rating_with_its_dates_not_on_record(tmp_path):
    row = ROW | {"stars": "4", "score": "", "decision_number": "", "decision_date": ""}
    certificate = imported_one(tmp_path, **row)
    assert (certificate.stars, certificate.decision_number) == (4, "")
    assert (certificate.decision_date, certificate.valid_until, certificate.starts_on) == (
        None,
        None,
        None,
    )
    assert certificate.evidence == Certificate.Evidence.REPORT
    assert certificate.status() == "undated"


def test_a_row_without_any_rating_column_is_a_product_without_a_rating(tmp_path):
    empty = {key: "" for key in ["stars", "score", "decision_number", "decision_date"]}
    run(write_csv(tmp_path / "r.csv", [ROW | empty | {"source": "https://baothainguyen.vn/a"}]))
    product = Product.objects.get()
    assert not product.certificates.exists()
    assert [source.url for source in product.sources.all()] == ["https://baothainguyen.vn/a"]


def test_a_reported_rating_keeps_its_round_batch_and_report_date(tmp_path):
    certificate = imported_one(tmp_path, **REPORT)
    assert (certificate.stars, certificate.issuer_level) == (3, Certificate.IssuerLevel.PROVINCE)
    assert (certificate.round_year, certificate.batch) == (2021, "đợt 1")
    assert certificate.evidence == Certificate.Evidence.REPORT
    assert certificate.reported == PartialDate(datetime.date(2021, 11, 1), Precision.MONTH)
    assert certificate.decision_date is None
    # Its date is its round's year: in force from 2021, at the earliest until 31/12/2023.
    assert (certificate.starts_on, certificate.ends_on) == (
        datetime.date(2021, 1, 1),
        datetime.date(2023, 12, 31),
    )


def test_a_later_report_row_says_the_level_was_still_held_then(tmp_path, settings):
    rows = [
        ROW | {"stars": "5", "score": "90,86", "decision_date": "30/06/2021", "level": "national"},
        ROW
        | {
            "stars": "5",
            "score": "",
            "decision_number": "",
            "decision_date": "",
            "level": "quốc gia",
            "evidence": "báo cáo sau",
            "reported_on": "04/2025",
            "note": "The renewal's decision is not on record",
        },
    ]
    run(write_csv(tmp_path / "r.csv", rows))
    later = Certificate.objects.get(evidence=Certificate.Evidence.LATER_REPORT)
    assert (later.stars, later.decision_number, later.decision_date) == (5, "", None)
    assert later.reported.text() == "04/2025"
    assert later.note == "The renewal's decision is not on record"
    assert later.status(on=datetime.date(2025, 12, 1)) == "reported"
    assert Certificate.objects.count() == 2


def test_a_rating_is_found_by_its_decision_number(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW]))
    result = import_file(
        write_csv(tmp_path / "b.csv", [ROW | {"decision_number": "12/qđ-ubnd ", "level": "tỉnh"}])
    )
    assert result.counts()["certificate"] == {"updated": 1}
    assert Certificate.objects.get().issuer_level == Certificate.IssuerLevel.PROVINCE


def test_a_rating_without_decision_number_is_found_by_round_batch_evidence_and_report_date(
    tmp_path,
):
    run(write_csv(tmp_path / "a.csv", [REPORT]))
    # The same statement, its batch written otherwise, with a note: the same rating.
    same = REPORT | {"batch": "Đợt 1", "note": "Báo Bắc Kạn"}
    assert import_file(write_csv(tmp_path / "b.csv", [same])).counts()["certificate"] == {
        "updated": 1
    }
    assert Certificate.objects.get().note == "Báo Bắc Kạn"
    # Another round, batch, evidence or report date: another rating, never a guess.
    others = [
        REPORT | {"round_year": "2022"},
        REPORT | {"batch": "đợt 2"},
        REPORT | {"evidence": "later report"},
        REPORT | {"reported_on": "12/2021"},
        REPORT | {"reported_on": "15/11/2021"},  # known to the day: another report
        REPORT | {"decision_number": "2616/QĐ-UBND"},  # the decision is not the report
    ]
    result = import_file(write_csv(tmp_path / "c.csv", others))
    assert result.counts()["certificate"] == {"created": 6}
    assert Certificate.objects.count() == 7


def test_ratings_that_only_the_admin_can_tell_apart_are_refused(tmp_path):
    run(write_csv(tmp_path / "a.csv", [REPORT]))
    first = Certificate.objects.get()
    make_certificate(
        product=first.product,
        stars=4,
        decision_number="",
        decision_date=None,
        issuer_level="",
        round_year=2021,
        batch="đợt 1",
        evidence=Certificate.Evidence.REPORT,
        reported_on=datetime.date(2021, 11, 1),
        reported_on_precision=Precision.MONTH,
    )
    with translation.override("en"):
        [error] = import_file(write_csv(tmp_path / "b.csv", [REPORT])).errors
    assert error.column == "Số quyết định"
    assert "Several ratings of this product" in error.message


def test_a_rating_stores_no_validity_unless_the_row_states_one(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW]))
    run(write_csv(tmp_path / "b.csv", [ROW | {"decision_date": "02/03/2025"}]))
    certificate = Certificate.objects.get()
    assert certificate.valid_until is None  # still: the model computes it from the date
    assert certificate.ends_on == datetime.date(2028, 3, 1)
    run(write_csv(tmp_path / "c.csv", [ROW | {"valid_until": "10/01/2027"}]))
    certificate.refresh_from_db()
    assert certificate.valid_until == certificate.ends_on == datetime.date(2027, 1, 10)


def test_a_corrected_precision_updates_the_date(tmp_path):
    run(write_csv(tmp_path / "a.csv", [ROW | {"decision_date": "2025"}]))
    result = import_file(write_csv(tmp_path / "b.csv", [ROW | {"decision_date": "03/2025"}]))
    assert [change.fields for change in result.changes] == [[_("decision date")]]
    assert Certificate.objects.get().decided.text() == "03/2025"


# Sources


def test_a_source_column_creates_the_sources_and_links_them_to_rating_and_product(tmp_path):
    cell = (
        "https://luatvietnam.vn/qd-377.html ; https://baothainguyen.vn/ocop.html"
        "  https://nongnghiep.thainguyen.gov.vn/tin  ; https://baothainguyen.vn/ocop.html"
    )
    result = import_file(write_csv(tmp_path / "r.csv", [ROW | {"source": cell}]))
    assert result.counts()["source"] == {"created": 3}
    certificate = Certificate.objects.get()
    kinds = {source.url: source.kind for source in Source.objects.all()}
    assert kinds == {
        "https://luatvietnam.vn/qd-377.html": Source.Kind.DECISION,
        "https://baothainguyen.vn/ocop.html": Source.Kind.PRESS,
        "https://nongnghiep.thainguyen.gov.vn/tin": Source.Kind.GOVERNMENT,
    }
    assert set(certificate.sources.values_list("url", flat=True)) == set(kinds)
    assert set(certificate.product.sources.values_list("url", flat=True)) == set(kinds)
    assert (
        Source.objects.get(url="https://baothainguyen.vn/ocop.html").publisher == "baothainguyen.vn"
    )
    # Again: nothing changes.
    before = snapshot()
    again = import_file(write_csv(tmp_path / "r2.csv", [ROW | {"source": cell}]))
    assert snapshot() == before
    assert again.counts()["source"] == {"unchanged": 3}
    assert again.counts()["certificate"] == {"unchanged": 1}


def test_an_existing_source_is_linked_not_copied_and_the_history_records_the_link(tmp_path):
    source = Source.objects.create(url="https://baothainguyen.vn/a", kind=Source.Kind.PRESS)
    run(write_csv(tmp_path / "a.csv", [ROW]))
    result = import_file(
        write_csv(tmp_path / "b.csv", [ROW | {"source": source.url}]), file_name="b.csv"
    )
    assert result.counts()["certificate"] == {"updated": 1}
    assert result.counts()["product"] == {"updated": 1}
    assert {(change.model, tuple(change.fields)) for change in result.changes} == {
        (str(Certificate._meta.verbose_name), (_("sources"),)),
        (str(Product._meta.verbose_name), (_("sources"),)),
    }
    certificate = Certificate.objects.get()
    assert list(certificate.sources.all()) == [source]
    assert certificate.history.latest().history_change_reason == "import b.csv"
    assert Source.objects.count() == 1


def test_a_single_source_of_a_dated_report_takes_its_date(tmp_path):
    run(write_csv(tmp_path / "r.csv", [REPORT | {"source": "https://baobackan.vn/tin"}]))
    assert Source.objects.get().published.text() == "11/2021"


def test_a_source_a_rating_already_cites_is_not_added_to_its_product(tmp_path):
    """A rating's source joins its product's sources when the rating first cites it."""
    run(write_csv(tmp_path / "a.csv", [ROW | {"source": "https://baothainguyen.vn/a"}]))
    product = Product.objects.get()
    product.sources.clear()
    result = import_file(
        write_csv(tmp_path / "b.csv", [ROW | {"source": "https://baothainguyen.vn/a"}])
    )
    assert result.counts()["product"] == {"unchanged": 1}
    assert not product.sources.exists()


# Products whose producer is not on record


def producerless(**changes) -> dict:
    row = {key: "" for key in ["producer_name", "producer_kind", "commune"]}
    return ROW | row | {"product_name": "Gạo đặc sản Thử"} | changes


def test_a_new_product_without_producer_needs_its_name_and_category_alone(tmp_path):
    run(write_csv(tmp_path / "r.csv", [producerless()]))
    product = Product.objects.get()
    assert (product.producer, product.commune, product.category.slug) == (None, None, "che")
    assert product.certificates.get().stars == 4
    assert not Producer.objects.exists()


def test_a_row_without_producer_finds_the_product_without_producer_by_name(tmp_path):
    orphan = make_product(name="Gạo đặc sản Thử", producer=None)
    make_product(name="Gạo đặc sản Thử")  # another one, of a producer
    result = import_file(
        write_csv(tmp_path / "r.csv", [producerless(product_name="gao dac san thu")])
    )
    assert result.counts()["product"] == {"updated": 1}  # its category
    assert Certificate.objects.get().product == orphan


def test_products_without_producer_sharing_a_name_are_refused(tmp_path):
    make_product(name="Gạo đặc sản Thử", producer=None)
    make_product(name="Gạo đặc sản Thử", producer=None)
    path = write_csv(tmp_path / "r.csv", [producerless()])
    with translation.override("en"):
        [error] = import_file(path).errors
    assert (error.column, error.value) == ("Tên sản phẩm", "Gạo đặc sản Thử")
    assert "Several products without a producer" in error.message


@pytest.mark.parametrize("key", ["producer_kind", "commune", "address", "phone"])
def test_a_row_without_producer_name_gives_no_producer_details(tmp_path, key):
    values = {"producer_kind": "HTX", "commune": "Tân Cương", "address": "Xóm 1", "phone": "1"}
    path = write_csv(tmp_path / "r.csv", [producerless(**{key: values[key]})])
    assert errors_of(path) == [(2, "Chủ thể", "")]


def test_a_commune_editor_cannot_import_a_product_without_producer(tmp_path):
    tan_cuong = Commune.objects.get(slug="tan-cuong")
    result = import_file(
        write_csv(tmp_path / "r.csv", [producerless()]), communes=frozenset([tan_cuong.pk])
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "Chủ thể")]
    assert not Product.objects.exists()


def test_a_category_written_as_its_path_in_the_taxonomy(tmp_path):
    product = imported_one(tmp_path, category="Thực phẩm › Chè").product
    assert product.category.slug == "che"


# Skipping invalid rows


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(tmp_path):
    rows = [ROW, ROW | {"commune": "Atlantis", "product_name": "Mật ong"}]
    path = write_csv(tmp_path / "register.csv", rows)
    out, err = run(path, "--skip-invalid")
    assert Product.objects.get().name == "Chè búp Tân Cương"
    report = tmp_path / "register-invalid-rows.csv"
    assert str(report) in err
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["row,column,value,error", f"3,Xã/Phường,Atlantis,{_('Unknown commune.')}"]
    assert "invalid rows            1 of 2" in out


def test_the_report_goes_where_asked_and_neutralises_formulas(tmp_path):
    rows = [ROW | {"commune": '=HYPERLINK("http://x")'}]
    report = tmp_path / "out" / "errors.csv"
    report.parent.mkdir()
    run(write_csv(tmp_path / "r.csv", rows), "--skip-invalid", "--report", str(report))
    assert "'=HYPERLINK" in report.read_text(encoding="utf-8-sig")


# Progress


def long_register(tmp_path, rows: int = 1200):
    return write_csv(
        tmp_path / "long.csv",
        [
            ROW | {"product_name": f"Sản phẩm {n}", "decision_number": f"{n}/QĐ"}
            for n in range(rows)
        ],
    )


def test_progress_goes_to_stderr_with_verbosity_2(tmp_path):
    _, err = run(long_register(tmp_path), "--dry-run", verbosity=2)
    assert "500/1200 rows" in err and "1200/1200 rows" in err


def test_no_progress_when_not_interactive_at_normal_verbosity(tmp_path):
    _, err = run(long_register(tmp_path, rows=600), "--dry-run")
    assert "rows" not in err


# Admin


IMPORT_URL = reverse("admin:catalogue_product_import")


def upload(client, path):
    with path.open("rb") as file:
        return client.post(IMPORT_URL, {"file": file})


def test_product_changelist_links_to_the_import_page(staff_client):
    response = staff_client.get(reverse("admin:catalogue_product_changelist"))
    assert IMPORT_URL in response.content.decode()


def test_admin_import_previews_then_writes_on_confirm(staff_client, tmp_path):
    path = write_xlsx(tmp_path / "register.xlsx", [ROW, ROW | {"product_name": "Trà xanh"}])
    response = upload(staff_client, path)
    assert response.status_code == 200
    assert not Product.objects.exists()  # the preview is a dry run
    assert "Trà xanh" in response.content.decode()
    assert response.context["counts"][1][1:] == (2, 0, 0)  # products: created, updated, unchanged
    token = response.context["token"]
    response = staff_client.post(IMPORT_URL, {"token": token})
    job = ImportJob.objects.get()  # the import runs as a job (at once in tests)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registry_importjob_change", args=[job.pk])
    assert Product.objects.count() == 2
    assert (job.kind, job.status, job.written) == ("import", "done", True)
    assert job.counts["product"] == {"created": 2}
    assert job.message == _("Imported: %(created)s records created, %(updated)s updated.") % {
        "created": 5,  # a producer, two products, their certificates
        "updated": 0,
    }
    assert job.message in staff_client.get(response["Location"]).content.decode()


def test_admin_preview_shows_invalid_rows_and_a_refused_file_writes_nothing(staff_client, tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW, ROW | {"stars": "9", "decision_number": "2/QĐ"}])
    response = upload(staff_client, path)
    assert [(e.row, e.column, e.value) for e in response.context["result"].errors] == [
        (3, "Số sao", "9")
    ]
    content = response.content.decode()
    assert _("OCOP certificates have 3, 4 or 5 stars.") in content
    response = staff_client.post(IMPORT_URL, {"token": response.context["token"]})
    assert response.status_code == 302
    response = staff_client.get(response["Location"])  # the job's page, with the errors
    job = response.context["job"]
    assert (job.status, job.written, job.invalid_rows) == ("done", False, 1)
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(3, "Số sao", "9")]
    assert _("OCOP certificates have 3, 4 or 5 stars.") in response.content.decode()
    assert not Product.objects.exists()


def test_admin_can_import_the_valid_rows_only_when_asked(staff_client, tmp_path):
    path = write_csv(tmp_path / "r.csv", [ROW, ROW | {"stars": "9", "decision_number": "2/QĐ"}])
    token = upload(staff_client, path).context["token"]
    response = staff_client.post(IMPORT_URL, {"token": token, "skip_invalid": "1"})
    assert response.status_code == 302
    assert Certificate.objects.get().decision_number == "12/QĐ-UBND"


def test_admin_confirm_needs_the_token_of_this_session(staff_client, client, tmp_path):
    token = upload(staff_client, write_csv(tmp_path / "r.csv", [ROW])).context["token"]
    for forged in ["../../etc/passwd", "x" * 32, ""]:
        response = staff_client.post(IMPORT_URL, {"token": forged})
        assert response.status_code == 302 and not Product.objects.exists()
    assert [path.name for path in (tmp_path / "uploads").iterdir()] == [f"{token}.csv"]
    assert staff_client.post(IMPORT_URL, {"token": token}).status_code == 302
    assert Product.objects.count() == 1
    assert not any((tmp_path / "uploads").iterdir())
    # Used once: the file is gone.
    assert staff_client.post(IMPORT_URL, {"token": token}).status_code == 302
    assert Product.objects.count() == 1


def test_admin_import_works_when_the_upload_waits_in_object_storage(
    staff_client, settings, tmp_path
):
    # With several app servers the file waits in the bucket (S3Storage), which has no local
    # path: the import reads a temporary copy. InMemoryStorage has no path either.
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = settings.STORAGES | {"imports": memory}
    token = upload(staff_client, write_csv(tmp_path / "r.csv", [ROW])).context["token"]
    assert PendingUpload.storage().exists(f"{token}.csv")
    assert not (tmp_path / "uploads").exists()  # nothing on this server's disk
    assert staff_client.post(IMPORT_URL, {"token": token}).status_code == 302
    assert Product.objects.count() == 1
    assert not PendingUpload.storage().exists(f"{token}.csv")


def test_admin_refuses_an_unreadable_file_with_the_reason(staff_client, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,price\nx,1\n")
    response = upload(staff_client, path)
    missing = _("Columns missing: %(columns)s.").split("%")[0]
    assert missing in str(response.context["form"].errors["file"])


def test_staff_without_add_permissions_cannot_open_the_import_page(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403


def test_a_commune_editor_imports_rows_of_their_communes_only(tmp_path):
    tan_cuong = Commune.objects.get(slug="tan-cuong")
    path = write_csv(tmp_path / "r.csv", [ROW, ROW | {"commune": "Đại Phúc"}])
    result = import_file(path, communes=frozenset([tan_cuong.pk]))
    assert [(e.row, e.value) for e in result.errors] == [(3, "Đại Phúc")]
    assert not result.written
