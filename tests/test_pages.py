"""The public pages, through the test client: status codes, listings, filters and counts."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from catalogue.models import Category, Product
from catalogue.views import PAGE_SIZE
from places.models import Commune

from .factories import (
    make_alias,
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_producer,
    make_product,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def site_text(message: str) -> str:
    """`message` as the site shows it, in whatever language the site is in."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def certify(product: Product, stars: int, **overrides) -> Product:
    """Give `product` a certificate in force on the site's today."""
    today = timezone.localdate()
    make_certificate(product=product, stars=stars, decision_date=today - 60 * ONE_DAY, **overrides)
    return product


@pytest.fixture
def data(db):
    """A small catalogue: two communes, a category tree, three producers, published and not."""
    today = timezone.localdate()
    tan_cuong = make_commune(name="Tân Cương")
    phu_xuyen = make_commune(name="Phú Xuyên")
    make_commune(name="Xã Trống")
    food = make_category(name="Thực phẩm", slug="thuc-pham")
    tea = make_category(name="Chè", slug="che", parent=food)
    green = make_category(name="Chè xanh", slug="che-xanh", parent=tea)
    drinks = make_category(name="Đồ uống", slug="do-uong")
    hao_dat = make_producer(name="HTX Chè Hảo Đạt", commune=tan_cuong, kind="cooperative")
    viet_cuong = make_producer(name="Công ty Việt Cường", commune=phu_xuyen, kind="enterprise")
    household = make_producer(name="Hộ Nguyễn Văn A", commune=None, kind="household")
    hidden_only = make_producer(name="HTX Chưa Công Bố", commune=phu_xuyen)
    products = {
        "tea5": certify(
            make_product(name="Chè Tân Cương đặc biệt", producer=hao_dat, category=green), 5
        ),
        "tea4": certify(make_product(name="Chè búp Tân Cương", producer=hao_dat, category=tea), 4),
        "noodles": certify(
            make_product(name="Miến dong Việt Cường", producer=viet_cuong, category=food), 3
        ),
        "wine": certify(make_product(name="Rượu ngô", producer=viet_cuong, category=drinks), 4),
        "honey": certify(make_product(name="Mật ong rừng", producer=household, category=food), 4),
        "expired": make_product(name="Chè móc câu", producer=hao_dat, category=tea),
        "uncertified": make_product(name="Trà hoa vàng", producer=household),
        "hidden": certify(
            make_product(
                name="Chè ẩn chưa duyệt", producer=hao_dat, category=green, is_published=False
            ),
            5,
        ),
        "hidden_other": certify(
            make_product(name="Gạo ẩn", producer=hidden_only, category=food, is_published=False),
            4,
        ),
    }
    make_certificate(
        product=products["expired"],
        stars=4,
        decision_date=today - 1100 * ONE_DAY,
        valid_until=today - ONE_DAY,
    )
    return {
        "tan_cuong": tan_cuong,
        "phu_xuyen": phu_xuyen,
        "food": food,
        "tea": tea,
        "green": green,
        "drinks": drinks,
        "hao_dat": hao_dat,
        "viet_cuong": viet_cuong,
        "household": household,
        "hidden_only": hidden_only,
        **products,
    }


def listed(client, url: str, **params) -> list[Product]:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def published_now() -> list[Product]:
    """What the database says is public today, in the listing's default order."""
    return list(
        Product.objects.published()
        .select_related("producer", "category")
        .with_current_stars(on=timezone.localdate())
        .by_stars_then_name()
    )


def certified(products: list[Product]) -> list[Product]:
    """The products whose rating the record shows held today: in force or reported so."""
    return [p for p in products if p.rating_state in ("in_force", "reported")]


def in_tree(product: Product, category: Category) -> bool:
    node = product.category
    while node is not None:
        if node.pk == category.pk:
            return True
        node = node.parent
    return False


PRODUCTS = reverse("catalogue:product-list")

# Every page answers


PAGES = [
    lambda d: reverse("catalogue:home"),
    lambda d: PRODUCTS,
    lambda d: d["tea5"].get_absolute_url(),
    lambda d: d["expired"].get_absolute_url(),
    lambda d: d["uncertified"].get_absolute_url(),
    lambda d: reverse("catalogue:producer-list"),
    lambda d: d["hao_dat"].get_absolute_url(),
    lambda d: d["household"].get_absolute_url(),
    lambda d: reverse("catalogue:commune-list"),
    lambda d: d["tan_cuong"].get_absolute_url(),
    lambda d: reverse("catalogue:category-list"),
    lambda d: d["food"].get_absolute_url(),
    lambda d: d["green"].get_absolute_url(),
    lambda d: reverse("catalogue:star-detail", args=[3]),
    lambda d: reverse("catalogue:star-detail", args=[4]),
    lambda d: reverse("catalogue:star-detail", args=[5]),
]


@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_answers(client, data, page):
    """Home, listings and details all render with sample data."""
    response = client.get(page(data))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "page", [reverse("catalogue:home"), PRODUCTS, reverse("catalogue:commune-list")]
)
def test_pages_answer_with_an_empty_catalogue(client, db, page):
    """An empty database still gives 200, with an empty state rather than an error."""
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("stars", [0, 1, 2, 6, 9, 10])
def test_star_pages_exist_only_for_3_4_and_5(client, data, stars):
    """There is no /stars/2/ or /stars/9/."""
    assert client.get(reverse("catalogue:star-detail", args=[stars])).status_code == 404


@pytest.mark.parametrize("name", ["product", "producer", "category", "commune"])
def test_unknown_slugs_are_404(client, data, name):
    """An address for nothing is a 404, not a 500 or an empty page."""
    assert client.get(reverse(f"catalogue:{name}-detail", args=["khong-co"])).status_code == 404


# Former communes


def test_a_former_commune_redirects_permanently_to_its_new_commune(client, data):
    """/communes/<old-slug>/ answers 301 to the commune the old unit merged into."""
    make_alias(commune=data["tan_cuong"], name="Phúc Xuân", former_district="TP Thái Nguyên")
    response = client.get(reverse("catalogue:commune-detail", args=["phuc-xuan"]))
    assert response.status_code == 301
    assert response["Location"] == data["tan_cuong"].get_absolute_url()


def test_a_former_commune_redirect_keeps_the_filters(client, data):
    """Filters in the query string survive the redirect from an old commune name."""
    make_alias(commune=data["tan_cuong"], name="Phúc Xuân", former_district="TP Thái Nguyên")
    url = reverse("catalogue:commune-detail", args=["phuc-xuan"])
    response = client.get(url, {"stars": "5", "q": "chè"})
    assert response.status_code == 301
    assert response["Location"] == data["tan_cuong"].get_absolute_url() + "?stars=5&q=ch%C3%A8"


def test_a_former_commune_split_between_two_shows_a_choice(client, data):
    """An old unit split across two communes gets a page listing both."""
    make_alias(commune=data["tan_cuong"], name="Phúc Trìu", former_district="TP Thái Nguyên")
    make_alias(commune=data["phu_xuyen"], name="Phúc Trìu", former_district="TP Thái Nguyên")
    response = client.get(reverse("catalogue:commune-detail", args=["phuc-triu"]))
    assert response.status_code == 200
    assert set(response.context["communes"]) == {data["tan_cuong"], data["phu_xuyen"]}
    for commune in (data["tan_cuong"], data["phu_xuyen"]):
        assert f'href="{commune.get_absolute_url()}"' in response.content.decode()
    assert "“Phúc Trìu”" in response.content.decode()  # the name people know, not its slug


def test_a_current_commune_wins_over_a_former_unit_of_the_same_name(client, data):
    """When a slug is both a commune and an old unit elsewhere, the commune's page shows."""
    make_alias(commune=data["phu_xuyen"], name="Tân Cương", former_district="huyện Đại Từ")
    response = client.get(data["tan_cuong"].get_absolute_url())
    assert response.status_code == 200
    assert response.context["commune"] == data["tan_cuong"]


# Unpublished products stay hidden


def test_unpublished_products_are_404(client, data):
    """An unpublished product has no page, even with a certificate in force."""
    assert client.get(data["hidden"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda d: PRODUCTS,
        lambda d: reverse("catalogue:star-detail", args=[5]),
        lambda d: reverse("catalogue:star-detail", args=[4]),
        lambda d: d["tan_cuong"].get_absolute_url(),
        lambda d: d["phu_xuyen"].get_absolute_url(),
        lambda d: d["food"].get_absolute_url(),
        lambda d: d["green"].get_absolute_url(),
        lambda d: PRODUCTS + "?q=che+an",
        lambda d: PRODUCTS + "?q=gao",
    ],
)
def test_unpublished_products_never_appear_in_listings(client, data, url):
    """Listings, their counts and searches skip unpublished products."""
    response = client.get(url(data))
    assert response.status_code == 200
    page = response.context["page"]
    shown = set(page.object_list)
    assert data["hidden"] not in shown and data["hidden_other"] not in shown
    assert page.paginator.count == len(shown)
    assert all(product.is_published for product in shown)
    assert data["hidden"].name not in response.content.decode()


def test_unpublished_products_are_left_out_of_the_home_page(client, data):
    """Featured products and headline counts ignore unpublished products."""
    response = client.get(reverse("catalogue:home"))
    assert list(response.context["featured"]) == [data["tea5"]]
    assert response.context["counts"]["five_star"] == 1
    assert data["hidden"].name not in response.content.decode()
    communes = {c.pk: c.product_count for c in response.context["communes"]}
    assert communes[data["phu_xuyen"].pk] == 2


def test_unpublished_products_are_not_related_products(client, data):
    """The related products of a page never include an unpublished one."""
    response = client.get(data["tea4"].get_absolute_url())
    related = list(response.context["related"])
    assert related, "tea4 shares its commune and category with other products"
    assert data["hidden"] not in related
    assert data["tea4"] not in related
    assert all(product.is_published for product in related)


def test_a_product_without_category_or_commune_has_no_related_products(client, data):
    """With nothing to relate by, the related list is empty and the page still renders."""
    response = client.get(data["uncertified"].get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["related"]) == []


def test_producer_pages_show_only_published_products(client, data):
    """A producer's page and the producer list count only published products."""
    response = client.get(data["hao_dat"].get_absolute_url())
    assert set(response.context["products"]) == {data["tea5"], data["tea4"], data["expired"]}
    listing = client.get(reverse("catalogue:producer-list"))
    counts = {p.pk: p.product_count for p in listing.context["page"].object_list}
    assert counts == {
        data["hao_dat"].pk: 3,
        data["viet_cuong"].pk: 2,
        data["household"].pk: 2,
    }


def test_producer_list_leaves_out_producers_without_published_products(client, data):
    """A producer whose only product is unpublished is not listed."""
    response = client.get(reverse("catalogue:producer-list"))
    assert data["hidden_only"] not in response.context["page"].object_list
    assert data["hidden_only"].name not in response.content.decode()


def test_a_producer_with_only_unpublished_products_has_no_public_page(client, data):
    """Nothing about a producer is public until one of its products is."""
    assert client.get(data["hidden_only"].get_absolute_url()).status_code == 404


def test_commune_list_counts_match_the_database(client, data):
    """Each commune's product_count is its published products; empty communes still show."""
    response = client.get(reverse("catalogue:commune-list"))
    counts = {c.pk: c.product_count for c in response.context["communes"]}
    expected = {
        commune.pk: Product.objects.filter(producer__commune=commune, is_published=True).count()
        for commune in Commune.objects.all()
    }
    assert counts == expected
    assert counts[data["tan_cuong"].pk] == 3 and counts[data["phu_xuyen"].pk] == 2
    not_recorded = Product.objects.filter(producer__commune=None, is_published=True).count()
    assert response.context["not_recorded_count"] == not_recorded == 2


def test_home_counts_match_the_database(client, data):
    """The headline figures count published products whose rating is in force (or reported
    so): not the expired one, though it keeps its 4 stars in listings."""
    response = client.get(reverse("catalogue:home"))
    public = certified(published_now())
    assert data["expired"].pk not in {p.pk for p in public}
    assert response.context["counts"] == {
        "products": len(public),
        "five_star": sum(1 for p in public if p.current_stars == 5),
        "producers": len({p.producer_id for p in public}),
        "communes": len({p.producer.commune_id for p in public} - {None}),
    }
    assert response.context["counts"] == {
        "products": 5,
        "five_star": 1,
        "producers": 3,
        "communes": 2,
    }


def test_category_list_counts_include_descendants(client, data):
    """A sector counts its own products and those of its groups and product sets."""
    response = client.get(reverse("catalogue:category-list"))
    sectors = {sector.pk: sector for sector in response.context["sectors"]}
    for sector in sectors.values():
        expected = sum(1 for p in published_now() if p.category and in_tree(p, sector))
        assert sector.product_count == expected
    assert sectors[data["food"].pk].product_count == 5
    (tea,) = sectors[data["food"].pk].nodes
    assert tea.product_count == 3
    assert sectors[data["drinks"].pk].product_count == 1


# Filters


def test_the_product_list_shows_every_published_product_by_stars_then_name(client, data):
    """With no filter the list is all published products, best-rated first: an expired
    rating keeps its level; only the product with no rating on record comes last."""
    shown = listed(client, PRODUCTS)
    assert shown == published_now()
    stars = [p.current_stars for p in shown]
    rated = [s for s in stars if s is not None]
    assert rated == sorted(rated, reverse=True)
    assert stars[-1:] == [None] and shown[-1] == data["uncertified"]
    assert {(p.current_stars, p.rating_state) for p in shown if p == data["expired"]} == {
        (4, "expired")
    }


def test_filters_by_commune_and_stars_together(client, data):
    """commune and stars combine: only 4-star products of Tân Cương, in force or not;
    the state narrows them further."""
    shown = listed(client, PRODUCTS, commune="tan-cuong", stars="4")
    expected = [
        p
        for p in published_now()
        if p.producer.commune_id == data["tan_cuong"].pk and p.current_stars == 4
    ]
    assert shown == expected == [data["tea4"], data["expired"]]
    assert listed(client, PRODUCTS, commune="tan-cuong", stars="4", state="in_force") == [
        data["tea4"]
    ]
    assert listed(client, PRODUCTS, commune="tan-cuong", state="expired") == [data["expired"]]


def test_a_sector_filter_includes_its_groups_and_product_sets(client, data):
    """category=<sector> lists products of every category below the sector."""
    shown = listed(client, PRODUCTS, category="thuc-pham")
    expected = [p for p in published_now() if p.category and in_tree(p, data["food"])]
    assert shown == expected
    assert {data["tea5"], data["tea4"], data["noodles"], data["honey"]} <= set(shown)


def test_filters_by_producer_kind(client, data):
    """kind=enterprise lists the products of enterprises only."""
    shown = listed(client, PRODUCTS, kind="enterprise")
    assert shown == [p for p in published_now() if p.producer.kind == "enterprise"]
    assert set(shown) == {data["noodles"], data["wine"]}


def test_search_combines_with_other_filters(client, data):
    """q, category and stars narrow the list together."""
    # Chè móc câu is found through its producer's commune, Tân Cương.
    found = [data["tea5"], data["tea4"], data["expired"]]
    assert listed(client, PRODUCTS, q="che tan cuong") == found
    assert listed(client, PRODUCTS, q="CHE", category="che", stars="5") == [data["tea5"]]
    assert listed(client, PRODUCTS, q="mien dong", kind="enterprise") == [data["noodles"]]


def test_commune_not_recorded_lists_products_without_a_commune(client, data):
    """commune=not-recorded lists products whose producer has no commune."""
    shown = listed(client, PRODUCTS, commune="not-recorded")
    assert shown == [p for p in published_now() if p.producer.commune_id is None]
    assert set(shown) == {data["honey"], data["uncertified"]}


def test_sort_by_name(client, data):
    """sort=name orders by name as the database collates it."""
    shown = listed(client, PRODUCTS, sort="name")
    assert shown == list(Product.objects.published().order_by("name", "pk"))


def test_sort_by_stars(client, data):
    """sort=-stars puts the most stars first and uncertified products last."""
    shown = listed(client, PRODUCTS, sort="-stars")
    assert shown == published_now()
    assert [p.current_stars for p in shown][:1] == [5]
    assert shown[-1].current_stars is None


def test_sort_by_newest(client, data):
    """sort=newest puts the most recently added products first."""
    shown = listed(client, PRODUCTS, sort="newest")
    assert shown == list(Product.objects.published().order_by("-created_at", "-pk"))
    assert shown[0] == data["uncertified"]


def invalid_notice(content: str) -> str:
    """The text of the warning that lists rejected filter values."""
    match = re.search(r'<div class="notice notice--warning"[^>]*>(.*?)</div>', content, re.S)
    assert match, "the page shows no warning about the rejected filter"
    return match.group(1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stars", "9"),
        ("stars", "abc"),
        ("commune", "nope"),
        ("category", "nope"),
        ("kind", "x"),
        ("sort", "evil"),
    ],
)
def test_an_invalid_filter_is_ignored_with_a_visible_message(client, data, field, value):
    """An unknown filter value lists everything, and the page says which value was ignored."""
    response = client.get(PRODUCTS, {field: value})
    assert response.status_code == 200
    assert field in response.context["filterset"].errors
    assert list(response.context["page"].object_list) == published_now()
    assert value in invalid_notice(response.content.decode())


def test_a_valid_filter_shows_no_warning(client, data):
    """Good values show no warning."""
    response = client.get(PRODUCTS, {"stars": "4", "sort": "name", "commune": "tan-cuong"})
    assert not response.context["filterset"].errors
    assert "notice--warning" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999",
        "page=1.5",
        "stars=3&stars=4",
        "commune=tan-cuong&commune=nope",
        "q=%00",
        "commune=%00",
        "category=%00",
        "sort=%00",
        "stars=",
        "commune=",
        "q=%25",
        "unknown=1",
    ],
)
def test_odd_query_strings_never_fail(client, data, query):
    """Malformed or repeated parameters give a normal page."""
    response = client.get(f"{PRODUCTS}?{query}")
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_page_past_the_end_shows_the_last_page(client, data):
    """?page=99999 and ?page=-1 show the last page rather than an error."""
    for n in range(PAGE_SIZE + 3):
        make_product(name=f"Sản phẩm thêm {n:02}")
    count = len(published_now())
    for page in ["99999", "-1"]:
        response = client.get(PRODUCTS, {"page": page})
        assert response.status_code == 200
        assert response.context["page"].number == 2
        assert len(response.context["page"].object_list) == count - PAGE_SIZE


def test_repeated_stars_filter_uses_one_value(client, data):
    """?stars=3&stars=4 filters on one of the two values, never mixing or failing."""
    shown = listed(client, PRODUCTS + "?stars=3&stars=4")
    assert {p.current_stars for p in shown} in ({3}, {4})


@pytest.mark.parametrize("field", ["q", "stars", "commune", "category", "kind", "sort"])
def test_a_script_in_any_parameter_is_escaped(client, data, field):
    """A <script> in a parameter is echoed escaped (search box or warning), never as markup."""
    response = client.get(PRODUCTS, {field: "<script>alert(1)</script>"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_5000_character_search_answers(client, data):
    """A very long query is accepted and simply finds nothing."""
    response = client.get(PRODUCTS, {"q": "chè " * 1250})
    assert response.status_code == 200
    response = client.get(PRODUCTS, {"q": "x" * 5000})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_star_page_filter_cannot_be_overridden(client, data):
    """/stars/4/?stars=5 still lists 4-star products only."""
    shown = listed(client, reverse("catalogue:star-detail", args=[4]), stars="5")
    assert shown == [p for p in published_now() if p.current_stars == 4]
    assert {p.current_stars for p in shown} == {4}


def test_commune_page_filter_cannot_be_overridden(client, data):
    """/communes/tan-cuong/?commune=phu-xuyen still lists Tân Cương's products."""
    shown = listed(client, data["tan_cuong"].get_absolute_url(), commune="phu-xuyen")
    assert set(shown) == {data["tea5"], data["tea4"], data["expired"]}


def test_category_page_lists_its_descendants_and_keeps_its_filter(client, data):
    """/categories/che/ lists tea and green tea, even with ?category=do-uong."""
    shown = listed(client, data["tea"].get_absolute_url(), category="do-uong")
    assert set(shown) == {data["tea5"], data["tea4"], data["expired"]}


def test_star_page_combines_with_other_filters(client, data):
    """/stars/4/ can still be narrowed by commune, and by state."""
    fours = reverse("catalogue:star-detail", args=[4])
    assert listed(client, fours, commune="tan-cuong") == [data["tea4"], data["expired"]]
    assert listed(client, fours, commune="tan-cuong", state="in_force") == [data["tea4"]]


# Certification in time


def paragraph(content: str, css_class: str) -> str:
    """The first <p class="css_class"> of a page, its markup inside."""
    match = re.search(rf'<p class="{css_class}">(.*?)</p>', content, re.S)
    assert match, css_class
    return match.group(1)


def test_a_product_whose_certificate_expired_yesterday_keeps_its_stars_as_expired(client, data):
    """Expired yesterday: still on /stars/4/ (its latest level on record), but marked expired
    everywhere, left out when only ratings in force are asked for, and no longer counted as
    certified."""
    expired = data["expired"]
    fours = reverse("catalogue:star-detail", args=[4])
    assert expired in listed(client, fours)
    assert expired not in listed(client, fours, state="in_force")
    assert expired in listed(client, fours, state="expired")
    assert expired not in Product.objects.certified()
    response = client.get(expired.get_absolute_url())
    assert response.status_code == 200
    product = response.context["product"]
    assert (product.current_stars, product.rating_state) == (4, "expired")
    content = response.content.decode()
    stars = paragraph(content, "product__stars")
    assert "stars--4" in stars and "badge--expired" in stars
    assert "badge--in_force" not in stars
    assert "verdict--expired" in content and "verdict--in_force" not in content
    yesterday = timezone.localdate() - ONE_DAY
    sentence = paragraph(content, "rating-state")
    assert date_format(yesterday, "SHORT_DATE_FORMAT") in sentence
    card = client.get(PRODUCTS, {"q": "moc cau"}).content.decode()
    card_stars = paragraph(card, "card__stars")
    assert "stars--4" in card_stars and "badge--expired" in card_stars


def test_a_product_page_shows_its_certificate_in_force(client, data):
    """A certified product's page shows its stars and the certificate as in force."""
    response = client.get(data["tea5"].get_absolute_url())
    content = response.content.decode()
    stars = paragraph(content, "product__stars")
    assert "stars--5" in stars and "badge--in_force" in stars
    assert "verdict--in_force" in content
    # In words, with its last day in force: 36 months from the decision, less one day.
    last_day = data["tea5"].certificates.get().ends_on
    assert date_format(last_day, "SHORT_DATE_FORMAT") in paragraph(content, "rating-state")


def test_product_page_shows_images_and_links(client, data):
    """A product's photos (as renditions) and shop links are on its page."""
    image = make_image(product=data["tea5"])
    link = make_link(product=data["tea5"], label="Shopee")
    content = client.get(data["tea5"].get_absolute_url()).content.decode()
    assert image.picture["src"] in content
    assert link.url in content


def test_home_features_only_five_star_products_in_force(client, data):
    """The home page's featured products are the 5-star ones in force today: one whose rating
    expired keeps its 5 stars on /stars/5/, but is not featured."""
    expired_five = make_product(name="Chè năm sao hết hạn")
    today = timezone.localdate()
    make_certificate(
        product=expired_five, stars=5, decision_date=today - 1200 * ONE_DAY, valid_until=today
    )
    response = client.get(reverse("catalogue:home"))
    assert set(response.context["featured"]) == {data["tea5"], expired_five}
    expired_five.certificates.update(valid_until=today - ONE_DAY)
    call_command("clear_page_cache")  # update() sends no signal: the cached page would stay
    response = client.get(reverse("catalogue:home"))
    assert list(response.context["featured"]) == [data["tea5"]]
    assert expired_five in listed(client, reverse("catalogue:star-detail", args=[5]))


def test_producer_detail_of_a_producer_without_commune(client, data):
    """A producer without a commune still has a page, with its products."""
    response = client.get(data["household"].get_absolute_url())
    assert response.status_code == 200
    assert set(response.context["products"]) == {data["honey"], data["uncertified"]}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_public_pages_answer_only_get_and_head(client, data, method):
    """A POST (even with no CSRF check) to a public page is a 405, never a page or a 500."""
    client = Client(enforce_csrf_checks=False)
    for url in [reverse("catalogue:product-list"), data["tea5"].get_absolute_url()]:
        assert getattr(client, method)(url).status_code == 405
    assert client.head(reverse("catalogue:product-list")).status_code == 200
