"""On SQLite, search() reads an FTS5 index of the search text (catalogue/models/fulltext.py):
it finds exactly what the word-start patterns find, and follows every write."""

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Product, fulltext
from core import search

from .factories import make_product

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL uses trigrams"),
]

NAMES = [
    "Chè búp Tân Cương",
    "Trà hoa vàng Định Hóa",
    "Mật ong rừng Võ Nhai",
    "Miến dong Yên Bình",
    "Gạo nếp cái hoa vàng",
    "Chè biến tính Phú Lương",
    "Sả chanh sơ chế",
    "Rượu ngô men lá",
    "Honey of Thai Nguyen",
    "Bánh chưng 20/10",
]
QUERIES = [
    "chè",
    "tra",
    "mật ong",
    "honey",
    "hoa vàng",
    "sả",
    "sa",
    "chế biến",
    "sơ chế",
    "tân cươ",
    "20",
    "gạo",
    "rượu ngô",
    "mie",
    "định hóa chè",
    "xyz",
]


def by_patterns(query: str) -> set[int]:
    """What search() found before the index: LIKE '% word%' on the search text."""
    words = search.query_words(query)
    found = Product.objects.all()
    if query.strip() and not words:  # punctuation only
        return set()
    for alternatives in words:
        found = found.filter(
            Q(
                *[("search_text__contains", search.pattern(word)) for word in alternatives],
                _connector=Q.OR,
            )
        )
    return set(found.values_list("pk", flat=True))


def found(query: str) -> set[int]:
    return set(Product.objects.search(query).values_list("pk", flat=True))


@pytest.fixture
def products():
    return [make_product(name=name) for name in NAMES]


def test_the_index_finds_what_the_patterns_find(products):
    for query in QUERIES:
        assert found(query) == by_patterns(query), query
    assert found("chè") and found("mật ong") and not found("xyz")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(alphabet='aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạèéẹìíòóọùúỳ _-"*()', max_size=14))
def test_any_query_finds_what_the_patterns_find(products, query):
    """Quotes, stars, brackets and operators in a query are words or nothing to FTS5."""
    assert found(query) == by_patterns(query)


def test_the_index_follows_saves_bulk_writes_and_deletes(products):
    product = products[0]
    product.name = "Chè móc câu"
    product.save()
    assert product.pk in found("móc câu") and product.pk not in found("búp")
    product.name = "Chè xoăn"
    Product.objects.bulk_update([product], ["name"])  # search text unchanged: name only
    product.search_name, product.search_text = product.build_search_fields()
    Product.objects.bulk_update([product], ["search_name", "search_text"])
    assert product.pk in found("xoăn") and product.pk not in found("móc câu")
    Product.objects.filter(pk=product.pk).delete()
    assert not found("xoăn")


def test_the_index_is_rebuilt_when_its_triggers_went_with_a_rebuilt_table(products):
    """SQLite's schema editor rebuilds a table to alter it; the next migrate puts the
    triggers back and indexes every product again."""
    with connection.cursor() as cursor:
        for name in fulltext.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    added = make_product(name="Khoai lang Đại Từ")
    assert added.pk not in found("khoai lang")
    fulltext.ensure_index()
    assert added.pk in found("khoai lang")
    again = make_product(name="Khoai môn Đại Từ")
    assert again.pk in found("khoai")
