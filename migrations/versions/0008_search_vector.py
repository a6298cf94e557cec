"""search: a stored tsvector on PostgreSQL, a covering index for counts on SQLite

PostgreSQL: ranking read the GIN expression index to find the matches, then ran to_tsvector
again over every match's whole text to rank it. The vector is now a column of its own, kept by
a trigger only when the title or the search text changes (counting a view leaves it alone),
with the GIN index on the column: ranking reads the stored vector.

SQLite: counting the matches by collection, decade and open question read each match's whole
row; an index holding just those columns answers the count on its own.

Revision ID: 0008_search_vector
Revises: 0007_audit_append_only
"""

from alembic import op

revision = "0008_search_vector"
down_revision = "0007_audit_append_only"
branch_labels = None
depends_on = None

# The weights of migration 0005's index: the title counts more than the rest.
VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce({row}.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce({row}.search_document, '')), 'B')"
)

UPGRADE = [
    "ALTER TABLE items ADD COLUMN search_vector tsvector",
    "CREATE FUNCTION items_search_vector() RETURNS trigger AS $$ "
    f"BEGIN NEW.search_vector := {VECTOR.format(row='NEW')}; RETURN NEW; END "
    "$$ LANGUAGE plpgsql",
    "CREATE TRIGGER items_search_vector BEFORE INSERT OR UPDATE OF title, search_document "
    "ON items FOR EACH ROW EXECUTE FUNCTION items_search_vector()",
    f"UPDATE items SET search_vector = {VECTOR.format(row='items')}",
    "DROP INDEX IF EXISTS ix_items_search",
    "CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)",
]

DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_items_search_vector",
    f"CREATE INDEX ix_items_search ON items USING gin (({VECTOR.format(row='items')}))",
    "DROP TRIGGER IF EXISTS items_search_vector ON items",
    "DROP FUNCTION IF EXISTS items_search_vector()",
    "ALTER TABLE items DROP COLUMN search_vector",
]


SQLITE_UPGRADE = [
    "CREATE INDEX ix_items_search_facets ON items "
    "(id, withdrawn_at, collection_id, date_earliest, needs_help, help_solved_at)",
]
SQLITE_DOWNGRADE = ["DROP INDEX IF EXISTS ix_items_search_facets"]


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in UPGRADE if dialect == "postgresql" else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DOWNGRADE if dialect == "postgresql" else SQLITE_DOWNGRADE:
        op.execute(statement)
