"""/open-data/: the whole register as CSV, JSON and XLSX, made once per catalogue version, the
Dataset JSON-LD, and the Atom feed of rating changes."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Product
from core.dates import add_months
from opendata import downloads

from .factories import make_certificate, make_certified_product, make_product

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def download(client, fmt):
    response = client.get(reverse("opendata:download", args=[fmt]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert response["Last-Modified"]
    assert "attachment" in response["Content-Disposition"]
    return response, body


@pytest.mark.usefixtures("real_catalogue")
def test_every_file_has_a_row_per_published_product(client):
    published = Product.objects.published().count()
    _r, body = download(client, "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == downloads.headers()
    assert len(rows) - 1 == published
    _r, body = download(client, "json")
    document = json.loads(body)
    assert document["count"] == len(document["products"]) == published
    assert document["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    _r, body = download(client, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.max_row - 1 == published
    assert [cell.value for cell in sheet[1]] == downloads.headers()


def test_files_are_made_once_per_catalogue_version(client, django_assert_max_num_queries):
    make_certified_product(name="Chè một")
    first, body = download(client, "csv")
    with django_assert_max_num_queries(0):
        again, same = download(client, "csv")
    assert same == body and again["Last-Modified"] == first["Last-Modified"]
    make_certified_product(name="Chè hai")
    _r, changed = download(client, "csv")
    assert "Chè hai" in changed.decode("utf-8-sig")
    assert downloads.older_files("csv", keep=downloads.current_file("csv").name) == []


def test_unknown_formats_are_404s(client):
    assert client.get("/open-data/ocop-thai-nguyen.exe").status_code == 404


def test_the_page_describes_the_dataset_with_its_files(client):
    make_certified_product()
    response = client.get(reverse("opendata:dataset"))
    assert response.status_code == 200
    html = response.content.decode()
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(block)
    assert data["@type"] == "Dataset"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["includedInDataCatalog"]["@type"] == "DataCatalog"
    formats = {d["encodingFormat"] for d in data["distribution"]}
    assert {"text/csv", "application/json"} <= formats
    for fmt in downloads.FORMATS:
        assert reverse("opendata:download", args=[fmt]) in html
    assert "CC BY 4.0" in html


def test_the_feed_lists_new_ratings_upgrades_and_expiries(client):
    today = timezone.localdate()
    upgraded = make_product(name="Chè lên hạng")
    make_certificate(product=upgraded, stars=4, decision_date=today - datetime.timedelta(days=400))
    make_certificate(product=upgraded, stars=5, decision_date=today - datetime.timedelta(days=10))
    ended = make_product(name="Miến hết hạn")
    make_certificate(
        product=ended, stars=3, decision_date=add_months(today, -36) - datetime.timedelta(days=5)
    )
    draft = make_product(name="Bản nháp", is_published=False)
    make_certificate(product=draft, decision_date=today - datetime.timedelta(days=3))
    response = client.get(reverse("opendata:rating-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = {
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}category").get("term"))
        for e in feed.iter(f"{ATOM}entry")
    }
    kinds = {kind for _title, kind in entries}
    assert {"upgrade", "expired"} <= kinds or {"upgrade", "may_have_expired"} <= kinds
    assert not any("Bản nháp" in title for title, _kind in entries)
    assert any("Chè lên hạng" in title for title, kind in entries if kind == "upgrade")


def test_the_page_never_waits_for_new_files(client, settings):
    """After a change the page describes the files on hand and a background task makes the
    new ones (run at once in tests: the next page shows them)."""
    make_certified_product(name="Chè một")
    client.get(reverse("opendata:dataset"))  # the very first files, made in the request
    first = downloads.available_file("csv")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_certified_product(name="Chè hai")  # a new catalogue version
    response = client.get(reverse("opendata:dataset"))
    assert response.status_code == 200
    assert downloads.available_file("csv").name == first.name  # not made in the request
    downloads.make_files.call()
    assert downloads.available_file("csv").name != first.name
    assert "Chè hai" in b"".join(client.get("/open-data/ocop-thai-nguyen.csv")).decode()
