"""Producer accounts and proposals for the producers app's tests."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from producers.models import Invitation, Proposal
from tests.factories import make_producer, make_product

PASSWORD = "a-long-Passw0rd-for-tests"


@pytest.fixture(autouse=True)
def private_proposals(settings, tmp_path):
    """Proposed photos go to a temporary private folder, never ./private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "proposals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    return tmp_path / "private"


def make_staff(username="inviter", superuser=True):
    user_model = get_user_model()
    if existing := user_model.objects.filter(username=username).first():
        return existing
    if superuser:
        return user_model.objects.create_superuser(username, f"{username}@example.invalid", "pw")
    return user_model.objects.create_user(
        username, f"{username}@example.invalid", "pw", is_staff=True
    )


def make_member(producer=None, email=None, role="owner", accepted=True):
    """A producer account with access to `producer` (a new one unless given)."""
    producer = producer or make_producer()
    email = email or f"member{get_user_model().objects.count() + 1}@example.invalid"
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        user = get_user_model().objects.create_user(email, email, PASSWORD)
    inviter = get_user_model().objects.filter(is_superuser=True).first() or make_staff(
        f"inviter{user.pk}"
    )
    Invitation.objects.create(
        producer=producer,
        email=email,
        role=role,
        user=user,
        invited_by=inviter,
        accepted_at=timezone.now() if accepted else None,
    )
    return user


def make_proposal(product=None, author=None, changes=None, **overrides):
    product = product or make_product()
    author = author or make_member(product.producer)
    changes = changes if changes is not None else {"story": {"old": product.story, "new": "Mới"}}
    return Proposal.objects.create(
        producer=product.producer, product=product, author=author, changes=changes, **overrides
    )
