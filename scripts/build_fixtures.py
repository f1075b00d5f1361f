"""Build fixtures/communes.json, categories.json, demo.json and demo images.

    .venv/bin/python scripts/build_fixtures.py [--data DIR]

Reads the CSV files in ../shared/data (relative to the repository) and writes the
same output on every run. Every row uses natural keys and no "pk", so
`manage.py loaddata communes categories demo` can run any number of times.
Anything in the data the parser does not understand stops the build.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_site.settings")
# A scratch database, to compute the search fields exactly as the models do.
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from catalogue.models import Commune, Producer, Product, public_code  # noqa: E402
from catalogue.text import fold, slugify_vi  # noqa: E402
from certification.models import Certificate, default_valid_until  # noqa: E402

FIXTURES = REPO / "fixtures"
TIMESTAMP = "2026-01-01T00:00:00Z"
COMMUNE_KINDS = {"xã": Commune.Kind.COMMUNE, "phường": Commune.Kind.WARD}
PRODUCER_KINDS = {
    "HTX": Producer.Kind.COOPERATIVE,
    "Doanh nghiệp": Producer.Kind.ENTERPRISE,
    "Hộ kinh doanh": Producer.Kind.HOUSEHOLD,
    "Tổ hợp tác": Producer.Kind.COOPERATIVE_GROUP,
    "": Producer.Kind.OTHER,
}
UNKNOWN_PRODUCER = "Chủ thể chưa được ghi nhận – {product}"

# ocop_scheme.md section 2, in table order: (slug, name, English name, children).
# A group whose only product set has its own name is a leaf.
# French category names, by slug.
NAME_FR = {
    "thuc-pham": "Alimentation",
    "thuc-pham-tuoi-song": "Produits frais",
    "rau-cu-qua-tuoi": "Légumes, fruits et noix frais",
    "thit-trung-sua-tuoi": "Viande, poisson, œufs et lait frais",
    "thuc-pham-so-che": "Produits bruts et peu transformés",
    "gao-ngu-coc": "Riz, céréales et graines",
    "mat-ong": "Miel et autres produits agricoles",
    "thuc-pham-che-bien": "Produits transformés",
    "do-an-nhanh": "Restauration rapide et plats préparés",
    "che-bien-gao-ngu-coc": "Produits à base de riz et de céréales",
    "che-bien-rau-qua": "Légumes, fruits et noix transformés",
    "che-bien-thit-thuy-san": "Viande, œufs, lait, poisson, miel transformés…",
    "gia-vi": "Condiments",
    "tuong-nuoc-mam": "Sauces, saumure de poisson et autres condiments liquides",
    "gia-vi-khac": "Autres condiments (sel, oignon, ail, poivre)",
    "che": "Thé",
    "che-tuoi-che-bien": "Thé (camellia), frais et transformé",
    "tra-thuc-vat-khac": "Tisanes et thés d'autres plantes",
    "ca-phe-ca-cao": "Café, cacao",
    "do-uong": "Boissons",
    "do-uong-co-con": "Boissons alcoolisées",
    "ruou-trang": "Alcool blanc",
    "do-uong-co-con-khac": "Autres boissons alcoolisées (vins de fruits)",
    "do-uong-khong-con": "Boissons sans alcool",
    "nuoc-khoang": "Eau minérale naturelle, eau en bouteille",
    "do-uong-khong-con-khac": "Autres boissons sans alcool",
    "duoc-lieu": "Plantes médicinales et produits dérivés",
    "thuc-pham-chuc-nang": "Compléments, remèdes à base de plantes et médecine traditionnelle",
    "my-pham": "Cosmétiques à base de plantes",
    "tinh-dau": "Huiles essentielles et autres plantes",
    "thu-cong-my-nghe": "Artisanat",
    "do-thu-cong": "Artisanat domestique et décoratif",
    "vai-may-mac": "Textiles et vêtements",
    "sinh-vat-canh": "Plantes et animaux d'ornement",
    "hoa": "Fleurs",
    "cay-canh": "Plantes d'ornement",
    "dong-vat-canh": "Animaux d'ornement",
    "du-lich": "Tourisme communautaire, écotourisme et sites touristiques",
    "du-lich-cong-dong": "Tourisme communautaire, écotourisme et sites touristiques",
}

TAXONOMY = [
    ("thuc-pham", "Thực phẩm", "Food", [
        ("thuc-pham-tuoi-song", "Thực phẩm tươi sống", "Fresh food", [
            ("rau-cu-qua-tuoi", "Rau, củ, quả, hạt tươi", "Fresh vegetables, fruit and nuts"),
            ("thit-trung-sua-tuoi", "Thịt, thủy sản, trứng, sữa tươi",
             "Fresh meat, fish, eggs and milk"),
        ]),
        ("thuc-pham-so-che", "Thực phẩm thô, sơ chế", "Raw and semi-processed food", [
            ("gao-ngu-coc", "Gạo, ngũ cốc, hạt sơ chế khác", "Rice, cereals and grains"),
            ("mat-ong", "Mật ong, mật khác và nông sản thực phẩm khác",
             "Honey and other farm foods"),
        ]),
        ("thuc-pham-che-bien", "Thực phẩm chế biến", "Processed food", [
            ("do-an-nhanh", "Đồ ăn nhanh", "Fast and convenience food"),
            ("che-bien-gao-ngu-coc", "Chế biến từ gạo, ngũ cốc", "Rice and cereal products"),
            ("che-bien-rau-qua", "Chế biến từ rau, củ, quả, hạt",
             "Processed vegetables, fruit and nuts"),
            ("che-bien-thit-thuy-san", "Chế biến từ thịt, trứng, sữa, thủy sản, mật ong…",
             "Processed meat, eggs, milk, fish, honey…"),
        ]),
        ("gia-vi", "Gia vị", "Condiments", [
            ("tuong-nuoc-mam", "Tương, nước mắm, gia vị dạng lỏng khác",
             "Sauces, fish sauce and other liquid condiments"),
            ("gia-vi-khac", "Gia vị khác (muối, hành, tỏi, tiêu)",
             "Other condiments (salt, onion, garlic, pepper)"),
        ]),
        ("che", "Chè", "Tea", [
            ("che-tuoi-che-bien", "Chè tươi, chè chế biến", "Camellia tea, fresh and processed"),
            ("tra-thuc-vat-khac", "Sản phẩm trà từ thực vật khác", "Herbal and other-plant tea"),
        ]),
        ("ca-phe-ca-cao", "Cà phê, ca cao", "Coffee, cocoa", []),
    ]),
    ("do-uong", "Đồ uống", "Beverages", [
        ("do-uong-co-con", "Đồ uống có cồn", "Alcoholic drinks", [
            ("ruou-trang", "Rượu trắng", "White spirit"),
            ("do-uong-co-con-khac", "Đồ uống có cồn khác", "Other alcoholic drinks (fruit wines)"),
        ]),
        ("do-uong-khong-con", "Đồ uống không cồn", "Non-alcoholic drinks", [
            ("nuoc-khoang", "Nước khoáng thiên nhiên, nước uống đóng chai",
             "Natural mineral water, bottled drinking water"),
            ("do-uong-khong-con-khac", "Đồ uống không cồn khác", "Other non-alcoholic drinks"),
        ]),
    ]),
    ("duoc-lieu", "Dược liệu và sản phẩm từ dược liệu", "Medicinal materials and products", [
        ("thuc-pham-chuc-nang", "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
         "Supplements, herbal and traditional medicine", []),
        ("my-pham", "Mỹ phẩm có thành phần từ dược liệu", "Herbal cosmetics", []),
        ("tinh-dau", "Tinh dầu và dược liệu khác", "Essential oils and other herbs", []),
    ]),
    ("thu-cong-my-nghe", "Hàng thủ công mỹ nghệ", "Handicrafts", [
        ("do-thu-cong", "Thủ công mỹ nghệ gia dụng, trang trí",
         "Household and decorative crafts", []),
        ("vai-may-mac", "Vải, may mặc", "Textiles and garments", []),
    ]),
    ("sinh-vat-canh", "Sinh vật cảnh", "Ornamentals", [
        ("hoa", "Hoa", "Flowers", []),
        ("cay-canh", "Cây cảnh", "Ornamental plants", []),
        ("dong-vat-canh", "Động vật cảnh", "Ornamental animals", []),
    ]),
    ("du-lich", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
     "Community and eco-tourism services, tourist sites", [
        ("du-lich-cong-dong", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
         "Community and eco-tourism services, tourist sites", []),
    ]),
]  # fmt: skip
SERVICE_SECTOR = "du-lich"

# Illustration images: how many products of each category to illustrate (first
# ones in CSV order), and the flat palette used for them: background, far hill,
# near hill, sun, disc.
IMAGE_QUOTAS = {
    "che": 2,
    "tra-thuc-vat-khac": 1,
    "thuc-pham-tuoi-song": 1,
    "thuc-pham-so-che": 2,
    "thuc-pham-che-bien": 2,
    "do-uong-co-con": 2,
    "thuc-pham-chuc-nang": 1,
    "du-lich-cong-dong": 1,
}
PALETTES = {
    "che": ("#e8f0df", "#a9c68f", "#6f9a55", "#f3e3a4", "#3f6b35"),
    "tra-thuc-vat-khac": ("#eef0dc", "#c2c98f", "#8e9a5a", "#f1d9a0", "#5e6b34"),
    "thuc-pham-tuoi-song": ("#f3f0dd", "#b9d08c", "#7fa653", "#f6c57a", "#4f7a2f"),
    "thuc-pham-so-che": ("#fbf1dc", "#f0cd85", "#d9a441", "#fbe3a6", "#9a6412"),
    "thuc-pham-che-bien": ("#f6ede1", "#e0c3a0", "#bf9466", "#f4d7a8", "#7a5230"),
    "do-uong-co-con": ("#f1e6ea", "#d4aab8", "#a86b82", "#f2d4a2", "#6b2f47"),
    "thuc-pham-chuc-nang": ("#fcf3d9", "#f2d27a", "#e0a92e", "#fff0b8", "#a8650b"),
    "du-lich-cong-dong": ("#e3eff5", "#a8cbb0", "#6e9f7a", "#f8df9c", "#2f5f74"),
}
IMAGE_SIZE = (800, 600)


class DataError(Exception):
    """The CSV holds something this script does not know how to read."""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_json(path: Path, objects: list[dict], quiet: bool = False) -> None:
    text = json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    if not quiet:
        print(f"wrote {path.relative_to(REPO)}: {len(objects)} objects")


def check_unique(values: list[str], what: str) -> None:
    repeated = [value for value, n in Counter(values).items() if n > 1]
    if repeated:
        raise DataError(f"{what} not unique: {repeated}")


# --- Communes and their former units --------------------------------------------

GROUP_HEAD = re.compile(r"((?:huyện|TP|thị xã) [^,:;]+), (tỉnh [^,:;]+)")
FORMER_UNIT = re.compile(
    r"(xã|phường|thị trấn) ([^\W\d_]+(?: [^\W\d_]+)*)"
    # Two remarks occur: a unit split between two new communes, and a unit kept as is.
    r"(?: \((?:một phần|giữ nguyên, không sắp xếp)\))?"
)


def parse_former_units(text: str) -> list[dict[str, str]]:
    """'TP Bắc Kạn, tỉnh Bắc Kạn: phường A, xã B; huyện C, tỉnh D: xã E' -> one dict a unit."""
    units = []
    for group in text.split(";"):
        head, colon, listing = group.partition(":")
        head_match = GROUP_HEAD.fullmatch(head.strip())
        if not colon or not head_match:
            raise DataError(f"cannot read the district and province in {group!r}")
        district, province = head_match.groups()
        # Split on commas outside brackets: '(giữ nguyên, không sắp xếp)' holds one.
        for unit in re.split(r",(?![^()]*\))", listing):
            unit_match = FORMER_UNIT.fullmatch(unit.strip())
            if not unit_match:
                raise DataError(f"cannot read the former unit {unit.strip()!r} in {text!r}")
            kind, name = unit_match.groups()
            units.append(
                {"name": name, "former_kind": kind, "district": district, "province": province}
            )
    return units


def build_communes(rows: list[dict[str, str]]) -> tuple[list[dict], dict[tuple[str, str], dict]]:
    """The commune and alias fixture rows, and the communes by (kind, name)."""
    communes = {}
    for row in rows:
        if row["type"] not in COMMUNE_KINDS:
            raise DataError(f"unknown commune type {row['type']!r} for {row['name_vi']!r}")
        commune = {
            "name": row["name_vi"],
            "kind": COMMUNE_KINDS[row["type"]].value,
            "slug": slugify_vi(row["name_vi"]),
            "former_units": row["former_unit"],
            "source": row["source"],
        }
        commune["aliases"] = parse_former_units(row["former_unit"])
        communes[(commune["kind"], commune["name"])] = commune
    if len(communes) != len(rows):
        raise DataError("two communes share a kind and name")
    # Names that differ only by accents (Văn Lang, Văn Lăng) fold to one slug: each
    # of them then takes the former district it lies in as a suffix.
    slug_counts = Counter(commune["slug"] for commune in communes.values())
    for commune in communes.values():
        if slug_counts[commune["slug"]] > 1:
            district = commune["aliases"][0]["district"].split(" ", 1)[1]
            commune["slug"] = f"{commune['slug']}-{slugify_vi(district)}"
    check_unique([commune["slug"] for commune in communes.values()], "commune slugs")

    objects, aliases = [], []
    for commune in sorted(communes.values(), key=lambda c: c["slug"]):
        fields = {key: commune[key] for key in ("name", "kind", "slug", "former_units", "source")}
        objects.append({"model": "catalogue.commune", "fields": fields})
        for unit in commune["aliases"]:
            aliases.append(
                {
                    "model": "catalogue.communealias",
                    "fields": {
                        "commune": [commune["slug"]],
                        "name": unit["name"],
                        "former_kind": unit["former_kind"],
                        "former_district": unit["district"],
                        "former_province": unit["province"],
                        "slug": slugify_vi(unit["name"]),
                    },
                }
            )
    alias_keys = [
        "|".join([a["fields"]["commune"][0], a["fields"]["name"], a["fields"]["former_district"]])
        for a in aliases
    ]
    check_unique(alias_keys, "commune alias natural keys")
    aliases.sort(key=lambda a: (a["fields"]["commune"], a["fields"]["slug"], a["fields"]["name"]))
    return objects + aliases, communes


# --- Categories --------------------------------------------------------------------


def build_categories() -> tuple[list[dict], dict[str, dict]]:
    """Fixture rows in table order, and each category as a dict with its children."""
    objects, by_slug = [], {}
    row = 0  # The table row of the next leaf: a node's position is its first row.

    def add(slug, name, name_en, level, parent, children, is_service) -> dict:
        nonlocal row
        node = {"slug": slug, "name": name, "level": level, "parent": parent, "children": []}
        objects.append(
            {
                "model": "catalogue.category",
                "fields": {
                    "name": name,
                    "name_en": name_en,
                    "name_fr": NAME_FR[slug],
                    "slug": slug,
                    "level": level,
                    "parent": [parent["slug"]] if parent else None,
                    "position": row + 1,
                    "is_service": is_service,
                },
            }
        )
        by_slug[slug] = node
        if parent:
            parent["children"].append(node)
        if not children:
            row += 1
        for child in children:
            add(*child[:3], level + 1, node, child[3] if len(child) > 3 else [], is_service)
        return node

    for slug, name, name_en, groups in TAXONOMY:
        add(slug, name, name_en, 1, None, groups, slug == SERVICE_SECTOR)

    check_unique([o["fields"]["slug"] for o in objects], "category slugs")
    leaves = [node for node in by_slug.values() if not node["children"]]
    levels = Counter(node["level"] for node in by_slug.values())
    if (levels[1], levels[2], len(leaves)) != (6, 17, 26):
        raise DataError(f"taxonomy shape is {levels} with {len(leaves)} leaves, not 6/17/26")
    return objects, by_slug


def find_category(path: str, categories: dict[str, dict]) -> dict | None:
    """'Thực phẩm › Chè (sản phẩm trà từ thực vật khác)' -> the most specific category named."""
    if not path:
        return None
    node = None
    for part in path.split(" › "):
        name, _, qualifier = part.partition(" (")
        candidates = (
            node["children"] if node else [c for c in categories.values() if not c["parent"]]
        )
        matches = [c for c in candidates if c["name"] == part] or [
            c for c in candidates if c["name"] == name
        ]
        if len(matches) != 1:
            raise DataError(f"no category {part!r} in product group {path!r}")
        node = matches[0]
        if qualifier and matches[0]["name"] != part:
            qualifier = qualifier.removesuffix(")").lower()
            sets = [c for c in node["children"] if c["name"].lower() == qualifier]
            if len(sets) != 1:
                raise DataError(f"no product set {qualifier!r} in product group {path!r}")
            node = sets[0]
    # A single child of the same name is the same thing one level down (tourism).
    while len(node["children"]) == 1 and node["children"][0]["name"] == node["name"]:
        node = node["children"][0]
    return node


# --- Products, producers, certificates --------------------------------------------

PLACE = re.compile(r"(?:(xã|phường) ([^()]+?) )?\(([^()]+)\)")
UNKNOWN_COMMUNE = "chưa rõ xã; "
BEFORE_MERGER = "trước 7/2025: "


def parse_place(text: str, communes: dict) -> tuple[dict | None, str]:
    """'xã Tân Cương (trước 7/2025: xã Thịnh Đức, ...)' -> (commune, 'xã Thịnh Đức, ...')."""
    match = PLACE.fullmatch(text)
    if not match:
        raise DataError(f"cannot read the commune {text!r}")
    kind, name, inner = match.groups()
    if name is None:
        if not inner.startswith(UNKNOWN_COMMUNE):
            raise DataError(f"no commune and no 'chưa rõ xã' in {text!r}")
        return None, inner.removeprefix(UNKNOWN_COMMUNE).removeprefix(BEFORE_MERGER)
    if not inner.startswith(BEFORE_MERGER):
        raise DataError(f"cannot read the former address in {text!r}")
    commune = communes.get((COMMUNE_KINDS[kind].value, name))
    if commune is None:
        raise DataError(f"{kind} {name} is not one of the 92 communes ({text!r})")
    return commune, inner.removeprefix(BEFORE_MERGER)


def former_province(text: str) -> str | None:
    provinces = set(re.findall(r"tỉnh (Thái Nguyên|Bắc Kạn)", text))
    return provinces.pop() if len(provinces) == 1 else None


def first_url(text: str) -> str:
    match = re.search(r"https?://[^\s;]+", text)
    if not match:
        raise DataError(f"no address in source {text!r}")
    return match.group()


def build_summary(row: dict[str, str], producer_named: bool, commune, former: str) -> str:
    """One factual line from the CSV: stars, year, producer, place. Nothing else."""
    if row["stars"]:
        text = f"Sản phẩm OCOP {row['stars']} sao"
        if row["year_certified"]:
            text += f" (công nhận năm {row['year_certified']})"
    else:
        text = "Sản phẩm OCOP, hạng sao chưa xác định (các nguồn không thống nhất)"
    if producer_named:
        text += f" của {row['producer_name_vi']}"
    place = f"{'xã' if commune['kind'] == 'xa' else 'phường'} {commune['name']}" if commune else ""
    text += f", {place}" if place else f", chưa rõ xã ({former})"
    if not producer_named:
        text += "; nguồn không ghi tên chủ thể"
    return text + "."


# From 148/QĐ-TTg (24/02/2023) until 1489/QĐ-TTg (06/07/2025) moved it to the province.
DISTRICT_ERA = (datetime.date(2023, 2, 24), datetime.date(2025, 7, 5))


def certificate_fields(n: int, row: dict[str, str], product_slug: str, commune) -> dict:
    stars, year = int(row["stars"]), row["year_certified"]
    decision_date = datetime.date(int(year), 12, 31) if year else datetime.date(2025, 6, 30)
    if stars == 5:
        level = Certificate.IssuerLevel.CENTRAL
        issuer = (
            "Bộ Nông nghiệp và Phát triển nông thôn"
            if decision_date.year < 2025
            else "Bộ Nông nghiệp và Môi trường"
        )
    elif stars == 3 and DISTRICT_ERA[0] <= decision_date <= DISTRICT_ERA[1]:
        # Under 148/QĐ-TTg the district People's Committee certified 3 stars.
        level = Certificate.IssuerLevel.DISTRICT
        district = re.search(r"(?:huyện|TP|thị xã) [^,()]+", row["commune_vi"])
        issuer = f"UBND {district.group()}" if district else "UBND cấp huyện"
    else:
        level = Certificate.IssuerLevel.PROVINCE
        province = former_province(row["commune_vi"])
        issuer = f"UBND tỉnh {province}" if province else "UBND tỉnh"
    date_text = decision_date.strftime("%d/%m/%Y")
    if year:
        note = (
            f"Bản ghi minh hoạ (demo): số quyết định và ngày quyết định ({date_text}) là giá trị "
            "giữ chỗ, không phải số liệu chính thức. Chỉ hạng sao, năm công nhận "
            f"({year}) và nguồn lấy từ nguồn tin."
        )
    else:
        note = (
            f"Bản ghi minh hoạ (demo): số quyết định và ngày quyết định ({date_text}) là giá trị "
            "giữ chỗ, không phải số liệu chính thức; năm chưa rõ. Chỉ hạng sao và nguồn lấy "
            "từ nguồn tin."
        )
    note += " Cơ quan ban hành được suy ra từ hạng sao, năm và địa bàn cũ, không lấy từ nguồn tin."
    source_url = first_url(row["source"])
    if row["source"].strip() != source_url:
        note += f"\nNguồn: {row['source']}"
    return {
        "product": [product_slug],
        "stars": stars,
        "score": None,
        "decision_number": f"DEMO-{n:03d}",
        "decision_date": decision_date.isoformat(),
        "issuer": issuer,
        "issuer_level": level.value,
        "valid_until": default_valid_until(decision_date).isoformat(),
        "commune": [commune["slug"]] if commune else None,
        "source_url": source_url,
        "source_checked_on": None,
        "revoked_on": None,
        "revocation_reason": "",
        "is_demo": True,
        "note": note,
    }


def add_search_fields(fixtures: dict[str, list[dict]]) -> None:
    """Fill each product's search fields as Product.save() would.

    loaddata stores rows raw, without save(), so the fixture must carry them. They
    depend on the producer, the commune's former units and the category tree, so
    the fixtures are loaded into the scratch database and the models compute them.
    """
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        for name, objects in fixtures.items():
            write_json(Path(folder) / f"{name}.json", objects, quiet=True)
        call_command("loaddata", *(Path(folder) / f"{name}.json" for name in fixtures), verbosity=0)
    Product.objects.all().refresh_search_text()
    fields = {
        slug: (search_name, search_text)
        for slug, search_name, search_text in Product.objects.values_list(
            "slug", "search_name", "search_text"
        )
    }
    for obj in fixtures["demo"]:
        if obj["model"] == "catalogue.product":
            product = obj["fields"]
            product["search_name"], product["search_text"] = fields[product["slug"]]


def build_demo(rows: list[dict[str, str]], communes: dict, categories: dict) -> tuple:
    """Producers, products and certificates; also the rows chosen for images."""
    producers: dict[str, dict] = {}
    product_rows = []
    for n, row in enumerate(rows, start=1):
        commune, former = parse_place(row["commune_vi"], communes)
        if row["producer_type"] not in PRODUCER_KINDS:
            raise DataError(f"unknown producer type {row['producer_type']!r} (row {n})")
        named = bool(row["producer_name_vi"].strip())
        name = row["producer_name_vi"] or UNKNOWN_PRODUCER.format(product=row["product_name_vi"])
        producer = producers.get(name)
        if producer is None:
            producer = producers[name] = {
                "name": name,
                "slug": slugify_vi(name),
                "kind": PRODUCER_KINDS[row["producer_type"]].value,
                "commune": commune,
                "former_address": former,
            }
        elif (producer["commune"], producer["former_address"]) != (commune, former):
            print(
                f"warning: {name!r} appears with another commune in row {n}; keeping the first",
                file=sys.stderr,
            )
        elif producer["kind"] != PRODUCER_KINDS[row["producer_type"]]:
            print(f"warning: {name!r} has another type in row {n}", file=sys.stderr)
        category = find_category(row["product_group"], categories)
        product_rows.append((n, row, producer, category, named))

    check_unique([p["slug"] for p in producers.values()], "producer slugs")
    name_counts = Counter(row["product_name_vi"] for _, row, *_ in product_rows)
    products, certificates, chosen = [], [], []
    quotas = dict(IMAGE_QUOTAS)
    for n, row, producer, category, named in product_rows:
        slug = slugify_vi(row["product_name_vi"])
        if name_counts[row["product_name_vi"]] > 1:
            slug = f"{slug}-{producer['slug']}"
        commune = producer["commune"]
        product = {
            "name": row["product_name_vi"],
            "slug": slug,
            "producer": [producer["slug"]],
            "category": [category["slug"]] if category else None,
            "summary": build_summary(row, named, commune, producer["former_address"]),
            "is_published": True,
            # In the source's row order, so a rebuild gives every product the same code.
            "public_code": public_code(n),
        }
        product["created_at"] = product["updated_at"] = TIMESTAMP
        products.append(product)
        if row["stars"]:
            certificates.append(certificate_fields(n, row, slug, commune))
        if category and quotas.get(category["slug"], 0) > 0:
            quotas[category["slug"]] -= 1
            chosen.append((product, category["slug"]))

    check_unique([p["slug"] for p in products], "product slugs")
    for value in [*producers.values(), *products]:
        if len(value["slug"]) > 100:
            raise DataError(f"slug longer than 100 characters: {value['slug']}")
    for product in products:
        if len(product["summary"]) > 300:
            raise DataError(f"summary longer than 300 characters: {product['summary']}")

    objects = [
        {
            "model": "catalogue.producer",
            "fields": {
                "name": p["name"],
                "slug": p["slug"],
                "kind": p["kind"],
                "commune": [p["commune"]["slug"]] if p["commune"] else None,
                "former_address": p["former_address"],
            },
        }
        for p in sorted(producers.values(), key=lambda p: p["slug"])
    ]
    objects += [
        {"model": "catalogue.product", "fields": p}
        for p in sorted(products, key=lambda p: p["slug"])
    ]
    images = [
        {
            "model": "catalogue.productimage",
            "fields": {
                "product": [product["slug"]],
                "image": f"products/{product['slug']}-1.webp",
                "alt_text": f"Hình minh hoạ (không phải ảnh thật) – {product['name']}",
                "position": 0,
            },
        }
        for product, _ in sorted(chosen, key=lambda item: item[0]["slug"])
    ]
    objects += images
    objects += [{"model": "certification.certificate", "fields": c} for c in certificates]
    objects += build_quality_marks(products, producers)
    # New products continue after the demo codes.
    objects.append(
        {
            "model": "catalogue.codesequence",
            "fields": {"name": "product", "last_value": len(product_rows)},
        }
    )
    return objects, chosen


# --- Other quality marks (shared/data/ocop_scheme.md, section 9) -----------------

GI_SOURCE = "https://songhytra.com/thu-hoach-va-che-bien/qui-chuan-chat-luong/"
TRADEMARK_SOURCE = "https://chetrathainguyen.com/nhan-hieu-tap-che-thai-nguyen/"
COLLECTIVE_TRADEMARKS = ["Chè Thái Nguyên", "La Bằng", "Trại Cài", "Vô Tranh", "Phổ Yên"]


def build_quality_marks(products: list[dict], producers: dict[str, dict]) -> list[dict]:
    """The Chè Tân Cương GI and the tea collective trademarks.

    The GI links only the tea products (category "Chè") of producers in the commune of
    Tân Cương, the heart of the area it covers. No product is linked to a collective
    trademark: using one depends on membership of the association that holds it, which no
    source gives.
    """
    by_slug = {producer["slug"]: producer for producer in producers.values()}
    gi_products = sorted(
        product["slug"]
        for product in products
        if product["category"] == ["che"]
        and (commune := by_slug[product["producer"][0]]["commune"])
        and commune["slug"] == "tan-cuong"
    )
    marks = [
        {
            "model": "catalogue.qualitymark",
            "fields": {
                "kind": "gi",
                "name": "Chè Tân Cương",
                "slug": "chi-dan-dia-ly-che-tan-cuong",
                "number": "00013",
                "issuer": "Cục Sở hữu trí tuệ",
                "decision": "1144/QĐ-SHTT",
                "date": "2007-09-20",
                "area": "Tân Cương, Phúc Xuân, Phúc Trìu",
                "source_url": GI_SOURCE,
                "note": "",
                "products": [[slug] for slug in gi_products],
            },
        }
    ]
    for name in COLLECTIVE_TRADEMARKS:
        marks.append(
            {
                "model": "catalogue.qualitymark",
                "fields": {
                    "kind": "collective_trademark",
                    "name": name,
                    "slug": f"nhan-hieu-tap-the-{slugify_vi(name)}",
                    "number": "",
                    "issuer": "",
                    "decision": "",
                    "date": None,
                    "area": "",
                    "source_url": TRADEMARK_SOURCE,
                    "note": "",
                    "products": [],
                },
            }
        )
    return marks


# --- Illustration images ---------------------------------------------------------


def initials(name: str) -> str:
    # The built-in font has no Vietnamese letters, so the initials are folded to ASCII.
    words = [word for word in re.split(r"[\s,()]+", fold(name)) if word]
    return "".join(word[0] for word in words[:3]).upper()


def draw_illustration(name: str, palette: tuple[str, ...], path: Path) -> None:
    background, far_hill, near_hill, sun, disc = palette
    width, height = IMAGE_SIZE
    image = Image.new("RGB", IMAGE_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((600, 60, 720, 180), fill=sun)
    draw.ellipse((-200, 380, 560, 900), fill=far_hill)
    draw.ellipse((260, 420, 1040, 960), fill=far_hill)
    draw.ellipse((-100, 470, 900, 1000), fill=near_hill)
    draw.ellipse((width // 2 - 130, 150, width // 2 + 130, 410), fill=disc)
    font = ImageFont.load_default(size=96)
    draw.text((width // 2, 280), initials(name), fill=background, font=font, anchor="mm")
    image.save(path, "WEBP", quality=80, method=6)
    if path.stat().st_size > 40_000:
        raise DataError(f"{path.name} is over 40 KB")


def write_images(chosen: list[tuple[dict, str]]) -> None:
    folder = FIXTURES / "media" / "products"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.webp"):
        old.unlink()
    for product, category_slug in chosen:
        draw_illustration(
            product["name"], PALETTES[category_slug], folder / f"{product['slug']}-1.webp"
        )
    print(f"wrote {len(chosen)} images in {folder.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    commune_rows = read_csv(args.data / "thai_nguyen_communes.csv")
    product_rows = read_csv(args.data / "thai_nguyen_ocop_products.csv")

    commune_objects, communes = build_communes(commune_rows)
    category_objects, categories = build_categories()
    demo_objects, chosen = build_demo(product_rows, communes, categories)

    fixtures = {"communes": commune_objects, "categories": category_objects, "demo": demo_objects}
    add_search_fields(fixtures)
    FIXTURES.mkdir(exist_ok=True)
    for name, objects in fixtures.items():
        write_json(FIXTURES / f"{name}.json", objects)
    write_images(chosen)


if __name__ == "__main__":
    try:
        main()
    except DataError as error:
        sys.exit(f"build_fixtures: {error}")
