"""SQLite's index of the products' search text: an FTS5 table kept by triggers.

search() finds words at the start of any word of Product.search_text. PostgreSQL answers its
LIKE patterns from trigram indexes (migration 0003); SQLite has none and read every product's
text, so there it asks this FTS5 table, which holds the same words as tokens: a short word
must be a whole token, a longer one a token's start, a phrase its tokens in a row.

The table (external content: it stores no copy of the text) and its triggers are made after
every migrate (`ensure_index`), and the index rebuilt whenever they were missing: SQLite's
schema editor rebuilds a table to alter it, and its triggers go with the old one.
"""

from django.db.models.expressions import RawSQL

from core import search

TABLE = "catalogue_product_fts"
SOURCE = "catalogue_product"
TRIGGERS = {
    f"{TABLE}_insert": f"""AFTER INSERT ON {SOURCE} BEGIN
        INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END""",
    f"{TABLE}_delete": f"""AFTER DELETE ON {SOURCE} BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text); END""",
    f"{TABLE}_update": f"""AFTER UPDATE OF search_text ON {SOURCE} BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END""",
}


def ensure_index(using="default", **kwargs) -> None:
    """Make the FTS5 table and its triggers if missing (a post_migrate receiver), and then
    index every product afresh."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if SOURCE not in tables:  # migrated backwards past the catalogue
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        if TABLE in tables and set(TRIGGERS) <= present:
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_text, "
            f"content='{SOURCE}', content_rowid='id', tokenize=\"unicode61 tokenchars '_'\")"
        )
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def match_expression(words: list[list[str]]) -> str:
    """search.query_words() as an FTS5 query: every group, any of its alternatives.

    Alternatives are plain words (letters, digits, "_"), quoted; a longer one matches a
    token's start, as search.pattern() does.
    """

    def term(alternative: str) -> str:
        prefix = "*" if len(alternative) > search.WHOLE_WORD_LENGTH else ""
        quoted = alternative.replace('"', '""')
        return f'"{quoted}"{prefix}'

    return " AND ".join(
        "(" + " OR ".join(term(alternative) for alternative in group) + ")" for group in words
    )


def matching_ids(words: list[list[str]]) -> RawSQL:
    """A subquery of the ids of the products whose search text holds every group of words."""
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [match_expression(words)])
