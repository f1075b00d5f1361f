"""Vietnamese text helpers: ASCII slugs and accent-free folding."""

import unicodedata

from django.utils.text import slugify

# Unicode decomposition strips tone marks but leaves đ/Đ alone: it is a letter
# of its own, not d with a mark.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Lower-case `text` and remove Vietnamese diacritics: 'Chè Đinh' -> 'che dinh'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_TABLE))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


def slugify_vi(text: str) -> str:
    """An ASCII slug for a Vietnamese name: 'Tân Cương' -> 'tan-cuong'."""
    return slugify(fold(text))
