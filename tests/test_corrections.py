"""Corrections from the public: the /report/ form, its defences, and the admin queue."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.template import templatize

from catalogue.models import Product
from corrections import forms, limits
from corrections.models import CorrectionReport
from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS, PROVINCIAL_EDITORS

from . import hostile
from .factories import make_certified_product, make_commune, make_producer, make_product
from .test_languages import read_po, visible_text
from .test_security import inline_code

pytestmark = pytest.mark.django_db

URL = "/report/"
THANKS = "/report/thanks/"
PREFIXES = {"vi": "", "en": "/en", "fr": "/fr"}
EMAIL = "reporter-secret@example.invalid"
TITLES = {
    "vi": "Báo lỗi hoặc sản phẩm còn thiếu",
    "en": "Report an error or a missing product",
    "fr": "Signaler une erreur ou un produit manquant",
}
ERROR_SUMMARY = {
    "vi": "Báo cáo của bạn chưa được gửi.",
    "en": "Your report was not sent.",
    "fr": "Votre signalement n’a pas été envoyé.",
}


@pytest.fixture
def client():
    """A server error comes back as a 500 response, which every check refuses."""
    return Client(raise_request_exception=False)


@pytest.fixture
def product():
    return make_certified_product(name="Chè Tân Cương Hảo Đạt", stars=4)


def report(client, data=None, prefix="", **extra):
    fields = {"message": "Số điện thoại của cơ sở đã đổi.", "product": "", "subject": ""}
    return client.post(prefix + URL, {**fields, **(data or {})}, **extra)


def errors_of(response) -> str:
    return visible_text(response.content.decode())


# The form page


@pytest.mark.parametrize("language", PREFIXES)
def test_the_form_answers_in_each_language(client, language):
    response = client.get(PREFIXES[language] + URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert TITLES[language] in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'action="' + PREFIXES[language] + URL + '"' in html


def test_the_form_page_is_never_cached(client):
    """It carries a CSRF token: not in the page cache, not in a shared or browser cache."""
    first = client.get(URL)
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first.content.decode())
    fresh = Client()
    second = fresh.get(URL)
    assert token.group(1) not in second.content.decode()


def test_a_product_address_prefills_the_form(client, product):
    response = client.get(URL, {"product": product.slug})
    html = response.content.decode()
    assert response.status_code == 200
    assert product.name in html
    assert f'<input type="hidden" name="product" value="{product.slug}">' in html
    assert 'name="product_name"' not in html  # the product is known


@pytest.mark.parametrize(
    "slug",
    ["khong-co", "", "<script>alert(1)</script>", "a" * 500, "che\x00", "../../etc", "%FF", "é"],
    ids=range(8),
)
def test_an_unknown_product_address_shows_the_empty_form(client, product, slug):
    response = client.get(URL, {"product": slug})
    hostile.check(response, statuses={200}, what=repr(slug))
    html = response.content.decode()
    assert '<input type="hidden" name="product" value="">' in html
    assert 'name="product_name"' in html


def test_an_unpublished_product_is_not_named(client):
    hidden = make_product(name="Sản phẩm ẩn", is_published=False)
    response = client.get(URL, {"product": hidden.slug})
    assert "Sản phẩm ẩn" not in response.content.decode()


def test_raw_query_strings_never_break_the_form(client, product):
    for query in hostile.RAW_QUERIES + ["product=%00", "product=" + product.slug + "%00"]:
        hostile.check(client.get(URL, QUERY_STRING=query), statuses={200}, what=query)


def test_other_methods_are_refused(client):
    assert client.head(URL).status_code == 200
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(URL).status_code == 405
    assert client.post(THANKS).status_code == 405


def test_the_form_page_runs_the_same_queries_however_big_the_catalogue(client):
    counts = []
    for n in (3, 30):
        while Product.objects.count() < n:
            product = make_product()
        with CaptureQueriesContext(connection) as plain:
            assert client.get(URL).status_code == 200
        with CaptureQueriesContext(connection) as prefilled:
            assert client.get(URL, {"product": product.slug}).status_code == 200
        counts.append((len(plain), len(prefilled)))
    assert counts[0] == counts[1]
    assert counts[0] == (0, 1)  # no query without a product, one to find it


@pytest.mark.parametrize("language", ["vi", "fr"])
def test_the_pages_have_no_english_left(client, product, language):
    english = ["Report an error", "What is wrong", "Send the report", "Your email", "optional"]
    pages = [
        client.get(PREFIXES[language] + URL),
        client.get(PREFIXES[language] + URL, {"product": product.slug}),
        report(client, {"message": ""}, prefix=PREFIXES[language]),
        client.get(PREFIXES[language] + THANKS),
    ]
    for response in pages:
        text = visible_text(response.content.decode())
        assert [phrase for phrase in english if phrase in text] == []


@pytest.mark.parametrize("language", PREFIXES)
def test_the_pages_have_no_inline_code(client, product, language):
    """The strict Content-Security-Policy holds: the honeypot is hidden by the stylesheet."""
    pages = [
        client.get(PREFIXES[language] + URL, {"product": product.slug}),
        report(client, {"message": "<script>alert(1)</script>"}, prefix=PREFIXES[language]),
        client.get(PREFIXES[language] + THANKS),
    ]
    for response in pages:
        assert inline_code(response.content.decode()) == []


# Sending a report


def test_a_report_about_a_product_is_saved_and_thanked(client, product):
    response = report(
        client,
        {
            "product": product.slug,
            "message": "Sản phẩm đã được nâng lên 5 sao năm 2025.",
            "source_url": "https://thainguyen.gov.vn/quyet-dinh-123",
            "email": EMAIL,
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    assert response["Location"] == THANKS
    saved = CorrectionReport.objects.get()
    assert saved.product == product
    assert saved.product_name == product.name
    assert saved.message == "Sản phẩm đã được nâng lên 5 sao năm 2025."
    assert saved.source_url == "https://thainguyen.gov.vn/quyet-dinh-123"
    assert saved.email == EMAIL
    assert saved.status == CorrectionReport.Status.NEW
    assert saved.handled_by is None and saved.handled_at is None
    assert re.fullmatch(r"[0-9a-f]{64}", saved.client_hash)
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Cảm ơn" in thanks.content.decode()


def test_a_missing_product_is_reported_by_name(client):
    response = report(
        client, {"product_name": "Miến dong Na Rì", "message": "Thiếu sản phẩm 3 sao."}
    )
    assert response.status_code == 302
    saved = CorrectionReport.objects.get()
    assert saved.product is None
    assert saved.product_name == "Miến dong Na Rì"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_thanks_page_is_in_the_language_of_the_form(client, language):
    response = report(client, prefix=PREFIXES[language])
    assert response["Location"] == PREFIXES[language] + THANKS


def test_an_unknown_product_in_the_post_is_a_report_without_product(client, product):
    response = report(client, {"product": "khong-co<script>"})
    assert response.status_code == 302
    assert CorrectionReport.objects.get().product is None


def test_plain_text_with_angle_brackets_is_kept_as_text(client):
    message = 'Giá ghi < 100.000 đ nhưng thực tế > 150.000 đ <3 & "ngon"'
    assert report(client, {"message": message}).status_code == 302
    assert CorrectionReport.objects.get().message == message


def test_control_characters_are_removed(client):
    assert report(client, {"message": "Sai\x1b[31m tên\u202e\x07"}).status_code == 302
    assert CorrectionReport.objects.get().message == "Sai[31m tên"


def test_the_address_is_never_stored_only_its_keyed_hash(client):
    for address in ["203.0.113.7", "203.0.113.7", "198.51.100.9"]:
        report(client, REMOTE_ADDR=address)
    first, second, third = CorrectionReport.objects.order_by("pk")
    assert first.client_hash == second.client_hash != third.client_hash
    for row in CorrectionReport.objects.values_list():
        assert not any("203.0.113" in str(value) for value in row)


# Bad input: a clear message on the form, nothing created, never a 500


HOSTILE = {
    "empty": ({"message": ""}, "Vui lòng cho biết điều gì chưa đúng."),
    "only spaces": ({"message": "   \n\t "}, "Vui lòng cho biết điều gì chưa đúng."),
    "only control characters": ({"message": "\x00\x01\u200b"}, "Vui lòng cho biết"),
    "10,000 characters": ({"message": "a" * 10_000}, "2000 ký tự (hiện có 10000)"),
    "a script": ({"message": "<script>alert(1)</script>"}, "không có thẻ HTML"),
    "an image tag": ({"message": '"><img src=x onerror=alert(1)>'}, "không có thẻ HTML"),
    "closing the textarea": ({"message": "</textarea><script>alert(1)</script>"}, "thẻ HTML"),
    "markup in the name": ({"product_name": "<svg onload=alert(1)>"}, "không có thẻ HTML"),
    "a javascript: address": ({"source_url": "javascript:alert(1)"}, "http:// hoặc https://"),
    "a data: address": ({"source_url": "data:text/html,<script>alert(1)</script>"}, "https://"),
    "an ftp address": ({"source_url": "ftp://example.com/x"}, "http:// hoặc https://"),
    "a bad email": ({"email": "not-an-email<script>"}, "Nhập một địa chỉ email hợp lệ"),
    "the honeypot filled": ({"subject": "Buy cheap pills"}, "có vẻ được gửi tự động"),
    "a long name": ({"product_name": "x" * 201}, "200"),
}


@pytest.mark.parametrize("data, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_bad_input_gets_a_message_and_creates_nothing(client, product, data, message):
    response = report(client, data)
    hostile.check(response, statuses={200}, what=repr(data))
    text = errors_of(response)
    assert ERROR_SUMMARY["vi"] in text
    assert message in text
    assert CorrectionReport.objects.count() == 0


def test_each_error_is_tied_to_its_field(client):
    response = report(client, {"message": "", "source_url": "javascript:alert(1)"})
    html = response.content.decode()
    for name in ("message", "source_url"):
        field = re.search(rf"<(?:textarea|input)[^>]*name=\"{name}\"[^>]*>", html).group(0)
        assert 'aria-invalid="true"' in field
        assert f'aria-describedby="id_{name}_helptext id_{name}_error"' in field
        assert f'id="id_{name}_error"' in html
    assert html.count("http:// hoặc https://.") == 1  # one message per problem


def test_the_honeypot_is_hidden_from_people_and_never_refilled(client):
    response = report(client, {"subject": "robot text"})
    html = response.content.decode()
    trap = re.search(r'<div class="report__trap" aria-hidden="true">.*?</div>', html, re.S)
    assert trap and 'tabindex="-1"' in trap.group(0)
    assert "robot text" not in html


def test_hostile_payloads_in_every_field(client, product, monkeypatch):
    """No payload is echoed as markup or control characters, leaks internals or causes a 500."""
    monkeypatch.setattr(limits, "REPORTS_PER_CLIENT", 10**6)
    fields = ["message", "product_name", "source_url", "email", "product", "subject"]
    for i, payload in enumerate(hostile.PAYLOADS):
        data = {
            field: hostile.PAYLOADS[(i + j) % len(hostile.PAYLOADS)]
            for j, field in enumerate(fields)
        }
        hostile.check(report(client, data), statuses={200, 302}, what=repr(data))
        hostile.check(report(client, {"message": payload}), statuses={200, 302}, what=payload)
    saved = CorrectionReport.objects.all()
    assert saved  # the harmless payloads (SQL, numbers, paths...) are plain reports
    for row in saved:
        assert not forms._MARKUP.search(row.message + row.product_name)
        assert not hostile.CONTROL_CHARACTERS.search(row.message + row.product_name)


def test_a_post_without_a_csrf_token_is_refused(product):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(URL, {"message": "Sai số điện thoại.", "product": product.slug})
    assert response.status_code == 403
    assert CorrectionReport.objects.count() == 0


def test_a_post_with_the_token_of_the_page_is_accepted(product):
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get(URL, {"product": product.slug}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"message": "Sai số điện thoại.", "product": product.slug, "csrfmiddlewaretoken": token}
    assert csrf_client.post(URL, data).status_code == 302
    assert CorrectionReport.objects.count() == 1


# Floods


@pytest.fixture
def limit(monkeypatch):
    monkeypatch.setattr(limits, "REPORTS_PER_CLIENT", 3)
    return 3


def test_a_flood_is_refused_beyond_the_limit(client, limit):
    for _ in range(limit):
        assert report(client, REMOTE_ADDR="203.0.113.7").status_code == 302
    response = report(client, {"message": "Thêm một báo cáo"}, REMOTE_ADDR="203.0.113.7")
    hostile.check(response, statuses={429})
    assert "Vui lòng chờ 60 phút" in errors_of(response)
    assert "Thêm một báo cáo" in response.content.decode()  # the text is kept for later
    assert CorrectionReport.objects.count() == limit
    # Another client is not affected.
    assert report(client, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_limit_is_per_ipv6_network(client, limit):
    for host in range(limit):
        assert report(client, REMOTE_ADDR=f"2001:db8:1:2::{host + 1}").status_code == 302
    assert report(client, REMOTE_ADDR="2001:db8:1:2::99").status_code == 429


def test_the_limit_counts_the_client_behind_a_trusted_proxy(client, limit, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(limit):
        assert report(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxied).status_code == 302
    assert report(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxied).status_code == 429
    assert report(client, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxied).status_code == 302


def test_refused_forms_are_not_counted(client, limit):
    for _ in range(limit * 3):
        assert report(client, {"message": ""}).status_code == 200
    assert report(client).status_code == 302


def test_a_failing_cache_refuses_the_report_with_a_message(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(limits.cache, "add", broken)
    monkeypatch.setattr(limits.cache, "incr", broken)
    response = report(client, {"message": "Sai địa chỉ."})
    assert response.status_code == 503  # not hostile.check: it tallies every 5xx as an error
    assert "chưa thể nhận báo cáo" in errors_of(response)
    assert "Sai địa chỉ." in response.content.decode()
    assert CorrectionReport.objects.count() == 0


# The reporter's email


def test_the_email_is_never_on_a_public_page(client, product):
    report(client, {"product": product.slug, "email": EMAIL})
    assert CorrectionReport.objects.get().email == EMAIL
    for language in PREFIXES:
        with translation.override(language):
            pages = [
                URL,
                URL + "?product=" + product.slug,
                THANKS,
                product.get_absolute_url(),
                reverse("catalogue:product-list"),
                reverse("catalogue:home"),
                reverse("catalogue:statistics"),
                reverse("certification:verify") + "?q=" + product.public_code,
                reverse("registry:product-export"),
            ]
        for page in pages:
            response = client.get(page)
            body = response.content if not response.streaming else b"".join(response)
            assert EMAIL.encode() not in body, (language, page)
    admin = client.get(reverse("admin:corrections_correctionreport_changelist"))
    assert admin.status_code == 302 and EMAIL.encode() not in admin.content


# Links to the form


@pytest.mark.parametrize("language", PREFIXES)
def test_every_product_page_links_to_the_form_for_it(client, product, language):
    with translation.override(language):
        url = product.get_absolute_url()
    html = client.get(url).content.decode()
    link = f'href="{PREFIXES[language]}{URL}?product={product.slug}"'
    assert link in html
    assert TITLES[language] in html


@pytest.mark.parametrize("language", PREFIXES)
def test_the_footer_links_to_the_form(client, language):
    html = client.get(PREFIXES[language] + "/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{PREFIXES[language]}{URL}"' in footer


# Translations


def our_messages() -> set[str]:
    """Every msgid of the app's code and templates (and of its links on other pages)."""
    base = Path(settings.BASE_DIR)
    found = set()
    for file in (base / "corrections").glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", "")
            if isinstance(node, ast.Call) and name in {"_", "gettext", "ngettext"}:
                found |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    for file in (base / "templates" / "corrections").glob("*.html"):
        code = templatize(file.read_text(encoding="utf-8"), origin=str(file))
        found |= {ast.literal_eval(f"'{m}'") for m in re.findall(r"u'((?:[^'\\]|\\.)*)'", code)}
    return found


@pytest.mark.parametrize("language", ["vi", "fr"])
def test_every_message_of_the_app_is_translated(language):
    ours = our_messages()
    assert {"Report an error or a missing product", "Accept the selected reports"} <= ours
    assert len(ours) > 40
    catalogue = {
        msgid: message
        for message in read_po(
            Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
        )
        for msgid in message.msgids
    }
    missing = [
        msgid
        for msgid in sorted(ours)
        if msgid not in catalogue or catalogue[msgid].fuzzy or not all(catalogue[msgid].msgstrs)
    ]
    assert missing == []
    with translation.override(language):
        assert gettext("Report an error or a missing product") == TITLES[language]


# The model


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "maybe"},
        {"message": ""},
        {"message": "x" * 2001},
        {"source_url": "javascript:alert(1)"},
        {"status": "accepted"},  # decided, but nobody knows when
    ],
    ids=["status", "empty", "long", "javascript", "undated decision"],
)
def test_the_database_refuses_what_the_form_refuses(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectionReport.objects.create(**{"message": "Sai tên.", **fields})


def test_a_deleted_product_leaves_its_reports_with_its_name(client):
    product = make_product(name="Măng khô Bắc Kạn")
    report(client, {"product": product.slug})
    product.delete()
    saved = CorrectionReport.objects.get()
    assert saved.product is None
    assert str(saved) == "Măng khô Bắc Kạn"


# The admin queue


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:corrections_correctionreport_{view}", args=args)


@pytest.fixture
def reports():
    call_command("setup_roles", verbosity=0)
    own, other = make_commune(name="Xã Của Mình"), make_commune(name="Xã Khác")
    made = {}
    for key, commune in [("own", own), ("other", other)]:
        product = make_product(name=f"Chè {commune.name}", producer=make_producer(commune=commune))
        made[key] = CorrectionReport.objects.create(
            product=product, product_name=product.name, message=f"Sai ở {commune.name}", email=EMAIL
        )
    made["missing"] = CorrectionReport.objects.create(
        product_name="Sản phẩm mới", message="Thiếu sản phẩm"
    )
    made["own_commune"] = own
    return made


def login(client, django_user_model, group, communes=()):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if group == COMMUNE_EDITORS:
        CommuneEditor.objects.create(user=user).communes.set(communes)
    client.force_login(user)
    return user


def test_the_queue_lists_filters_and_shows_the_email_to_staff(staff_client, reports):
    response = staff_client.get(admin_url("changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("own", "other", "missing"):
        assert reports[key].message in html
    assert "Sản phẩm mới" in html
    new = staff_client.get(admin_url("changelist"), {"status__exact": "new"})
    assert new.context["cl"].result_count == 3
    accepted = staff_client.get(admin_url("changelist"), {"status__exact": "accepted"})
    assert accepted.context["cl"].result_count == 0
    page = staff_client.get(admin_url("change", reports["own"].pk)).content.decode()
    assert EMAIL in page


def test_accept_and_reject_record_who_and_when(staff_client, reports):
    staff = staff_client.get(admin_url("changelist")).context["request"].user
    own, missing = reports["own"], reports["missing"]
    response = staff_client.post(
        admin_url("changelist"),
        {"action": "accept", "_selected_action": [own.pk, missing.pk]},
        follow=True,
    )
    assert "2 báo cáo đã được chấp nhận." in response.content.decode()
    for saved in CorrectionReport.objects.filter(pk__in=[own.pk, missing.pk]):
        assert saved.status == "accepted"
        assert saved.handled_by == staff
        assert saved.handled_at is not None
    staff_client.post(
        admin_url("changelist"), {"action": "reject", "_selected_action": [missing.pk]}
    )
    missing.refresh_from_db()
    assert missing.status == "rejected" and missing.handled_by == staff
    other = CorrectionReport.objects.get(pk=reports["other"].pk)
    assert other.status == "new" and other.handled_by is None


def test_changing_the_status_on_the_page_records_who_and_when(staff_client, reports):
    own = reports["own"]
    response = staff_client.post(
        admin_url("change", own.pk), {"product": own.product.pk, "status": "rejected"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "rejected" and own.handled_by.username == "staff" and own.handled_at
    staff_client.post(admin_url("change", own.pk), {"product": own.product.pk, "status": "new"})
    own.refresh_from_db()
    assert own.status == "new" and own.handled_by is None and own.handled_at is None


def test_reports_are_not_added_in_the_admin(staff_client, reports):
    assert staff_client.get(admin_url("add")).status_code == 403


def test_commune_editors_see_only_their_communes_reports(client, django_user_model, reports):
    login(client, django_user_model, COMMUNE_EDITORS, [reports["own_commune"]])
    response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["cl"].result_list] == [reports["own"].pk]
    assert client.get(admin_url("change", reports["own"].pk)).status_code == 200
    for key in ("other", "missing"):  # another commune's, and one about no product
        assert client.get(admin_url("change", reports[key].pk)).status_code == 302


def test_commune_editors_accept_only_their_own(client, django_user_model, reports):
    login(client, django_user_model, COMMUNE_EDITORS, [reports["own_commune"]])
    selected = [reports[key].pk for key in ("own", "other", "missing")]
    client.post(admin_url("changelist"), {"action": "accept", "_selected_action": selected})
    statuses = dict(CorrectionReport.objects.values_list("pk", "status"))
    assert statuses == {
        reports["own"].pk: "accepted",
        reports["other"].pk: "new",
        reports["missing"].pk: "new",
    }


def test_commune_editors_cannot_detach_a_report_from_its_product(
    client, django_user_model, reports
):
    login(client, django_user_model, COMMUNE_EDITORS, [reports["own_commune"]])
    own = reports["own"]
    response = client.post(admin_url("change", own.pk), {"product": "", "status": "accepted"})
    assert response.status_code == 200  # the form, with its error
    own.refresh_from_db()
    assert own.product is not None and own.status == "new"
    other_product = reports["other"].product
    client.post(admin_url("change", own.pk), {"product": other_product.pk, "status": "new"})
    own.refresh_from_db()
    assert own.product != other_product


def test_provincial_editors_see_every_report(client, django_user_model, reports):
    login(client, django_user_model, PROVINCIAL_EDITORS)
    response = client.get(admin_url("changelist"))
    assert response.context["cl"].result_count == 3
    assert client.get(admin_url("change", reports["missing"].pk)).status_code == 200
