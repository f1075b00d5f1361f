"""Contact the producer: the enquiry form, its email, its defences and the admin queue."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS
from trade import limits
from trade.models import Enquiry

from . import hostile
from .factories import make_producer, make_product

pytestmark = pytest.mark.django_db

PRODUCER_EMAIL = "htx-secret@example.invalid"
VALID = {
    "name": "Jane Buyer",
    "organisation": "Green Imports Ltd",
    "country": "Netherlands",
    "email": "jane@example.com",
    "quantity": "200 boxes a month",
    "message": "Could you quote for 200 boxes of green tea?",
}


@pytest.fixture(autouse=True)
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_EMAILS = ["staff@example.invalid", "editor@example.invalid"]


@pytest.fixture
def product():
    producer = make_producer(name="HTX Chè Tân Cương", email=PRODUCER_EMAIL)
    return make_product(name="Chè búp Tân Cương", producer=producer)


def url(product, prefix=""):
    return f"{prefix}/products/{product.slug}/contact/"


def send(client, product, data=None, prefix="", **extra):
    return client.post(url(product, prefix), {**VALID, **(data or {})}, **extra)


def test_the_product_page_links_the_form(client, product):
    html = client.get(product.get_absolute_url()).content.decode()
    assert f'href="{url(product)}"' in html
    assert "Liên hệ chủ thể" in html


def test_an_enquiry_is_stored_and_emailed_to_the_producer_and_staff(client, product):
    response = send(client, product)
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.slug}/contact/sent/"
    enquiry = Enquiry.objects.get()
    assert (enquiry.product, enquiry.product_name) == (product, "Chè búp Tân Cương")
    assert (enquiry.name, enquiry.organisation, enquiry.country) == (
        "Jane Buyer",
        "Green Imports Ltd",
        "Netherlands",
    )
    assert enquiry.status == "new" and enquiry.language == "vi" and enquiry.client_hash
    (message,) = mail.outbox
    assert message.to == [PRODUCER_EMAIL]
    assert message.bcc == ["staff@example.invalid", "editor@example.invalid"]
    assert message.reply_to == ["jane@example.com"]
    assert "Chè búp Tân Cương" in message.subject
    assert "Could you quote for 200 boxes of green tea?" in message.body
    assert "200 boxes a month" in message.body
    assert (
        f"http://testserver{product.get_absolute_url()}" in message.body
        or product.slug in message.body
    )
    assert enquiry.emailed_to.split() == [
        PRODUCER_EMAIL,
        "staff@example.invalid",
        "editor@example.invalid",
    ]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Tin nhắn đã được gửi" in thanks.content.decode()


def test_without_a_producer_email_it_goes_to_staff(client, product):
    product.producer.email = ""
    product.producer.save()
    assert send(client, product).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["staff@example.invalid"] and message.bcc == ["editor@example.invalid"]


def test_a_failing_mail_server_keeps_the_enquiry(client, product, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    assert send(client, product).status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.email_failed and not enquiry.emailed_to


def test_the_form_never_shows_the_producers_email(client, product):
    """The form's pages hold no address to write to: the message goes through the site."""
    assert PRODUCER_EMAIL not in client.get(url(product)).content.decode()
    response = send(client, product, {"message": ""})
    assert PRODUCER_EMAIL not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": ""}, "Vui lòng cho biết họ tên."),
        ({"email": ""}, "Vui lòng cho biết email để chủ thể có thể trả lời."),
        ({"email": "not-an-email"}, "Nhập một địa chỉ email hợp lệ."),
        ({"message": ""}, "Vui lòng viết nội dung."),
        ({"message": "x" * 2001}, "Vui lòng rút gọn còn 2000 ký tự (hiện có 2001)."),
        ({"name": "n" * 121}, "Vui lòng rút gọn còn 120 ký tự (hiện có 121)."),
        ({"message": "<script>alert(1)</script>"}, "Vui lòng viết văn bản thường"),
        ({"organisation": '"><img src=x onerror=alert(1)>'}, "Vui lòng viết văn bản thường"),
        ({"website": "http://spam.example"}, "nó trông như được gửi tự động"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, product, data, error):
    response = send(client, product, data)
    hostile.check(response, statuses={200})
    html = response.content.decode()
    assert "Tin nhắn chưa được gửi." in html
    assert error in html
    assert not Enquiry.objects.exists() and not mail.outbox


def test_control_characters_are_removed(client, product):
    assert send(client, product, {"name": "Jane\x00 \u202eBuyer"}).status_code == 302
    assert Enquiry.objects.get().name == "Jane Buyer"


def test_the_form_needs_a_csrf_token(product):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url(product), VALID)
    assert response.status_code == 403
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("slug", ["khong-co", "x" * 300])
def test_an_unknown_or_unpublished_product_has_no_form(client, product, slug):
    assert client.get(f"/products/{slug}/contact/").status_code == 404
    product.is_published = False
    product.save()
    assert client.get(url(product)).status_code == 404
    assert send(client, product).status_code == 404


@pytest.mark.parametrize(
    ("prefix", "label", "button"),
    [("/en", "Your name", "Send the message"), ("/fr", "Votre nom", "Envoyer le message")],
)
def test_english_and_french_pages_show_the_form_in_their_language(
    client, product, prefix, label, button
):
    html = client.get(url(product, prefix)).content.decode()
    assert f">{label}</label>" in html and button in html
    response = send(client, product, {"email": "bad"}, prefix=prefix)
    assert response.status_code == 200
    assert (
        "Enter a valid email address."
        if prefix == "/en"
        else "Saisissez une adresse e-mail valide."
    ) in response.content.decode()
    assert send(client, product, prefix=prefix).status_code == 302
    assert Enquiry.objects.get().language == prefix.strip("/")


# Floods


@pytest.fixture
def limit(monkeypatch):
    monkeypatch.setattr(limits, "ENQUIRIES_PER_CLIENT", 3)
    return 3


def test_a_flood_is_refused_beyond_the_limit(client, product, limit):
    for _ in range(limit):
        assert send(client, product, REMOTE_ADDR="203.0.113.7").status_code == 302
    response = send(client, product, {"message": "One more"}, REMOTE_ADDR="203.0.113.7")
    hostile.check(response, statuses={429})
    html = response.content.decode()
    assert "Vui lòng chờ 60 phút" in html and "One more" in html
    assert Enquiry.objects.count() == limit
    assert send(client, product, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_refused_forms_are_not_counted(client, product, limit):
    for _ in range(limit * 2):
        assert send(client, product, {"message": ""}).status_code == 200
    assert send(client, product).status_code == 302


def test_a_failing_cache_refuses_with_a_message(client, product, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(limits.cache, "add", broken)
    response = send(client, product)
    hostile.check(response, statuses={503})
    assert "hiện chưa thể nhận tin nhắn" in response.content.decode()
    assert not Enquiry.objects.exists()


# The admin queue


def admin_url(action, *args):
    return reverse(f"admin:trade_enquiry_{action}", args=args)


@pytest.fixture
def enquiries(product):
    other = make_product()
    return {
        "own": Enquiry.objects.create(
            product=product,
            product_name=product.name,
            **{k: VALID[k] for k in ("name", "email", "message")},
        ),
        "other": Enquiry.objects.create(
            product=other, product_name=other.name, name="B", email="b@example.com", message="Hi"
        ),
    }


def test_staff_see_the_queue_and_mark_answered_or_spam(staff_client, enquiries):
    response = staff_client.get(admin_url("changelist"))
    assert response.status_code == 200
    assert "Jane Buyer" in response.content.decode()
    own, other = enquiries["own"], enquiries["other"]
    staff_client.post(
        admin_url("changelist"), {"action": "mark_answered", "_selected_action": [own.pk]}
    )
    staff_client.post(
        admin_url("changelist"), {"action": "mark_spam", "_selected_action": [other.pk]}
    )
    own.refresh_from_db(), other.refresh_from_db()
    assert (own.status, other.status) == ("answered", "spam")
    assert staff_client.get(admin_url("add")).status_code == 403


def test_commune_editors_see_only_their_communes_enquiries(
    client, django_user_model, enquiries, product
):
    call_setup_roles()
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=COMMUNE_EDITORS))
    CommuneEditor.objects.create(user=user).communes.set([product.producer.commune])
    client.force_login(user)
    response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    assert [e.pk for e in response.context["cl"].result_list] == [enquiries["own"].pk]
    assert client.get(admin_url("change", enquiries["other"].pk)).status_code == 302


def call_setup_roles():
    from django.core.management import call_command

    call_command("setup_roles", verbosity=0)
