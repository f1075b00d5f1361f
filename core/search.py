"""How the catalogue reads a search query: accent-free words, each with its synonyms.

Edit SYNONYMS to teach search that two words mean the same thing. Each group
is a set of accent-free words; a query word in a group matches any of them.
"""

import re

from django.db.models import Q

from .text import fold

MAX_QUERY_LENGTH = 200
NON_WORD = re.compile(r"[\W_]+")

# Without accents "chế biến" (processed) and "sơ chế" (semi-processed) read
# "che bien" and "so che", and would match chè (tea). Kept as one word that no
# search word can start ("_" is not a word character), they still match
# themselves but no longer "che".
COMPOUNDS = {"che bien": "_chebien", "so che": "_soche"}
# Words this short match whole words only: "sả" (sa) must not find every "sản
# phẩm", nor "trà" (tra) "trại" or "traditional". Longer words match word starts.
WHOLE_WORD_LENGTH = 3

SYNONYMS: list[set[str]] = [
    {"che", "tra", "tea"},  # chè in the north, trà in the south and in brand names
    {"mat ong", "honey", "miel"},
    {"gao", "rice", "riz"},
    {"ruou", "liquor"},
]


def query_words(query: str) -> list[list[str]]:
    """The words of `query`, each with the alternatives it may match.

    "Chè Tân Cương" -> [["che", "tra"], ["tan"], ["cuong"]]. Multi-word
    synonyms ("mat ong") are matched as phrases.
    """
    words = plain_words(query[:MAX_QUERY_LENGTH])
    groups, i = [], 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        phrase_group = next((group for group in SYNONYMS if pair in group), None)
        if phrase_group and i + 1 < len(words):
            groups.append(sorted(phrase_group))
            i += 2
            continue
        word = words[i]
        group = next((group for group in SYNONYMS if word in group), {word})
        groups.append(sorted(group))
        i += 1
    return groups


def plain_words(text: str) -> list[str]:
    """Accent-free, lower-case words, punctuation dropped: "HTX 20/10" -> ["htx", "20", "10"].

    Words whose accent-free form would collide with a synonym are joined (see COMPOUNDS).
    """
    text = NON_WORD.sub(" ", fold(text))
    for phrase, compound in COMPOUNDS.items():
        text = re.sub(rf"\b{phrase}\b", compound, text)
    return text.split()


def pattern(word: str) -> str:
    """What a query word must be found as in a document(): a word start, or a whole short word."""
    return f" {word} " if len(word) <= WHOLE_WORD_LENGTH else f" {word}"


def document(*parts: str) -> str:
    """Searchable text: plain words, padded so that every word starts after a space."""
    return f" {' '.join(plain_words(' '.join(part for part in parts if part)))} "


def accent_free_admin_search(model_admin, request, queryset, search_term, matching):
    """The admin's own search on `search_fields`, widened by `matching` (found accent-free)."""
    found, may_have_duplicates = model_admin.get_search_results(request, queryset, search_term)
    if not search_term.strip():
        return found, may_have_duplicates
    return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=matching.values("pk"))), False
