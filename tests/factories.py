"""Small helpers that build valid objects, with overridable defaults."""

import datetime
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalogue.models import Category, Producer, Product, ProductImage, ProductLink
from certification.models import Certificate
from places.models import Commune, CommuneAlias
from sources.models import Lead, OfficialFigure, Source

_sequence = itertools.count(1)


def make_commune(**overrides) -> Commune:
    n = next(_sequence)
    fields = {"name": f"Xã Thử {n}", "kind": Commune.Kind.COMMUNE}
    return Commune.objects.create(**(fields | overrides))


def make_category(**overrides) -> Category:
    n = next(_sequence)
    fields = {"name": f"Nhóm thử {n}", "slug": f"nhom-thu-{n}", "level": Category.Level.SECTOR}
    if overrides.get("parent") is not None and "level" not in overrides:
        fields["level"] = overrides["parent"].level + 1
    return Category.objects.create(**(fields | overrides))


def make_producer(**overrides) -> Producer:
    n = next(_sequence)
    fields = {"name": f"HTX Thử {n}", "kind": Producer.Kind.COOPERATIVE}
    if "commune" not in overrides:
        fields["commune"] = make_commune()
    return Producer.objects.create(**(fields | overrides))


def make_product(**overrides) -> Product:
    n = next(_sequence)
    fields = {"name": f"Sản phẩm thử {n}"}
    if "producer" not in overrides:
        fields["producer"] = make_producer()
    return Product.objects.create(**(fields | overrides))


def make_certificate(**overrides) -> Certificate:
    n = next(_sequence)
    fields = {
        "stars": 4,
        "decision_number": f"{n}/QĐ-UBND",
        # The site's "today" is in Asia/Ho_Chi_Minh, which can differ from the host's date.
        "decision_date": timezone.localdate() - datetime.timedelta(days=30),
        "issuer": "UBND tỉnh Thái Nguyên",
        "issuer_level": Certificate.IssuerLevel.PROVINCE,
    }
    if "product" not in overrides:
        fields["product"] = make_product()
    return Certificate.objects.create(**(fields | overrides))


def make_certified_product(stars=4, **overrides) -> Product:
    product = make_product(**overrides)
    make_certificate(product=product, stars=stars)
    return product


def make_alias(**overrides) -> CommuneAlias:
    n = next(_sequence)
    fields = {"name": f"Xã Cũ {n}", "former_kind": "xã", "former_district": "huyện Thử"}
    if "commune" not in overrides:
        fields["commune"] = make_commune()
    return CommuneAlias.objects.create(**(fields | overrides))


def tiny_png(name: str = "photo.png") -> SimpleUploadedFile:
    """A valid 2×2 PNG file, small enough to write many times."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (40, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_image(**overrides) -> ProductImage:
    fields = {"image": tiny_png()}
    if "product" not in overrides:
        fields["product"] = make_product()
    if "position" not in overrides:
        product = overrides.get("product", fields.get("product"))
        fields["position"] = product.images.count()
    return ProductImage.objects.create(**(fields | overrides))


def make_link(**overrides) -> ProductLink:
    n = next(_sequence)
    fields = {"label": f"Cửa hàng {n}", "url": f"https://shop.example.invalid/{n}"}
    if "product" not in overrides:
        fields["product"] = make_product()
    return ProductLink.objects.create(**(fields | overrides))


def make_source(**overrides) -> Source:
    n = next(_sequence)
    fields = {"url": f"https://news.example.invalid/ocop-{n}", "kind": Source.Kind.PRESS}
    return Source.objects.create(**(fields | overrides))


def make_official_figure(further_sources=(), **overrides) -> OfficialFigure:
    """The merged province's total on 02/02/2026 unless told otherwise."""
    n = next(_sequence)
    fields = {
        "scope": f"Thái Nguyên (hợp nhất) {n}",
        "kind": OfficialFigure.Kind.PROVINCE,
        "as_of": datetime.date(2026, 2, 2),
        "total": 620,
        "stars5": 10,
    }
    if "source" not in overrides:
        fields["source"] = make_source()
    figure = OfficialFigure.objects.create(**(fields | overrides))
    figure.further_sources.set(further_sources)
    return figure


def make_lead(**overrides) -> Lead:
    n = next(_sequence)
    fields = {"name": f"Sản phẩm chưa rõ {n}", "former_address": "huyện Phú Bình, tỉnh Thái Nguyên"}
    if "source" not in overrides:
        fields["source"] = make_source()
    return Lead.objects.create(**(fields | overrides))
