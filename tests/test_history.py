"""History (django-simple-history): who changed what and when, and restoring a deleted product."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product, ProductLink
from certification.models import Certificate
from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS, PROVINCIAL_EDITORS

from .adminforms import form_data
from .factories import make_certificate, make_commune, make_producer, make_product
from .spreadsheets import ROW, load_places, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

DELETED_URL = reverse("admin:catalogue_product_deleted")


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def restore_url(record) -> str:
    return reverse("admin:catalogue_product_restore", args=[record.history_id])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def save_in_admin(client, obj, form_id: str, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    response = client.post(url, form_data(client.get(url).content, form_id) | changes)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def staff_user(django_user_model):
    return django_user_model.objects.get(username="staff")


# Changes made in the admin


def test_changing_a_product_in_the_admin_records_who_and_what(staff_client, django_user_model):
    product = make_product(name="Chè búp", summary="Chè ngon")
    save_in_admin(staff_client, product, "product_form", summary="Chè rất ngon", net_weight="200 g")
    newest, previous = product.history.all()[:2]
    assert newest.history_type == "~"
    assert newest.history_user == staff_user(django_user_model)
    changes = {
        change.field: (change.old, change.new) for change in newest.diff_against(previous).changes
    }
    assert changes == {"summary": ("Chè ngon", "Chè rất ngon"), "net_weight": ("", "200 g")}


def test_changing_a_certificate_in_the_admin_records_who_and_what(staff_client, django_user_model):
    certificate = make_certificate(stars=3, score=None)
    save_in_admin(staff_client, certificate, "certificate_form", stars="4", note="Đã sửa")
    newest, previous = certificate.history.all()[:2]
    assert newest.history_user == staff_user(django_user_model)
    assert set(newest.diff_against(previous).changed_fields) == {"stars", "note"}


def test_the_history_page_shows_who_changed_which_field_from_what_to_what(staff_client):
    product = make_product(name="Chè búp", summary="Chè ngon")
    save_in_admin(staff_client, product, "product_form", summary="Chè rất ngon")
    response = staff_client.get(admin_url(Product, "history", product.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "staff" in page
    assert "Chè ngon" in page and "Chè rất ngon" in page


def test_the_history_page_lists_changes_to_its_links_and_certificates(staff_client):
    product = make_product()
    link = ProductLink.objects.create(product=product, label="Shop", url="https://shop.vn/che")
    link.delete()
    make_certificate(product=product, decision_number="77/QĐ-UBND")
    other = make_product()
    ProductLink.objects.create(product=other, label="Khác", url="https://khac.vn/")
    response = staff_client.get(admin_url(Product, "history", product.pk))
    entries = [(e["label"], e["record"].history_type) for e in response.context["related_history"]]
    assert entries == [
        ("77/QĐ-UBND · 4★", "+"),
        ("Shop (https://shop.vn/che)", "-"),
        ("Shop (https://shop.vn/che)", "+"),
    ]
    assert "https://shop.vn/che" in response.content.decode()
    assert staff_client.get(admin_url(Product, "history", "x1")).status_code == 302


def test_a_product_can_be_reverted_to_an_earlier_version(staff_client, django_user_model):
    product = make_product(name="Chè búp", summary="Chè ngon")
    save_in_admin(staff_client, product, "product_form", summary="Sai")
    first = product.history.earliest()
    url = admin_url(Product, "simple_history", product.pk, first.history_id)
    response = staff_client.get(url)
    assert response.status_code == 200
    response = staff_client.post(url, form_data(response.content, "historicalproduct_form"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.summary == "Chè ngon"
    assert product.history.first().history_user == staff_user(django_user_model)


def test_publishing_from_the_changelist_is_recorded(staff_client, django_user_model):
    product = make_product(is_published=False)
    response = staff_client.post(
        admin_url(Product, "changelist"),
        {"action": "publish", "_selected_action": [product.pk]},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.is_published
    newest = product.history.first()
    assert newest.is_published and newest.history_user == staff_user(django_user_model)


def test_saving_in_code_is_recorded_without_a_user():
    product = make_product()
    product.summary = "Từ shell"
    product.save()
    assert [(r.history_type, r.history_user) for r in product.history.all()] == [
        ("~", None),
        ("+", None),
    ]


def test_derived_search_fields_are_not_in_the_history():
    fields = {field.name for field in Product.history.model._meta.fields}
    assert {"search_name", "search_text", "updated_at"}.isdisjoint(fields)
    assert {"name", "slug", "public_code", "producer", "is_published"} <= fields


# Deleted products


@pytest.fixture
def deleted(staff_client):
    """A product with a link, deleted in the admin: its deletion record."""
    product = make_product(name="Mật ong rừng", summary="Mật ong")
    ProductLink.objects.create(product=product, label="Shopee", url="https://shopee.vn/mat-ong")
    response = staff_client.post(admin_url(Product, "delete", product.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    return Product.history.get(id=product.pk, history_type="-")


def test_a_deleted_product_is_listed_with_who_deleted_it(staff_client, deleted):
    response = staff_client.get(DELETED_URL)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [deleted]
    page = response.content.decode()
    assert "Mật ong rừng" in page and deleted.public_code in page and "staff" in page
    assert restore_url(deleted) in page
    assert DELETED_URL in staff_client.get(admin_url(Product, "changelist")).content.decode()


def test_a_deleted_products_history_can_still_be_read(staff_client, deleted):
    response = staff_client.get(admin_url(Product, "history", deleted.id))
    assert response.status_code == 200
    assert "Mật ong rừng" in response.content.decode()


def test_restoring_asks_first_then_brings_back_the_product_as_it_was(
    staff_client, deleted, django_user_model
):
    response = staff_client.get(restore_url(deleted))
    assert response.status_code == 200
    assert "https://shopee.vn/mat-ong" in response.content.decode()
    assert not Product.objects.filter(pk=deleted.id).exists()  # asking changes nothing

    response = staff_client.post(restore_url(deleted))
    assert response.status_code == 302
    product = Product.objects.get(pk=deleted.id)
    assert response["Location"] == admin_url(Product, "change", product.pk)
    assert (product.slug, product.public_code, product.summary) == (
        deleted.slug,
        deleted.public_code,
        "Mật ong",
    )
    assert product.created_at == deleted.created_at
    assert product.search_name  # rebuilt, though not in the history
    assert [(link.label, link.url) for link in product.links.all()] == [
        ("Shopee", "https://shopee.vn/mat-ong")
    ]
    restored = product.history.first()
    assert (restored.history_type, restored.history_change_reason) == ("+", "restore")
    assert restored.history_user == staff_user(django_user_model)
    assert staff_client.get(product.get_absolute_url()).status_code == 200
    assert list(staff_client.get(DELETED_URL).context["page"].object_list) == []


def test_restoring_twice_is_refused(staff_client, deleted):
    staff_client.post(restore_url(deleted))
    response = staff_client.post(restore_url(deleted))
    assert response["Location"] == DELETED_URL
    assert messages_of(response)[-1] == _("This product is not deleted, or was restored already.")
    assert Product.objects.filter(pk=deleted.id).count() == 1


def test_restoring_is_refused_when_another_product_took_its_slug(staff_client, deleted):
    make_product(name="Mật ong khác", slug=deleted.slug)
    response = staff_client.post(restore_url(deleted))
    assert response["Location"] == DELETED_URL
    message = messages_of(response)[-1]
    assert deleted.slug in message
    assert not Product.objects.filter(pk=deleted.id).exists()
    assert not ProductLink.objects.filter(url="https://shopee.vn/mat-ong").exists()


def test_restoring_is_refused_when_its_producer_has_a_new_product_of_that_name(
    staff_client, deleted
):
    make_product(name=deleted.name, producer_id=deleted.producer_id)
    response = staff_client.post(restore_url(deleted))
    assert response["Location"] == DELETED_URL
    assert not Product.objects.filter(pk=deleted.id).exists()


def test_restoring_is_refused_when_its_producer_was_deleted(staff_client, deleted):
    Producer.objects.filter(pk=deleted.producer_id).delete()
    response = staff_client.get(DELETED_URL)
    assert list(response.context["page"].object_list) == [deleted]
    assert _("(deleted)") in response.content.decode()
    response = staff_client.post(restore_url(deleted))
    message = messages_of(response)[-1]
    assert _("Its producer no longer exists: restore or create the producer first.") in message
    assert not Product.objects.filter(pk=deleted.id).exists()


def test_a_product_with_certificates_cannot_be_deleted_so_they_are_never_lost(staff_client):
    certificate = make_certificate()
    product = certificate.product
    staff_client.post(admin_url(Product, "delete", product.pk), {"post": "yes"})
    assert Product.objects.filter(pk=product.pk).exists()
    assert not Product.history.filter(history_type="-").exists()


# Imports


@pytest.fixture
def places(tmp_path, settings):
    load_places()
    # Uploads waiting for confirmation go to this test's folder, not the system's.
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storage["OPTIONS"] = {"location": tmp_path / "uploads"}
    settings.STORAGES = settings.STORAGES | {"imports": storage}


def import_ocop(path, *args) -> None:
    call_command("import_ocop", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())


def history_rows() -> int:
    return sum(model.history.count() for model in (Producer, Product, Certificate))


def test_an_import_records_its_user_and_file(places, tmp_path, django_user_model):
    importer = django_user_model.objects.create_user("nhap")
    path = write_csv(tmp_path / "so-dang-ky.csv", [ROW])
    import_ocop(path, "--user", "nhap")
    for model in (Producer, Product, Certificate):
        record = model.history.get()
        assert record.history_type == "+"
        assert record.history_user == importer
        assert record.history_change_reason == "import so-dang-ky.csv"

    import_ocop(write_csv(tmp_path / "sua.csv", [ROW | {"stars": "5", "score": "92"}]))
    record = Certificate.history.first()
    assert (record.history_type, record.history_user, record.stars) == ("~", None, 5)
    assert record.history_change_reason == "import sua.csv"


def test_an_import_records_each_object_once_in_its_final_state(places, tmp_path):
    second = ROW | {"decision_number": "13/QĐ-UBND", "description": "Chè ngon"}
    import_ocop(write_csv(tmp_path / "register.csv", [ROW, second]))
    [record] = Product.history.all()
    assert (record.history_type, record.summary) == ("+", "Chè ngon")
    assert Certificate.history.count() == 2 and Producer.history.count() == 1


def test_an_unknown_import_user_is_refused_before_anything_is_written(places, tmp_path):
    with pytest.raises(Exception, match="nobody"):
        import_ocop(write_csv(tmp_path / "register.csv", [ROW]), "--user", "nobody")
    assert not Product.objects.exists() and history_rows() == 0


def test_a_dry_run_and_an_unchanged_reimport_write_no_history(places, tmp_path):
    path = write_csv(tmp_path / "register.csv", [ROW, ROW | {"product_name": "Trà xanh"}])
    import_ocop(path, "--dry-run")
    assert history_rows() == 0
    import_ocop(path)
    assert history_rows() == 5  # 1 producer, 2 products, 2 certificates
    import_ocop(path)
    assert history_rows() == 5


def test_a_refused_import_writes_no_history(places, tmp_path):
    path = write_csv(tmp_path / "register.csv", [ROW, ROW | {"stars": "9"}])
    with pytest.raises(Exception, match="refused"):
        import_ocop(path)
    assert history_rows() == 0


def test_an_admin_import_records_the_staff_member(
    places, staff_client, tmp_path, django_user_model
):
    path = write_xlsx(tmp_path / "register.xlsx", [ROW])
    url = reverse("admin:catalogue_product_import")
    with path.open("rb") as file:
        response = staff_client.post(url, {"file": file})
    assert history_rows() == 0  # the preview is a dry run
    staff_client.post(url, {"token": response.context["token"]})
    record = Product.history.get()
    assert record.history_user == staff_user(django_user_model)
    assert record.history_change_reason == "import register.xlsx"


# Commune editors


@pytest.fixture
def two_communes():
    call_command("setup_roles", stdout=io.StringIO())
    own, other = make_commune(name="Xã Của Mình"), make_commune(name="Xã Khác")
    return {
        "own": make_product(name="Chè nhà", producer=make_producer(commune=own)),
        "other": make_product(name="Chè khác", producer=make_producer(commune=other)),
    }


def login(client, django_user_model, group, communes=()):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if group == COMMUNE_EDITORS:
        CommuneEditor.objects.create(user=user).communes.set(communes)
    client.force_login(user)
    return client


@pytest.fixture
def editor(client, django_user_model, two_communes):
    commune = two_communes["own"].producer.commune
    return login(client, django_user_model, COMMUNE_EDITORS, [commune])


def test_a_commune_editor_sees_the_history_of_their_communes_only(editor, two_communes):
    own, other = two_communes["own"], two_communes["other"]
    assert editor.get(admin_url(Product, "history", own.pk)).status_code == 200
    response = editor.get(admin_url(Product, "history", other.pk))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    record = other.history.get()
    version_url = admin_url(Product, "simple_history", other.pk, record.history_id)
    assert editor.get(version_url).status_code == 403
    certificate = make_certificate(product=other)
    response = editor.get(admin_url(Certificate, "history", certificate.pk))
    assert response.status_code == 302


def test_a_commune_editor_restores_deleted_products_of_their_communes_only(editor, two_communes):
    own, other = two_communes["own"].pk, two_communes["other"].pk
    two_communes["own"].delete()
    two_communes["other"].delete()
    records = {r.name: r for r in Product.history.filter(history_type="-")}
    response = editor.get(DELETED_URL)
    assert [r.name for r in response.context["page"].object_list] == ["Chè nhà"]
    assert "Chè khác" not in response.content.decode()
    # Nor another commune's history once deleted, nor its restore page.
    assert editor.get(admin_url(Product, "history", other)).status_code == 302
    assert editor.get(restore_url(records["Chè khác"]))["Location"] == DELETED_URL
    response = editor.post(restore_url(records["Chè khác"]))
    assert response["Location"] == DELETED_URL
    assert not Product.objects.filter(pk=other).exists()
    assert editor.get(admin_url(Product, "history", own)).status_code == 200
    editor.post(restore_url(records["Chè nhà"]))
    assert Product.objects.filter(pk=own).exists()


def test_a_provincial_editor_sees_every_deleted_product(client, django_user_model, two_communes):
    client = login(client, django_user_model, PROVINCIAL_EDITORS)
    for product in two_communes.values():
        product.delete()
    assert len(client.get(DELETED_URL).context["page"].object_list) == 2


def test_staff_without_the_add_permission_cannot_see_or_restore(
    client, django_user_model, two_communes
):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    two_communes["own"].delete()
    record = Product.history.get(history_type="-")
    assert client.get(DELETED_URL).status_code == 403
    assert client.post(restore_url(record)).status_code == 403
    assert not Product.objects.filter(pk=record.id).exists()


# Synthetic data


def test_seeding_and_clearing_synthetic_products_leave_no_history():
    out = io.StringIO()
    call_command("seed_catalogue", "--products", "20", verbosity=0, stdout=out, stderr=out)
    assert Product.objects.count() == 20
    call_command("seed_catalogue", "--clear", verbosity=0, stdout=out, stderr=out)
    assert not Product.objects.exists()
    assert history_rows() == 0
    assert not ProductLink.history.exists()
