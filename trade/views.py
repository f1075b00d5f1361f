from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from catalogue.caching import cache_public_page, one_off
from catalogue.models import Product

from . import limits, mail, places
from .filters import PointOfSaleFilter
from .forms import EnquiryForm
from .models import PointOfSale


@require_safe
@cache_public_page(parameters=("commune", "category"))
def point_list(request):
    filterset = PointOfSaleFilter(request.GET, queryset=PointOfSale.objects.for_listing())
    groups = places.by_commune(points=filterset.qs)
    response = render(
        request,
        "trade/point_list.html",
        {"filterset": filterset, "groups": groups, "total": sum(len(g.points) for g in groups)},
    )
    return one_off(response) if filterset.errors else response


@require_safe
@cache_public_page
def point_detail(request, slug):
    point = get_object_or_404(
        PointOfSale.objects.select_related("commune").prefetch_related("sources"), slug=slug
    )
    products = places.products_at(point)
    return render(request, "trade/point_detail.html", {"point": point, "products": products})


@require_safe
@cache_public_page
def visit(request):
    return render(request, "trade/visit.html", {"groups": places.visits()})


@require_safe
@cache_public_page
def place_map(request):
    groups = places.by_commune(
        points=PointOfSale.objects.for_listing(),
        tourism=places.tourism_products(),
        host_places=places.hosts(),
    )
    context = {
        "groups": groups,
        "markers": places.map_places(),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "trade/map.html", context)


# Not in the page cache: the form holds a CSRF token, and each answer is one visitor's.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enquiry(request, slug):
    product = get_object_or_404(Product.objects.published().select_related("producer"), slug=slug)
    if request.method != "POST":
        return render(
            request, "trade/enquiry_form.html", {"form": EnquiryForm(), "product": product}
        )
    form = EnquiryForm(request.POST)
    refusal, status = None, 200
    if form.is_valid():
        try:
            if not limits.over_limit(request):
                sent = form.save(commit=False)
                sent.product, sent.product_name = product, product.name
                sent.language, sent.client_hash = get_language(), limits.client_hash(request)
                sent.save()
                mail.send_enquiry(sent, product)
                return redirect("trade:enquiry-sent", slug=product.slug)
            refusal, status = "limited", 429
        except limits.CounterUnavailable:
            refusal, status = "unavailable", 503
    context = {
        "form": form,
        "product": product,
        "refusal": refusal,
        "minutes": limits.WINDOW_SECONDS // 60,
    }
    return render(request, "trade/enquiry_form.html", context, status=status)


@never_cache
@require_safe
def enquiry_sent(request, slug):
    product = get_object_or_404(Product.objects.published(), slug=slug)
    return render(request, "trade/enquiry_sent.html", {"product": product})
