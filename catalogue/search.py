"""How the catalogue reads a search query: accent-free words, each with its synonyms.

Edit SYNONYMS to teach search that two words mean the same thing. Each group
is a set of accent-free words; a query word in a group matches any of them.
"""

import re

from .text import fold

MAX_QUERY_LENGTH = 200
NON_WORD = re.compile(r"[\W_]+")

# Without accents "chế biến" (processed) reads "che bien" and would match chè
# (tea). Kept as one word that no search word can start ("_" is not a word
# character), it still matches "che bien" but no longer "che".
COMPOUNDS = {"che bien": "_chebien"}

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


def document(*parts: str) -> str:
    """Searchable text: plain words, padded so that every word starts after a space."""
    return f" {' '.join(plain_words(' '.join(part for part in parts if part)))} "
