"""Small helpers that build valid objects, with overridable defaults."""

import datetime
import itertools

from catalogue.models import Category, Commune, Producer, Product
from certification.models import Certificate

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
        "decision_date": datetime.date.today() - datetime.timedelta(days=30),
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
