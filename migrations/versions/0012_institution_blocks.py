"""blocks belong to an institution

A block an archivist makes keeps a sender's notes out of their own institution only; a block
with no institution (a platform administrator's) keeps them out everywhere. Existing blocks go
to the installation's institution when it has exactly one, else apply everywhere as before.

Revision ID: 0012_institution_blocks
Revises: 0011_institutions
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_institution_blocks"
down_revision = "0011_institutions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("blocks") as batch:
        batch.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_blocks_institution_id_institutions"), "institutions",
                                 ["institution_id"], ["id"], ondelete="CASCADE")
        batch.create_index(op.f("ix_blocks_institution_id"), ["institution_id"])
    connection = op.get_bind()
    only = connection.execute(sa.text("SELECT id FROM institutions LIMIT 2")).scalars().all()
    if len(only) == 1:
        connection.execute(sa.text("UPDATE blocks SET institution_id = :id"), {"id": only[0]})


def downgrade():
    with op.batch_alter_table("blocks") as batch:
        batch.drop_index(op.f("ix_blocks_institution_id"))
        batch.drop_constraint(op.f("fk_blocks_institution_id_institutions"), type_="foreignkey")
        batch.drop_column("institution_id")
