from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from catalogue.caching import cache_public_page
from catalogue.models import Product
from catalogue.templatetags.seo_tags import json_ld

from . import downloads, records

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The CSV and XLSX columns (registry/exporting.py's public rows), as the page defines them.
FIELDS = {
    "product_name": _("The product's name, in Vietnamese."),
    "producer_name": _("The producer (chủ thể OCOP); empty when no source names it."),
    "producer_kind": _("cooperative, enterprise, household, cooperative_group or other."),
    "commune": _("The commune or ward since 1 July 2025; empty when the sources give none."),
    "category": _("The most specific level of the OCOP taxonomy that is known."),
    "stars": _("3, 4 or 5: the rating that shows the product's state today."),
    "score": _("The score out of 100, where a source prints it."),
    "decision_number": _("The rating decision's number, where a source prints it."),
    "decision_date": _("dd/mm/yyyy, mm/yyyy or yyyy: only as precise as the source."),
    "level": _("national (5 stars), provincial (3–4 stars) or district."),
    "issuer": _("The body that signed the decision."),
    "round_year": _("The year of the rating round."),
    "batch": _("The round's batch, as reported (đợt)."),
    "evidence": _("decision, report or later report: what the rating rests on."),
    "reported_on": _("The date of the report the rating comes from."),
    "valid_until": _("The end of validity, only where a source states it (else 36 months)."),
    "source": _("The addresses of the sources, separated by “ ; ”."),
    "note": _("What the sources disagree on or leave unclear."),
    "address": _("The producer's address as published."),
    "phone": _("The producer's public phone number."),
    "description": _("The product's short description."),
    "rating_state": _(
        "Today: in_force, reported, may_have_expired, expired, undated; empty: no rating."
    ),
    "url": _("The product's page on this site."),
}


def dataset_json_ld(files: list[downloads.DatasetFile], count: int) -> dict:
    """schema.org Dataset in a DataCatalog, with a DataDownload per file (DCAT's distributions)."""
    site = records.absolute("/")
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "OCOP Thái Nguyên — register of OCOP products",
        "alternateName": "Sản phẩm OCOP tỉnh Thái Nguyên",
        "description": (
            f"The {count} published OCOP products of Thái Nguyên province (Vietnam): producer, "
            "commune, category and each rating (stars, decision, dates at their precision, "
            "validity and state today) as its sources state it, with the sources."
        ),
        "url": records.absolute(reverse("opendata:dataset")),
        "license": LICENSE_URL,
        "isAccessibleForFree": True,
        "inLanguage": ["vi", "en", "fr"],
        "keywords": ["OCOP", "Thái Nguyên", "One Commune One Product", "Vietnam", "certification"],
        "spatialCoverage": {"@type": "Place", "name": "Thái Nguyên, Việt Nam"},
        "creator": {"@type": "Organization", "name": "OCOP Thái Nguyên", "url": site},
        "dateModified": max((f.modified for f in files), default=timezone.now()),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "OCOP Thái Nguyên", "url": site},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": f.content_type.split(";")[0],
                "contentUrl": records.absolute(reverse("opendata:download", args=[f.format])),
                "contentSize": f"{f.size} B",
                "dateModified": f.modified,
            }
            for f in files
        ]
        + [
            {
                "@type": "DataDownload",
                "encodingFormat": "application/json",
                "contentUrl": records.absolute("/api/v1/products"),
                "description": "The read-only API; its OpenAPI schema is /api/v1/openapi.json.",
            }
        ],
    }


@require_safe
@cache_public_page
def dataset(request):
    files = downloads.files_for_page()
    count = Product.objects.published().count()
    return render(
        request,
        "opendata/dataset.html",
        {
            "files": files,
            "count": count,
            "fields": [(name, FIELDS.get(name, "")) for name in downloads.headers()],
            "license_url": LICENSE_URL,
            "json_ld": json_ld(dataset_json_ld(files, count)),
        },
    )


@require_safe
def download(request, fmt):
    if fmt not in downloads.FORMATS:
        raise Http404
    file = downloads.current_file(fmt)
    response = FileResponse(
        downloads.default_storage.open(file.name, "rb"),
        as_attachment=True,
        filename=file.filename,
        content_type=file.content_type,
    )
    response["Content-Length"] = str(file.size)
    response["Last-Modified"] = http_date(file.modified.timestamp())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
