from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalogue.filters import ProductFilter
from catalogue.models import Product
from core.spreadsheets import write_csv

from . import exporting


@require_safe
def product_export(request):
    """The current listing, filters applied, as CSV: one row per product, with the rating
    that shows its state today and that state."""
    filterset = ProductFilter(request.GET, queryset=Product.objects.for_listing(), request=request)
    if filterset.errors:  # a list other than the one asked for would mislead
        message = _("Unknown value for %(label)s: ‘%(value)s’ — remove it to download the list.")
        lines = [
            message % {"label": label, "value": value[:80]} for label, value in filterset.refused()
        ]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ocop-thai-nguyen.csv"'
    rows = exporting.current_rows(filterset.qs, url=request.build_absolute_uri)
    write_csv(response, [*exporting.headers(english=True), *exporting.CURRENT_EXTRA_HEADERS], rows)
    return response
