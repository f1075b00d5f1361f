"""The register's import and export carry each product's online stores (trade.SalesChannel)."""

import csv
import io

import pytest
from django.core.management import call_command

from registry.importing import import_file
from trade.models import SalesChannel

from .spreadsheets import ENGLISH, ROW, load_places, snapshot, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

SHOPEE, TIKI = "https://shopee.vn/che-thu", "https://tiki.vn/che-thu"


@pytest.fixture(autouse=True)
def places():
    load_places()


def channels() -> list[tuple]:
    return list(
        SalesChannel.objects.order_by("pk").values_list("product__name", "kind", "platform", "url")
    )


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
@pytest.mark.parametrize("separator", ["\n", " ; ", ";"])
def test_links_in_the_column_become_online_stores(tmp_path, writer, separator):
    path = tmp_path / ("in.csv" if writer is write_csv else "in.xlsx")
    result = import_file(writer(path, [ROW | {"where_to_buy": SHOPEE + separator + TIKI}]))
    assert not result.errors
    assert channels() == [
        ("Chè búp Tân Cương", "online", "shopee", SHOPEE),
        ("Chè búp Tân Cương", "online", "tiki", TIKI),
    ]
    assert result.counts()["saleschannel"] == {"created": 2}


def test_importing_again_adds_only_new_links_and_removes_none(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [ROW | {"where_to_buy": SHOPEE}]))
    import_file(write_csv(tmp_path / "b.csv", [ROW | {"where_to_buy": f"{SHOPEE}\n{TIKI}"}]))
    import_file(write_csv(tmp_path / "c.csv", [ROW]))  # no links: the stores stay
    assert [url for *_, url in channels()] == [SHOPEE, TIKI]


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "shopee.vn/x", "ftp://files.example/x", "https://" + "a" * 500]
)
def test_a_bad_link_refuses_the_whole_file(tmp_path, bad):
    """All or nothing: the good row before it is not written either."""
    rows = [
        ROW | {"product_name": "Chè tốt", "where_to_buy": SHOPEE},
        ROW | {"product_name": "Chè có link hỏng", "where_to_buy": f"{TIKI}; {bad}"},
    ]
    before = snapshot()
    result = import_file(write_csv(tmp_path / "bad.csv", rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "Nơi mua trực tuyến")]
    assert "http://" in result.errors[0].message
    assert snapshot() == before and not SalesChannel.objects.exists()


def test_the_export_writes_each_products_online_stores_and_imports_back(tmp_path):
    import_file(write_csv(tmp_path / "in.csv", [ROW | {"where_to_buy": f"{SHOPEE} ; {TIKI}"}]))
    SalesChannel.objects.create(
        product=SalesChannel.objects.first().product, kind="farm_gate", name="Cửa hàng HTX"
    )
    path = tmp_path / "out.csv"
    call_command("export_ocop", str(path), "--english-headers", stdout=io.StringIO())
    with path.open(encoding="utf-8-sig", newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert row["where_to_buy"] == f"{SHOPEE}\n{TIKI}"  # online stores only
    before = channels()
    result = import_file(path)
    assert not result.errors and channels() == before


def test_the_column_has_an_english_and_a_vietnamese_header(tmp_path):
    for headers in (ENGLISH, {**ENGLISH, "where_to_buy": "Nơi mua trực tuyến"}):
        SalesChannel.objects.all().delete()
        import_file(
            write_csv(tmp_path / "h.csv", [ROW | {"where_to_buy": SHOPEE}], headers=headers)
        )
        assert [url for *_, url in channels()] == [SHOPEE]
