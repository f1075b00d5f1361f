"""Uploaded images: checked by content, re-encoded without metadata, cut into renditions.

Product photos and producer logos go through the same checks wherever they come from
(admin, import, shell), because the checks run in the model's validators and save().
"""

import contextlib
import contextvars
import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Rendition name -> width in pixels: listing cards, the detail page, zoom.
RENDITION_WIDTHS = {"thumb": 400, "medium": 800, "large": 1600}
RENDITION_FORMATS = {"webp": "WEBP", "jpeg": "JPEG"}
QUALITY = 82


class MediaWriteError(OSError):
    """Media storage refused a write (disk full, read-only volume, object store down)."""


# The files written inside written_files_removed_on_error(), as (storage, name).
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("written", default=None)


@contextlib.contextmanager
def written_files_removed_on_error():
    """Delete every file saved through save_file() inside the block if the block fails.

    A rolled-back save must not leave the files of its first photos behind.
    """
    token = _written.set([])
    try:
        yield
    except BaseException:
        for storage, name in _written.get():
            with contextlib.suppress(Exception):
                storage.delete(name)
        raise
    finally:
        _written.reset(token)


def save_file(storage: Storage, name: str, content, max_length: int | None = None) -> str:
    """storage.save(), leaving no partial file behind when the write fails."""
    existed = None
    try:
        existed = storage.exists(name)
        saved = storage.save(name, content, max_length=max_length)
    except Exception as error:  # OSError from disk, botocore's errors from S3
        if existed is False:  # a truncated file where the write stopped
            with contextlib.suppress(Exception):
                storage.delete(name)
        raise MediaWriteError(f"Could not write {name}: {error}") from error
    if (written := _written.get()) is not None:
        written.append((storage, saved))
    return saved


def save_field_file(field_file, name: str, content) -> None:
    """field_file.save(name, content, save=False) through save_file()."""
    field = field_file.field
    target = field.generate_filename(field_file.instance, name)
    field_file.name = save_file(field_file.storage, target, content, field.max_length)
    field_file._set_instance_attribute(field_file.name, content)
    field_file._committed = True


@dataclass
class Checked:
    image: Image.Image  # loaded, orientation applied
    format: str  # JPEG, PNG or WEBP


def open_checked(file) -> Checked:
    """The image in `file`, or a ValidationError saying plainly why it is refused."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 10 MB. Please upload a smaller photo."), code="too_large"
        )
    file.seek(0)
    data = file.read(MAX_BYTES + 1)
    file.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 10 MB. Please upload a smaller photo."), code="too_large"
        )
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG or WebP image, or it is damaged."), code="invalid_image"
    )
    too_many_pixels = ValidationError(
        _("The image has more than 40 megapixels. Please upload a smaller photo."),
        code="too_many_pixels",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except (OSError, ValueError):
            raise not_an_image from None
        if probe.format not in FORMATS:
            raise not_an_image
        if probe.width * probe.height > MAX_PIXELS:
            raise too_many_pixels
        try:
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()  # verify() misses truncated data; decoding does not
            image = ImageOps.exif_transpose(image)
        except Exception:  # Pillow raises many kinds for broken files
            raise not_an_image from None
    return Checked(image, probe.format)


def validate_image(file) -> None:
    """Model field validator: refuse anything open_checked() refuses."""
    if file and not getattr(file, "_committed", True):
        open_checked(file)


def _flattened(image: Image.Image, keep_alpha: bool) -> Image.Image:
    if keep_alpha and image.mode in ("RGBA", "LA", "P"):
        return image.convert("RGBA")
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")


def encode(image: Image.Image, image_format: str) -> bytes:
    """The image in a new file of `image_format`, with no EXIF, XMP, ICC or text chunks."""
    buffer = io.BytesIO()
    clean = _flattened(image, keep_alpha=image_format in ("PNG", "WEBP")).copy()
    clean.info = {}  # PNG would otherwise copy the ICC profile and text chunks back in
    options = {"optimize": True} if image_format == "PNG" else {"quality": QUALITY}
    if image_format == "JPEG":
        options["progressive"] = True
    clean.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def stored_name(stem: str, extension: str) -> str:
    """A file name made by us, never by the uploader: the slug and a random token."""
    return f"{stem[:60] or 'image'}-{secrets.token_hex(4)}.{extension}"


def store_original(file, stem: str) -> tuple[ContentFile, Image.Image]:
    """The re-encoded file to store in place of the upload, and the decoded image."""
    checked = open_checked(file)
    content = ContentFile(encode(checked.image, checked.format))
    content.name = stored_name(stem, FORMATS[checked.format])
    return content, checked.image


def make_renditions(image: Image.Image, name: str, storage: Storage) -> dict:
    """Write the renditions of `image` beside `name`; their names and sizes, by rendition."""
    base = name.rsplit(".", 1)[0]
    renditions = {}
    for key, width in RENDITION_WIDTHS.items():
        width = min(width, image.width)  # never enlarge
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        entry = {"width": width, "height": height}
        for kind, image_format in RENDITION_FORMATS.items():
            path = f"{base}-{key}.{'jpg' if kind == 'jpeg' else kind}"
            if storage.exists(path):
                storage.delete(path)
            entry[kind] = save_file(storage, path, ContentFile(encode(resized, image_format)))
        renditions[key] = entry
    return renditions


def delete_files(storage: Storage, name: str, renditions: dict) -> None:
    names = [name] if name else []
    for entry in (renditions or {}).values():
        names += [entry.get(kind) for kind in RENDITION_FORMATS if entry.get(kind)]
    for path in names:
        storage.delete(path)
