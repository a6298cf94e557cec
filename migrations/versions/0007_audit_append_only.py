"""moderation events: append-only in the database itself

The models already refuse to update or delete a ModerationEvent; these triggers make the
database refuse it too, whatever client or raw statement tries. (SQLite drops a table's
triggers when a batch migration rebuilds the table: a later migration that rebuilds
moderation_events must create them again.)

Revision ID: 0007_audit_append_only
Revises: 0006_production
"""

from alembic import op

revision = "0007_audit_append_only"
down_revision = "0006_production"
branch_labels = None
depends_on = None

MESSAGE = "moderation events are append-only"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER moderation_events_no_{action.lower()} BEFORE {action} "
                f"ON moderation_events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION refuse_moderation_event_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER moderation_events_append_only BEFORE UPDATE OR DELETE "
            "ON moderation_events FOR EACH ROW EXECUTE FUNCTION refuse_moderation_event_change()"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS moderation_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS moderation_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS moderation_events_append_only ON moderation_events")
        op.execute("DROP FUNCTION IF EXISTS refuse_moderation_event_change()")
