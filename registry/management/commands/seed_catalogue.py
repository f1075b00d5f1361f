"""Fill a database with a large synthetic catalogue, to measure search and listings at scale.

Every record it writes is marked, so that --clear removes exactly those:
producer names start with "[Synthetic]", product and producer slugs with
"synthetic-", and certificates are demo records numbered "SYNTH-…".
"""

import datetime
import itertools
import random
import time
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from catalogue import caching, history
from catalogue.models import Category, Producer, Product
from certification.models import SCORE_BANDS, Certificate, add_months
from core.text import slugify_vi
from places.models import Commune

MARK = "[Synthetic]"
SLUG_PREFIX = "synthetic-"
DECISION_PREFIX = "SYNTH-"

# The province's certificates in force in 2025: 446 three-star, 113 four-star, 10 five-star.
STARS = {3: 446, 4: 113, 5: 10}
EXPIRED_SHARE = 0.10
NO_COMMUNE_SHARE = 0.015
KINDS = {
    Producer.Kind.COOPERATIVE: 50,
    Producer.Kind.HOUSEHOLD: 24,
    Producer.Kind.ENTERPRISE: 16,
    Producer.Kind.COOPERATIVE_GROUP: 7,
    Producer.Kind.OTHER: 3,
}
KIND_PREFIX = {
    Producer.Kind.COOPERATIVE: "HTX",
    Producer.Kind.HOUSEHOLD: "Hộ kinh doanh",
    Producer.Kind.ENTERPRISE: "Công ty TNHH",
    Producer.Kind.COOPERATIVE_GROUP: "Tổ hợp tác",
    Producer.Kind.OTHER: "Cơ sở",
}
# How many products a producer has: most have one or two.
PRODUCTS_PER_PRODUCER = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 8]

# The communes with most OCOP products come first; the rest follow in a shuffled order.
# Shares fall off as 1/rank, so a handful of communes hold most products.
LEADING_COMMUNES = ["tan-cuong", "dong-hy", "phu-luong", "dai-tu", "dinh-hoa", "vo-nhai"]

# Weights by category slug; tea and processed food dominate, as in the province's list.
CATEGORY_WEIGHTS = {
    "che": 12,
    "che-tuoi-che-bien": 18,
    "tra-thuc-vat-khac": 6,
    "thuc-pham-che-bien": 6,
    "che-bien-gao-ngu-coc": 7,
    "che-bien-rau-qua": 5,
    "che-bien-thit-thuy-san": 6,
    "do-an-nhanh": 2,
    "thuc-pham-so-che": 2,
    "gao-ngu-coc": 4,
    "mat-ong": 4,
    "thuc-pham-tuoi-song": 1,
    "rau-cu-qua-tuoi": 5,
    "thit-trung-sua-tuoi": 2,
    "gia-vi": 1,
    "tuong-nuoc-mam": 1,
    "gia-vi-khac": 1,
    "ruou-trang": 3,
    "do-uong-co-con-khac": 2,
    "do-uong-khong-con-khac": 1,
    "thuc-pham-chuc-nang": 3,
    "tinh-dau": 2,
    "du-lich-cong-dong": 2,
}
OTHER_CATEGORY_WEIGHT = 0.3

STEMS = {
    "thuc-pham": ["Hạt dẻ", "Nấm hương", "Măng khô"],
    "che": ["Chè búp", "Chè móc câu", "Chè tôm nõn", "Chè Đinh", "Trà xanh", "Trà móc câu"],
    "tra-thuc-vat-khac": ["Trà hoa vàng", "Trà giảo cổ lam", "Trà cà gai leo", "Trà nụ vối"],
    "thuc-pham-che-bien": ["Miến dong", "Bún khô", "Bánh chưng", "Bánh gio", "Măng ớt"],
    "che-bien-gao-ngu-coc": ["Bánh chưng", "Bún khô", "Phở khô", "Miến dong", "Cốm"],
    "che-bien-rau-qua": ["Chuối sấy dẻo", "Măng khô", "Măng ớt", "Ô mai mơ"],
    "che-bien-thit-thuy-san": ["Thịt trâu gác bếp", "Lạp sườn", "Giò bê", "Chả cá"],
    "do-an-nhanh": ["Bánh gio", "Cơm lam", "Xôi ngũ sắc"],
    "thuc-pham-so-che": ["Gạo nếp", "Lạc đỏ", "Nấm hương", "Hạt dẻ"],
    "gao-ngu-coc": ["Gạo nếp vải", "Gạo Bao thai", "Gạo nếp cái hoa vàng"],
    "mat-ong": ["Mật ong rừng", "Mật ong hoa bạc hà", "Mật ong nguyên chất"],
    "thuc-pham-tuoi-song": ["Cam sành", "Na dai", "Rau bồ khai"],
    "rau-cu-qua-tuoi": ["Cam ngọt", "Na dai", "Hạt dẻ", "Rau bồ khai", "Bưởi"],
    "thit-trung-sua-tuoi": ["Gà đồi", "Trứng gà ri", "Cá lăng"],
    "gia-vi": ["Tương nếp", "Muối ớt", "Tỏi đen", "Tiêu rừng"],
    "do-uong-co-con": ["Rượu men lá", "Rượu ngô", "Rượu mơ", "Rượu chuối"],
    "do-uong-khong-con": ["Nước cốt gừng", "Nước mơ", "Nước khoáng"],
    "duoc-lieu": ["Tinh bột nghệ", "Cao giảo cổ lam", "Xà phòng thảo dược", "Tinh dầu sả"],
    "thu-cong-my-nghe": ["Giỏ mây tre", "Chổi chít", "Khăn thổ cẩm"],
    "sinh-vat-canh": ["Lan rừng", "Cây cảnh", "Cá cảnh"],
    "du-lich": ["Du lịch cộng đồng", "Homestay", "Điểm du lịch sinh thái"],
}
BRANDS = [
    "An Phát", "Minh Tâm", "Thành Đạt", "Hương Quê", "Phúc Lộc", "Hoàng Gia", "Việt Xanh",
    "Bình An", "Thái Hòa", "Đức Thịnh", "Hồng Hà", "Tân Tiến", "Sơn Trà", "Kim Long",
    "Quang Minh", "Nguyên Khang", "Hải Đăng", "Bảo Châu", "Trường Xuân", "Ngọc Lan",
]  # fmt: skip
VARIANTS = ["", "", "", " đặc biệt", " hữu cơ", " loại 1", " hộp quà", " truyền thống"]
STORIES = [
    "",
    "Làm thủ công theo cách truyền thống của đồng bào Tày, Nùng.",
    "Vùng nguyên liệu sạch, chăm sóc theo tiêu chuẩn VietGAP.",
    "Sản phẩm được nhiều du khách chọn làm quà khi đến Thái Nguyên.",
    "Công thức gia truyền qua ba thế hệ, không chất bảo quản.",
]
WEIGHTS = ["100 g", "200 g", "250 g", "500 g", "1 kg", "500 ml", "750 ml"]


class Command(BaseCommand):
    help = (
        "Add N synthetic products (with producers and certificates) spread over the real "
        "communes and categories, for load tests; --clear removes every synthetic record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0, help="How many products to add.")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="First delete every synthetic record (and nothing else).",
        )
        parser.add_argument(
            "--seed", type=int, default=2025, help="Random seed, for repeatable catalogues."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Products written per round."
        )

    def handle(self, *args, products=0, clear=False, seed=2025, batch_size=2000, **options):
        if products < 0 or batch_size < 1:
            raise CommandError("--products must be 0 or more and --batch-size at least 1.")
        if not products and not clear:
            raise CommandError("Nothing to do: give --products N, --clear, or both.")
        self.verbosity = options["verbosity"]
        with transaction.atomic():
            if clear:
                deleted = clear_synthetic()
                self.stdout.write(
                    self.style.SUCCESS(
                        "Deleted {certificates} synthetic certificates, {products} products "
                        "and {producers} producers.".format(**deleted)
                    )
                )
            if products:
                started = time.monotonic()
                made = Seeder(random.Random(seed), self.progress).seed(products, batch_size)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Added {made['products']} synthetic products, {made['producers']} "
                        f"producers and {made['certificates']} certificates "
                        f"in {time.monotonic() - started:.1f} s."
                    )
                )
            caching.bump_version()  # bulk_create sends no post_save
        vacuum()

    def progress(self, done: int, total: int) -> None:
        """A one-line progress bar on stderr, redrawn in place."""
        if self.verbosity < 1:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        line = f"\rSeeding [{bar}] {done:>9,}/{total:,} products"
        self.stderr.write(line, ending="\n" if done >= total else "", style_func=str)
        self.stderr.flush()


def clear_synthetic() -> dict[str, int]:
    """Delete the synthetic records: certificates, then products, then producers (PROTECT).

    Filters are joins on fully marked rows, so a product keeps its certificates unless it
    and its producer are both synthetic.
    """
    analyze()
    producer = {"name__startswith": MARK, "slug__startswith": SLUG_PREFIX}
    producers = Producer.objects.filter(**producer)
    products = Product.objects.filter(
        slug__startswith=SLUG_PREFIX, **{f"producer__{k}": v for k, v in producer.items()}
    )
    certificates = Certificate.objects.filter(
        decision_number__startswith=DECISION_PREFIX,
        product__slug__startswith=SLUG_PREFIX,
        **{f"product__producer__{k}": v for k, v in producer.items()},
    )
    with history.not_recorded():  # synthetic rows would flood the deleted products' list
        counts = {"certificates": certificates.delete()[0]}
        counts["products"] = products.delete()[1].get(Product._meta.label, 0)
        counts["producers"] = producers.delete()[0]
    return counts


def analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables this command fills.

    Right after a bulk load (or with autovacuum off) PostgreSQL believes them nearly
    empty and plans nested loops that take minutes on 100,000 rows.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in [Producer, Product, Certificate])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def vacuum() -> None:
    """VACUUM the tables on PostgreSQL, as autovacuum would, when not inside a transaction.

    Storing the current stars rewrote every new product row once: without it, PostgreSQL
    reads twice the pages, and cannot answer counts from an index alone.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(model._meta.db_table for model in [Producer, Product, Certificate])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def next_number(model) -> int:
    """The number after the highest in `model`'s synthetic slugs ("synthetic-0000042-…")."""
    last = (
        model.objects.filter(slug__startswith=SLUG_PREFIX)
        .order_by("-slug")
        .values_list("slug", flat=True)
        .first()
    )
    if last is None:
        return 1
    number = last.removeprefix(SLUG_PREFIX).split("-", 1)[0]
    return int(number) + 1 if number.isdigit() else 1


def weighted(rng: random.Random, weights: dict) -> Iterator:
    """An endless stream of keys of `weights`, drawn in proportion to their values."""
    keys, cumulative = list(weights), list(itertools.accumulate(weights.values()))
    while True:
        yield from rng.choices(keys, cum_weights=cumulative, k=1024)


class Seeder:
    def __init__(self, rng: random.Random, progress):
        self.rng = rng
        self.progress = progress
        self.today = timezone.localdate()
        months = settings.OCOP_CERTIFICATE_VALIDITY_MONTHS
        # Decision dates up to this many days ago are still in force today.
        self.in_force_days = (self.today - add_months(self.today, -months)).days - 2
        self.load_places()

    def load_places(self) -> None:
        """Communes (with former names) and categories (with ancestors), read once."""
        if not Commune.objects.exists():
            call_command("loaddata", "communes", verbosity=0)
        if not Category.objects.exists():
            call_command("loaddata", "categories", verbosity=0)
        communes = {c.slug: c for c in Commune.objects.prefetch_related("aliases")}
        leading = [communes[slug] for slug in LEADING_COMMUNES if slug in communes]
        others = [c for c in communes.values() if c not in leading]
        self.rng.shuffle(others)
        self.communes = leading + others
        self.commune_weights = {c: 1 / rank for rank, c in enumerate(self.communes, start=1)}

        categories = {c.pk: c for c in Category.objects.all()}
        for category in categories.values():
            category.parent = categories.get(category.parent_id)
        weights = {
            c: CATEGORY_WEIGHTS.get(c.slug, OTHER_CATEGORY_WEIGHT) for c in categories.values()
        }
        if not weights:
            raise CommandError("There are no categories to put products in.")
        self.category_stream = weighted(self.rng, weights)
        self.stars_stream = weighted(self.rng, STARS)
        self.kind_stream = weighted(self.rng, KINDS)

    def stems(self, category: Category) -> list[str]:
        node = category
        while node is not None:
            if node.slug in STEMS:
                return STEMS[node.slug]
            node = node.parent
        return [category.name]

    def seed(self, total: int, batch_size: int) -> dict[str, int]:
        producer_number = next_number(Producer)
        product_number = next_number(Product)
        made = {"producers": 0, "products": 0, "certificates": 0}
        # The first producers go one to each commune, so every commune has products.
        unvisited = list(self.communes)
        commune_stream = weighted(self.rng, self.commune_weights)
        self.progress(0, total)
        while made["products"] < total:
            plan = []  # (producer, number of products)
            planned = 0
            while planned < min(batch_size, total - made["products"]):
                if unvisited:
                    commune = unvisited.pop(0)
                elif self.rng.random() < NO_COMMUNE_SHARE:
                    commune = None
                else:
                    commune = next(commune_stream)
                count = min(
                    self.rng.choice(PRODUCTS_PER_PRODUCER), total - made["products"] - planned
                )
                plan.append((self.producer(producer_number, commune), count))
                producer_number += 1
                planned += count
            Producer.objects.bulk_create([producer for producer, _ in plan], batch_size=500)

            products = []
            for producer, count in plan:
                for _ in range(count):
                    products.append(self.product(product_number, producer))
                    product_number += 1
            Product.objects.give_public_codes(products)
            Product.objects.bulk_create(products, batch_size=500)
            certificates = [self.certificate(product) for product in products]
            Certificate.objects.bulk_create(certificates, batch_size=500)

            if not made["products"]:
                # Statistics from the first round, or the next rounds' stored-stars updates
                # plan a scan of the certificates per product: minutes instead of seconds.
                analyze()
            made["producers"] += len(plan)
            made["products"] += len(products)
            made["certificates"] += len(certificates)
            self.progress(made["products"], total)
        analyze()
        return made

    def producer(self, number: int, commune: Commune | None) -> Producer:
        kind = next(self.kind_stream)
        brand = self.rng.choice(BRANDS)
        place = commune.name if commune else "Thái Nguyên"
        name = f"{KIND_PREFIX[kind]} {brand} {place}"
        producer = Producer(
            name=f"{MARK} {name}",
            slug=f"{SLUG_PREFIX}{number:07d}-{slugify_vi(name)}"[:100],
            kind=kind,
            commune=commune,
            address=f"{place}, Thái Nguyên",
        )
        producer.brand, producer.seed_place, producer.plain_name = brand, place, name
        producer.product_names = set()
        return producer

    def product(self, number: int, producer: Producer) -> Product:
        category = next(self.category_stream)
        stem = self.rng.choice(self.stems(category))
        where = self.rng.choice([producer.brand, producer.seed_place])
        name = base = f"{stem} {where}{self.rng.choice(VARIANTS)}"
        # A producer's products have distinct names (a database constraint).
        for n in itertools.count(2):
            if name not in producer.product_names:
                break
            name = f"{base} {n}"
        producer.product_names.add(name)
        product = Product(
            producer=producer,
            category=category,
            name=name,
            slug=f"{SLUG_PREFIX}{number:07d}-{slugify_vi(name)}"[:100],
            story=self.rng.choice(STORIES),
            net_weight=self.rng.choice(WEIGHTS),
            price_vnd=self.rng.randrange(30, 800) * 1000,
        )
        product.stars = next(self.stars_stream)
        commune = f"xã {producer.commune.name}" if producer.commune else "chưa rõ xã"
        product.summary = (
            f"{MARK} Sản phẩm OCOP {product.stars} sao của {producer.plain_name}, {commune}."
        )
        product.search_name, product.search_text = product.build_search_fields()
        return product

    def certificate(self, product: Product) -> Certificate:
        if self.rng.random() < EXPIRED_SHARE:
            age = self.rng.randint(self.in_force_days + 30, self.in_force_days + 900)
        else:
            age = self.rng.randint(1, self.in_force_days)
        decision_date = self.today - datetime.timedelta(days=age)
        low, high = SCORE_BANDS[product.stars]
        score = Decimal(self.rng.randrange(int(low * 100), int(high * 100))) / 100
        central = product.stars == 5
        return Certificate(
            product=product,
            stars=product.stars,
            score=score,
            decision_number=f"{DECISION_PREFIX}{product.slug.split('-')[1]}/QĐ-UBND",
            decision_date=decision_date,
            issuer="Bộ Nông nghiệp và Môi trường" if central else "UBND tỉnh Thái Nguyên",
            issuer_level=(
                Certificate.IssuerLevel.CENTRAL if central else Certificate.IssuerLevel.PROVINCE
            ),
            commune=product.producer.commune,
            record_key=slugify_vi(f"{DECISION_PREFIX}{product.slug}"),
            note=f"{MARK} Dữ liệu tổng hợp để thử tải, không phải quyết định thật.",
        )
