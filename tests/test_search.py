"""Search through the public listing and through Product.objects.search(), on the real fixtures."""

import unicodedata

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from catalogue.models import Category, Producer, Product
from places.models import Commune, CommuneAlias

from .factories import make_certified_product, make_producer, make_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_catalogue")]

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="trigram similarity needs PostgreSQL"
)
needs_sqlite = pytest.mark.skipif(
    ON_POSTGRESQL, reason="PostgreSQL answers a typo with close matches instead"
)

PRODUCTS = reverse("catalogue:product-list")
# The teas of HTX Chè Hảo Đạt, and those of HTX Trà Cao Sơn, both in Tân Cương: several
# products share a name, so these are slugs.
HAO_DAT_TEA = {"che-dinh-tan-cuong", "che-moc-cau-htx-che-hao-dat", "che-tom-non-htx-che-hao-dat"}
TAN_CUONG_TEA = HAO_DAT_TEA | {
    "che-dinh",
    "che-moc-cau-htx-tra-cao-son",
    "che-tom-non-htx-tra-cao-son",
}
HONEY = {
    "Mật ong Phúc Thành",
    "Mật ong Thanh Thịnh",
    "Mật ong rừng nguyên chất",
    "Mật ong tinh túy hoa nhãn",
    "Vicumax Mật ong Nano Curcumin",
    "Viên tinh nghệ mật ong",
}


def site_text(message: str) -> str:
    """`message` as the site shows it, in whatever language the site is in."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def close_match_notice(query: str) -> str:
    message = site_text("Nothing matched “%(query)s” exactly. These are close matches.")
    return message % {"query": query}


def search_page(client, q: str, **params):
    with override_settings(PAGE_CACHE_TIMEOUT=0):  # drawn each time: its context is read
        response = client.get(PRODUCTS, {"q": q, **params})
    assert response.status_code == 200
    return response


def listed(client, q: str, **params) -> list[Product]:
    """Every product the listing finds for `q`, over all its pages, in the listing's order."""
    return list(search_page(client, q, **params).context["page"].paginator.object_list)


def names(products) -> set[str]:
    return {product.name for product in products}


def slugs(products) -> set[str]:
    return {product.slug for product in products}


def of_commune(slug: str) -> set[str]:
    """The slugs of the products made in the commune `slug`."""
    return slugs(Product.objects.published().filter(producer__commune__slug=slug))


# Spelling: accents, case, đ, tone-mark placement


def test_accents_case_and_spacing_do_not_matter(client):
    """Every spelling of 'Chè Tân Cương' lists the same six Tân Cương teas."""
    spellings = [
        "che tan cuong",
        "Chè Tân Cương",
        "CHE TAN CUONG",
        "CHÈ TÂN CƯƠNG",
        unicodedata.normalize("NFD", "Chè Tân Cương"),
        "  chè   tân\tcương ",
    ]
    for query in spellings:
        assert slugs(listed(client, query)) == TAN_CUONG_TEA, query
        assert slugs(Product.objects.search(query)) == TAN_CUONG_TEA, query


def test_mien_dong_without_diacritics_finds_mien_dong_tai_hoan(client):
    """'mien dong' finds 'Miến dong Tài Hoan', and 'Miến Việt Cường' of Đồng Hỷ (the place is
    searched too), both as name matches; no other product."""
    found = listed(client, "mien dong")
    assert names(found) == {"Miến dong Tài Hoan", "Miến Việt Cường"}
    assert names(Product.objects.search("mien dong")) == names(found)
    assert {p.name_match for p in Product.objects.search("mien dong")} == {1}
    assert [p.name for p in listed(client, "mien dong tai hoan")] == ["Miến dong Tài Hoan"]


def test_mat_ong_finds_the_honey_products(client):
    """'mat ong' (or its synonym 'honey') finds every product with honey in its name."""
    assert HONEY == {p.name for p in Product.objects.all() if "mật ong" in p.name.lower()}
    for query in ["mat ong", "Mật ong", "MẬT ONG", "honey"]:
        assert names(listed(client, query)) == HONEY, query


def test_d_with_stroke_matches_d(client):
    """đ and Đ are searched as d: 'dinh' finds 'Chè Đinh Tân Cương' and 'Trà đinh Đạt Phát'."""
    found = names(listed(client, "dinh"))
    assert {"Chè Đinh Tân Cương", "Trà đinh Đạt Phát"} <= found
    for query in ["Đinh", "đinh", "ĐINH"]:
        assert names(listed(client, query)) == found, query
    assert names(listed(client, "đạt phát")) == names(listed(client, "dat phat"))


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["văn hoá", "văn hóa", "van hoa"], "Du lịch văn hóa dân tộc Tày bản làng Thái Hải"),
        (["hoà bình", "hòa bình", "HOÀ BÌNH"], "Trà Hích"),
    ],
)
def test_tone_mark_on_either_vowel_matches(client, spellings, expected):
    """Old-style 'hoà' and new-style 'hòa' put the mark on different vowels; both match."""
    results = [names(listed(client, spelling)) for spelling in spellings]
    assert expected in results[0]
    assert all(result == results[0] for result in results)


# Synonyms and former communes


def test_che_tra_and_tea_are_synonyms(client):
    """'che', 'tra' and 'tea' find the same products, named with either word."""
    che, tra, tea = (names(listed(client, word)) for word in ["che", "tra", "tea"])
    assert che == tra == tea
    assert {"Chè móc câu", "Trà móc câu Đạt Phát", "Hồng Đỉnh trà"} <= che


def test_tea_does_not_find_processed_food(client):
    """'tea' finds teas, not the sausages of the group 'Thực phẩm chế biến' (processed food)."""
    found = names(listed(client, "tea"))
    assert "Trà Shan tuyết" in found
    assert not {"Lạp sườn", "Bún khô Huyền Nga", "Bánh gio Pắc San"} & found


def test_a_synonym_inside_a_longer_query(client):
    """'trà móc câu' also finds 'Chè móc câu', and 'chè móc câu' the trà ones."""
    expected = {
        "Chè móc câu",
        "Trà móc câu Đạt Phát",
        "Trà móc câu Minh Đức",
        "Trà móc câu hương quê",
    }
    for query in ["tra moc cau", "chè móc câu", "tea moc cau"]:
        assert names(listed(client, query)) == expected, query


def test_a_former_commune_name_finds_the_products_of_its_new_commune(client):
    """Thịnh Đức merged into Tân Cương on 1 July 2025: its name finds Tân Cương's products."""
    assert CommuneAlias.objects.get(slug="thinh-duc").commune.slug == "tan-cuong"
    expected = of_commune("tan-cuong")
    assert len(expected) == 7
    assert slugs(listed(client, "thinh duc")) == expected
    assert slugs(listed(client, "Thịnh Đức")) == expected


# Every word, any order


def test_words_match_in_any_order(client):
    """Word order does not matter."""
    expected = names(listed(client, "che moc cau"))
    assert expected
    for query in ["cau moc che", "moc che cau", "câu chè móc", "Móc Câu Trà"]:
        assert names(listed(client, query)) == expected, query


def test_every_word_must_match(client):
    """Words are ANDed: honey is not made in Tân Cương, so 'mat ong tan cuong' matches nothing.

    (The listing on PostgreSQL then falls back to close matches: see the typo tests.)
    """
    assert listed(client, "mat ong") and listed(client, "tan cuong")
    assert list(Product.objects.search("mat ong tan cuong")) == []
    response = search_page(client, "mat ong thanh thinh")
    assert not response.context["filterset"].close_matches
    found = list(response.context["page"].paginator.object_list)
    assert found
    for product in found:
        assert " mat ong" in product.search_text
        assert " thanh thinh" in product.search_text


def test_a_word_matches_at_the_start_of_a_word_only(client):
    """'ong' finds 'ong' and 'ông' words, not the 'ong' inside 'dong' or 'phong'."""
    for product in listed(client, "ong"):
        assert " ong" in product.search_text
    assert "Miến dong Tài Hoan" not in names(listed(client, "ong"))


# What is searched


def test_the_producer_name_is_searched(client):
    """'hao dat' finds the products of HTX Chè Hảo Đạt."""
    hao_dat = slugs(Product.objects.filter(producer__slug="htx-che-hao-dat"))
    assert hao_dat == HAO_DAT_TEA
    assert slugs(listed(client, "hảo đạt")) == hao_dat


def test_the_commune_is_searched(client):
    """'Đồng Phúc' finds every product made in the commune Đồng Phúc."""
    assert len(of_commune("dong-phuc")) >= 4
    assert of_commune("dong-phuc") <= slugs(listed(client, "Đồng Phúc"))


def test_the_category_is_searched(client):
    """'Đồ uống có cồn' finds the products of that category, whatever their names."""
    category = Category.objects.get(slug="do-uong-co-con")
    expected = names(Product.objects.in_category(category))
    assert "Rượu mơ Asuka" in expected
    assert names(listed(client, "đồ uống có cồn")) == expected


@pytest.mark.parametrize(
    ("query", "sector"), [("dược liệu", "duoc-lieu"), ("beverages", "do-uong")]
)
def test_the_parent_sector_of_the_category_is_searched(client, query, sector):
    """A sector's name (Vietnamese or English) finds the products of the groups below it."""
    sector = Category.objects.get(slug=sector)
    below = Product.objects.published().filter(category__parent=sector)
    assert below.exists()
    assert names(below) <= names(listed(client, query))
    assert "Vicumax Nano Curcumin" in names(listed(client, "duoc lieu"))


def test_the_description_is_searched(client):
    """Words found only in the short description find the product."""
    assert listed(client, "muối theo cách người tày") == []
    product = Product.objects.get(slug="mang-ot-phong-phin")
    product.summary = "Măng rừng muối ớt theo cách người Tày."
    product.save()
    found = listed(client, "muoi theo cach nguoi tay")
    assert slugs(found) == {"mang-ot-phong-phin"}
    assert "theo cách người Tày" in found[0].summary


# Ranking


def test_name_matches_rank_above_other_matches(client):
    """Products whose names (product, producer, place) hold every word come first.

    Within each rank the stars order them.
    """
    in_name_3 = make_certified_product(stars=3, name="Nụ zang khâu")
    in_name_none = make_product(name="Khâu zang sấy khô")
    in_summary_5 = make_certified_product(stars=5, name="Trà thảo mộc", summary="Từ nụ zang khâu")
    in_producer_5 = make_certified_product(
        stars=5, name="Trà an thần", producer=make_producer(name="HTX Zang Khâu")
    )
    split_5 = make_certified_product(stars=5, name="Zang khô", summary="Hái ở Khâu Vai")
    make_certified_product(stars=5, name="Chè xanh")

    found = listed(client, "zang khau")
    assert found[:3] == [in_producer_5, in_name_3, in_name_none]
    assert set(found[3:]) == {in_summary_5, split_5}
    annotated = {product: product.name_match for product in Product.objects.search("zang khau")}
    assert annotated == {
        in_name_3: 1,
        in_name_none: 1,
        in_producer_5: 1,
        in_summary_5: 0,
        split_5: 0,
    }


def test_an_explicit_sort_overrides_the_name_first_ranking(client):
    """sort=-stars orders the search results by stars, name matches or not."""
    in_name = make_certified_product(stars=3, name="Nụ zang khâu")
    in_summary = make_certified_product(stars=5, name="Trà thảo mộc", summary="Từ nụ zang khâu")
    assert listed(client, "zang khau") == [in_name, in_summary]
    assert listed(client, "zang khau", sort="-stars") == [in_summary, in_name]


# Empty results and long queries


def test_no_results_suggest_clearing_the_filters(client):
    """A search that finds nothing says so and offers to clear the filters."""
    response = search_page(client, "xyzzy qwrt", stars="5")
    assert list(response.context["page"].object_list) == []
    content = response.content.decode()
    assert site_text("No products match these filters.") in content
    assert f'href="{PRODUCTS}">{site_text("Clear filters")}</a>' in content


def test_no_results_show_no_close_match_notice(client):
    """When nothing at all is found, the page does not claim to show close matches."""
    response = search_page(client, "xyzzy qwrt")
    assert list(response.context["page"].object_list) == []
    assert not response.context["filterset"].close_matches
    assert close_match_notice("xyzzy qwrt") not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mật ong " * 700, HONEY),
        ("x" * 5000, set()),
        ("chè tân cương " * 400, {"Chè Đinh Tân Cương", "Chè móc câu", "Chè tôm nõn", "Chè đinh"}),
    ],
    ids=["repeated-words", "one-long-word", "long-repeated-phrase"],
)
def test_a_5000_character_query_is_cut_not_refused(client, query, expected):
    """A query of 5,000 characters or more answers normally; only its start is searched."""
    assert len(query) >= 5000
    assert names(listed(client, query)) == expected
    assert names(Product.objects.search(query)) == expected


# The search text follows edits


def test_search_follows_a_renamed_producer(client):
    producer = Producer.objects.get(slug="htx-che-hao-dat")
    producer.name = "HTX Búp Vàng Lũng Thử"
    producer.save()
    assert slugs(listed(client, "bup vang lung thu")) == HAO_DAT_TEA


def test_search_follows_a_renamed_commune(client):
    commune = Commune.objects.get(slug="tan-cuong")
    commune.name = "Lũng Thử Mới"
    commune.save()
    assert slugs(listed(client, "lũng thử mới")) == of_commune("tan-cuong")


def test_search_follows_a_renamed_category_and_its_sector(client):
    """Renaming a sector reaches the products of the groups below it."""
    sector = Category.objects.get(slug="duoc-lieu")
    sector.name = "Thảo dược quý"
    sector.save()
    assert names(listed(client, "thao duoc quy")) == names(Product.objects.in_category(sector))
    group = Category.objects.get(slug="tinh-dau")
    group.name = "Hương liệu núi rừng"
    group.save()
    assert names(listed(client, "huong lieu nui rung")) == {"Tinh dầu quýt", "Tinh dầu sả"}


def test_search_follows_a_new_former_unit(client):
    """A former unit added to a commune makes its products findable by that old name."""
    assert list(Product.objects.search("ze lung")) == []
    CommuneAlias.objects.create(
        commune=Commune.objects.get(slug="tan-cuong"), name="Zê Lũng", former_kind="xã"
    )
    assert slugs(listed(client, "ze lung")) == of_commune("tan-cuong")


# Typos: trigram close matches on PostgreSQL only


@needs_postgresql
def test_a_typo_finds_close_matches_on_postgresql(client):
    """'tan cung' finds the products of Tân Cương, and the page says they are close matches."""
    response = search_page(client, "tan cung")
    assert response.context["filterset"].close_matches
    assert slugs(response.context["page"].paginator.object_list) == of_commune("tan-cuong")
    assert close_match_notice("tan cung") in response.content.decode()


@needs_postgresql
def test_close_matches_combine_with_filters(client):
    """A typo with stars=5 lists only the 5-star close matches."""
    response = search_page(client, "tan cung", stars="5")
    assert response.context["filterset"].close_matches
    found = list(response.context["page"].paginator.object_list)
    assert found
    assert {product.current_stars for product in found} == {5}
    assert slugs(found) <= of_commune("tan-cuong")


@needs_postgresql
def test_exact_matches_never_show_the_close_match_notice(client):
    response = search_page(client, "tan cuong")
    assert not response.context["filterset"].close_matches
    assert close_match_notice("tan cuong") not in response.content.decode()


@needs_sqlite
def test_a_typo_finds_nothing_on_sqlite(client):
    """Without trigrams, 'tan cung' finds nothing and no close-match notice appears."""
    response = search_page(client, "tan cung")
    assert list(response.context["page"].object_list) == []
    assert not response.context["filterset"].close_matches
    assert close_match_notice("tan cung") not in response.content.decode()
    assert site_text("No products match these filters.") in response.content.decode()


def test_a_short_word_matches_whole_words_only(client):
    """'sả' (lemongrass) finds the lemongrass oil, not every 'sản phẩm'."""
    assert names(listed(client, "sả")) == {"Tinh dầu sả"}


def test_tea_words_do_not_match_other_words_they_start(client):
    """'trà' must not find 'trại', 'trâu' or 'traditional'; 'chè' not 'sơ chế' (semi-processed)."""
    found = names(listed(client, "trà"))
    assert "Trà Shan tuyết" in found
    assert not {"Măng tươi lục trúc MTQ", "Thịt trâu khô Ba Bể", "Vicumax Nano Curcumin"} & found
    assert not {"Mật ong Phúc Thành", "Gạo nếp Tân Sơn"} & names(listed(client, "chè"))


def test_the_province_and_old_district_in_addresses_are_searched(client):
    """'chè Thái Nguyên' finds the Tân Cương teas, whose old address names the province."""
    assert TAN_CUONG_TEA <= slugs(listed(client, "che thai nguyen"))
