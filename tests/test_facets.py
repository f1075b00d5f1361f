"""Facet counts and removable filter chips on the product listings, checked against the database."""

from collections import Counter

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from catalogue.filters import NOT_RECORDED
from catalogue.models import Category, Producer, Product, ProductLink, RatingState
from places.models import Commune
from trade.models import SalesChannel

from .factories import make_link
from .factories_trade import make_channel, make_point

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_catalogue")]

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
PRODUCTS = reverse("catalogue:product-list")
FACET_NAMES = ["stars", "state", "category", "commune", "kind", "sold"]
# The state facet's order: the strongest record first, no rating last.
STATE_ORDER = [*RatingState.values, NOT_RECORDED]


@pytest.fixture(autouse=True)
def sales_channels(real_catalogue):
    """Where some products are sold: their own online shop, their producer's, an older shop link
    (ProductLink), an OCOP point of sale of theirs or of their producer's; one product both ways."""
    products = list(Product.objects.for_listing().filter(current_stars=4).order_by("pk"))
    point = make_point(commune=Commune.objects.order_by("pk").first())
    make_channel(product=products[0])
    make_channel(producer=products[1].producer)
    make_link(product=products[2])
    make_channel(
        product=products[3], kind=SalesChannel.Kind.POINT_OF_SALE, url="", point_of_sale=point
    )
    make_channel(
        producer=products[4].producer,
        kind=SalesChannel.Kind.POINT_OF_SALE,
        url="",
        point_of_sale=point,
    )
    make_channel(
        product=products[0], kind=SalesChannel.Kind.POINT_OF_SALE, url="", point_of_sale=point
    )


def sold(product: Product) -> set[str]:
    """Where to buy the product, as the "sold" filter names it."""
    channels = SalesChannel.objects.filter(product=product)
    if product.producer_id:
        channels |= SalesChannel.objects.filter(producer_id=product.producer_id)
    kinds = set(channels.values_list("kind", flat=True))
    if ProductLink.objects.filter(product=product).exists():
        kinds.add(SalesChannel.Kind.ONLINE)
    return {
        value
        for value, kind in [("online", "online"), ("point-of-sale", "point_of_sale")]
        if kind in kinds
    }


def site_text(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def get(client, url: str, params: dict | None = None):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def query_of(url: str) -> dict[str, str]:
    """The parameters of a facet or chip url ("?a=1&b=2")."""
    assert url.startswith("?")
    return QueryDict(url[1:]).dict()


def group_of(category: Category | None) -> Category | None:
    """The category group (nhóm) a product is counted in, if any."""
    if category is None or category.level == Category.Level.SECTOR:
        return None
    return category if category.level == Category.Level.GROUP else category.parent


def in_tree(category: Category | None, slug: str) -> bool:
    while category is not None:
        if category.slug == slug:
            return True
        category = category.parent
    return False


def expected_results(params: dict[str, str]) -> list[Product]:
    """The listing's products for `params`, filtered in Python over for_listing()."""
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        category.parent = categories.get(category.parent_id)
    products = list(Product.objects.for_listing())
    for product in products:
        product.category = categories.get(product.category_id)
    if q := params.get("q"):
        found = set(Product.objects.search(q).values_list("pk", flat=True))
        if not found and ON_POSTGRESQL:
            found = set(Product.objects.similar_to(q).values_list("pk", flat=True))
        products = [p for p in products if p.pk in found]
    if stars := params.get("stars"):
        products = [p for p in products if p.current_stars == int(stars)]
    if state := params.get("state"):
        products = [p for p in products if state_of(p) == state]
    if commune := params.get("commune"):
        products = [p for p in products if commune_slug(p) == commune]
    if kind := params.get("kind"):
        products = [p for p in products if p.producer and p.producer.kind == kind]
    if category := params.get("category"):
        products = [p for p in products if in_tree(p.category, category)]
    if where := params.get("sold"):
        products = [p for p in products if where in sold(p)]
    return products


def commune_slug(product: Product) -> str:
    commune = product.producer.commune if product.producer else None
    return commune.slug if commune else NOT_RECORDED


def state_of(product: Product) -> str:
    """The product's rating state as the state filter names it."""
    return product.rating_state or NOT_RECORDED


def expected_counts(products: list[Product]) -> dict[str, Counter]:
    return {
        "stars": Counter(str(p.current_stars) for p in products if p.current_stars),
        "state": Counter(state_of(p) for p in products),
        "category": Counter(g.slug for p in products if (g := group_of(p.category))),
        "commune": Counter(commune_slug(p) for p in products),
        "kind": Counter(p.producer.kind for p in products if p.producer),
        "sold": Counter(where for p in products for where in sold(p)),
    }


def expected_shown(products: list[Product], params: dict[str, str]) -> dict[str, Counter]:
    """expected_counts(), but with a way of selling selected, the other is not offered: its
    count would be of products sold both ways, while its link lists all sold that way."""
    counts = expected_counts(products)
    if where := params.get("sold"):
        counts["sold"] = Counter({where: counts["sold"][where]})
    return counts


def facet_value(group, facet, params: dict[str, str]) -> str:
    """The filter value a facet stands for: in its url, or in the page's own for a selected one."""
    return params[group.name] if facet.selected else query_of(facet.url)[group.name]


def shown_counts(response, params: dict[str, str]) -> dict[str, Counter]:
    return {
        group.name: Counter({facet_value(group, f, params): f.count for f in group.facets})
        for group in response.context["facets"]
    }


COMBINATIONS = [
    {},
    {"stars": "4"},
    {"commune": "dong-hy", "kind": "cooperative"},
    {"category": "thuc-pham", "q": "mat ong"},
    {"category": "che", "q": "tra", "stars": "4"},
    {"commune": NOT_RECORDED},
    {"kind": "enterprise", "sort": "name"},
    {"state": "expired"},
    {"state": "undated", "stars": "4", "kind": "cooperative"},
    {"state": "in_force", "q": "che"},
    {"sold": "online"},
    {"sold": "point-of-sale", "stars": "4"},
]
IDS = [
    "none",
    "stars",
    "commune-kind",
    "sector-q",
    "group-q-stars",
    "not-recorded",
    "kind-sort",
    "state",
    "state-stars-kind",
    "state-q",
    "sold-online",
    "sold-point-stars",
]


@pytest.mark.parametrize("params", COMBINATIONS, ids=IDS)
def test_facet_counts_match_the_database(client, params):
    """Every facet group counts the current results as Python counts them from for_listing()."""
    response = get(client, PRODUCTS, params)
    expected = expected_results(params)
    assert expected, "the combination should list something"
    assert set(response.context["page"].paginator.object_list) == set(expected)
    assert [group.name for group in response.context["facets"]] == FACET_NAMES
    assert shown_counts(response, params) == expected_shown(expected, params)


@pytest.mark.parametrize("params", COMBINATIONS, ids=IDS)
def test_facets_are_ordered_and_labelled(client, params):
    """Stars from 5 down, other groups largest first; labels are names, not slugs."""
    response = get(client, PRODUCTS, params)
    values = {
        group.name: [(facet_value(group, facet, params), facet) for facet in group.facets]
        for group in response.context["facets"]
    }
    stars = [value for value, _ in values["stars"]]
    assert stars == sorted(stars, reverse=True)
    states = [value for value, _ in values["state"]]
    assert states == sorted(states, key=STATE_ORDER.index)
    for name in ["category", "commune", "kind"]:
        counts = [facet.count for _, facet in values[name]]
        assert counts == sorted(counts, reverse=True), name
    with translation.override(settings.LANGUAGE_CODE):
        labels = {
            "stars": {s: gettext("%(stars)s stars") % {"stars": s} for s in ["3", "4", "5"]},
            "state": {state: str(label) for state, label in RatingState.choices}
            | {NOT_RECORDED: gettext("no rating on record")},
            "category": dict(Category.objects.values_list("slug", "name")),
            "commune": dict(Commune.objects.values_list("slug", "name"))
            | {NOT_RECORDED: gettext("Commune not recorded")},
            "kind": {kind: str(label) for kind, label in Producer.Kind.choices},
            "sold": {
                "online": gettext("sold online"),
                "point-of-sale": gettext("in an OCOP point of sale"),
            },
        }
        for name, facets in values.items():
            for value, facet in facets:
                assert str(facet.label) == labels[name][value], (name, value)


@pytest.mark.parametrize("params", COMBINATIONS, ids=IDS)
def test_following_a_facet_lists_exactly_its_count_and_keeps_the_other_filters(client, params):
    """A facet link narrows to `count` products; a selected facet's link removes only it."""
    response = get(client, PRODUCTS, params)
    for group in response.context["facets"]:
        for facet in group.facets:
            target = query_of(facet.url)
            others = {k: v for k, v in params.items() if k != group.name}
            if facet.selected:
                assert target == others, facet
                continue
            assert target == others | {group.name: target[group.name]}, facet
            followed = get(client, PRODUCTS + facet.url)
            assert not followed.context["filterset"].errors
            assert followed.context["page"].paginator.count == facet.count, facet
            assert len(expected_results(target)) == facet.count, facet


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"stars": "4"}, "stars"),
        ({"commune": "dong-phuc"}, "commune"),
        ({"commune": NOT_RECORDED}, "commune"),
        ({"kind": "enterprise", "q": "tra"}, "kind"),
        ({"category": "che", "q": "tra"}, "category"),
    ],
)
def test_the_selected_facet_is_marked_and_its_link_removes_it(client, params, name):
    response = get(client, PRODUCTS, {**params, "page": "1"})
    group = next(group for group in response.context["facets"] if group.name == name)
    selected = [facet for facet in group.facets if facet.selected]
    assert len(selected) == 1
    facet = selected[0]
    assert facet.count == response.context["page"].paginator.count
    assert query_of(facet.url) == {k: v for k, v in params.items() if k != name}
    widened = get(client, PRODUCTS + facet.url)
    assert widened.context["page"].paginator.count == len(expected_results(query_of(facet.url)))


def test_a_category_facet_never_widens_a_selected_product_set(client):
    """Following a category facet from a product-set filter lists exactly the facet's count."""
    response = get(client, PRODUCTS, {"category": "tra-thuc-vat-khac"})
    group = next(group for group in response.context["facets"] if group.name == "category")
    assert group.facets
    for facet in group.facets:
        if facet.selected:
            continue
        followed = get(client, PRODUCTS + facet.url)
        assert followed.context["page"].paginator.count == facet.count, facet


@pytest.mark.skipif(not ON_POSTGRESQL, reason="trigram similarity needs PostgreSQL")
def test_facets_count_close_matches(client):
    """With a typo, the facets count the close matches the page lists."""
    params = {"q": "tan cung"}
    response = get(client, PRODUCTS, params)
    assert response.context["filterset"].close_matches
    expected = expected_results(params)
    assert expected
    assert shown_counts(response, params) == expected_shown(expected, params)


def test_a_fixed_filter_has_no_facet(client):
    """Star, commune and category pages leave out the facet their URL fixes."""
    pages = {
        reverse("catalogue:star-detail", args=[4]): "stars",
        reverse("catalogue:commune-detail", args=["dong-hy"]): "commune",
        reverse("catalogue:category-detail", args=["che"]): "category",
    }
    for url, fixed in pages.items():
        response = get(client, url)
        names = [group.name for group in response.context["facets"]]
        assert names == [name for name in FACET_NAMES if name != fixed], url


def test_facets_on_a_fixed_page_count_within_the_fixed_filter(client):
    """On /stars/4/ the facets count 4-star products only, and their links keep no stars=."""
    response = get(client, reverse("catalogue:star-detail", args=[4]), {"kind": "cooperative"})
    expected = expected_results({"stars": "4", "kind": "cooperative"})
    counts = shown_counts(response, {"kind": "cooperative"})
    assert counts == {k: v for k, v in expected_counts(expected).items() if k != "stars"}
    for group in response.context["facets"]:
        for facet in group.facets:
            assert "stars" not in query_of(facet.url)


# Chips


def chip_names(response) -> list[str]:
    """The filter each chip stands for, found from what its link leaves out."""
    params = response.wsgi_request.GET.dict()
    params.pop("page", None)
    return [next(iter(set(params) - set(query_of(chip.url)))) for chip in response.context["chips"]]


def test_chips_list_the_active_filters_and_each_removes_only_its_own(client):
    params = {
        "q": "tra",
        "stars": "4",
        "state": "expired",
        "commune": "hop-thanh",
        "kind": "cooperative",
    }
    response = get(client, PRODUCTS, {**params, "sort": "name", "page": "2"})
    chips = response.context["chips"]
    assert chip_names(response) == ["q", "commune", "stars", "state", "kind"]
    labels = [str(chip.label) for chip in chips]
    with translation.override(settings.LANGUAGE_CODE):
        assert labels == [
            "“tra”",
            "Hợp Thành",
            translation.gettext("%(stars)s stars") % {"stars": 4},
            str(RatingState.EXPIRED.label),
            str(Producer.Kind.COOPERATIVE.label),
        ]
    for chip, name in zip(chips, chip_names(response), strict=True):
        remaining = {k: v for k, v in params.items() if k != name} | {"sort": "name"}
        assert query_of(chip.url) == remaining
        followed = get(client, PRODUCTS + chip.url)
        assert followed.context["page"].paginator.count == len(expected_results(remaining))


def test_chips_leave_out_the_filter_fixed_by_the_url(client):
    """On /stars/4/ there is no stars chip, even with ?stars=5 in the query string."""
    url = reverse("catalogue:star-detail", args=[4])
    response = get(client, url, {"q": "tra", "kind": "cooperative", "stars": "5"})
    chips = response.context["chips"]
    assert [query_of(chip.url) for chip in chips] == [
        {"kind": "cooperative", "stars": "5"},
        {"q": "tra", "stars": "5"},
    ]
    for chip in chips:
        followed = get(client, url + chip.url)
        assert {p.current_stars for p in followed.context["page"].paginator.object_list} == {4}
    commune_page = get(
        client, reverse("catalogue:commune-detail", args=["tan-cuong"]), {"stars": "5"}
    )
    assert [query_of(chip.url) for chip in commune_page.context["chips"]] == [{}]


def test_the_not_recorded_commune_chip(client):
    response = get(client, PRODUCTS, {"commune": NOT_RECORDED})
    [chip] = response.context["chips"]
    assert chip.label == site_text("Commune not recorded")
    assert chip.url == "?"


def test_an_invalid_filter_value_has_no_chip(client):
    response = get(client, PRODUCTS, {"stars": "9", "commune": "nope", "kind": "enterprise"})
    assert [query_of(chip.url) for chip in response.context["chips"]] == [
        {"stars": "9", "commune": "nope"}
    ]


def test_the_state_facet_keeps_expired_products_under_their_stars(client):
    """An expired or undated rating still shows its level: the star facet counts every product
    with a level on record, and the state facet tells which of them are in force."""
    response = get(client, PRODUCTS)
    facets = {group.name: group for group in response.context["facets"]}
    stars = {query_of(f.url)["stars"]: f.count for f in facets["stars"].facets}
    states = {query_of(f.url)["state"]: f.count for f in facets["state"].facets}
    listed = Product.objects.for_listing()
    assert sum(stars.values()) == listed.filter(current_stars__isnull=False).count()
    assert sum(states.values()) == listed.count() == 101
    assert states["expired"] > 0 and states["undated"] > 0
    assert states["in_force"] + states["reported"] == Product.objects.certified().count()
    # Keeping only what is in force.
    in_force = get(client, PRODUCTS, {"state": "in_force"}).context["page"].paginator
    assert in_force.count == states["in_force"]
    assert {p.rating_state for p in in_force.object_list} == {"in_force"}
    expired_4 = get(client, PRODUCTS, {"stars": "4", "state": "expired"})
    assert (
        expired_4.context["page"].paginator.count
        == len(expected_results({"stars": "4", "state": "expired"}))
        > 0
    )


def test_a_product_without_a_rating_has_the_not_recorded_state_facet(client):
    """A product with no rating on record is counted last, as "no rating on record"; its facet
    and chip lead to it alone."""
    from .factories import make_product

    product = make_product(name="Mật ong hoa bạc hà")
    response = get(client, PRODUCTS)
    group = next(group for group in response.context["facets"] if group.name == "state")
    last = group.facets[-1]
    assert query_of(last.url) == {"state": NOT_RECORDED}
    assert (str(last.label), last.count) == (site_text("no rating on record"), 1)
    followed = get(client, PRODUCTS + last.url)
    assert list(followed.context["page"].paginator.object_list) == [product]
    [chip] = followed.context["chips"]
    assert (str(chip.label), chip.url) == (site_text("no rating on record"), "?")
