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
from places.models import Commune
from registry.admin import PendingUpload
from registry.importing import ImportFileError, import_file
from registry.models import ImportJob

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
    assert certificate.decision_date == datetime.date(2025, 3, 1)
    assert certificate.valid_until == datetime.date(2028, 2, 29)  # default validity
    assert certificate.issuer_level == Certificate.IssuerLevel.PROVINCE
    assert certificate.commune == producer.commune


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
    assert certificate.issuer_level == Certificate.IssuerLevel.CENTRAL
    assert Producer.objects.get().phone == "912345678"


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
    headers = VIETNAMESE | {"note": "Ghi chú"}
    run(write_csv(tmp_path / "r.csv", [ROW | {"note": "=SUM(A1)"}], headers=headers))
    assert Certificate.objects.count() == 1


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
    assert imported_one(tmp_path, decision_date=written).decision_date == datetime.date(2025, 3, 1)


def test_three_stars_of_the_district_era_name_the_district(tmp_path):
    certificate = imported_one(tmp_path, stars="3", score="60", decision_date="15/09/2024")
    assert certificate.issuer_level == Certificate.IssuerLevel.DISTRICT


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
    ("decision_date", "March 2025", "dd/mm/yyyy"),
    ("valid_until", "01/01/2025", "after its decision date"),
    ("producer_kind", "Hội", "Unknown producer kind"),
    ("product_name", "", "required"),
    ("producer_name", "", "required"),
    ("decision_number", "", "required"),
    ("decision_date", "", "required"),
    ("stars", "", "required"),
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
    }


def test_dry_run_command_prints_the_summary(tmp_path):
    out, _ = run(mixed_register(tmp_path), "--dry-run")
    assert "Dry run: nothing was written." in out
    assert [line.split() for line in out.splitlines() if line.startswith("certificates")] == [
        ["certificates", "3", "0", "1"]
    ]


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
