"""Where to buy a product: its channels, its producer's, the listing's filter and the admin."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from trade.models import SalesChannel

from .adminforms import form_data
from .factories import make_category, make_link, make_producer, make_product
from .factories_trade import make_channel, make_point

pytestmark = pytest.mark.django_db


def buy_section(response) -> str:
    html = response.content.decode()
    match = re.search(r'<section class="panel trade-buy".*?</section>', html, re.S)
    assert match, "no Where to buy section"
    return match.group(0)


def test_the_product_page_lists_its_channels_and_its_producers(client):
    """Online stores with their platform's name, the producer's farm gate, an OCOP point of sale."""
    product = make_product(name="Chè Tân Cương")
    make_channel(product=product, url="https://shopee.vn/che-tan-cuong")
    make_channel(product=product, url="https://www.lazada.vn/products/che-i1.html")
    make_channel(
        producer=product.producer,
        kind="farm_gate",
        name="Cửa hàng HTX",
        address="xóm Nam Thái",
        opening_hours="7:00–17:00",
        phone="0208 3 123 456",
    )
    point = make_point(name="Điểm bán OCOP Tân Cương", address="chợ Tân Cương")
    make_channel(product=product, kind="point_of_sale", url="", point_of_sale=point)
    section = buy_section(client.get(product.get_absolute_url()))
    shopee = 'href="https://shopee.vn/che-tan-cuong" rel="noopener nofollow external">Shopee</a>'
    assert shopee in section
    assert ">Lazada</a>" in section
    assert "Cửa hàng HTX" in section and "xóm Nam Thái" in section and "7:00–17:00" in section
    assert 'href="tel:02083123456"' in section
    assert f'href="{point.get_absolute_url()}"' in section
    # Directions: a maps search for the address, no key.
    assert "https://www.openstreetmap.org/search?query=x%C3%B3m%20Nam%20Th%C3%A1i" in section
    assert reverse("trade:enquiry", args=[product.slug]) in section


def test_a_producers_channel_is_on_every_one_of_its_products(client):
    producer = make_producer()
    first, second = make_product(producer=producer), make_product(producer=producer)
    make_channel(producer=producer, url="https://tiki.vn/htx-thu")
    for product in (first, second):
        assert ">Tiki</a>" in buy_section(client.get(product.get_absolute_url()))
    assert ">Tiki</a>" not in buy_section(client.get(make_product().get_absolute_url()))


def test_older_shop_links_still_show_in_the_same_section(client):
    """catalogue.ProductLink rows (kept, see README) are shown with the channels."""
    product = make_product()
    link = make_link(product=product, label="Gian hàng Postmart")
    section = buy_section(client.get(product.get_absolute_url()))
    assert f'href="{link.url}" rel="noopener nofollow external">Gian hàng Postmart' in section


def test_a_product_without_channels_says_so_and_offers_the_points_of_sale(client):
    section = buy_section(client.get(make_product().get_absolute_url()))
    assert "Chưa có cửa hàng hay gian hàng trực tuyến nào" in section
    assert reverse("trade:point-list") in section


@pytest.mark.parametrize(
    ("url", "platform", "label"),
    [
        ("https://shopee.vn/a", "shopee", "Shopee"),
        ("https://s.shopee.vn/a", "shopee", "Shopee"),
        ("https://vt.tiktok.com/ZS123/", "tiktok", "TikTok Shop"),
        ("https://zalo.me/0912345678", "zalo", "Zalo"),
        ("https://htx-che.vn/", "website", "trang web của chủ thể"),
        ("https://notshopee.vn/", "website", "trang web của chủ thể"),
    ],
)
def test_the_platform_comes_from_the_links_host(url, platform, label):
    channel = make_channel(product=make_product(), url=url)
    assert channel.platform == platform
    assert str(channel.label) == label


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com/", "shopee"]
)
def test_only_web_links_are_accepted(url):
    channel = SalesChannel(product=make_product(), kind="online", url=url)
    with pytest.raises(ValidationError) as error:
        channel.full_clean()
    assert "url" in error.value.message_dict


def test_a_channel_belongs_to_a_product_or_a_producer_not_both_nor_none():
    product = make_product()
    for owners in ({}, {"product": product, "producer": product.producer}):
        channel = SalesChannel(kind="online", url="https://tiki.vn/a", **owners)
        with pytest.raises(ValidationError):
            channel.full_clean()


def test_a_point_of_sale_channel_names_its_point():
    with pytest.raises(ValidationError) as error:
        SalesChannel(product=make_product(), kind="point_of_sale").full_clean()
    assert "point_of_sale" in error.value.message_dict


# The listing's filter


def facet_counts(response, title="Nơi mua") -> dict[str, int]:
    for group in response.context["facets"]:
        if str(group.label) == title:
            return {facet.label: facet.count for facet in group.facets}
    return {}


@pytest.fixture
def sold():
    category = make_category()
    online = make_product(name="Mật ong bán online", category=category)
    make_channel(product=online)
    point = make_point()
    at_point = make_product(name="Miến dong ở điểm bán", category=category)
    make_channel(product=at_point, kind="point_of_sale", url="", point_of_sale=point)
    both_producer = make_producer()
    both = make_product(name="Chè bán cả hai nơi", producer=both_producer, category=category)
    make_channel(producer=both_producer, url="https://tiktok.com/@htx")
    make_channel(product=both, kind="point_of_sale", url="", point_of_sale=point)
    make_channel(product=both, url="https://shopee.vn/che")  # two online channels: counted once
    neither = make_product(name="Bánh chưa bán ở đâu", category=category)
    return {"online": online, "point": at_point, "both": both, "neither": neither}


def test_the_listing_counts_products_sold_online_and_in_a_point_of_sale(client, sold):
    response = client.get(reverse("catalogue:product-list"))
    assert facet_counts(response) == {"bán trực tuyến": 2, "tại điểm bán OCOP": 2}


def test_the_listing_filters_sold_online(client, sold):
    response = client.get(reverse("catalogue:product-list"), {"sold": "online"})
    assert set(response.context["page"].object_list) == {sold["online"], sold["both"]}
    assert response.context["page"].paginator.count == 2
    chips = [(str(chip.filter_label), str(chip.label)) for chip in response.context["chips"]]
    assert chips == [("Nơi mua", "bán trực tuyến")]
    # The other way is not offered beside it: its count would be of the products sold both
    # ways, while its link (the filter takes one value) would list every one sold that way.
    assert facet_counts(response) == {"bán trực tuyến": 2}


def test_a_shop_link_counts_as_sold_online(client, sold):
    """The catalogue's older shop links show under "Online": the filter agrees."""
    make_link(product=sold["neither"])
    response = client.get(reverse("catalogue:product-list"), {"sold": "online"})
    assert sold["neither"] in response.context["page"].object_list
    assert facet_counts(response)["bán trực tuyến"] == 3


def test_the_listing_filters_sold_in_a_point_of_sale(client, sold):
    response = client.get(reverse("catalogue:product-list"), {"sold": "point-of-sale"})
    assert set(response.context["page"].object_list) == {sold["point"], sold["both"]}


def test_an_unknown_sold_value_is_ignored_with_a_message(client, sold):
    response = client.get(reverse("catalogue:product-list"), {"sold": "<b>x</b>"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 4
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_the_english_listing_labels_the_facet(client, sold):
    response = client.get("/en/products/")
    assert facet_counts(response, "Where to buy") == {
        "sold online": 2,
        "in an OCOP point of sale": 2,
    }


# The admin


def test_staff_add_channels_inline_on_the_product_page(staff_client):
    product = make_product()
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "sales_channels-TOTAL_FORMS" in page.content.decode()
    data = admin_form_data(page)
    data.update(
        {
            "sales_channels-TOTAL_FORMS": "1",
            "sales_channels-0-kind": "online",
            "sales_channels-0-url": "shopee.vn/htx-thu",  # no scheme: https
            "sales_channels-0-position": "0",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    channel = product.sales_channels.get()
    assert channel.url == "https://shopee.vn/htx-thu" and channel.platform == "shopee"


def test_the_admin_refuses_a_script_link_with_a_message(staff_client):
    product = make_product()
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = admin_form_data(staff_client.get(url))
    data.update(
        {
            "sales_channels-TOTAL_FORMS": "1",
            "sales_channels-0-kind": "online",
            "sales_channels-0-url": "javascript:alert(1)",
            "sales_channels-0-position": "0",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Nhập một URL hợp lệ." in response.content.decode()
    assert not product.sales_channels.exists()


def admin_form_data(page) -> dict:
    return form_data(page.content, "product_form")


# Deleted products


def test_a_restored_product_gets_its_channels_back(staff_client):
    """catalogue/history.py restores the product; trade restores the channels deleted with it."""
    from catalogue.history import restore_product
    from catalogue.models import Product

    product = make_product(name="Mật ong rừng")
    make_channel(product=product, url="https://shopee.vn/mat-ong")
    point = make_point()
    make_channel(product=product, kind="point_of_sale", url="", point_of_sale=point)
    other = make_channel(producer=product.producer, url="https://tiki.vn/htx")
    url = reverse("admin:catalogue_product_delete", args=[product.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not SalesChannel.objects.filter(product_id=product.pk).exists()
    deletion = Product.history.get(id=product.pk, history_type="-")
    restored = restore_product(deletion)
    channels = restored.sales_channels.order_by("pk")
    assert [(c.kind, c.url, c.point_of_sale) for c in channels] == [
        ("online", "https://shopee.vn/mat-ong", None),
        ("point_of_sale", "", point),
    ]
    assert channels[0].history.first().history_change_reason == "restore"
    assert SalesChannel.objects.filter(pk=other.pk).exists()  # the producer's: never deleted
