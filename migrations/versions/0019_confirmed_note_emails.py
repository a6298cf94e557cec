"""notes: an address typed with a note is written to only once its owner confirmed it

A note's address is confirmed (``contributions.email_confirmed_at``) when its owner follows the
link emailed to it; until then no email about the note's fate goes to it. The outbox carries
that one email too: a message about a note either announces a decision (``announces``) or asks
for its address to be confirmed (``confirms_address``). Notes already stored keep being
written to as before: their addresses count as confirmed when they were sent.

SQLite rebuilds the outbox table for its new rule (it has no triggers to lose).

Revision ID: 0019_confirmed_note_emails
Revises: 0017_item_references
"""

import sqlalchemy as sa
from alembic import op

import archive.models.types  # custom column types

revision = "0019_confirmed_note_emails"
down_revision = "0017_item_references"
branch_labels = None
depends_on = None

ABOUT_ONE_THING = (
    "(contribution_id IS NOT NULL AND announces IS NOT NULL AND user_id IS NULL"
    " AND account_email IS NULL) OR (contribution_id IS NULL AND announces IS NULL"
    " AND user_id IS NOT NULL AND account_email IS NOT NULL)")

ABOUT_ONE_THING_NOW = (
    "(contribution_id IS NOT NULL AND user_id IS NULL AND account_email IS NULL"
    " AND ((announces IS NOT NULL AND NOT confirms_address)"
    " OR (announces IS NULL AND confirms_address)))"
    " OR (contribution_id IS NULL AND announces IS NULL AND NOT confirms_address"
    " AND user_id IS NOT NULL AND account_email IS NOT NULL)")


def upgrade():
    op.add_column("contributions", sa.Column(
        "email_confirmed_at", archive.models.types.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE contributions SET email_confirmed_at = created_at "
               "WHERE email IS NOT NULL")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("confirms_address", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_constraint("about_a_note_or_an_account", type_="check")
        batch_op.create_check_constraint("about_a_note_or_an_account", ABOUT_ONE_THING_NOW)


def downgrade():
    # SQLite runs migrations with foreign keys off, so the attempts go first by hand.
    op.execute("DELETE FROM outbox_attempts WHERE message_id IN "
               "(SELECT id FROM outbox WHERE confirms_address)")
    op.execute("DELETE FROM outbox WHERE confirms_address")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint("about_a_note_or_an_account", type_="check")
        batch_op.create_check_constraint("about_a_note_or_an_account", ABOUT_ONE_THING)
        batch_op.drop_column("confirms_address")
    op.execute("ALTER TABLE contributions DROP COLUMN email_confirmed_at")
