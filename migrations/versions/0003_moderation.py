"""moderation workflow

Revision ID: 0003_moderation
Revises: 0002_groundwork

Indexes for the queue's contributor filter, "My contributions" and the audit log's archivist
filter, and the year range a date enrichment changed (so that a revert restores it exactly).
"""

import sqlalchemy as sa
from alembic import op

import archive.models.types  # noqa: F401  (custom column types)

revision = "0003_moderation"
down_revision = "0002_groundwork"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("old_date_earliest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("old_date_latest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("new_date_earliest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("new_date_latest", sa.Integer(), nullable=True))

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index("ix_contributions_submitted_by", ["submitted_by_id", "created_at"],
                              unique=False)
        batch_op.create_index("ix_contributions_email", ["email"], unique=False)

    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_events_actor", ["actor_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_events_actor")

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributions_email")
        batch_op.drop_index("ix_contributions_submitted_by")

    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.drop_column("new_date_latest")
        batch_op.drop_column("new_date_earliest")
        batch_op.drop_column("old_date_latest")
        batch_op.drop_column("old_date_earliest")
