"""Hostile input on the producer portal (left out of the public walk: it is behind a
sign-in): no server error, nothing leaked or echoed as markup, no proposal from garbage."""

import pytest
from django.urls import reverse

from producers.models import Proposal
from tests import hostile
from tests.factories import make_product
from tests.factories_producers import make_member, make_proposal, private_proposals  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client):
    product = make_product(story="Cũ")
    user = make_member(product.producer)
    proposal = make_proposal(product=product, author=user)
    return {"client": client, "user": user, "product": product, "proposal": proposal}


def portal_paths(product, proposal):
    return [
        reverse("producers:home"),
        reverse("producers:login"),
        reverse("producers:producer-edit", args=[product.producer_id]),
        reverse("producers:product-edit", args=[product.pk]),
        reverse("producers:qr-svg", args=[product.pk]),
        reverse("producers:proposal", args=[proposal.pk]),
    ]


def test_query_strings_with_payloads_on_every_portal_page(portal):
    client = portal["client"]
    client.force_login(portal["user"])
    for i, path in enumerate(portal_paths(portal["product"], portal["proposal"])):
        for payload in hostile.PAYLOADS[i::3]:
            hostile.check(client.get(path, {"q": payload, "next": payload}), what=path)


def test_payloads_in_every_form_field_propose_nothing_harmful(portal):
    client = portal["client"]
    client.force_login(portal["user"])
    product = portal["product"]
    before = Proposal.objects.count()
    url = reverse("producers:product-edit", args=[product.pk])
    for payload in hostile.PAYLOADS:
        data = {"story": payload, "price_vnd": payload, "channel_kind": payload}
        hostile.check(client.post(url, data), statuses={200, 302, 400}, what=payload[:40])
    url = reverse("producers:producer-edit", args=[product.producer_id])
    for payload in hostile.PAYLOADS:
        data = {"website": payload, "email": payload, "place_visit": payload}
        hostile.check(client.post(url, data), statuses={200, 302, 400}, what=payload[:40])
    # Only valid text ever makes a proposal, and it is stored as text, never applied.
    for proposal in Proposal.objects.all()[before:]:
        assert set(proposal.changes) <= set(proposal.allowed_fields)
    product.refresh_from_db()
    assert product.story == "Cũ"


def test_payloads_in_the_login_and_invitation_forms(client):
    for payload in hostile.PAYLOADS:
        response = client.post(
            reverse("producers:login"), {"username": payload, "password": payload}
        )
        hostile.check(response, statuses={200, 403, 429}, what=payload[:40])
    for payload in ["%00", "../..", "MQ", "x" * 300, "'--"]:
        path = f"/producer/invitation/{payload}/{payload}-{payload}/"
        hostile.check(client.get(path), statuses={404}, what=path)
