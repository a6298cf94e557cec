"""moderation events: the reason given for a decision moves beside the append-only log

What an archivist types as a reason may name a contributor, and the append-only log cannot
forget it. The text now lives in ``event_reasons`` (one row per event that has a reason),
which erasure and the retention period can reach; ``moderation_events.reason`` is dropped.
Dropping a column is done in place on both databases (SQLite 3.35 and later), so SQLite keeps
the log's append-only triggers.

Revision ID: 0016_erasable_event_reasons
Revises: 0015_account_confirmation
"""

import sqlalchemy as sa
from alembic import op

import archive.models.types  # custom column types

revision = "0016_erasable_event_reasons"
down_revision = "0015_account_confirmation"
branch_labels = None
depends_on = None

MESSAGE = "moderation events are append-only"


def upgrade():
    op.create_table(
        "event_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("erased_at", archive.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["moderation_events.id"],
                                name=op.f("fk_event_reasons_event_id_moderation_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_reasons")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_reasons_event_id")),
    )
    op.execute("INSERT INTO event_reasons (event_id, text)"
               " SELECT id, reason FROM moderation_events WHERE reason <> ''")
    op.execute("ALTER TABLE moderation_events DROP COLUMN reason")


def _without_append_only_triggers(statement: str) -> None:
    """Run ``statement`` on moderation_events with its triggers off (a downgrade only)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER moderation_events_no_update")
        op.execute(statement)
        op.execute("CREATE TRIGGER moderation_events_no_update BEFORE UPDATE "
                   f"ON moderation_events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    else:
        op.execute("ALTER TABLE moderation_events DISABLE TRIGGER moderation_events_append_only")
        op.execute(statement)
        op.execute("ALTER TABLE moderation_events ENABLE TRIGGER moderation_events_append_only")


def downgrade():
    op.add_column("moderation_events",
                  sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    _without_append_only_triggers(
        "UPDATE moderation_events SET reason = (SELECT text FROM event_reasons"
        " WHERE event_reasons.event_id = moderation_events.id)"
        " WHERE id IN (SELECT event_id FROM event_reasons)")
    op.drop_table("event_reasons")
