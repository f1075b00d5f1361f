"""Two staff editing the same record: the second save is refused instead of undoing the first."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from catalogue.models import Product
from certification.models import Certificate
from registry.importing import import_file

from .adminforms import form_data
from .factories import make_certificate, make_product
from .spreadsheets import ROW, load_places, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(client, django_user_model):
    """Two signed-in staff members' browsers: (An's, Bình's)."""
    from django.test import Client

    an = django_user_model.objects.create_superuser("an", "an@example.invalid", "pw")
    binh = django_user_model.objects.create_superuser(
        "binh", "binh@example.invalid", "pw", first_name="Bình", last_name="Trần"
    )
    client.force_login(an)
    other = Client()
    other.force_login(binh)
    return client, other


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def opened(client, obj, form_id: str) -> dict:
    """The change form of `obj` as `client`'s browser has it: the data it would post."""
    return form_data(client.get(change_url(obj)).content, form_id)


def refusal(response) -> str:
    assert response.status_code == 200
    return " ".join(str(error) for error in response.context["adminform"].form.non_field_errors())


def test_the_second_of_two_concurrent_product_saves_is_refused(two_editors):
    an, binh = two_editors
    product = make_product(name="Chè búp", summary="Chè ngon")
    an_form, binh_form = opened(an, product, "product_form"), opened(binh, product, "product_form")
    assert binh_form["opened_version"] == an_form["opened_version"]

    response = binh.post(change_url(product), binh_form | {"name": "Chè búp Tân Cương"})
    assert response.status_code == 302
    response = an.post(change_url(product), an_form | {"summary": "Chè rất ngon"})

    message = refusal(response)
    assert "Bình Trần" in message
    assert escape(change_url(product)) in message
    assert response.context["adminform"].form.errors  # the form again, with what An typed
    product.refresh_from_db()
    assert (product.name, product.summary) == ("Chè búp Tân Cương", "Chè ngon")  # Bình's save


def test_reopening_after_a_refusal_saves_on_top_of_the_other_change(two_editors):
    an, binh = two_editors
    product = make_product(name="Chè búp")
    an_form, binh_form = opened(an, product, "product_form"), opened(binh, product, "product_form")
    binh.post(change_url(product), binh_form | {"name": "Chè búp Tân Cương"})
    refusal(an.post(change_url(product), an_form | {"summary": "Chè rất ngon"}))

    response = an.post(change_url(product), opened(an, product, "product_form") | {"summary": "x"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.summary) == ("Chè búp Tân Cương", "x")


def test_the_second_of_two_concurrent_certificate_saves_is_refused(two_editors):
    an, binh = two_editors
    certificate = make_certificate(stars=4, score="75")
    an_form = opened(an, certificate, "certificate_form")
    binh_form = opened(binh, certificate, "certificate_form")

    assert binh.post(change_url(certificate), binh_form | {"score": "80"}).status_code == 302
    message = refusal(an.post(change_url(certificate), an_form | {"score": "72"}))

    assert "Bình Trần" in message
    certificate.refresh_from_db()
    assert certificate.score == 80


def test_the_message_names_the_time_of_the_other_change(two_editors):
    an, binh = two_editors
    product = make_product()
    an_form = opened(an, product, "product_form")
    binh.post(change_url(product), opened(binh, product, "product_form") | {"summary": "B"})
    record = product.history.latest()

    from django.utils import formats, timezone

    when = formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    assert escape(when) in refusal(an.post(change_url(product), an_form | {"summary": "A"}))


def test_an_import_in_between_is_named_by_its_reason(two_editors, tmp_path):
    an, _binh = two_editors
    load_places()
    import_file(write_csv(tmp_path / "r.csv", [ROW]))
    product = Product.objects.get()
    an_form = opened(an, product, "product_form")
    import_file(write_csv(tmp_path / "r2.csv", [ROW | {"description": "Mô tả mới"}]))

    message = refusal(an.post(change_url(product), an_form | {"name": "Tên khác"}))
    assert "import r2.csv" in message
    assert Product.objects.get().name == ROW["product_name"]


def test_a_record_without_history_is_still_protected(two_editors):
    """Rows loaded from fixtures have no history record until their first save."""
    an, binh = two_editors
    product = make_product(name="Chè búp")
    product.history.all().delete()
    an_form, binh_form = opened(an, product, "product_form"), opened(binh, product, "product_form")
    assert an_form["opened_version"] == ""
    assert binh.post(change_url(product), binh_form | {"name": "B"}).status_code == 302
    refusal(an.post(change_url(product), an_form | {"name": "A"}))
    assert Product.objects.get().name == "B"


def test_a_save_with_no_change_in_between_goes_through(two_editors):
    an, _binh = two_editors
    certificate = make_certificate(stars=4, score="75")
    response = an.post(
        change_url(certificate), opened(an, certificate, "certificate_form") | {"score": "78"}
    )
    assert response.status_code == 302
    assert float(Certificate.objects.get().score) == 78


def test_the_refusal_is_translated(two_editors):
    an, binh = two_editors
    product = make_product()
    an_form = opened(an, product, "product_form")
    binh.post(change_url(product), opened(binh, product, "product_form") | {"summary": "B"})
    message = refusal(an.post(change_url(product), an_form | {"summary": "A"}))
    assert "Mở phiên bản hiện tại và sửa lại." in message  # the admin is in Vietnamese
