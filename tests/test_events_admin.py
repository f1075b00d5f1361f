"""The events admin (in Vietnamese, the staff's language): dates checked with a clear
message, entrants added many at once (chosen products or a CSV of public codes), all or
nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Entrant, Event

from .adminforms import form_data
from .factories import make_product
from .factories_events import make_entrant, make_event, make_news, make_session

pytestmark = pytest.mark.django_db


def add_entrants_url(event) -> str:
    return reverse("admin:events_event_add_entrants", args=[event.pk])


def csv_file(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("codes.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_staff_can_open_the_events_admin_pages(staff_client):
    event = make_event()
    make_entrant(event=event)
    session = make_session(event=event)
    item = make_news()
    for url in [
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_add"),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:events_session_change", args=[session.pk]),
        reverse("admin:events_entrant_changelist"),
        reverse("admin:events_newsitem_change", args=[item.pk]),
        reverse("admin:events_newsitem_add"),
        add_entrants_url(event),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_reversed_dates_get_a_clear_message(staff_client):
    event = make_event()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(staff_client.get(url).content, "event_form")
    data |= {"starts_on": "30/11/2025", "ends_on": "28/11/2025"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Sự kiện không thể kết thúc trước khi bắt đầu" in response.content.decode()
    event.refresh_from_db()
    assert event.starts_on != datetime.date(2025, 11, 30)


def test_an_unknown_kind_gets_a_message(staff_client):
    event = make_event()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(staff_client.get(url).content, "event_form") | {"kind": "party"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    event.refresh_from_db()
    assert event.kind == "contest"


def test_staff_add_fifty_chosen_products_in_one_step(staff_client):
    event = make_event()
    products = [make_product() for _ in range(50)]
    response = staff_client.post(
        add_entrants_url(event), {"products": [product.pk for product in products]}
    )
    assert response.status_code == 302
    assert set(event.entrants.values_list("product", flat=True)) == {p.pk for p in products}
    # Each entrant takes its product's producer.
    assert not Entrant.objects.filter(producer__isnull=True).exists()
    messages = staff_client.get(response["Location"]).content.decode()
    assert "Đã thêm 50 đơn vị tham gia." in messages


def test_staff_add_entrants_from_a_csv_of_codes_and_skip_those_already_in(staff_client):
    event = make_event()
    products = [make_product() for _ in range(5)]
    make_entrant(event=event, product=products[0], award="Giải Nhất")
    codes = ["code", *(p.public_code for p in products[:4]), products[4].public_code.lower()]
    response = staff_client.post(add_entrants_url(event), {"codes": csv_file(*codes)})
    assert response.status_code == 302
    assert event.entrants.count() == 5
    assert event.entrants.get(product=products[0]).award == "Giải Nhất"  # left as it was


def test_an_unknown_code_adds_nothing_and_is_named(staff_client):
    event = make_event()
    known = make_product()
    response = staff_client.post(
        add_entrants_url(event),
        {
            "products": [make_product().pk],
            "codes": csv_file(known.public_code, "TN-OCOP-99999", "not a code"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không có gì được thêm" in html and "TN-OCOP-99999" in html and "not a code" in html
    assert not event.entrants.exists()


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00bad", b"", b"code\n", b'a\x00b\n"unclosed', b"x" * 600_000],
    ids=["not utf-8", "empty", "heading only", "nul and open quote", "too large"],
)
def test_bad_csv_files_get_a_message(staff_client, content):
    event = make_event()
    upload = SimpleUploadedFile("codes.csv", content, content_type="text/csv")
    response = staff_client.post(add_entrants_url(event), {"codes": upload})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not event.entrants.exists()


def test_nothing_chosen_gets_a_message(staff_client):
    response = staff_client.post(add_entrants_url(make_event()), {})
    assert response.status_code == 200
    assert "Hãy chọn sản phẩm, hoặc tải lên tệp CSV chứa mã của chúng." in response.content.decode()


def test_the_add_entrants_page_of_a_missing_event(staff_client):
    missing = reverse("admin:events_event_add_entrants", args=["999999"])
    assert staff_client.get(missing).status_code == 404
    bad = reverse("admin:events_event_add_entrants", args=["abc"])
    assert staff_client.get(bad).status_code in (302, 404)


def test_anonymous_visitors_cannot_add_entrants(client):
    event = make_event()
    response = client.post(add_entrants_url(event), {"products": [make_product().pk]})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not event.entrants.exists()


def test_adding_entrants_refreshes_the_cached_event_page(staff_client, client):
    event = make_event()
    product = make_product(name="Chè Đinh Tân Cương")
    assert product.name not in client.get(event.get_absolute_url()).content.decode()
    staff_client.post(add_entrants_url(event), {"products": [product.pk]})
    assert product.name in client.get(event.get_absolute_url()).content.decode()


def test_a_product_entered_in_an_event_cannot_be_deleted_silently():
    entrant = make_entrant()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entrant.product.delete()
    assert Event.objects.filter(pk=entrant.event_id).exists()


def test_staff_without_the_right_to_add_entrants_are_refused(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", "e@example.invalid", "pw")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    client.force_login(user)
    event = make_event()
    response = client.post(add_entrants_url(event), {"products": [make_product().pk]})
    assert response.status_code == 403
    assert not event.entrants.exists()


def test_the_product_choice_searches_products_as_staff_type(staff_client):
    make_product(name="Chè Đinh Tân Cương")
    make_product(name="Mật ong bạc hà")
    page = staff_client.get(add_entrants_url(make_event())).content.decode()
    assert 'data-model-name="entrant" data-field-name="product"' in page
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "events", "model_name": "entrant", "field_name": "product", "term": "dinh"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Chè Đinh Tân Cương"]


def test_the_same_product_twice_in_the_entrants_gets_a_message(staff_client):
    event = make_event()
    product = make_product()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(staff_client.get(url).content, "event_form")
    data |= {"entrants-TOTAL_FORMS": "2"}
    for n in (0, 1):
        data |= {f"entrants-{n}-product": str(product.pk), f"entrants-{n}-award": "Giải Ba"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not event.entrants.exists()


def test_an_entrant_with_neither_product_nor_producer_gets_a_message(staff_client):
    event = make_event()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(staff_client.get(url).content, "event_form")
    data |= {"entrants-TOTAL_FORMS": "1", "entrants-0-booth": "12"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Hãy chọn sản phẩm, chủ thể, hoặc cả hai." in response.content.decode()
    assert not event.entrants.exists()


def test_a_session_ending_before_it_starts_gets_a_message(staff_client):
    session = make_session()
    url = reverse("admin:events_session_change", args=[session.pk])
    data = form_data(staff_client.get(url).content, "session_form")
    data |= {"starts_at": "10:00", "ends_at": "09:00"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Phiên không thể kết thúc trước khi bắt đầu." in response.content.decode()


def test_a_product_already_entered_added_again_gets_a_message(staff_client):
    entrant = make_entrant()
    url = reverse("admin:events_event_change", args=[entrant.event.pk])
    data = form_data(staff_client.get(url).content, "event_form")
    n = int(data["entrants-TOTAL_FORMS"])
    data |= {"entrants-TOTAL_FORMS": str(n + 1), f"entrants-{n}-product": str(entrant.product.pk)}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert entrant.event.entrants.count() == 1
