"""The statistics page: its figures, charts, tables and CSV files, and the official totals
beside this catalogue's products by the state of their rating."""

import csv
import datetime
import io
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from catalogue.models import Category, Product, RatingState
from catalogue.statistics import TOP_COMMUNES, Figures
from certification.models import Certificate
from core.dates import Precision, add_months
from sources.models import OfficialFigure

from .factories import (
    make_category,
    make_certificate,
    make_commune,
    make_official_figure,
    make_producer,
    make_product,
    make_source,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
CHART_SLUGS = [
    "stars",
    "category-groups",
    "communes",
    "certifications-per-year",
    "expiring-per-quarter",
    "producer-kinds",
]


def last_day(certificate: Certificate) -> datetime.date:
    """Its stated validity, else 36 months from its decision less one day."""
    return certificate.valid_until or add_months(certificate.decision_date, 36) - ONE_DAY


def in_force(certificate: Certificate, on: datetime.date) -> bool:
    revoked = certificate.revoked_on is not None and certificate.revoked_on <= on
    return certificate.decision_date <= on <= last_day(certificate) and not revoked


def current_certificates(on: datetime.date) -> dict[Product, Certificate]:
    """Worked out in Python, independently of the SQL annotation: newest in force wins."""
    current = {}
    for product in Product.objects.filter(is_published=True).select_related(
        "producer__commune", "category__parent"
    ):
        valid = [c for c in Certificate.objects.filter(product=product) if in_force(c, on)]
        if valid:
            current[product] = max(valid, key=lambda c: (c.decision_date, c.stars, c.pk))
    return current


def group_slug(product: Product) -> str | None:
    category = product.category
    if category is None or category.level == Category.Level.SECTOR:
        return None
    return category.slug if category.level == Category.Level.GROUP else category.parent.slug


@pytest.fixture
def catalogue():
    """Published and unpublished products, certificates in force, expired, revoked, pending
    and superseded, in two communes and none, three producer kinds, groups and sets."""
    today = timezone.localdate()
    tan_cuong, cho_moi = make_commune(name="Tân Cương"), make_commune(name="Chợ Mới")
    food = make_category(name="Thực phẩm", slug="thuc-pham")
    tea = make_category(name="Chè", slug="che", parent=food)
    green_tea = make_category(name="Chè xanh", slug="che-xanh", parent=tea)
    drinks = make_category(name="Đồ uống", slug="do-uong")
    spirits = make_category(name="Đồ uống có cồn", slug="do-uong-co-con", parent=drinks)
    hao_dat = make_producer(name="HTX Hảo Đạt", commune=tan_cuong, kind="cooperative")
    viet_cuong = make_producer(name="Công ty Việt Cường", commune=cho_moi, kind="enterprise")
    household = make_producer(name="Hộ Lường Văn A", commune=None, kind="household")
    hidden_only = make_producer(name="HTX Chưa Công Bố", commune=cho_moi, kind="cooperative")
    expired_only = make_producer(name="Tổ hợp tác Cũ", commune=cho_moi, kind="cooperative_group")

    def product(name, producer, category=None, **fields):
        return make_product(name=name, producer=producer, category=category, **fields)

    def certify(item, stars, days_ago=30, **fields):
        fields.setdefault("decision_date", today - days_ago * ONE_DAY)
        return make_certificate(product=item, stars=stars, **fields)

    tea5 = product("Chè Tân Cương đặc biệt", hao_dat, green_tea)
    certify(tea5, 5, valid_until=today + 40 * ONE_DAY)  # expires within the quarters shown
    tea4 = product("Chè búp", hao_dat, tea)
    certify(tea4, 3, days_ago=900)  # superseded by the newer 4-star one
    certify(tea4, 4, days_ago=100)
    wine = product("Rượu ngô", viet_cuong, spirits)
    certify(wine, 4, days_ago=400, valid_until=today + 400 * ONE_DAY)
    noodles = product("Miến dong", viet_cuong, food)  # filed under a sector only
    certify(noodles, 3)
    honey = product("Mật ong rừng", household)  # no category, no commune
    certify(honey, 4)
    revoked = product("Chè bị thu hồi", hao_dat, tea)
    certify(revoked, 4, days_ago=200, revoked_on=today - ONE_DAY, revocation_reason="Vi phạm")
    expired = product("Chè hết hạn", expired_only, tea)
    certify(expired, 3, decision_date=today - 1200 * ONE_DAY, valid_until=today - ONE_DAY)
    pending = product("Trà hoa vàng", household, tea)
    certify(pending, 4, decision_date=today + 10 * ONE_DAY)
    product("Gạo chưa chứng nhận", household, food)
    hidden = product("Chè ẩn", hidden_only, tea, is_published=False)
    certify(hidden, 5)
    hidden_too = product("Rượu ẩn", hao_dat, spirits, is_published=False)
    certify(hidden_too, 3, days_ago=3000, valid_until=today + 30 * ONE_DAY)
    return {"tea5": tea5, "tan_cuong": tan_cuong, "food": food}


def test_product_figures_equal_independent_counts(catalogue):
    """Stars, groups, communes and producer kinds count published products in force today."""
    today = timezone.localdate()
    current = current_certificates(today)
    figures = Figures(today)
    assert figures.by_stars == {
        stars: sum(1 for c in current.values() if c.stars == stars) for stars in (5, 4, 3)
    }
    assert figures.by_stars == {5: 1, 4: 3, 3: 1}
    assert {slug: n for slug, _name, n in figures.by_group} == Counter(
        group_slug(product) for product in current
    )
    assert {slug: n for slug, _name, n in figures.by_commune} == Counter(
        product.producer.commune and product.producer.commune.slug for product in current
    )
    kinds = Counter(producer.kind for producer in {product.producer for product in current})
    assert {kind: n for kind, _label, n in figures.by_kind} == kinds
    assert kinds == {"cooperative": 1, "enterprise": 1, "household": 1}


def test_certifications_per_year_count_every_certificate_of_published_products(catalogue):
    """Expired, revoked, pending and superseded certificates count; unpublished ones do not."""
    certificates = Certificate.objects.filter(product__is_published=True)
    expected = Counter(c.decision_date.year for c in certificates)
    figures = Figures()
    assert figures.per_year == dict(sorted(expected.items()))
    assert sum(figures.per_year.values()) == 9


def test_expiring_per_quarter_counts_current_certificates_by_last_valid_day(catalogue):
    """Eight quarters from today's; a certificate counts in the quarter of its last valid day."""
    today = timezone.localdate()
    current = current_certificates(today)
    figures = Figures(today)
    keys = list(figures.expiring)
    assert len(keys) == 8 and keys[0] == (today.year, (today.month - 1) // 3 + 1)
    expected = Counter(
        (last_day(c).year, (last_day(c).month - 1) // 3 + 1) for c in current.values()
    )
    assert figures.expiring == {key: expected.get(key, 0) for key in keys}
    # the 5-star tea (40 days) and the wine (400 days); the unpublished product's is left out
    assert sum(figures.expiring.values()) == 2


def test_expiring_per_quarter_runs_to_the_end_of_the_eighth_quarter():
    """On 15 May 2026: Q2 2026 to Q1 2028 inclusive, nothing from 1 April 2028."""
    on = datetime.date(2026, 5, 15)
    for valid_until in [datetime.date(2026, 5, 15), datetime.date(2028, 3, 31)]:
        make_certificate(decision_date=datetime.date(2025, 1, 1), valid_until=valid_until)
    make_certificate(decision_date=datetime.date(2025, 1, 1), valid_until=datetime.date(2028, 4, 1))
    expiring = Figures(on).expiring
    assert list(expiring)[0] == (2026, 2) and list(expiring)[-1] == (2028, 1)
    assert expiring[(2026, 2)] == 1 and expiring[(2028, 1)] == 1
    assert sum(expiring.values()) == 2


def test_home_headline_figures_are_the_statistics_figures(client, catalogue):
    """The home page's four figures equal the statistics page's, from the same queries."""
    home = client.get(reverse("catalogue:home")).context["counts"]
    statistics = client.get(reverse("catalogue:statistics")).context["figures"]
    assert home == statistics.headline
    assert home == {
        "products": sum(statistics.by_stars.values()),
        "five_star": statistics.by_stars[5],
        "producers": sum(n for _kind, _label, n in statistics.by_kind),
        "communes": 2,
    }
    assert home["products"] == 5 and home["producers"] == 3


class ChartParser(HTMLParser):
    """The inline SVG charts and the tables of a page."""

    def __init__(self):
        super().__init__()
        self.svgs, self.tables, self.titles = [], [], {}
        self.bars = Counter()
        self.svg = self.table = self.cell = None
        self.title_id = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg":
            self.svg = attributes
            self.svgs.append(attributes)
        elif tag == "title" and self.svg is not None and "id" in attributes:
            self.title_id = attributes["id"]
            self.titles[self.title_id] = ""
        elif tag == "rect" and self.svg is not None:
            self.bars[self.svg["aria-labelledby"]] += 1
        elif tag == "table":
            self.table = []
            self.tables.append(self.table)
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag == "title":
            self.title_id = None
        elif tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None:
            self.table[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.title_id:
            self.titles[self.title_id] += data
        if self.cell is not None:
            self.cell += data


def test_each_chart_is_an_accessible_svg_with_its_data_table(client, catalogue):
    """role=img, labelled by its <title> and <desc>, one bar per row, and a table of the rows."""
    response = client.get(reverse("catalogue:statistics"))
    assert response.status_code == 200
    page = ChartParser()
    page.feed(response.content.decode())
    charts = response.context["charts"]
    assert [chart.slug for chart in charts] == CHART_SLUGS
    assert len(page.svgs) == len(charts)
    for chart, svg in zip(charts, page.svgs, strict=True):
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert page.titles[title_id] == chart.title
        assert desc_id.endswith("-desc")
        assert page.bars[svg["aria-labelledby"]] == len(chart.shown)
        header = [chart.label_header, chart.value_header]
        table = next(t for t in page.tables if t and t[0][:2] == header)
        assert [row[0] for row in table[1:]] == [str(row.label) for row in chart.shown]
    assert "style=" not in response.content.decode()


def test_each_csv_holds_the_chart_figures(client, catalogue):
    """UTF-8 with a BOM; one row per chart row, the same labels and values as the page."""
    charts = {chart.slug: chart for chart in Figures().charts()}
    for slug in CHART_SLUGS:
        response = client.get(reverse("catalogue:statistics-csv", args=[slug]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        chart = charts[slug]
        assert header == chart.csv_header
        assert [(label, int(value)) for label, value, *_ in rows] == [
            (str(row.label), row.value) for row in chart.rows
        ]


def test_the_commune_chart_draws_the_top_15_and_lists_them_all(client):
    """Twenty communes with products: 15 bars, 20 rows in the whole list and in the CSV."""
    for i in range(20):
        product = make_product(producer=make_producer(commune=make_commune(name=f"Xã {i:02d}")))
        make_certificate(product=product)
    chart = Figures().chart("communes")
    assert len(chart.shown) == TOP_COMMUNES and len(chart.rows) == 20
    response = client.get(reverse("catalogue:statistics"))
    assert response.content.decode().count('class="chart__bar"') >= TOP_COMMUNES
    csv_response = client.get(reverse("catalogue:statistics-csv", args=["communes"]))
    assert len(csv_response.content.decode().strip().splitlines()) == 21


def test_csv_neutralises_formulas_in_names(client):
    """A commune named like a formula is written as text, not run by the spreadsheet."""
    commune = make_commune(name='=HYPERLINK("http://evil.example")')
    make_certificate(product=make_product(producer=make_producer(commune=commune)))
    response = client.get(reverse("catalogue:statistics-csv", args=["communes"]))
    assert "'=HYPERLINK" in response.content.decode()


def test_an_unknown_chart_is_a_404(client):
    assert client.get("/statistics/no-such-chart.csv").status_code == 404


def official_row(response, label: str) -> list[str]:
    """The cells of the row of the area `label` in the table of official totals (English)."""
    page = ChartParser()
    page.feed(response.content.decode())
    table = next(t for t in page.tables if t and t[0][:2] == ["Area", "Official"])
    rows = [[" ".join(cell.split()) for cell in row] for row in table[1:]]
    return next(row for row in rows if row[0].startswith(label))


def test_official_totals_show_beside_ours_with_date_source_and_difference(client, catalogue):
    """620 certifications and 10 national 5★ on 02/02/2026, with the source's link, beside
    the 9 published products here (1 at 5★), and the difference."""
    source = make_source(
        url="https://baothainguyen.vn/kinh-te/202602/them-59-san-pham-eb45440",
        publisher="baothainguyen.vn",
    )
    make_official_figure(source=source, total=620, stars5=10)
    make_official_figure(total=561, as_of=datetime.date(2025, 12, 1))  # older: not shown
    response = client.get("/en/statistics/")
    province = response.context["comparisons"][0]
    assert province.figure.total == 620 and province.figure.counted_on.text() == "02/02/2026"
    assert province.ours.total == Product.objects.filter(is_published=True).count() == 9
    assert province.ours.five_star == 1  # the unpublished 5-star product is left out
    assert province.difference == 611 and province.five_star_difference == 9
    row = official_row(response, "Thái Nguyên province (merged)")
    assert row[1:] == [
        "620 10 at 5★",
        "2 Feb 2026",
        "baothainguyen.vn",
        "9 1 at 5★",
        "5",
        "611 9 at 5★",
    ]
    assertContains(
        response,
        f'<a href="{source.url}" rel="noopener external">baothainguyen.vn</a>',
        html=True,
    )
    assertContains(response, "certifications (“lượt”)")
    assert "561" not in response.content.decode()
    vietnamese = client.get("/statistics/").content.decode()
    assert "02/02/2026" in vietnamese and f'href="{source.url}"' in vietnamese


def test_our_counts_by_state_equal_the_database(client, catalogue):
    """In force, reported, may have expired, expired, undated, none: as stored, summing up."""
    response = client.get(reverse("catalogue:statistics"))
    ours = response.context["figures"].reconciliation.province.ours
    published = Product.objects.published().with_current_stars()
    for state in [*RatingState.values, ""]:
        assert ours.by_state[state] == published.filter(rating_state=state).count(), state
    # 5 in force; revoked and past its validity: expired; future and uncertified: no rating
    assert dict(+ours.by_state) == {"in_force": 5, "expired": 2, "": 2}
    assert ours.total == sum(state.products for state in ours.states) == 9
    assert ours.certified == 5
    html = response.content.decode()
    for state in ours.states:
        assert f'href="{state.url}"' in html
    assert client.get(ours.states[0].url).context["page"].paginator.count == 5


def test_each_former_area_shows_its_newest_total_beside_its_products():
    """Former provinces and districts by the producer's former address; only totals of every
    certified product of an area compare, the newest of each; the merged province has all."""
    figure = OfficialFigure.Kind
    thai_nguyen, dong_hy = "tỉnh Thái Nguyên", "huyện Đồng Hỷ, tỉnh Thái Nguyên"
    make_official_figure(total=620)
    make_official_figure(kind=figure.FORMER_PROVINCE, area=thai_nguyen, total=315, stars5=4)
    make_official_figure(
        kind=figure.FORMER_PROVINCE, area=thai_nguyen, total=240, as_of=datetime.date(2024, 1, 1)
    )
    make_official_figure(
        kind=figure.FORMER_DISTRICT,
        area=dong_hy,
        total=44,
        stars5=None,
        as_of=datetime.date(2023, 1, 1),
        as_of_precision=Precision.YEAR,
        as_of_text="2023 (after 8 new 3★)",
    )
    make_official_figure(kind=figure.PART, area=dong_hy, total=22)  # tea only: not compared
    make_official_figure(kind=figure.ROUND, area=thai_nguyen, total=73)
    make_official_figure(kind=figure.FORMER_PROVINCE, area="tỉnh Bắc Kạn", total=None)
    addresses = {
        "xã Hóa Trung, huyện Đồng Hỷ, tỉnh Thái Nguyên": (5, 2),
        "xã Hoà Bình, huyện Đồng Hỷ, tỉnh Thái Nguyên": (4, 1),
        "TP Phổ Yên, tỉnh Thái Nguyên": (3, 1),
        "xã Bằng Phúc, huyện Chợ Đồn, tỉnh Bắc Kạn": (3, 1),
        "": (4, 1),
    }
    for address, (stars, n) in addresses.items():
        producer = make_producer(former_address=address)
        for _ in range(n):
            make_certificate(product=make_product(producer=producer), stars=stars)
    areas = {str(c.area): c for c in Figures().comparisons()}
    assert list(areas) == ["", thai_nguyen, "huyện Đồng Hỷ, tỉnh Thái Nguyên"]
    assert [areas[key].level for key in areas] == [0, 1, 2]
    assert areas[""].figure.total == 620 and areas[""].ours.total == 6
    assert areas[thai_nguyen].figure.total == 315 and areas[thai_nguyen].ours.total == 4
    assert areas[thai_nguyen].difference == 311 and areas[thai_nguyen].five_star_difference == 2
    district = areas[dong_hy]
    assert district.figure.total == 44 and district.ours.total == 3 and district.difference == 41
    assert district.five_star_difference is None
    assert Figures().reconciliation.not_placed.total == 1


def test_a_figure_dated_to_the_year_shows_as_its_year_and_the_sources_words(client):
    make_official_figure(
        as_of=datetime.date(2025, 1, 1),
        as_of_precision=Precision.YEAR,
        as_of_text="2025 (after merger; date not shown)",
        total=569,
    )
    row = official_row(client.get("/en/statistics/"), "Thái Nguyên province (merged)")
    assert row[2] == "2025 2025 (after merger; date not shown)"
    assert row[6] == "569 10 at 5★"


def test_an_edited_official_figure_shows_at_once(client):
    """The page cache watches the official figures (catalogue/apps.py)."""
    figure = make_official_figure(total=620)
    assert "620" in client.get("/en/statistics/").content.decode()
    figure.total = 633
    figure.save()
    assert "633" in client.get("/en/statistics/").content.decode()


def test_the_report_is_linked_for_staff_only(client, django_user_model):
    report = reverse("admin:sources_officialfigure_reconciliation")
    assert report not in client.get(reverse("catalogue:statistics")).content.decode()
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.invalid"))
    assert report in client.get(reverse("catalogue:statistics")).content.decode()


def test_statistics_on_an_empty_database(client):
    """No products and no official totals: every chart says so, the CSVs have a header only."""
    response = client.get(reverse("catalogue:statistics"))
    assert response.status_code == 200
    assert [c.figure for c in response.context["comparisons"]] == [None]
    assert response.context["figures"].headline == {
        "products": 0,
        "five_star": 0,
        "producers": 0,
        "communes": 0,
    }
    for slug in CHART_SLUGS:
        assert client.get(reverse("catalogue:statistics-csv", args=[slug])).status_code == 200


@pytest.mark.parametrize("prefix", ["", "/en", "/fr"])
def test_statistics_in_every_language(client, catalogue, prefix):
    response = client.get(f"{prefix}/statistics/")
    assert response.status_code == 200
    assert client.get(f"{prefix}/statistics/stars.csv").status_code == 200


def test_statistics_are_linked_from_the_navigation_and_the_home_figures(client, catalogue):
    html = client.get(reverse("catalogue:home")).content.decode()
    assert html.count(f'href="{reverse("catalogue:statistics")}') >= 2
