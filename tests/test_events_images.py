"""Event and news photos go through the catalogue's image pipeline: checked, re-encoded,
cut into renditions, and deleted with their files."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import EventImage, NewsImage

from .adminforms import form_data
from .factories import tiny_png
from .factories_events import make_event, make_news

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_photo_gets_renditions_and_is_shown(client, media_root):
    event = make_event()
    photo = EventImage.objects.create(
        event=event, image=tiny_png("IMG 0001.png"), alt_text="Gian hàng"
    )
    assert set(photo.renditions) == {"thumb", "medium", "large"}
    assert photo.image.name.startswith(f"events/{event.slug}")  # our name, not the upload's
    assert (media_root / photo.image.name).is_file()
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<picture>" in html and 'alt="Gian hàng"' in html
    files = [photo.image.name, *(entry["webp"] for entry in photo.renditions.values())]
    photo.delete()
    assert not any((media_root / name).exists() for name in files)


def test_a_news_photo_is_shown_on_its_item(client):
    item = make_news()
    NewsImage.objects.create(news_item=item, image=tiny_png())
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<picture>" in html


def test_a_file_that_is_not_an_image_is_refused():
    photo = EventImage(
        event=make_event(), image=SimpleUploadedFile("x.png", b"<?php echo 1; ?>", "image/png")
    )
    with pytest.raises(ValidationError):
        photo.full_clean()


def test_the_admin_refuses_a_broken_photo_with_a_message(staff_client):
    event = make_event()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(staff_client.get(url).content, "event_form")
    data |= {
        "images-TOTAL_FORMS": "1",
        "images-0-image": SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg"),
        "images-0-position": "0",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not EventImage.objects.exists()
