"""The areas before the merger of 1 July 2025, read from an address as the sources print it.

"xã Hóa Trung, huyện Đồng Hỷ, tỉnh Thái Nguyên" lies in the former district "huyện Đồng Hỷ" of
the former province "tỉnh Thái Nguyên". Official totals were counted per former province and
district, so products and leads are matched to them through these two parts of the address.
"""

import re
from dataclasses import dataclass

from core.text import fold

PROVINCE = re.compile(r"(?:^|[\s,])(tỉnh)\s+([^,;()]+)", re.IGNORECASE)
DISTRICT = re.compile(r"(?:^|[\s,])(huyện|thành phố|tp\.?|thị xã|quận)\s+([^,;()]+)", re.IGNORECASE)
BRACKETS = re.compile(r"\([^()]*\)")


def _part(pattern: re.Pattern, text: str, kinds: dict[str, str]) -> str:
    match = pattern.search(text)
    if not match:
        return ""
    kind = kinds.get(match[1].lower().rstrip("."), match[1].lower())
    return f"{kind} {' '.join(match[2].split())}"


@dataclass(frozen=True)
class FormerArea:
    """A former province and, where known, its former district: "" where the address is silent."""

    province: str = ""  # "tỉnh Thái Nguyên"
    district: str = ""  # "huyện Đồng Hỷ", "TP Thái Nguyên"

    @classmethod
    def parse(cls, address: str) -> "FormerArea":
        """The former district and province named in `address` (either may be missing)."""
        text = BRACKETS.sub("", address or "")
        return cls(
            province=_part(PROVINCE, text, {"tỉnh": "tỉnh"}),
            district=_part(DISTRICT, text, {"thành phố": "TP", "tp": "TP"}),
        )

    def __str__(self) -> str:
        return ", ".join(part for part in (self.district, self.province) if part)

    def __bool__(self) -> bool:
        return bool(self.province or self.district)

    @property
    def key(self) -> tuple[str, str]:
        """For comparing and sorting: accents and case ignored (Hoà = Hòa)."""
        return (fold(self.province), fold(self.district))

    def contains(self, other: "FormerArea") -> bool:
        """Whether `other` lies in this area. The empty area is the whole merged province."""
        province, district = self.key
        other_province, other_district = other.key
        if province and province != other_province:
            return False
        return not district or district == other_district
