from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from core.spreadsheets import write_csv
from places.models import Commune, CommuneAlias

from . import qrcodes
from .caching import cache_public_page, one_off, remember
from .filters import ProductFilter
from .models import Category, Producer, Product
from .statistics import Figures

PAGE_SIZE = 24
LABELS_PER_SHEET = 24  # A4, 3 × 8 stickers of 70 × 37 mm
# The query parameters of a product listing, for the page cache.
LISTING_PARAMETERS = (*ProductFilter.base_filters, "page")


class IdsFirstPaginator(Paginator):
    """Pages of a product queryset whose rows are joined only once chosen: the page's ids are
    picked in a subquery, through the listing's index alone. A deep page skips index entries,
    not joined rows, so page 200 costs about what page 1 costs, in the same one query."""

    def _get_page(self, object_list, number, paginator):
        page_ids = object_list.prefetch_related(None).values("pk")
        return super()._get_page(list(self.object_list.filter(pk__in=page_ids)), number, paginator)


def shows_page_asked(request, page) -> bool:
    """Whether `page` is the one the address asks for (not ?page=abc, 01 or past the end)."""
    return request.GET.get("page", str(page.number)) == str(page.number)


def product_listing(request, template="catalogue/product_list.html", fixed=None, **context):
    """The product list, with `fixed` filters (e.g. {"commune": slug}) set by the URL."""
    fixed = fixed or {}
    data = request.GET.copy()
    for name, value in fixed.items():
        data[name] = value
    filterset = ProductFilter(data, queryset=Product.objects.for_listing(), request=request)
    facets = filterset.facets(fixed=fixed)
    paginator = IdsFirstPaginator(filterset.qs, PAGE_SIZE)
    paginator.count = filterset.total  # counted by the facets' query: no second pass
    page = paginator.get_page(request.GET.get("page"))
    response = render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "facets": facets,
            "chips": filterset.active(fixed=fixed),
            # The CSV of this listing (registry:product-export), without the values its
            # filters refused.
            "export_query": filterset.url(**(dict.fromkeys(filterset.errors) | fixed)),
            "fixed": list(fixed),
            **context,
        },
    )
    overridden = any(request.GET.get(name, value) != value for name, value in fixed.items())
    if filterset.errors or overridden or not shows_page_asked(request, page):
        one_off(response)
    return response


def top_communes() -> list[Commune]:
    """The 12 communes with most products, for the home page."""
    communes = Commune.objects.with_product_count().filter(product_count__gt=0)
    return list(communes.order_by("-product_count", "name")[:12])


@require_safe
@cache_public_page
def home(request):
    return render(
        request,
        "catalogue/home.html",
        {
            "featured": Product.objects.for_listing().featured(),
            # Counted over the whole catalogue: once per catalogue version and day.
            "counts": remember("home-counts", Product.objects.published().headline_counts),
            "sectors": Category.objects.sectors(),
            "communes": remember("home-communes", top_communes),
        },
    )


@require_safe
@cache_public_page(parameters=LISTING_PARAMETERS)
def product_list(request):
    return product_listing(request)


@require_safe
@cache_public_page
def product_detail(request, slug):
    product = get_object_or_404(Product.objects.for_detail(), slug=slug)
    return render(
        request,
        "catalogue/product_detail.html",
        {
            "product": product,
            "related": Product.objects.for_listing().related_to(product),
        },
    )


@require_safe
@cache_public_page(parameters=("layout",))
def product_label(request, slug):
    product = get_object_or_404(Product.objects.for_detail(), slug=slug)
    layout = request.GET.get("layout")
    sheet = layout == "sheet"
    response = render(
        request,
        "catalogue/product_label.html",
        {"product": product, "sheet": sheet, "stickers": range(LABELS_PER_SHEET if sheet else 1)},
    )
    return response if layout in (None, "sheet") else one_off(response)


@require_safe
@cache_control(public=True, max_age=60 * 60 * 24)
def product_qr(request, slug, kind):
    product = get_object_or_404(Product.objects.published(), slug=slug)
    return HttpResponse(product.qr_code(kind), content_type=qrcodes.CONTENT_TYPES[kind])


@require_safe
@cache_public_page(parameters=("page",))
def producer_list(request):
    producers = Producer.objects.with_published_products().with_product_count()
    producers = producers.select_related("commune").order_by("name")
    page = Paginator(producers, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "catalogue/producer_list.html", {"page": page})
    return response if shows_page_asked(request, page) else one_off(response)


@require_safe
@cache_public_page
def producer_detail(request, slug):
    producer = get_object_or_404(
        Producer.objects.with_published_products().select_related("commune"), slug=slug
    )
    products = Product.objects.for_listing().filter(producer=producer).by_stars_then_name()
    return render(
        request, "catalogue/producer_detail.html", {"producer": producer, "products": products}
    )


@require_safe
@cache_public_page
def commune_list(request):
    return render(
        request,
        "catalogue/commune_list.html",
        {
            "communes": remember(
                "commune-list",
                lambda: list(
                    Commune.objects.with_product_count().order_by("-product_count", "name")
                ),
            ),
            "not_recorded_count": Product.objects.published()
            .filter(stored_commune_id__isnull=True)
            .count(),
        },
    )


@require_safe
@cache_public_page(parameters=LISTING_PARAMETERS)
def commune_detail(request, slug):
    communes = list(Commune.objects.by_slug_or_alias(slug)[:20])
    current = next((commune for commune in communes if commune.slug == slug), None)
    if current is None and len(communes) == 1:
        query = request.GET.urlencode()
        url = communes[0].get_absolute_url() + (f"?{query}" if query else "")
        return redirect(url, permanent=True)
    if current is None and communes:
        return render(
            request,
            "catalogue/commune_choice.html",
            {
                "communes": communes,
                "former_name": CommuneAlias.objects.filter(slug=slug).values_list(
                    "name", flat=True
                )[0],
            },
        )
    if current is None:
        raise Http404(_("No commune has this address."))
    return product_listing(
        request, "catalogue/commune_detail.html", fixed={"commune": slug}, commune=current
    )


@require_safe
@cache_public_page
def category_list(request):
    return render(
        request, "catalogue/category_list.html", {"sectors": Category.objects.tree_with_counts()}
    )


@require_safe
@cache_public_page(parameters=LISTING_PARAMETERS)
def category_detail(request, slug):
    category = get_object_or_404(Category.objects.select_related("parent__parent"), slug=slug)
    return product_listing(
        request,
        "catalogue/category_detail.html",
        fixed={"category": slug},
        category=category,
        subcategories=category.children.all(),
    )


@require_safe
@cache_public_page(parameters=LISTING_PARAMETERS)
def star_list(request, stars):
    if stars not in (3, 4, 5):
        raise Http404(_("OCOP ratings have 3, 4 or 5 stars."))
    return product_listing(
        request, "catalogue/star_detail.html", fixed={"stars": str(stars)}, stars=stars
    )


@require_safe
@cache_public_page
def statistics(request):
    figures = Figures()
    return render(
        request,
        "catalogue/statistics.html",
        {"figures": figures, "charts": figures.charts(), "comparisons": figures.comparisons()},
    )


@require_safe
def statistics_csv(request, chart):
    chart = Figures().chart(chart)
    if chart is None:
        raise Http404(_("There is no chart of this name."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ocop-thai-nguyen-{chart.slug}.csv"'
    write_csv(response, chart.csv_header, chart.csv_rows)
    return response


@require_safe
def sitemap_index(request, sitemaps):
    """The index of the sitemaps, every address at SITE_URL whatever host was asked.

    `sitemaps` are every app's sections, gathered by the root URLs (ocop_site/sitemaps.py).
    """
    response = sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap-section")
    site = urlsplit(settings.SITE_URL)
    for entry in response.context_data["sitemaps"]:
        entry.location = (
            urlsplit(entry.location)._replace(scheme=site.scheme, netloc=site.netloc).geturl()
        )
    return response


@require_safe
def sitemap_section(request, section, sitemaps):
    return sitemap_views.sitemap(request, sitemaps, section=section)


@require_safe
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {
            "admin_path": reverse("admin:index"),
            "sitemap_url": settings.SITE_URL.rstrip("/") + reverse("sitemap"),
        },
        content_type="text/plain; charset=utf-8",
    )
