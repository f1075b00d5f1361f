"""Catalogue models: slugs, text folding, protected deletes, category trees and search."""

import unicodedata

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from core.text import fold, slugify_vi
from places.models import Commune

from .factories import (
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_producer,
    make_product,
)

# Text helpers


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chè Tân Cương", "che tan cuong"),
        ("CHÈ TÂN CƯƠNG", "che tan cuong"),
        ("Đồng Hỷ", "dong hy"),
        ("đường ĐỎ", "duong do"),
        ("Miến dong  Việt\tCường\n", "mien dong viet cuong"),
        ("Gạo nếp Vải Phú Lương", "gao nep vai phu luong"),
        (unicodedata.normalize("NFD", "Chè Tân Cương"), "che tan cuong"),
        ("", ""),
    ],
)
def test_fold_lowercases_and_strips_vietnamese_marks(text, folded):
    """fold() removes tone marks, turns đ/Đ into d, lower-cases and collapses spaces."""
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Tân Cương", "tan-cuong"),
        ("Đồng Hỷ", "dong-hy"),
        ("Phường Phổ Yên", "phuong-pho-yen"),
        ("HTX Chè  Hảo Đạt!", "htx-che-hao-dat"),
    ],
)
def test_slugify_vi_gives_ascii_slugs(text, slug):
    """slugify_vi() makes lower-case ASCII slugs, with đ as d."""
    assert slugify_vi(text) == slug


# Slugs on save


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "slug"), [("Tân Cương", "tan-cuong"), ("Đồng Hỷ", "dong-hy"), ("Đại Phúc", "dai-phuc")]
)
def test_commune_slug_is_made_from_its_vietnamese_name(name, slug):
    """A commune saved without a slug gets an ASCII one from its name."""
    assert make_commune(name=name).slug == slug


@pytest.mark.django_db
def test_duplicate_names_get_numbered_slugs():
    """Communes with the same name get tan-cuong, tan-cuong-2, tan-cuong-3."""
    slugs = [make_commune(name="Tân Cương").slug for _ in range(3)]
    assert slugs == ["tan-cuong", "tan-cuong-2", "tan-cuong-3"]


@pytest.mark.django_db
def test_slug_is_kept_when_the_object_is_saved_again():
    """Re-saving or renaming keeps the slug, so published addresses stay stable."""
    commune = make_commune(name="Tân Cương")
    commune.name = "Tân Cương mới"
    commune.save()
    commune.refresh_from_db()
    assert commune.slug == "tan-cuong"


@pytest.mark.django_db
def test_an_explicit_slug_is_kept():
    """A slug typed by an editor is not replaced."""
    assert make_commune(name="Tân Cương", slug="tan-cuong-tn").slug == "tan-cuong-tn"


@pytest.mark.django_db
def test_products_producers_and_categories_get_slugs_too():
    """Every public model fills an empty slug from its name, de-duplicated per model."""
    producer = make_producer(name="HTX Chè Đại Từ")
    first = make_product(name="Chè Đinh", producer=producer)
    second = make_product(name="Chè Đinh")  # another producer's
    category = make_category(name="Đồ uống", slug="")
    assert producer.slug == "htx-che-dai-tu"
    assert (first.slug, second.slug) == ("che-dinh", "che-dinh-2")
    assert category.slug == "do-uong"


@pytest.mark.django_db
def test_a_producer_cannot_have_two_products_of_one_name():
    """The register tells a producer's products apart by name: the database refuses a twin."""
    product = make_product(name="Chè Đinh")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_product(name="Chè Đinh", producer=product.producer)
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_a_name_without_letters_still_gets_a_slug():
    """A name that folds to nothing still gets a usable, unique slug."""
    first, second = make_commune(name="★★★"), make_commune(name="★★★")
    assert first.slug and second.slug and first.slug != second.slug


@pytest.mark.django_db
def test_a_long_name_gets_a_slug_that_fits():
    """A 200-character product name still saves, with a slug within the field's length."""
    first = make_product(name="Chè Tân Cương " * 13 + "đặc biệt ngon")
    second = make_product(name=first.name)
    assert len(first.slug) <= 100 and len(second.slug) <= 100
    assert first.slug != second.slug


# Protected deletes


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Commune, Category, Producer, Product, Certificate)
    )


@pytest.mark.django_db
def test_a_commune_with_products_cannot_be_deleted():
    """Deleting a commune whose producers have products is refused and deletes nothing."""
    product = make_product()
    before = counts()
    with pytest.raises(ProtectedError):
        product.producer.commune.delete()
    assert counts() == before


@pytest.mark.django_db
def test_a_category_with_products_cannot_be_deleted():
    """Deleting a category that products use is refused and deletes nothing."""
    category = make_category()
    make_product(category=category)
    before = counts()
    with pytest.raises(ProtectedError):
        category.delete()
    assert counts() == before


@pytest.mark.django_db
def test_a_category_with_children_cannot_be_deleted():
    """Deleting a sector that still has groups under it is refused."""
    sector = make_category()
    group = make_category(parent=sector)
    make_product(category=group)
    before = counts()
    with pytest.raises(ProtectedError):
        sector.delete()
    assert counts() == before


@pytest.mark.django_db
def test_a_producer_with_products_cannot_be_deleted():
    """Deleting a producer that still has products is refused and deletes nothing."""
    product = make_product()
    before = counts()
    with pytest.raises(ProtectedError):
        product.producer.delete()
    assert counts() == before


@pytest.mark.django_db
def test_a_product_with_certificates_cannot_be_deleted():
    """A product's certification history protects it from deletion."""
    certificate = make_certificate()
    make_image(product=certificate.product)
    before = counts()
    with pytest.raises(ProtectedError):
        certificate.product.delete()
    assert counts() == before
    assert certificate.product.images.count() == 1


@pytest.mark.django_db
def test_a_commune_named_on_a_certificate_cannot_be_deleted():
    """A commune recorded on a certificate is protected even without producers."""
    commune = make_commune()
    make_certificate(commune=commune)
    with pytest.raises(ProtectedError):
        commune.delete()
    assert Commune.objects.filter(pk=commune.pk).exists()


@pytest.mark.django_db
def test_a_product_without_certificates_is_deleted_with_its_images_and_links():
    """Images and links belong to the product and go with it."""
    product = make_product()
    make_image(product=product)
    make_link(product=product)
    product.delete()
    assert not Product.objects.filter(pk=product.pk).exists()
    assert product.images.model.objects.count() == 0
    assert product.links.model.objects.count() == 0


# Category tree


@pytest.fixture
def tree(db):
    """Two sectors; the first has a group with a product set, each holding one product."""
    food = make_category(name="Thực phẩm")
    tea = make_category(name="Chè", parent=food)
    green = make_category(name="Chè xanh", parent=tea)
    drinks = make_category(name="Đồ uống")
    return {
        "food": food,
        "tea": tea,
        "green": green,
        "drinks": drinks,
        "in_food": make_product(category=food),
        "in_tea": make_product(category=tea),
        "in_green": make_product(category=green),
        "in_drinks": make_product(category=drinks),
        "uncategorised": make_product(category=None),
    }


def test_in_category_of_a_sector_includes_groups_and_product_sets_below_it(tree):
    """A sector holds its own products and those of every category below it."""
    found = set(Product.objects.in_category(tree["food"]))
    assert found == {tree["in_food"], tree["in_tea"], tree["in_green"]}


def test_in_category_of_a_group_excludes_its_parent_and_siblings(tree):
    """A group holds its product sets' products, not the sector's own ones."""
    assert set(Product.objects.in_category(tree["tea"])) == {tree["in_tea"], tree["in_green"]}
    assert set(Product.objects.in_category(tree["green"])) == {tree["in_green"]}
    assert set(Product.objects.in_category(tree["drinks"])) == {tree["in_drinks"]}


def test_ancestors_run_from_the_sector_down_to_the_parent(tree):
    """ancestors() is the breadcrumb above a category."""
    assert tree["green"].ancestors() == [tree["food"], tree["tea"]]
    assert tree["food"].ancestors() == []


def test_tree_with_counts_counts_published_products_of_descendants(tree):
    """Each category's count includes the categories below it and skips unpublished products."""
    make_product(category=tree["green"], is_published=False)
    sectors = Category.objects.tree_with_counts()
    by_slug = {sector.slug: sector for sector in sectors}
    food = by_slug[tree["food"].slug]
    assert {sector.pk for sector in sectors} == {tree["drinks"].pk, tree["food"].pk}
    assert food.product_count == 3
    (tea,) = food.nodes
    assert tea.product_count == 2
    assert [node.product_count for node in tea.nodes] == [1]
    assert by_slug[tree["drinks"].slug].product_count == 1


@pytest.mark.django_db
def test_category_level_must_match_its_parent():
    """A sector has no parent; a group and a product set have one."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="Mồ côi", level=Category.Level.GROUP)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category(name="Sai cấp", parent=make_category(), level=Category.Level.SECTOR)


# Search


@pytest.fixture
def shelf(db):
    commune = make_commune(name="Tân Cương")
    producer = make_producer(name="HTX Chè Hảo Đạt", commune=commune)
    return {
        "tea": make_product(name="Chè Tân Cương đặc biệt", producer=producer),
        "noodles": make_product(
            name="Miến dong Việt Cường",
            producer=make_producer(name="HTX Miến Việt Cường", commune=make_commune()),
        ),
        "rice": make_product(
            name="Gạo nếp vải",
            summary="Gạo thơm vùng Phú Lương",
            category=make_category(name="Lương thực"),
        ),
    }


@pytest.mark.parametrize(
    "query", ["che tan cuong", "CHÈ TÂN CƯƠNG", "Chè Tân Cương", "cuong tan che", "  che   tan "]
)
def test_search_ignores_accents_case_spacing_and_word_order(shelf, query):
    """Every spelling of the words finds the product, with or without diacritics."""
    assert list(Product.objects.search(query)) == [shelf["tea"]]


def test_search_finds_mien_dong_without_diacritics(shelf):
    """'mien dong' finds 'Miến dong'."""
    assert list(Product.objects.search("mien dong")) == [shelf["noodles"]]


def test_search_requires_every_word(shelf):
    """Words are ANDed: 'che mien' matches neither the tea nor the noodles."""
    assert list(Product.objects.search("che mien")) == []
    assert list(Product.objects.search("che dac biet")) == [shelf["tea"]]


def test_search_looks_at_summary_producer_commune_and_category(shelf):
    """The producer, its commune, the category and the summary are searchable too."""
    assert list(Product.objects.search("hao dat")) == [shelf["tea"]]
    assert list(Product.objects.search("phu luong")) == [shelf["rice"]]
    assert list(Product.objects.search("luong thuc")) == [shelf["rice"]]
    assert list(Product.objects.search("viet cuong htx")) == [shelf["noodles"]]


def test_an_empty_search_returns_everything(shelf):
    """A blank query does not filter."""
    assert Product.objects.search("   ").count() == 3


@pytest.mark.parametrize("query", ["%", "_", "\\", "%_%", "'; --"])
def test_a_search_of_only_punctuation_finds_nothing(shelf, query):
    """SQL wildcards and quotes are not words: they never match everything."""
    assert list(Product.objects.search(query)) == []


def test_punctuation_in_a_search_is_ignored(shelf):
    """'chè%' and "chè;" search for the word chè, not for a pattern."""
    expected = set(Product.objects.search("che"))
    assert expected
    assert set(Product.objects.search("che%")) == expected
    assert set(Product.objects.search("chè;")) == expected


def test_a_very_long_search_does_not_error(shelf):
    """A query over 200 characters is cut, not passed whole to the database."""
    assert list(Product.objects.search("che " * 100)) == [shelf["tea"]]
    assert list(Product.objects.search("x" * 5000)) == []


def rename(product: Product, part: str) -> None:
    if part == "moved producer":
        product.producer.commune = make_commune(name="Trà Xanh Mới")
        product.producer.save()
        return
    target = {
        "producer": product.producer,
        "commune": product.producer.commune,
        "category": product.category,
    }[part]
    target.name = "Trà Xanh Mới"
    target.save()


@pytest.mark.parametrize("part", ["producer", "commune", "category", "moved producer"])
def test_search_follows_a_renamed_producer_commune_or_category(db, part):
    """After a producer, commune or category is renamed, its products are found by the new name."""
    product = make_product(category=make_category())
    other = make_product(category=make_category())
    rename(product, part)
    assert list(Product.objects.search("tra xanh moi")) == [product]
    other.refresh_from_db()
    assert "tra xanh moi" not in other.search_text
