"""Demo certificates: each product's stars and year, with placeholder decision details."""

import datetime
import re

from certification.models import Certificate, default_valid_until

from .reading import DataError


def former_province(text: str) -> str | None:
    provinces = set(re.findall(r"tỉnh (Thái Nguyên|Bắc Kạn)", text))
    return provinces.pop() if len(provinces) == 1 else None


def first_url(text: str) -> str:
    match = re.search(r"https?://[^\s;]+", text)
    if not match:
        raise DataError(f"no address in source {text!r}")
    return match.group()


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
