"""Vietnamese at /, English at /en/, French at /fr/: addresses, switcher, translations, formats."""

import ast
import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from catalogue import views

from .factories import (
    make_alias,
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_producer,
    make_product,
    make_source,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["vi", "en", "fr"]
PREFIXES = {"vi": "", "en": "/en", "fr": "/fr"}
FR_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def url_in(language: str, url: str) -> str:
    """An unprefixed (Vietnamese) address as it is in `language`."""
    return PREFIXES[language] + url


def page_url(page, data, language: str) -> str:
    """The address of a page of PAGES, reversed in `language`."""
    with translation.override(language):
        return page(data)


@pytest.fixture
def data(db):
    """A catalogue that fills every block of the public templates, all named in Vietnamese."""
    today = timezone.localdate()
    tan_cuong = make_commune(name="Tân Cương", former_units="xã Tân Cương (TP Thái Nguyên)")
    phu_xuyen = make_commune(name="Phú Xuyên", kind="phuong")
    food = make_category(name="Thực phẩm", slug="thuc-pham")
    tea = make_category(name="Chè", slug="che", parent=food)
    tours = make_category(name="Du lịch cộng đồng", slug="du-lich", is_service=True)
    producer = make_producer(
        name="HTX Chè Hảo Đạt",
        commune=tan_cuong,
        address="xóm Nam Đồng, xã Tân Cương",
        former_address="xã Tân Cương, TP Thái Nguyên",
        phone="0208 3855 555",
        email="haodat@example.invalid",
        website="https://haodat.example.invalid",
        representative="Nguyễn Văn Hảo",
        story="Hợp tác xã trồng chè từ năm 1990.",
    )
    tea5 = make_product(
        name="Chè đinh Hảo Đạt",
        producer=producer,
        category=tea,
        summary="Chè búp non hái tay.",
        story="Chè được sao bằng chảo gang.",
        ingredients="Búp chè tươi",
        net_weight="200 g",
        packaging="Hộp giấy",
        shelf_life="Mười hai tháng",
        price_vnd=350000,
    )
    decision = make_source(
        url="https://nongnghiep.example.invalid/quyet-dinh",
        publisher="Bộ Nông nghiệp và Môi trường",
        title="Quyết định công nhận sản phẩm OCOP 5 sao",
        kind="decision",
        published_on=today - datetime.timedelta(days=60),
        checked_on=today,
    )
    make_certificate(
        product=tea5,
        stars=5,
        score=92,
        decision_date=today - datetime.timedelta(days=60),
        issuer="Bộ Nông nghiệp và Môi trường",
        issuer_level="central",
        commune=tan_cuong,
    ).sources.set([decision])
    make_certificate(
        product=tea5,
        stars=4,
        decision_date=today - datetime.timedelta(days=1200),
        revoked_on=today - datetime.timedelta(days=1000),
        revocation_reason="Không duy trì chất lượng",
    )
    # A rating known only by a later report, to the year: its words and state show too.
    make_certificate(
        product=tea5,
        stars=4,
        decision_number="",
        decision_date=None,
        round_year=today.year - 5,
        batch="đợt 2",
        evidence="report",
    ).sources.set([make_source(publisher="Báo Thái Nguyên", published_on=today)])
    tea5.sources.set([decision])
    make_image(product=tea5)
    make_link(product=tea5, label="Cửa hàng Hảo Đạt")
    homestay = make_product(
        name="Homestay Bản Quyên",
        producer=make_producer(name="Hộ Lý Thị Quyên", commune=phu_xuyen, kind="household"),
        category=tours,
        visiting_address="bản Quyên, phường Phú Xuyên",
        opening_hours="Cả tuần",
        visiting_contact="0912 000 000",
        ingredients="Ngủ đêm và bữa tối",
    )
    make_link(product=homestay, label="Đặt phòng")
    expired = make_product(name="Miến dong Phú Xuyên", producer=homestay.producer, category=food)
    make_certificate(
        product=expired,
        stars=3,
        decision_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=1),
        issuer="UBND huyện Đại Từ",
        issuer_level="district",
    )
    uncertified = make_product(name="Mật ong rừng", producer=make_producer(commune=None))
    # A product whose producer is not on record, rated at a level a source gives without dates.
    undated = make_product(name="Trà hoa vàng", producer=None, category=tea)
    make_certificate(
        product=undated, stars=3, decision_number="", decision_date=None, evidence="report"
    )
    make_alias(commune=tan_cuong, name="Phúc Trìu", former_district="TP Thái Nguyên")
    make_alias(commune=phu_xuyen, name="Phúc Trìu", former_district="TP Thái Nguyên")
    make_alias(commune=tan_cuong, name="Phúc Xuân", former_district="TP Thái Nguyên")
    return {
        "tan_cuong": tan_cuong,
        "food": food,
        "tea": tea,
        "producer": producer,
        "tea5": tea5,
        "homestay": homestay,
        "expired": expired,
        "uncertified": uncertified,
        "undated": undated,
    }


PAGES = {
    "home": lambda d: reverse("catalogue:home"),
    "product list": lambda d: reverse("catalogue:product-list"),
    "product list, filtered": lambda d: (
        reverse("catalogue:product-list")
        + "?stars=5&category=che&kind=cooperative&commune=tan-cuong&q=che&sort=name"
    ),
    "product list, bad filter": lambda d: reverse("catalogue:product-list") + "?stars=9",
    "product list, nothing found": lambda d: (
        # The 3-star products' ratings expired or are undated: none is in force.
        reverse("catalogue:product-list") + "?stars=3&state=in_force"
    ),
    "product list, page 2": lambda d: reverse("catalogue:product-list") + "?page=2",
    "product detail": lambda d: d["tea5"].get_absolute_url(),
    "service detail": lambda d: d["homestay"].get_absolute_url(),
    "expired product": lambda d: d["expired"].get_absolute_url(),
    "uncertified product": lambda d: d["uncertified"].get_absolute_url(),
    "undated product": lambda d: d["undated"].get_absolute_url(),
    "producer list": lambda d: reverse("catalogue:producer-list"),
    "producer detail": lambda d: d["producer"].get_absolute_url(),
    "commune list": lambda d: reverse("catalogue:commune-list"),
    "commune detail": lambda d: d["tan_cuong"].get_absolute_url(),
    "commune choice": lambda d: reverse("catalogue:commune-detail", args=["phuc-triu"]),
    "category list": lambda d: reverse("catalogue:category-list"),
    "category detail": lambda d: d["tea"].get_absolute_url(),
    "star page": lambda d: reverse("catalogue:star-detail", args=[5]),
}


@pytest.fixture
def small_pages(monkeypatch):
    """Two products a page, so that the pagination shows."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)


# Addresses and <html lang>


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_every_public_page_answers_in_each_language(client, data, page, language):
    """Each page is at the same path after the language prefix, with <html lang> set."""
    response = client.get(page_url(page, data, language))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_404_page_is_in_the_language_of_its_address(client, data, language):
    """/khong-co/, /en/khong-co/ and /fr/khong-co/ give a 404 page in their language."""
    response = client.get(url_in(language, "/khong-co/"))
    assert response.status_code == 404
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    with translation.override(language):
        assert translation.gettext("Page not found") in content


def test_links_on_a_page_stay_in_its_language(client, data):
    """reverse() and get_absolute_url() on an English page give /en/ addresses."""
    content = client.get("/en/products/").content.decode()
    assert 'href="/en/products/che-dinh-hao-dat/"' in content
    assert 'href="/en/stars/5/"' in content
    assert 'action="/en/products/"' in content


def test_a_former_commune_redirects_within_the_language(client, data):
    """/fr/communes/phuc-xuan/ answers 301 to the French page of the commune it merged into."""
    response = client.get("/fr/communes/phuc-xuan/", {"stars": "5"})
    assert response.status_code == 301
    assert response["Location"] == "/fr/communes/tan-cuong/?stars=5"


def test_there_is_no_vi_prefix(client, data):
    """Vietnamese lives at unprefixed addresses only: /vi/products/ does not exist."""
    assert client.get("/vi/products/").status_code == 404


# The default language


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.8"}],
)
def test_unprefixed_addresses_are_vietnamese_whatever_the_browser_asks(client, data, headers):
    """An English or French browser still gets Vietnamese at /products/."""
    response = client.get("/products/", **headers)
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert "Sản phẩm OCOP" in response.content.decode()


def test_unprefixed_addresses_are_vietnamese_despite_a_language_cookie(client, data):
    """A django_language cookie does not change the language of /products/."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/products/")
    assert '<html lang="vi">' in response.content.decode()


def test_the_admin_stays_vietnamese_for_an_english_browser(client):
    """The staff admin, outside the language prefixes, is in Vietnamese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()
    assert client.get("/en/admin/login/").status_code == 404


# The language switcher and alternate links


class LinkParser(HTMLParser):
    """Every <a> and <link> with its attributes, and whether it is in the language switcher."""

    def __init__(self):
        super().__init__()
        self.links, self.alternates = [], []
        self.depth = 0  # > 0 inside <nav class="language-switcher">

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav":
            if self.depth or "language-switcher" in (attributes.get("class") or ""):
                self.depth += 1
        elif tag == "a" and self.depth:
            self.links.append(attributes)
        elif tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def parse_links(content: str) -> LinkParser:
    parser = LinkParser()
    parser.feed(content)
    return parser


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switcher_keeps_the_page_and_its_filters(client, data, language):
    """On /products/?stars=4&commune=x the switcher links to the same listing in each language."""
    response = client.get(url_in(language, "/products/?stars=4&commune=x"))
    links = parse_links(response.content.decode()).links
    assert {link["hreflang"]: link["href"] for link in links} == {
        "vi": "/products/?stars=4&commune=x",
        "en": "/en/products/?stars=4&commune=x",
        "fr": "/fr/products/?stars=4&commune=x",
    }
    assert all(link["lang"] == link["hreflang"] for link in links)
    assert [link["hreflang"] for link in links if "aria-current" in link] == [language]


def test_the_switcher_names_each_language_in_that_language(client, data):
    """Tiếng Việt, English, Français — whatever the page's language."""
    content = client.get("/fr/").content.decode()
    for name in ["Tiếng Việt", "English", "Français"]:
        assert name in content


def test_the_switcher_on_a_detail_page(client, data):
    """A product's page links to the same product in the other languages."""
    response = client.get("/en/products/che-dinh-hao-dat/")
    links = parse_links(response.content.decode()).links
    assert [link["href"] for link in links] == [
        "/products/che-dinh-hao-dat/",
        "/en/products/che-dinh-hao-dat/",
        "/fr/products/che-dinh-hao-dat/",
    ]


def test_the_switcher_on_the_404_page(client, data):
    """Even an address that leads nowhere gets a switcher to the same address."""
    response = client.get("/fr/khong-co/?q=1")
    links = parse_links(response.content.decode()).links
    assert [link["href"] for link in links] == [
        "/khong-co/?q=1",
        "/en/khong-co/?q=1",
        "/fr/khong-co/?q=1",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_hreflang_alternates(client, data, language):
    """<link rel=alternate> for vi, en, fr and x-default (Vietnamese), as absolute addresses."""
    url = data["tea5"].get_absolute_url() + "?x=1"
    response = client.get(url_in(language, url))
    alternates = parse_links(response.content.decode()).alternates
    assert {link["hreflang"]: link["href"] for link in alternates} == {
        "vi": f"http://testserver{url}",
        "en": f"http://testserver/en{url}",
        "fr": f"http://testserver/fr{url}",
        "x-default": f"http://testserver{url}",
    }


def test_the_500_page_renders_without_a_request():
    """Django renders 500.html with no request: the switcher is left out, not a crash."""
    content = render_to_string("500.html")
    assert "language-switcher" not in content


# No interface text left in English


class TextParser(HTMLParser):
    """The text a visitor reads or hears: text nodes and the attributes read aloud or shown."""

    SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        self.parts += [value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]
        if tag == "meta" and attributes.get("name") == "description":
            self.parts.append(attributes.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(content: str) -> str:
    parser = TextParser()
    parser.feed(content)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@dataclass
class Message:
    msgids: list[str] = field(default_factory=list)  # the msgid, and msgid_plural if any
    msgstrs: list[str] = field(default_factory=list)  # msgstr, or msgstr[0], msgstr[1]…
    fuzzy: bool = False


def read_po(path: Path) -> list[Message]:
    """The messages of a .po file, header included, obsolete (#~) ones left out."""
    messages, current, target = [], Message(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        keyword, _, rest = line.partition(" ")
        if not line.strip():
            if current.msgids:
                messages.append(current)
            current, target = Message(), None
        elif line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
        elif line.startswith("#"):
            continue
        elif keyword in ("msgid", "msgid_plural"):
            current.msgids.append(ast.literal_eval(rest))
            target = current.msgids
        elif keyword.startswith("msgstr"):
            current.msgstrs.append(ast.literal_eval(rest))
            target = current.msgstrs
        elif line.startswith('"') and target is not None:
            target[-1] += ast.literal_eval(line)
    return messages


def english_phrases() -> set[str]:
    """Interface phrases of two English words or more that the French catalogue translates.

    A message with placeholders gives its literal pieces: "this filter was ignored".
    """
    english_word = re.compile(r"[(“‘]?[A-Za-z][A-Za-z’'-]*[)”’.,:;!?]*")
    phrases = set()
    for message in read_po(FR_CATALOGUE):
        for msgid in message.msgids:
            if msgid in message.msgstrs:
                continue
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]", msgid):
                piece = re.sub(r"\s+", " ", piece).strip(" ,.:;‘’“”—–()")
                if sum(bool(english_word.fullmatch(word)) for word in piece.split()) >= 2:
                    phrases.add(piece)
    return phrases


def test_the_french_catalogue_translates_every_message():
    """Every msgid of locale/fr has a French translation, none fuzzy, with French plurals."""
    header, *messages = read_po(FR_CATALOGUE)
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstrs[0]
    assert not header.fuzzy
    assert [m.msgids for m in messages if m.fuzzy or not all(m.msgstrs)] == []
    assert len(messages) > 250


def test_the_phrase_list_is_not_empty():
    """Guard for the test below: it checks real phrases."""
    phrases = english_phrases()
    assert {"Page not found", "No certificate in force", "this filter was ignored"} <= phrases


@pytest.mark.parametrize("language", ["vi", "fr"])
@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_no_interface_text_is_left_in_english(client, data, small_pages, page, language):
    """Pages in Vietnamese and French show none of the catalogue's English phrases."""
    response = client.get(page_url(page, data, language))
    text = visible_text(response.content.decode()).lower()
    leaked = sorted(phrase for phrase in english_phrases() if phrase.lower() in text)
    assert leaked == []


@pytest.mark.parametrize("language", ["vi", "fr"])
def test_no_english_on_the_404_page(client, data, language):
    response = client.get(url_in(language, "/khong-co/"))
    text = visible_text(response.content.decode()).lower()
    assert sorted(phrase for phrase in english_phrases() if phrase.lower() in text) == []


# Content in the visitor's language, or Vietnamese marked as such


@pytest.fixture
def translated(data):
    """The tea with an English name, summary and category name, but no French."""
    tea5, tea = data["tea5"], data["tea"]
    tea5.name_en = "Hảo Đạt hook tea"
    tea5.summary_en = "Young hand-picked tea buds."
    tea5.story_en = "Roasted in a cast-iron pan."
    tea5.save()
    tea.name_en = "Tea"
    tea.name_fr = "Thé"
    tea.save()
    return data


def test_english_content_shows_at_en(client, translated):
    """/en/ shows the English name, summary and story, with no lang mark."""
    content = client.get("/en/products/che-dinh-hao-dat/").content.decode()
    assert '<h1 class="product__name">Hảo Đạt hook tea</h1>' in content
    assert '<p class="product__summary">Young hand-picked tea buds.</p>' in content
    assert "<div><p>Roasted in a cast-iron pan.</p></div>" in content
    assert "<title>Hảo Đạt hook tea · OCOP Thái Nguyên</title>" in content
    assert '<meta name="description" content="Young hand-picked tea buds.">' in content


def test_english_content_shows_the_vietnamese_name_too(client, translated):
    """Under a translated name the Vietnamese one, as printed on the pack, marked lang="vi"."""
    content = client.get("/en/products/che-dinh-hao-dat/").content.decode()
    assert '<p class="product__original-name" lang="vi">Chè đinh Hảo Đạt</p>' in content


def test_missing_french_falls_back_to_vietnamese_marked_lang_vi(client, translated):
    """With no name_fr, /fr/ shows the Vietnamese name inside lang="vi"."""
    content = client.get("/fr/products/che-dinh-hao-dat/").content.decode()
    assert '<h1 class="product__name" lang="vi">Chè đinh Hảo Đạt</h1>' in content
    assert '<p class="product__summary" lang="vi">Chè búp non hái tay.</p>' in content
    assert '<div lang="vi"><p>Chè được sao bằng chảo gang.</p></div>' in content
    assert "product__original-name" not in content
    assert '<a href="/fr/categories/che/">Thé</a>' in content  # the category has French


def test_vietnamese_pages_never_mark_lang_vi(client, translated):
    """At / all is Vietnamese: only <html> and the switcher's own link say lang="vi"."""
    content = client.get("/products/che-dinh-hao-dat/").content.decode()
    assert '<h1 class="product__name">Chè đinh Hảo Đạt</h1>' in content
    assert len(re.findall(r'\slang="vi"', content)) == 2


def test_product_cards_use_the_localized_name(client, translated):
    """Cards show the English name at /en/ and the marked Vietnamese name at /fr/."""
    english = client.get("/en/products/").content.decode()
    assert '<a href="/en/products/che-dinh-hao-dat/">Hảo Đạt hook tea</a>' in english
    french = client.get("/fr/products/").content.decode()
    assert '<a href="/fr/products/che-dinh-hao-dat/" lang="vi">Chè đinh Hảo Đạt</a>' in french


def test_category_names_are_localized_with_a_marked_fallback(client, translated):
    """The category tree: "Thé" in French, its untranslated sector in Vietnamese with lang="vi"."""
    content = client.get("/fr/categories/").content.decode()
    assert '<span class="category-link__name">Thé</span>' in content
    assert '<a href="/fr/categories/thuc-pham/" lang="vi">Thực phẩm</a>' in content
    content = client.get("/fr/categories/che/").content.decode()
    assert "<h1>Thé</h1>" in content
    assert '<a href="/fr/categories/thuc-pham/" lang="vi">Thực phẩm</a>' in content


def test_the_producer_story_is_localized(client, data):
    """A producer's story in English at /en/, the Vietnamese one marked at /fr/."""
    producer = data["producer"]
    producer.story_en = "A tea cooperative since 1990."
    producer.save()
    english = client.get("/en/producers/" + producer.slug + "/").content.decode()
    assert "<div><p>A tea cooperative since 1990.</p></div>" in english
    french = client.get("/fr/producers/" + producer.slug + "/").content.decode()
    assert '<div lang="vi"><p>Hợp tác xã trồng chè từ năm 1990.</p></div>' in french


def test_filter_facets_and_chips_use_the_localized_name(client, translated):
    """The category facet and its chip say "Thé" in French, or "Chè" marked lang="vi"."""
    content = client.get("/fr/products/", {"category": "thuc-pham"}).content.decode()
    assert '<span class="facet__label">Thé</span>' in content
    assert '<span lang="vi">Thực phẩm</span>' in content  # the chip of the active filter
    translated["tea"].name_fr = ""
    translated["tea"].save()
    content = client.get("/fr/products/", {"category": "che"}).content.decode()
    assert '<span class="facet__label" lang="vi">Chè</span>' in content
    assert '<span lang="vi">Chè</span>' in content
    content = client.get("/en/products/", {"category": "che"}).content.decode()
    assert '<span class="facet__label">Tea</span>' in content
    assert "<span>Tea</span>" in content


# Numbers, prices and dates


@pytest.mark.parametrize(
    ("language", "price"),
    [("vi", "350.000 ₫"), ("en", "350,000 ₫"), ("fr", "350\u00a0000\u00a0₫")],
)
def test_prices_follow_the_language(client, data, language, price):
    """350000 is 350.000 ₫ in Vietnamese, 350,000 ₫ in English and 350 000 ₫ in French."""
    content = client.get(url_in(language, data["tea5"].get_absolute_url())).content.decode()
    assert f"<dd>{price}</dd>" in content


@pytest.mark.parametrize(
    ("language", "pattern"), [("vi", "%d/%m/%Y"), ("en", "%-d %b %Y"), ("fr", "%d/%m/%Y")]
)
def test_dates_follow_the_language(client, data, language, pattern):
    """Certificate dates use each language's short date format."""
    certificate = data["tea5"].certificates.get(stars=5)
    content = client.get(url_in(language, data["tea5"].get_absolute_url())).content.decode()
    assert f">{certificate.decision_date.strftime(pattern)}</time>" in content


@pytest.mark.parametrize(("language", "score"), [("vi", "92,00"), ("en", "92.00"), ("fr", "92,00")])
def test_decimals_follow_the_language(client, data, language, score):
    """A score of 92 is 92,00 in Vietnamese and French, 92.00 in English."""
    content = client.get(url_in(language, data["tea5"].get_absolute_url())).content.decode()
    assert f"{score} / 100" in content
