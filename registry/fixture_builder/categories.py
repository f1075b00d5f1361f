"""The OCOP categories (ocop_scheme.md, section 2), and the one a product group names."""

from collections import Counter

from .reading import DataError, check_unique

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

# ocop_scheme.md section 2, in table order: (slug, name, English name, children).
# A group whose only product set has its own name is a leaf.
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
