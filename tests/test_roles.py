"""Editor roles: provincial editors see everything, commune editors only their communes."""

import io

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product
from certification.models import Certificate
from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS, PROVINCIAL_EDITORS, ROLES

from .factories import make_certificate, make_commune, make_producer, make_product

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def setup_roles() -> str:
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    return out.getvalue()


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


# setup_roles


def test_setup_roles_gives_each_group_its_permissions():
    setup_roles()
    provincial = codenames(PROVINCIAL_EDITORS)
    assert len(provincial) == sum(len(actions) for actions in ROLES[PROVINCIAL_EDITORS].values())
    assert {"sources.change_officialfigure", "sources.add_lead", "sources.add_source"} <= provincial
    assert {"places.delete_commune", "places.add_communealias"} <= provincial
    assert "certification.delete_certificate" in provincial
    assert codenames(COMMUNE_EDITORS) == {
        "places.view_commune",
        "catalogue.view_category",
        "marks.view_qualitymark",
        "corrections.change_correctionreport",
        "corrections.view_correctionreport",
        # the producer portal, for their communes' producers
        "producers.add_invitation",
        "producers.change_invitation",
        "producers.view_invitation",
        "producers.change_proposal",
        "producers.view_proposal",
        "producers.view_auditevent",
        # enquiries to their communes' producers: read and mark answered or spam
        "trade.change_enquiry",
        "trade.view_enquiry",
        *(
            f"{app}.{action}_{model}"
            for app, model in [
                ("catalogue", "producer"),
                ("catalogue", "product"),
                ("catalogue", "productimage"),
                ("catalogue", "productlink"),
                ("trade", "pointofsale"),
                ("trade", "saleschannel"),
                ("trade", "producerplace"),
                ("certification", "certificate"),
                # the sources they cite for their communes' products and ratings
                ("sources", "source"),
            ]
            for action in ["add", "change", "view"]
        ),
    }


def test_setup_roles_is_idempotent_and_restores_the_permission_sets():
    setup_roles()
    before = {name: codenames(name) for name in (PROVINCIAL_EDITORS, COMMUNE_EDITORS)}
    group = Group.objects.get(name=COMMUNE_EDITORS)
    group.permissions.add(*Group.objects.get(name=PROVINCIAL_EDITORS).permissions.all())
    out = setup_roles()
    assert "Updated group 'Commune editors'" in out
    assert Group.objects.count() == 2
    assert {name: codenames(name) for name in before} == before


# Commune editors


@pytest.fixture
def places():
    """Everything in two communes: the editor's own and another."""
    setup_roles()
    own, other = make_commune(name="Xã Của Mình"), make_commune(name="Xã Khác")
    objects = {}
    for key, commune in [("own", own), ("other", other)]:
        producer = make_producer(name=f"HTX {commune.name}", commune=commune)
        product = make_product(name=f"Chè {commune.name}", producer=producer)
        objects[key] = {
            "commune": commune,
            "producer": producer,
            "product": product,
            "certificate": make_certificate(product=product),
        }
    return objects


def login_editor(client, django_user_model, group=COMMUNE_EDITORS, communes=()):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if group == COMMUNE_EDITORS:
        CommuneEditor.objects.create(user=user).communes.set(communes)
    client.force_login(user)
    return client


@pytest.fixture
def editor(client, django_user_model, places):
    return login_editor(client, django_user_model, communes=[places["own"]["commune"]])


SCOPED = [Producer, Product, Certificate]


def model_name(model) -> str:
    return model._meta.model_name


@pytest.mark.parametrize("model", SCOPED, ids=model_name)
def test_commune_editor_changelist_shows_only_their_communes(editor, places, model):
    response = editor.get(admin_url(model, "changelist"))
    key = model_name(model)
    assert list(response.context["cl"].result_list) == [places["own"][key]]


@pytest.mark.parametrize("model", SCOPED, ids=model_name)
def test_commune_editor_can_open_their_own_objects(editor, places, model):
    obj = places["own"][model_name(model)]
    assert editor.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", SCOPED, ids=model_name)
def test_commune_editor_cannot_read_another_communes_object_by_url(editor, places, model):
    """The admin answers as if the object did not exist: back to the index with a message."""
    obj = places["other"][model_name(model)]
    response = editor.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert editor.get(admin_url(model, "history", obj.pk)).status_code == 302


@pytest.mark.parametrize("model", SCOPED, ids=model_name)
def test_commune_editor_cannot_change_another_communes_object(editor, places, model):
    obj = places["other"][model_name(model)]
    before = list(model.objects.filter(pk=obj.pk).values())
    response = editor.post(admin_url(model, "change", obj.pk), {"name": "Đã sửa", "stars": 3})
    assert response.status_code == 302
    assert list(model.objects.filter(pk=obj.pk).values()) == before


def test_commune_editor_cannot_delete(editor, places):
    product = places["own"]["product"]
    assert editor.post(admin_url(Product, "delete", product.pk), {"post": "yes"}).status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def autocomplete(client, app_label, model_name, field_name, term="") -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_commune_editor_autocomplete_offers_only_their_communes_objects(editor, places):
    own = places["own"]
    assert autocomplete(editor, "catalogue", "product", "producer") == [own["producer"].name]
    assert autocomplete(editor, "certification", "certificate", "product", "che") == [
        own["product"].name
    ]
    assert autocomplete(editor, "catalogue", "producer", "commune") == [own["commune"].name]


def test_commune_editor_may_view_every_commune_but_not_change_one(editor, places):
    response = editor.get(admin_url(type(places["own"]["commune"]), "changelist"))
    assert len(response.context["cl"].result_list) == 2
    other = places["other"]["commune"]
    assert editor.get(admin_url(type(other), "change", other.pk)).status_code == 200
    response = editor.post(admin_url(type(other), "change", other.pk), {"name": "X"})
    assert response.status_code == 403


def form_data(response) -> dict:
    """What the change form in `response` posts when nothing is edited."""
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(name): value for name, value in management.initial.items()}
        all_forms += formset.forms
    for form in all_forms:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field, forms.FileField) or field.disabled:
                continue
            if isinstance(field.widget, forms.MultiWidget):
                parts = field.widget.decompress(value)
                data |= {f"{key}_{i}": part for i, part in enumerate(parts) if part is not None}
            elif value is True:
                data[key] = "on"
            elif value not in (None, False):
                data[key] = value
    return data


def test_commune_editor_cannot_move_a_producer_to_another_commune(editor, places):
    producer = places["own"]["producer"]
    url = admin_url(Producer, "change", producer.pk)
    data = form_data(editor.get(url)) | {"commune": places["other"]["commune"].pk}
    response = editor.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["commune"] == [
        _("Choose one of your communes.")
    ]
    producer.refresh_from_db()
    assert producer.commune == places["own"]["commune"]


def test_commune_editor_can_save_their_own_producer(editor, places):
    producer = places["own"]["producer"]
    url = admin_url(Producer, "change", producer.pk)
    response = editor.post(url, form_data(editor.get(url)) | {"phone": "0208 111"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.phone == "0208 111"


def test_commune_editor_must_give_a_new_producer_one_of_their_communes(editor, places):
    url = admin_url(Producer, "add")
    data = form_data(editor.get(url)) | {"name": "HTX Mới", "commune": ""}
    response = editor.post(url, data)
    assert "commune" in response.context["adminform"].form.errors
    assert not Producer.objects.filter(name="HTX Mới").exists()


def test_commune_editor_cannot_create_a_product_for_another_communes_producer(editor, places):
    url = admin_url(Product, "add")
    data = form_data(editor.get(url)) | {
        "name": "Sản phẩm lạ",
        "producer": places["other"]["producer"].pk,
    }
    response = editor.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["producer"] == [
        _("Choose a producer of your communes.")
    ]
    assert not Product.objects.filter(name="Sản phẩm lạ").exists()
    data["producer"] = places["own"]["producer"].pk
    assert editor.post(url, data).status_code == 302
    assert Product.objects.get(name="Sản phẩm lạ").producer == places["own"]["producer"]


def test_commune_editor_cannot_certify_another_communes_product(editor, places):
    url = admin_url(Certificate, "add")
    data = form_data(editor.get(url)) | {
        "product": places["other"]["product"].pk,
        "stars": 3,
        "decision_number": "5/QĐ-UBND",
        "decision_date": "2025-03-01",
        "issuer_level": Certificate.IssuerLevel.PROVINCE,
    }
    response = editor.post(url, data)
    assert response.context["adminform"].form.errors["product"] == [
        _("Choose a product of your communes.")
    ]
    assert not Certificate.objects.filter(decision_number="5/QĐ-UBND").exists()


def test_commune_editor_without_communes_sees_nothing(client, django_user_model, places):
    login_editor(client, django_user_model, communes=[])
    response = client.get(admin_url(Product, "changelist"))
    assert list(response.context["cl"].result_list) == []


def test_certificate_summary_counts_only_their_communes(editor, places):
    response = editor.get(admin_url(Certificate, "changelist"))
    label, cells = response.context["status_summary"]["rows"][0]
    assert cells[0][0] == 1  # in force


# Everyone else


@pytest.mark.parametrize("model", SCOPED, ids=model_name)
def test_provincial_editors_see_every_commune(client, django_user_model, places, model):
    login_editor(client, django_user_model, group=PROVINCIAL_EDITORS)
    response = client.get(admin_url(model, "changelist"))
    assert len(response.context["cl"].result_list) == 2
    other = places["other"][model_name(model)]
    assert client.get(admin_url(model, "change", other.pk)).status_code == 200


def test_a_provincial_editor_with_an_old_assignment_still_sees_everything(
    client, django_user_model, places
):
    login_editor(client, django_user_model, group=PROVINCIAL_EDITORS)
    user = django_user_model.objects.get(username="editor")
    CommuneEditor.objects.create(user=user).communes.set([places["own"]["commune"]])
    response = client.get(admin_url(Product, "changelist"))
    assert len(response.context["cl"].result_list) == 2


def test_superusers_assign_communes_on_the_user_page(staff_client, django_user_model, places):
    user = django_user_model.objects.create_user("ward", password="pw", is_staff=True)
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = staff_client.get(url)
    assert "commune_editor-TOTAL_FORMS" in response.content.decode()
    data = form_data(response) | {
        "commune_editor-TOTAL_FORMS": "1",
        "commune_editor-0-communes": [places["own"]["commune"].pk],
    }
    assert staff_client.post(url, data).status_code == 302
    assert list(user.commune_editor.communes.all()) == [places["own"]["commune"]]
