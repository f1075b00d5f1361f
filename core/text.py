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


def printable(text: str) -> str:
    """`text` without control and invisible format characters (NUL, escape, right-to-left
    override, zero-width space...), which a visitor never means and a page must not echo."""
    return "".join(
        char
        for char in text
        if char in "\t\n\r" or unicodedata.category(char) not in {"Cc", "Cf", "Cs"}
    )


def slugify_vi(text: str) -> str:
    """An ASCII slug for a Vietnamese name: 'Tân Cương' -> 'tan-cuong'."""
    return slugify(fold(text))
