"""The portal with the trade app: enquiries received, visiting information and new places to
buy proposed, applied only once staff approve."""

import pytest
from django.urls import reverse

from producers.models import Proposal
from tests.factories import make_product
from tests.factories_producers import make_member, make_staff, private_proposals  # noqa: F401
from trade.models import Enquiry, ProducerPlace, SalesChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(client):
    product = make_product(name="Chè Tân Cương")
    client.force_login(make_member(product.producer))
    return product


def enquiry(product, **overrides):
    fields = {
        "product": product,
        "product_name": product.name,
        "name": "Nguyễn Văn Mua",
        "email": "mua@example.invalid",
        "message": "Cho tôi hỏi giá 100 kg",
    }
    return Enquiry.objects.create(**(fields | overrides))


def test_the_portal_lists_enquiries_to_own_products_only(client, mine):
    enquiry(mine)
    enquiry(mine, message="Mua ngay, giá rẻ!!!", status=Enquiry.Status.SPAM)
    enquiry(make_product(), message="Gửi sản phẩm khác")
    page = client.get(reverse("producers:home")).content.decode()
    assert "Cho tôi hỏi giá 100 kg" in page and "mua@example.invalid" in page
    assert "Gửi sản phẩm khác" not in page
    assert "Mua ngay, giá rẻ" not in page


def test_visiting_information_is_proposed_then_applied(client, mine):
    producer = mine.producer
    response = client.post(
        reverse("producers:producer-edit", args=[producer.pk]),
        {
            "place_welcomes_visitors": "on",
            "place_visit": "Tham quan đồi chè, thưởng trà",
            "place_visiting_hours": "8:00–17:00",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.changes["place.welcomes_visitors"] == {"old": False, "new": True}
    assert not ProducerPlace.objects.exists()
    client.force_login(make_staff())
    page = client.get(reverse("admin:producers_proposal_change", args=[proposal.pk]))
    assert "Tham quan đồi chè" in page.content.decode()
    response = client.post(
        reverse("admin:producers_proposal_change", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    place = ProducerPlace.objects.get(producer=producer)
    assert place.welcomes_visitors and place.visit == "Tham quan đồi chè, thưởng trà"
    assert place.history.latest().history_user == proposal.author


def test_a_new_place_to_buy_is_proposed_checked_and_applied(client, mine):
    url = reverse("producers:product-edit", args=[mine.pk])
    refused = client.post(url, {"channel_kind": "online"})  # an online store needs a link
    assert refused.status_code == 400 and not Proposal.objects.exists()
    response = client.post(
        url, {"channel_kind": "online", "channel_url": "shopee.vn/htx-che-tan-cuong"}
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.changes["sales_channel"]["new"]["url"] == "https://shopee.vn/htx-che-tan-cuong"
    assert not SalesChannel.objects.exists()
    client.force_login(make_staff())
    client.post(
        reverse("admin:producers_proposal_change", args=[proposal.pk]), {"decision": "approve"}
    )
    channel = SalesChannel.objects.get(product=mine)
    assert channel.platform == SalesChannel.Platform.SHOPEE
    assert channel.history.latest().history_user == proposal.author


def test_a_point_of_sale_channel_is_not_offered(client, mine):
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]), {"channel_kind": "point_of_sale"}
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists()
