"""Hostile files through the admin forms: a clear error on the form, nothing written anywhere.

The validators themselves are tested in test_images.py and test_import.py; these go through
the admin pages a staff member uses.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalogue.models import ProductImage

from . import hostile
from .adminforms import form_data
from .factories import make_certified_product
from .test_images import png_header_only, stored_files

pytestmark = pytest.mark.django_db


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><script>alert(1)</script></svg>"
BAD_IMAGES = {
    "svg-as-jpg": ("photo.jpg", SVG),
    "svg": ("photo.svg", SVG),
    "text": ("photo.png", b"just some text"),
    "empty": ("photo.jpg", b""),
    "truncated-png": ("photo.png", png()[:60]),
    "bomb-header": ("photo.png", png_header_only(100_000, 100_000)),
    "gif-with-script": ("photo.gif", b"GIF89a<script>alert(1)</script>"),
    "html-name": ("<script>alert(1)</script>.png", b"\x89PNG\r\n\x1a\nrest"),
}


@pytest.fixture
def product(staff_client):
    return make_certified_product()


@pytest.mark.parametrize("name,content", BAD_IMAGES.values(), ids=BAD_IMAGES)
def test_admin_image_upload_refuses_hostile_files(staff_client, product, media_root, name, content):
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = form_data(staff_client.get(url).content, "product_form")
    data |= {
        "images-TOTAL_FORMS": "1",
        "images-0-image": SimpleUploadedFile(name, content),
        "images-0-alt_text": "<script>alert(1)</script>",
        "images-0-position": "0",
    }
    before = hostile.snapshot(hostile.CATALOGUE)
    response = staff_client.post(url, data)
    hostile.check(response, statuses={200}, what=name)
    [images] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "images"
    ]
    assert images.errors[0]["image"], name
    assert hostile.snapshot(hostile.CATALOGUE) == before
    assert not ProductImage.objects.exists()
    assert stored_files(media_root) == []


BAD_SPREADSHEETS = {
    "invalid-utf8": (
        "register.csv",
        b"T\xc3\xaan s\xe1\xba\xa3n ph\xe1\xba\xa9m,x\n\xff\xfe\x80\n",
    ),
    "nul-bytes": ("register.csv", b"\x00" * 2000),
    "xlsx-not-a-zip": ("register.xlsx", b"PK not really a zip"),
    "zip-without-workbook": ("register.xlsx", zip_without_a_workbook()),
    "empty": ("register.csv", b""),
    "svg": ("register.svg", SVG),
    "traversal-name": ("../../../etc/passwd.csv", b"a,b\n1,2\n"),
    "html-name": ("<script>alert(1)</script>.csv", b"a,b\n1,2\n"),
    "formula-header": ("register.csv", b'=HYPERLINK("x"),@SUM(A1)\n-1,+2\n'),
}


@pytest.fixture
def imports_folder(tmp_path, settings):
    folder = tmp_path / "imports"
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    settings.STORAGES = settings.STORAGES | {"imports": storage | {"OPTIONS": {"location": folder}}}
    return folder


@pytest.mark.parametrize("name,content", BAD_SPREADSHEETS.values(), ids=BAD_SPREADSHEETS)
def test_admin_import_refuses_hostile_files(staff_client, product, imports_folder, name, content):
    before = hostile.snapshot(hostile.CATALOGUE)
    response = staff_client.post(
        reverse("admin:catalogue_product_import"), {"file": SimpleUploadedFile(name, content)}
    )
    hostile.check(response, statuses={200}, what=name)
    assert response.context["form"].errors["file"], name
    assert not response.context["token"]
    assert hostile.snapshot(hostile.CATALOGUE) == before
    assert not imports_folder.exists() or not any(imports_folder.rglob("*.*"))
