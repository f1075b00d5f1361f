from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import limits
from .forms import CorrectionReportForm

# Not in the page cache: the form holds a CSRF token, and each answer is one visitor's.


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request):
    if request.method != "POST":
        form = CorrectionReportForm(product_slug=request.GET.get("product", ""))
        return render(request, "corrections/report_form.html", {"form": form})
    form = CorrectionReportForm(request.POST)
    refusal, status = None, 200
    if form.is_valid():
        try:
            if not limits.over_limit(request):
                form.save(client_hash=limits.client_hash(request))
                return redirect("corrections:report-thanks")
            refusal, status = "limited", 429
        except limits.CounterUnavailable:
            refusal, status = "unavailable", 503
    context = {"form": form, "refusal": refusal, "minutes": limits.WINDOW_SECONDS // 60}
    return render(request, "corrections/report_form.html", context, status=status)


@never_cache
@require_safe
def report_thanks(request):
    return render(request, "corrections/report_thanks.html")
