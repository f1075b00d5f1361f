"""Uploaded images: what is accepted, what is refused, and what reaches the disk."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from catalogue.models import ProductImage

from .factories import make_image, make_producer, make_product

pytestmark = pytest.mark.django_db


def photo(
    image_format: str, size=(2000, 1200), name="my photo.jpg", **options
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, (200, 120, 60)).save(buffer, format=image_format, **options)
    return SimpleUploadedFile(name, buffer.getvalue())


def gps_jpeg() -> SimpleUploadedFile:
    """A portrait photo stored landscape with an EXIF rotation, carrying GPS and a camera name."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x0110] = "Secret Camera"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 35.0, 12.0)
    gps[3], gps[4] = "E", (105.0, 48.0, 30.0)
    return photo("JPEG", size=(600, 400), exif=exif.tobytes())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def stored_files(media_root: Path) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_with_renditions(media_root, image_format):
    product = make_product(slug="che-thu")
    image = make_image(product=product, image=photo(image_format))
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    assert image.image.name.startswith("products/che-thu-")
    assert image.image.name.endswith(f".{extension}")
    assert "my photo" not in image.image.name
    assert (image.width, image.height) == (2000, 1200)
    assert {k: (v["width"], v["height"]) for k, v in image.renditions.items()} == {
        "thumb": (400, 240),
        "medium": (800, 480),
        "large": (1600, 960),
    }
    for entry in image.renditions.values():
        with (
            Image.open(media_root / entry["webp"]) as webp,
            Image.open(media_root / entry["jpeg"]) as jpeg,
        ):
            assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
            assert webp.size == jpeg.size == (entry["width"], entry["height"])
    assert len(stored_files(media_root)) == 7  # the original and 3 × 2 renditions


def test_a_small_image_is_never_enlarged(media_root):
    image = make_image(image=photo("PNG", size=(300, 200)))
    assert {v["width"] for v in image.renditions.values()} == {300}


def test_gps_and_other_exif_never_reach_the_stored_files(media_root):
    image = make_image(image=gps_jpeg())
    files = [image.image.name] + [e[k] for e in image.renditions.values() for k in ("webp", "jpeg")]
    for name in files:
        data = (media_root / name).read_bytes()
        assert b"Secret Camera" not in data and b"Exif" not in data, name
        with Image.open(media_root / name) as stored:
            assert not stored.getexif()
    with Image.open(media_root / image.image.name) as stored:
        assert stored.size == (400, 600)  # the rotation was applied
    assert (image.width, image.height) == (400, 600)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "invalid_image",
        ),
        (b"just some text, renamed to look like a photo", "invalid_image"),
        (b"", "invalid_image"),
        (png_header_only(8000, 6000), "too_many_pixels"),
        (png_header_only(100_000, 100_000), "too_many_pixels"),
        (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "too_large"),
    ],
    ids=["svg", "text", "empty", "bomb", "huge-bomb", "oversized"],
)
def test_refused_files_leave_nothing_on_disk(media_root, content, code):
    product = make_product()
    with pytest.raises(ValidationError) as error:
        ProductImage.objects.create(product=product, image=SimpleUploadedFile("a.jpg", content))
    assert error.value.code == code
    assert not ProductImage.objects.exists()
    assert stored_files(media_root) == []


def test_a_truncated_jpeg_is_refused(media_root):
    data = photo("JPEG", size=(800, 600), quality=95).read()
    upload = SimpleUploadedFile("a.jpg", data[: len(data) // 2])
    with pytest.raises(ValidationError) as error:
        make_image(image=upload)
    assert error.value.code == "invalid_image"
    assert stored_files(media_root) == []


def test_the_model_validators_refuse_the_same_files_in_forms():
    image = ProductImage(product=make_product(), image=SimpleUploadedFile("a.jpg", b"<svg/>"))
    with pytest.raises(ValidationError) as error:
        image.full_clean()
    assert "image" in error.value.message_dict


def test_a_producer_logo_is_checked_and_re_encoded(media_root):
    producer = make_producer(slug="htx-thu", logo=photo("PNG", size=(120, 120), name="../../x.png"))
    assert producer.logo.name.startswith("producers/htx-thu-")
    with pytest.raises(ValidationError):
        make_producer(logo=SimpleUploadedFile("logo.svg", b"<svg/>"))


def test_replacing_an_image_replaces_its_renditions(media_root, django_capture_on_commit_callbacks):
    image = make_image(image=photo("JPEG"))
    before = set(stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        image.image = photo("PNG", size=(1000, 500))
        image.save()
    after = set(stored_files(media_root))
    assert not before & after
    assert len(after) == 7
    assert image.renditions["large"]["width"] == 1000


def test_deleting_an_image_or_its_product_deletes_its_files(
    media_root, django_capture_on_commit_callbacks
):
    first, second = make_image(image=photo("JPEG")), make_image(image=photo("WEBP"))
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert len(stored_files(media_root)) == 7
    with django_capture_on_commit_callbacks(execute=True):
        second.product.delete()
    assert stored_files(media_root) == []


def test_rebuild_renditions_recuts_every_image(media_root):
    image = make_image(image=photo("JPEG"))
    ProductImage.objects.filter(pk=image.pk).update(renditions={}, width=None)
    call_command("rebuild_renditions", verbosity=0)
    image.refresh_from_db()
    assert image.width == 2000 and set(image.renditions) == {"thumb", "medium", "large"}
    assert len(stored_files(media_root)) == 7


def test_listings_and_detail_pages_use_srcset_with_sizes(client):
    image = make_image(image=photo("JPEG"), alt_text="")
    product = image.product
    for url in ["/products/", product.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert 'type="image/webp"' in html and " 400w" in html and " 1600w" in html, url
        assert 'sizes="' in html and 'width="800" height="480"' in html, url
        assert f'alt="{product.name}"' in html, url


def test_refusals_say_why_in_plain_words():
    upload = SimpleUploadedFile("a.jpg", png_header_only(8000, 6000))
    with pytest.raises(ValidationError) as error:
        make_image(image=upload)
    with translation.override("en"):
        assert error.value.messages == [
            "The image has more than 40 megapixels. Please upload a smaller photo."
        ]
