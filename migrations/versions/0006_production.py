"""production and privacy

Revision ID: 0006_production
Revises: 0005_search
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import archive.models.types  # noqa: F401  (custom column types)

revision = "0006_production"
down_revision = "0005_search"
branch_labels = None
depends_on = None


def upgrade():
    # Every existing user gets a random session token of their own (so their current
    # sessions end once, and each account's token differs from every other's).
    random_token = (
        "md5(random()::text || clock_timestamp()::text || id::text)"
        " || md5(random()::text || id::text)"
        if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(32)))"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    op.execute(f"UPDATE users SET session_token = {random_token}")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64),
                              nullable=False)

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", archive.models.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")
