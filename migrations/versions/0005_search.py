"""search and ingest

Revision ID: 0005_search
Revises: 0004_harvesting
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

import archive.models.types  # noqa: F401  (custom column types)

revision = "0005_search"
down_revision = "0004_harvesting"
branch_labels = None
depends_on = None


# SQLite: an FTS5 index over items.title and items.search_document, kept by triggers. It is an
# "external content" table: it stores only the index, and reads the text from items.
SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE items_fts USING fts5(
        title, search_document, content='items', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, title, search_document)
        VALUES (new.id, new.title, new.search_document);
    END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, search_document)
        VALUES ('delete', old.id, old.title, old.search_document);
    END""",
    # Only when the indexed text changes: counting a view must not touch the index.
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, search_document ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, search_document)
        VALUES ('delete', old.id, old.title, old.search_document);
        INSERT INTO items_fts(rowid, title, search_document)
        VALUES (new.id, new.title, new.search_document);
    END""",
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TABLE IF EXISTS items_fts",
]

# PostgreSQL: a GIN index on the same expression archive/search/backends.py queries.
PG_UPGRADE = [
    """CREATE INDEX ix_items_search ON items USING gin ((
        setweight(to_tsvector('english'::regconfig, coalesce(items.title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(items.search_document, '')), 'B')
    ))""",
]
PG_DOWNGRADE = ["DROP INDEX IF EXISTS ix_items_search"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(PG_UPGRADE)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(PG_DOWNGRADE)
