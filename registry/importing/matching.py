"""Finding the communes, categories and producers that a row names, as people write them."""

import re
from collections import defaultdict

from django.db import models
from django.utils.translation import gettext as _

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from core.text import fold
from places.models import Commune
from sources.models import Source

from .reading import (
    COMMUNE_PREFIX,
    CellError,
    Change,
    ImportResult,
    cell_text,
    decision_key,
)


class Importer:
    """Imports rows one at a time against lookups loaded once from the database."""

    def __init__(
        self,
        headers: dict[str, str],
        communes: frozenset[int] | None = None,
        user=None,
        reason: str = "",
    ):
        self.headers = headers
        self.allowed_communes = communes
        # What the history of every saved object records: who imported, and which file.
        self.history_user, self.change_reason = user, reason
        self.saved: dict[type[models.Model], dict[int, models.Model]] = defaultdict(dict)
        self.result = ImportResult()
        self._load()

    def _load(self) -> None:
        communes = list(Commune.objects.prefetch_related("aliases"))
        # Folded name -> [(name as spelt, commune)], for current and for former names.
        self.communes_by_name: dict[str, list[tuple[str, Commune]]] = defaultdict(list)
        self.communes_by_alias: dict[str, list[tuple[str, Commune]]] = defaultdict(list)
        self.communes_by_slug = {commune.slug: commune for commune in communes}
        for commune in communes:
            self.communes_by_name[fold(commune.name)].append((commune.name, commune))
            for alias in commune.aliases.all():
                self.communes_by_alias[fold(alias.name)].append((alias.name, commune))
        communes_by_id = {commune.pk: commune for commune in communes}

        categories = {category.pk: category for category in Category.objects.all()}
        self.categories: dict[str, dict[int, Category]] = defaultdict(dict)
        for category in categories.values():
            category.parent = categories.get(category.parent_id)
            for key in (fold(category.name), fold(category.name_en), category.slug):
                if key:
                    self.categories[key][category.pk] = category

        producers = {producer.pk: producer for producer in Producer.objects.all()}
        self.producers: dict[tuple[str, int | None], Producer] = {}
        self.producers_by_name: dict[str, list[Producer]] = defaultdict(list)
        for producer in producers.values():
            producer.commune = communes_by_id.get(producer.commune_id)
            self._remember_producer(producer)

        products = {product.pk: product for product in Product.objects.all()}
        self.products: dict[tuple[str, int], Product] = {}
        # Products whose producer is not on record, by folded name: found by name alone.
        self.orphans: dict[str, list[Product]] = defaultdict(list)
        for product in products.values():
            product.producer = producers.get(product.producer_id)
            product.category = categories.get(product.category_id)
            self.remember_product(product)

        self.slugs = {
            Producer: {producer.slug for producer in producers.values()},
            Product: {product.slug for product in products.values()},
        }
        self.certificates: dict[tuple[str, int], Certificate] = {}
        self.ratings_by_facts: dict[tuple, list[Certificate]] = defaultdict(list)
        for certificate in Certificate.objects.all():
            certificate.product = products[certificate.product_id]
            self.remember_rating(certificate)

        self.sources = {source.url: source for source in Source.objects.all()}
        self.rating_sources = set(
            Certificate.sources.through.objects.values_list("certificate_id", "source_id")
        )
        self.product_sources = set(
            Product.sources.through.objects.values_list("product_id", "source_id")
        )

    def remember_product(self, product: Product) -> None:
        if product.producer_id is None:
            self.orphans[fold(product.name)].append(product)
        else:
            self.products[fold(product.name), product.producer_id] = product

    def remember_rating(self, certificate: Certificate) -> None:
        if certificate.decision_number:
            key = (decision_key(certificate.decision_number), certificate.product_id)
            self.certificates[key] = certificate
        else:
            self.ratings_by_facts[facts_key(certificate)].append(certificate)

    def _remember_producer(self, producer: Producer) -> None:
        self.producers[fold(producer.name), producer.commune_id] = producer
        namesakes = self.producers_by_name[fold(producer.name)]
        if not any(other is producer for other in namesakes):
            namesakes.append(producer)

    # Lookups

    def find_commune(self, value: object) -> Commune:
        text = " ".join(cell_text(value).split())
        folded = fold(text)
        # As written, and without "Xã"/"Phường"; current names before former ones.
        keys = [folded, COMMUNE_PREFIX.sub("", folded)]
        written = {text.lower(), *text.lower().split(maxsplit=1)[1:]}
        for key in keys:
            if named := self.communes_by_name.get(key):
                message = _("Several communes have this name: %(candidates)s. Write the slug.")
                return only_one(named, written, message)
        if commune := self.communes_by_slug.get(text.lower()):
            return commune
        for key in keys:
            if named := self.communes_by_alias.get(key):
                message = _("This former name merged into several communes: %(candidates)s.")
                return only_one(named, written, message)
        raise CellError(_("Unknown commune."))

    def find_category(self, value: object) -> Category:
        # "Thực phẩm › Chè", as the data files write a group: the last name is the category.
        text = re.split(r"\s[›>]\s", cell_text(value))[-1].strip()
        found = self.categories.get(fold(text)) or self.categories.get(text.lower()) or {}
        candidates = sorted(found.values(), key=lambda category: category.level)
        if not candidates:
            raise CellError(_("Unknown category."))
        deepest = candidates[-1]
        # A sector and its only group may share a name: the name means the deeper one.
        if all(category in deepest.ancestors() for category in candidates[:-1]):
            return deepest
        raise CellError(
            _("Several categories have this name: %(candidates)s. Write the slug.")
            % {"candidates": describe(candidates, slug=True)}
        )

    def find_producer(self, name: str, commune: Commune | None) -> Producer | None:
        """The producer of this name in `commune`; with no commune, the only one of the name."""
        if commune is not None:
            return self.producers.get((fold(name), commune.pk))
        if self.allowed_communes is None and (producer := self.producers.get((fold(name), None))):
            return producer
        candidates = [
            producer
            for producer in self.producers_by_name.get(fold(name), [])
            if self.allowed_communes is None or producer.commune_id in self.allowed_communes
        ]
        if len(candidates) > 1:
            communes = [producer.commune or _("(not recorded)") for producer in candidates]
            raise CellError(
                _("Producers of this name are in several communes (%(communes)s): write one.")
                % {"communes": ", ".join(str(commune) for commune in communes)}
            )
        return candidates[0] if candidates else None

    def find_orphan(self, name: str) -> Product | None:
        """The product of this name whose producer is not on record, if there is one."""
        found = self.orphans.get(fold(name), [])
        if len(found) > 1:
            raise CellError(
                _(
                    "Several products without a producer have this name: give them their "
                    "producers in the admin first."
                )
            )
        return found[0] if found else None

    def find_rating(self, product: Product, values: dict, evidence: str) -> Certificate | None:
        """The rating of `product` this row states: the one of its decision number; without
        one, the one of the same round, batch, evidence and report date. Never a guess."""
        if product.pk is None:
            return None
        if number := values.get("decision_number"):
            return self.certificates.get((decision_key(number), product.pk))
        reported = values.get("reported_on")
        key = (
            product.pk,
            values.get("round_year"),
            fold(values.get("batch", "")),
            evidence,
            reported.first_day if reported else None,
            reported.precision if reported else None,
        )
        found = self.ratings_by_facts.get(key, [])
        if len(found) > 1:
            raise CellError(
                _(
                    "Several ratings of this product have the same round, batch, evidence and "
                    "report date: give this one its decision number, or tell them apart in "
                    "the admin."
                )
            )
        return found[0] if found else None

    def source(self, url: str) -> Source:
        """The source of this address, made (unsaved) if new."""
        if url not in self.sources:
            self.sources[url] = Source(url=url, kind=Source.kind_of(url))
        return self.sources[url]

    # Rows

    def write_history(self) -> None:
        """One historical row per object the import saved, in its final state: created or changed.

        In bulk at the end (simple-history's bulk_history_create), which keeps the import
        about as fast as without history; a row per save would cost an INSERT each.
        """
        for model, objects in self.saved.items():
            outcomes = self.result.outcomes[model._meta.model_name]
            for action in ("created", "updated"):
                chosen = [obj for pk, obj in objects.items() if outcomes[pk] == action]
                if chosen:
                    model.history.bulk_history_create(
                        chosen,
                        batch_size=500,
                        update=action == "updated",
                        default_user=self.history_user,
                        default_change_reason=self.change_reason,
                    )

    def record(self, number: int, obj: models.Model, action: str, fields: list[str]) -> None:
        rank = {"unchanged": 0, "updated": 1, "created": 2}
        # Sales channels (trade) are counted only in an import that adds some.
        outcomes = self.result.outcomes.setdefault(obj._meta.model_name, {})
        previous = outcomes.get(obj.pk)
        if previous is None or rank[action] > rank[previous]:
            outcomes[obj.pk] = action
        if action != "unchanged":
            label = str(obj) if not isinstance(obj, Certificate) else f"{obj.product} – {obj}"
            model = str(obj._meta.verbose_name)
            if action == "created":
                fields = []
            # A date's precision is part of the date, as the file writes it.
            fields = list(dict.fromkeys(name.removesuffix("_precision") for name in fields))
            names = [str(obj._meta.get_field(name).verbose_name) for name in fields]
            self.result.changes.append(Change(number, model, action, label, names))


def facts_key(certificate: Certificate) -> tuple:
    """What tells apart the ratings of a product that have no decision number."""
    return (
        certificate.product_id,
        certificate.round_year,
        fold(certificate.batch),
        certificate.evidence,
        certificate.reported_on,
        certificate.reported_on_precision if certificate.reported_on else None,
    )


def only_one(named: list[tuple[str, Commune]], written: set[str], message: str) -> Commune:
    """The one commune of `named`, telling apart by accents names that fold alike."""
    communes = list({commune.pk: commune for name, commune in named}.values())
    if len(communes) == 1:
        return communes[0]
    # Văn Lang and Văn Lăng fold alike: the accents as written decide.
    exact = {commune.pk: commune for name, commune in named if name.lower() in written}
    if len(exact) == 1:
        return next(iter(exact.values()))
    raise CellError(message % {"candidates": describe(communes, slug=True)})


def describe(objects, slug: bool = False) -> str:
    return ", ".join(f"{obj.name} ({obj.slug})" if slug else obj.name for obj in objects)
