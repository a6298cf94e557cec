"""harvesting and IIIF

Revision ID: 0004_harvesting
Revises: 0003_moderation

No new tables or columns: harvesting reads ``items.record_changed_at``. On SQLite, rows that
got that column's server default hold ``YYYY-MM-DD HH:MM:SS`` text, while the application
writes ``YYYY-MM-DD HH:MM:SS.ffffff``; SQLite compares the text, so the short form would not
equal the same instant written by the application and OAI-PMH keyset paging would skip
records. They are rewritten in the long form here.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import archive.models.types  # noqa: F401  (custom column types)

revision = "0004_harvesting"
down_revision = "0003_moderation"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "UPDATE items SET record_changed_at = "
            "strftime('%Y-%m-%d %H:%M:%f', record_changed_at) || '000' "
            "WHERE length(record_changed_at) = 19"
        )


def downgrade():
    pass  # the long form is what the application writes itself: nothing to undo
