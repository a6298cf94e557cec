"""items: each institution's references are its own

An item now keeps the holding institution's reference (``reference``, unique within the
institution) beside its address on the site (``identifier``, unique across the platform, from
which its URL, OAI-PMH identifier and IIIF ids are built). Every existing item keeps its
address, so every URL, identifier and id published so far keeps working; its reference is the
same text. ``institution_id`` (the institution of the item's collection) lets the database keep
references unique per institution. ``identifier`` grows to 250 characters, room for an
address of the form "<institution slug>:<reference>".

SQLite rebuilds the items table for these changes; its full-text triggers go with the old table
and are made again here.

Revision ID: 0017_item_references
Revises: 0016_erasable_event_reasons
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_item_references"
down_revision = "0016_erasable_event_reasons"
branch_labels = None
depends_on = None

# The full-text triggers of migration 0005, made again after SQLite rebuilds the table.
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TRIGGER IF EXISTS items_fts_update",
    """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, title, search_document)
        VALUES (new.id, new.title, new.search_document);
    END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, search_document)
        VALUES ('delete', old.id, old.title, old.search_document);
    END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, search_document ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, search_document)
        VALUES ('delete', old.id, old.title, old.search_document);
        INSERT INTO items_fts(rowid, title, search_document)
        VALUES (new.id, new.title, new.search_document);
    END""",
]


def _remake_sqlite_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade():
    op.add_column("items", sa.Column("reference", sa.String(length=100), nullable=True))
    op.add_column("items", sa.Column("institution_id", sa.Integer(), nullable=True))
    op.execute("UPDATE items SET reference = identifier, institution_id = (SELECT"
               " collections.institution_id FROM collections"
               " WHERE collections.id = items.collection_id)")
    with op.batch_alter_table("items") as batch_op:
        batch_op.alter_column("identifier", existing_type=sa.String(length=100),
                              type_=sa.String(length=250), existing_nullable=False)
        batch_op.alter_column("reference", existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column("institution_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_items_institution_id"), ["institution_id"])
        batch_op.create_foreign_key(batch_op.f("fk_items_institution_id_institutions"),
                                    "institutions", ["institution_id"], ["id"])
        batch_op.create_unique_constraint("uq_items_institution_reference",
                                          ["institution_id", "reference"])
    _remake_sqlite_triggers()


def downgrade():
    # Addresses of the form "<slug>:<reference>" exist only once two institutions share a
    # reference; going back to one reference per item keeps each item's address.
    with op.batch_alter_table("items") as batch_op:
        batch_op.drop_constraint("uq_items_institution_reference", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_items_institution_id_institutions"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_items_institution_id"))
        batch_op.drop_column("institution_id")
        batch_op.drop_column("reference")
        batch_op.alter_column("identifier", existing_type=sa.String(length=250),
                              type_=sa.String(length=100), existing_nullable=False)
    _remake_sqlite_triggers()
