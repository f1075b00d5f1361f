"""Other quality marks (shared/data/ocop_scheme.md, section 9)."""

from core.text import slugify_vi

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
        and product["producer"]
        and (commune := by_slug[product["producer"][0]]["commune"])
        and commune["slug"] == "tan-cuong"
    )
    marks = [
        {
            "model": "marks.qualitymark",
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
                "model": "marks.qualitymark",
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
