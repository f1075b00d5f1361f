"""A photo or logo upload onto storage that refuses the write: a form error, no file, no 500.

Tests run as root, for whom a read-only directory (chmod) is still writable, so the storage
below refuses by itself: part of the file written, then ENOSPC (a full disk), or EROFS before
anything is written (a read-only volume).
"""

import errno
import io
import logging
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalogue.admin.common import MEDIA_UNAVAILABLE
from catalogue.models import Producer, ProductImage

from .adminforms import form_data
from .factories import make_producer, make_product
from .test_images import stored_files

pytestmark = pytest.mark.django_db


class RefusingStorage(FileSystemStorage):
    """Local media whose Nth write (counting from 1) fails: FAIL_AT, ERROR set by the tests."""

    FAIL_AT = 1
    ERROR = errno.ENOSPC
    writes = 0

    def _save(self, name, content):
        RefusingStorage.writes += 1
        if RefusingStorage.writes < self.FAIL_AT:
            return super()._save(name, content)
        if self.ERROR == errno.EROFS:
            raise OSError(errno.EROFS, "Read-only file system", self.path(name))
        # A full disk: the first bytes reach the file, then the write fails.
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(content.read(100))
        raise OSError(errno.ENOSPC, "No space left on device", path)


@pytest.fixture
def refusing_storage(settings):
    RefusingStorage.writes, RefusingStorage.FAIL_AT, RefusingStorage.ERROR = 0, 1, errno.ENOSPC
    backend = {"BACKEND": f"{__name__}.RefusingStorage"}
    settings.STORAGES = settings.STORAGES | {"default": backend}
    return RefusingStorage


def png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def post_photo(client, product, **changes):
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = form_data(client.get(url).content, "product_form") | changes
    data |= {
        "images-TOTAL_FORMS": "1",
        "images-0-image": SimpleUploadedFile("photo.png", png()),
        "images-0-alt_text": "Hộp chè",
        "images-0-position": "0",
    }
    return client.post(url, data)


def refused_with_the_message(response) -> None:
    assert response.status_code == 200
    errors = [str(error) for error in response.context["adminform"].form.non_field_errors()]
    assert errors == [str(MEDIA_UNAVAILABLE)]
    assert str(MEDIA_UNAVAILABLE) in response.content.decode()


@pytest.mark.parametrize("fail_at", [1, 2, 5], ids=["original", "first-rendition", "later"])
def test_a_full_disk_during_a_photo_upload_leaves_no_file_and_saves_nothing(
    staff_client, media_root, refusing_storage, caplog, fail_at
):
    refusing_storage.FAIL_AT = fail_at
    product = make_product(summary="Chè ngon")
    with caplog.at_level(logging.ERROR, logger="ocop.media"):
        response = post_photo(staff_client, product, summary="Chè rất ngon")

    refused_with_the_message(response)
    assert not ProductImage.objects.exists()
    product.refresh_from_db()
    assert product.summary == "Chè ngon"  # nothing of the form was saved
    assert stored_files(media_root) == []  # neither the partial file nor those written before
    [record] = [r for r in caplog.records if r.name == "ocop.media"]
    assert record.levelno == logging.ERROR and record.exc_info


def test_a_read_only_volume_refuses_a_photo_with_the_message(
    staff_client, media_root, refusing_storage
):
    refusing_storage.ERROR = errno.EROFS
    product = make_product()
    refused_with_the_message(post_photo(staff_client, product))
    assert not ProductImage.objects.exists()
    assert stored_files(media_root) == []


def test_the_photo_saves_once_storage_is_back(staff_client, media_root, refusing_storage):
    product = make_product()
    refused_with_the_message(post_photo(staff_client, product))
    refusing_storage.FAIL_AT = 10**6
    assert post_photo(staff_client, product).status_code == 302
    image = ProductImage.objects.get()
    assert len(stored_files(media_root)) == 1 + 2 * len(image.renditions)


def test_a_failed_replacement_keeps_the_old_photo_and_its_renditions(
    staff_client, media_root, refusing_storage
):
    refusing_storage.FAIL_AT = 10**6
    product = make_product()
    assert post_photo(staff_client, product).status_code == 302
    before = stored_files(media_root)
    image = ProductImage.objects.get()

    refusing_storage.writes, refusing_storage.FAIL_AT = 0, 3
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = form_data(staff_client.get(url).content, "product_form")
    data["images-0-image"] = SimpleUploadedFile("new.png", png((80, 60)))
    refused_with_the_message(staff_client.post(url, data))

    assert stored_files(media_root) == before
    assert ProductImage.objects.get().image.name == image.image.name


def test_a_full_disk_during_a_logo_upload_gives_the_form_error(
    staff_client, media_root, refusing_storage
):
    producer = make_producer(phone="0208 111")
    url = reverse("admin:catalogue_producer_change", args=[producer.pk])
    data = form_data(staff_client.get(url).content, "producer_form")
    data |= {"logo": SimpleUploadedFile("logo.png", png()), "phone": "0208 222"}

    refused_with_the_message(staff_client.post(url, data))

    producer = Producer.objects.get()
    assert (producer.logo.name, producer.phone) == ("", "0208 111")
    assert stored_files(media_root) == []


def test_a_new_producer_with_a_logo_is_not_created_when_storage_fails(
    staff_client, media_root, refusing_storage
):
    response = staff_client.post(
        reverse("admin:catalogue_producer_add"),
        {
            "name": "HTX Mới",
            "kind": Producer.Kind.COOPERATIVE,
            "logo": SimpleUploadedFile("logo.png", png()),
            "products-TOTAL_FORMS": "0",
            "products-INITIAL_FORMS": "0",
            # the trade app's inlines: where to buy, and the producer's place
            "sales_channels-TOTAL_FORMS": "0",
            "sales_channels-INITIAL_FORMS": "0",
            "place-TOTAL_FORMS": "0",
            "place-INITIAL_FORMS": "0",
        },
    )
    refused_with_the_message(response)
    assert not Producer.objects.exists()
    assert stored_files(media_root) == []
