"""schema.org JSON-LD for search engines, as plain dicts (rendered by seo_tags.json_ld).

An OCOP star rating is an official certification with a validity period, so it is a
`hasCertification` → `Certification`, never an `aggregateRating` (a review score).
Demo certificates carry placeholder decision numbers and are left out: they certify nothing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SCHEMA = "https://schema.org"


def absolute(url: str) -> str:
    """`url` at SITE_URL, unless it already names its host (media on a CDN)."""
    if not url or urlsplit(url).scheme:
        return url
    return settings.SITE_URL.rstrip("/") + url


def image_url(image) -> str:
    """The largest rendition's JPEG (or the original) of a ProductImage."""
    return absolute(image.picture["zoom"])


def organization(producer) -> dict:
    data = {
        "@context": SCHEMA,
        "@type": "Organization",
        "@id": absolute(producer.get_absolute_url()) + "#organization",
        "name": producer.name,
        "url": absolute(producer.get_absolute_url()),
    }
    address = producer.address or (producer.commune.name if producer.commune else "")
    if address:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": address,
            "addressRegion": "Thái Nguyên",
            "addressCountry": "VN",
        }
        if producer.commune:
            data["address"]["addressLocality"] = producer.commune.name
    if producer.phone:
        data["telephone"] = producer.phone
    if producer.email:
        data["email"] = producer.email
    if producer.website:
        data["sameAs"] = [producer.website]
    if producer.logo:
        data["logo"] = absolute(producer.logo.url)
    return data


def certification(certificate, on=None) -> dict:
    on = on or timezone.localdate()
    in_force = certificate.status(on) == "in_force"
    status = "CertificationActive" if in_force else "CertificationInactive"
    issuer = certificate.issuer or str(certificate.get_issuer_level_display())
    data = {
        "@type": "Certification",
        "name": f"OCOP {certificate.stars}★",
        "certificationRating": {
            "@type": "Rating",
            "ratingValue": certificate.stars,
            "bestRating": 5,
            "worstRating": 3,
        },
        "certificationStatus": f"{SCHEMA}/{status}",
    }
    # Only the facts on record: a decision number, exact dates, an issuer.
    if certificate.decision_number:
        data["certificationIdentification"] = certificate.decision_number
    if issuer:
        data["issuedBy"] = {"@type": "Organization", "name": issuer}
    if certificate.decided and certificate.decided.precision == "day":
        data["validFrom"] = certificate.decision_date.isoformat()
    if certificate.ends_on and certificate.ends_on == certificate.ends_by:
        data["expires"] = certificate.ends_on.isoformat()
    return data


def product(product, on=None) -> dict:
    """A Product from for_detail(): images, producer, category and certificates loaded."""
    url = absolute(product.get_absolute_url())
    data = {
        "@context": SCHEMA,
        "@type": "Product",
        "@id": url + "#product",
        "name": str(product.localized_name),
        "url": url,
        "sku": product.public_code,
        "productID": product.public_code,
    }
    if product.producer:
        data["brand"] = {
            "@type": "Organization",
            "name": product.producer.name,
            "url": absolute(product.producer.get_absolute_url()),
        }
    if product.localized_summary:
        data["description"] = str(product.localized_summary)
    images = [image_url(image) for image in product.images.all()]
    if images:
        data["image"] = images
    if product.category:
        data["category"] = str(product.category.localized_name)
    if product.price_vnd:
        data["offers"] = {
            "@type": "Offer",
            "price": product.price_vnd,
            "priceCurrency": "VND",
            "url": url,
        }
    # Only what the record shows held: a rating in force on `on`, from its decision or a report.
    certifications = [
        certification(certificate, on)
        for certificate in product.certificates.all()
        if certificate.status(on) == "in_force" and certificate.stars
    ]
    if certifications:
        data["hasCertification"] = certifications
    return data


def breadcrumb_list(trail: list[tuple[str, str]]) -> dict:
    """(name, path) from the home page down to the current page."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": str(name), "item": absolute(path)}
            for i, (name, path) in enumerate(trail, start=1)
        ],
    }


def home() -> tuple[str, str]:
    return (_("Home"), reverse("catalogue:home"))


def product_breadcrumbs(product) -> dict:
    """As on the page: Home › the commune (or Products) › the product."""
    commune = product.commune
    parent = (
        (commune.name, commune.get_absolute_url())
        if commune
        else (_("Products"), reverse("catalogue:product-list"))
    )
    return breadcrumb_list([home(), parent, (product.localized_name, product.get_absolute_url())])


def producer_breadcrumbs(producer) -> dict:
    return breadcrumb_list(
        [
            home(),
            (_("Producers"), reverse("catalogue:producer-list")),
            (producer.name, producer.get_absolute_url()),
        ]
    )


def commune_breadcrumbs(commune) -> dict:
    return breadcrumb_list(
        [
            home(),
            (_("Communes"), reverse("catalogue:commune-list")),
            (commune.name, commune.get_absolute_url()),
        ]
    )


def category_breadcrumbs(category) -> dict:
    return breadcrumb_list(
        [
            home(),
            (_("Categories"), reverse("catalogue:category-list")),
            *[(c.localized_name, c.get_absolute_url()) for c in category.ancestors()],
            (category.localized_name, category.get_absolute_url()),
        ]
    )
