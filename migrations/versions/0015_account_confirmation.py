"""accounts: an address is confirmed before its account opens; the outbox sends account emails

Registering no longer tells anyone whether an address has an account: the account opens only
once the link emailed to the address is followed, and an address with an account is emailed a
reminder instead. Accounts that exist already count as confirmed.

The outbox, until now only for decisions on notes, carries these emails too: ``user_id`` and
``account_email`` instead of ``contribution_id`` and ``announces``. SQLite rebuilds the outbox
table for this (it has no triggers to lose; the environment turns foreign-key checks off while
SQLite migrations run, so its attempts are kept).

Revision ID: 0015_account_confirmation
Revises: 0014_note_submission_key
"""

import sqlalchemy as sa
from alembic import op

import archive.models.types  # custom column types

revision = "0015_account_confirmation"
down_revision = "0014_note_submission_key"
branch_labels = None
depends_on = None

ABOUT_ONE_THING = (
    "(contribution_id IS NOT NULL AND announces IS NOT NULL AND user_id IS NULL"
    " AND account_email IS NULL) OR (contribution_id IS NULL AND announces IS NULL"
    " AND user_id IS NOT NULL AND account_email IS NOT NULL)")


def upgrade():
    op.add_column("users", sa.Column("email_confirmed_at",
                                     archive.models.types.UTCDateTime(timezone=True),
                                     nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")

    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            "account_email", sa.Enum("confirm", "already_registered", name="account_email",
                                     native_enum=False, create_constraint=False, length=20),
            nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("announces", existing_type=sa.String(length=20), nullable=True)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_outbox_user_id_users"), "users",
                                    ["user_id"], ["id"], ondelete="CASCADE")
        batch_op.create_check_constraint(
            "account_email", "account_email IN ('confirm', 'already_registered')")
        batch_op.create_check_constraint("about_a_note_or_an_account", ABOUT_ONE_THING)


def downgrade():
    op.execute("DELETE FROM outbox WHERE contribution_id IS NULL")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint("about_a_note_or_an_account", type_="check")
        batch_op.drop_constraint("account_email", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_outbox_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.alter_column("announces", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("language")
        batch_op.drop_column("account_email")
        batch_op.drop_column("user_id")
    op.execute("ALTER TABLE users DROP COLUMN email_confirmed_at")
