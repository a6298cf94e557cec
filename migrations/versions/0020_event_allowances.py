"""event allowances: a time-boxed higher limit on notes for one address or network

An archivist opens an allowance for a "memory day" (everyone at a library sharing one
connection): a network kept only as a keyed hash with its prefix length, a notes-an-hour limit,
an end. Opening and closing one is written to the audit log, so an event in
``moderation_events`` is now about a note or about an allowance (exactly one of the two).

SQLite rebuilds moderation_events for this, which drops its append-only triggers (migration
0007): they are made again here.

Revision ID: 0020_event_allowances
Revises: 0019_confirmed_note_emails
"""

import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = "0020_event_allowances"
down_revision = "0019_confirmed_note_emails"
branch_labels = None
depends_on = None

MESSAGE = "moderation events are append-only"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _sqlite_triggers(create: bool) -> None:
    for action in ("UPDATE", "DELETE"):
        if create:
            op.execute(f"CREATE TRIGGER moderation_events_no_{action.lower()} BEFORE {action} "
                       f"ON moderation_events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS moderation_events_no_{action.lower()}")


def upgrade():
    op.create_table(
        "event_allowances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("network_hash", sa.String(length=64), nullable=True),
        sa.Column("ip_version", sa.SmallInteger(), nullable=False),
        sa.Column("prefix_length", sa.SmallInteger(), nullable=False),
        sa.Column("notes_per_hour", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_event_allowances_ends_after_start")),
        sa.CheckConstraint("notes_per_hour > 0", name=op.f("ck_event_allowances_positive_limit")),
        sa.CheckConstraint("ip_version IN (4, 6)", name=op.f("ck_event_allowances_ip_version")),
        sa.CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)",
                           name=op.f("ck_event_allowances_closed_by_whom")),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"], ondelete="CASCADE",
                                name=op.f("fk_event_allowances_institution_id_institutions")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_event_allowances_created_by_id_users")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f("fk_event_allowances_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_allowances")),
    )
    with op.batch_alter_table("event_allowances") as batch_op:
        batch_op.create_index(batch_op.f("ix_event_allowances_institution_id"),
                              ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_allowances_network_hash"),
                              ["network_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_allowances_ends_at"), ["ends_at"],
                              unique=False)

    if _sqlite():
        _sqlite_triggers(create=False)
    with op.batch_alter_table("moderation_events") as batch_op:
        batch_op.add_column(sa.Column("allowance_id", sa.Integer(), nullable=True))
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_events_allowance_id_event_allowances"),
            "event_allowances", ["allowance_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_moderation_events_allowance_id"),
                              ["allowance_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_moderation_events_one_subject"),
            sa.text("(contribution_id IS NULL) <> (allowance_id IS NULL)"))
    if _sqlite():
        _sqlite_triggers(create=True)


def downgrade():
    # The allowances' entries in the log go with them (the log held notes only before).
    if _sqlite():
        _sqlite_triggers(create=False)
        op.execute("DELETE FROM moderation_events WHERE allowance_id IS NOT NULL")
    else:
        op.execute("ALTER TABLE moderation_events DISABLE TRIGGER moderation_events_append_only")
        op.execute("DELETE FROM moderation_events WHERE allowance_id IS NOT NULL")
        op.execute("ALTER TABLE moderation_events ENABLE TRIGGER moderation_events_append_only")
    with op.batch_alter_table("moderation_events") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_moderation_events_one_subject"), type_="check")
        batch_op.drop_index(batch_op.f("ix_moderation_events_allowance_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_moderation_events_allowance_id_event_allowances"),
            type_="foreignkey")
        batch_op.drop_column("allowance_id")
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=False)
    if _sqlite():
        _sqlite_triggers(create=True)
    with op.batch_alter_table("event_allowances") as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_allowances_ends_at"))
        batch_op.drop_index(batch_op.f("ix_event_allowances_network_hash"))
        batch_op.drop_index(batch_op.f("ix_event_allowances_institution_id"))
    op.drop_table("event_allowances")
