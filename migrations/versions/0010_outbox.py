"""outbox: contributors' emails wait here, sent outside the request and retried

Two new tables and nothing else (no existing table is rebuilt, so SQLite keeps the triggers
on moderation_events and the search tables).

Revision ID: 0010_outbox
Revises: 0009_contribution_language
"""

import sqlalchemy as sa
from alembic import op

import archive.models.types  # custom column types

revision = "0010_outbox"
down_revision = "0009_contribution_language"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("announces", sa.Enum("pending", "approved", "rejected", "spam", "withdrawn",
                                       name="announced_status", native_enum=False,
                                       create_constraint=True, length=20), nullable=False),
        sa.Column("status", sa.Enum("queued", "sent", "failed", "cancelled",
                                    name="outbox_status", native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column("created_at", archive.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("next_attempt_at", archive.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", archive.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("announces IN ('approved', 'rejected', 'withdrawn')",
                           name=op.f("ck_outbox_announces_a_decision")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
        sa.ForeignKeyConstraint(["contribution_id"], ["contributions.id"],
                                name=op.f("fk_outbox_contribution_id_contributions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("contribution_id", "announces",
                            name="uq_outbox_contribution_id_announces"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_next_attempt",
                              ["status", "next_attempt_at", "id"], unique=False)

    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("started_at", archive.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("finished_at", archive.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("outcome", sa.Enum("sent", "failed", "cancelled", name="attempt_outcome",
                                     native_enum=False, create_constraint=True, length=20),
                  nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["outbox.id"],
                                name=op.f("fk_outbox_attempts_message_id_outbox"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_attempts_message", ["message_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attempts_message")
    op.drop_table("outbox_attempts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next_attempt")
    op.drop_table("outbox")
