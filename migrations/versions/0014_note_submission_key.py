"""contributions: the key of the form a note was sent with, unique

A form sent several times (a double click, a browser retrying, simultaneous posts) is stored
as one note.

Revision ID: 0014_note_submission_key
Revises: 0013_institution_profile
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_note_submission_key"
down_revision = "0013_institution_profile"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN and a unique index on both databases: no table rebuild, so SQLite
    # keeps its triggers. Earlier notes have no key (NULLs never collide).
    op.add_column("contributions",
                  sa.Column("submission_key", sa.String(length=64), nullable=True))
    op.create_index("uq_contributions_submission_key", "contributions", ["submission_key"],
                    unique=True)


def downgrade():
    op.drop_index("uq_contributions_submission_key", table_name="contributions")
    op.execute("ALTER TABLE contributions DROP COLUMN submission_key")
