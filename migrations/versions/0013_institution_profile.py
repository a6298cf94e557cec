"""institutions: a logo, their own rejection reasons and standing questions

Revision ID: 0013_institution_profile
Revises: 0012_institution_blocks
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_institution_profile"
down_revision = "0012_institution_blocks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("institutions") as batch:
        batch.add_column(sa.Column("logo_path", sa.String(length=300), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("rejection_reasons", sa.Text(), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("standing_questions", sa.Text(), server_default="",
                                   nullable=False))


def downgrade():
    with op.batch_alter_table("institutions") as batch:
        batch.drop_column("standing_questions")
        batch.drop_column("rejection_reasons")
        batch.drop_column("logo_path")
