"""contributions: the interface language a note was sent in

Emails telling the contributor what happened to the note are written in that language.

Revision ID: 0009_contribution_language
Revises: 0008_search_vector
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_contribution_language"
down_revision = "0008_search_vector"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no table rebuild, so SQLite keeps its triggers.
    op.add_column("contributions", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place (no rebuild) as PostgreSQL does.
    op.execute("ALTER TABLE contributions DROP COLUMN language")
