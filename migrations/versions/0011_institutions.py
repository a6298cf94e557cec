"""institutions: one installation shared by several archives

Every collection now belongs to an institution, and staff hold their roles per institution.
An existing installation becomes one institution, named from ARCHIVE_NAME, holding every
collection, with every archivist and curator a member in their present role.

Revision ID: 0011_institutions
Revises: 0010_outbox
"""

import os
import re

import sqlalchemy as sa
from alembic import op

revision = "0011_institutions"
down_revision = "0010_outbox"
branch_labels = None
depends_on = None

DEFAULT_NAME = "Recollect Community Archive"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "archive"


def _archive_name() -> str:
    """ARCHIVE_NAME as the app sees it (migrations run inside it), else from the environment."""
    from flask import current_app

    name = current_app.config.get("ARCHIVE_NAME") if current_app else None
    return name or os.environ.get("ARCHIVE_NAME") or DEFAULT_NAME


def upgrade():
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_cy", sa.String(length=300), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("description_cy", sa.Text(), server_default="", nullable=False),
        sa.Column("website", sa.String(length=500), server_default="", nullable=False),
        sa.Column("contact_email", sa.String(length=320), server_default="", nullable=False),
        sa.Column("accent_colour", sa.String(length=7), server_default="#1d4f91",
                  nullable=False),
        sa.Column("licence_label", sa.String(length=100), server_default="", nullable=False),
        sa.Column("licence_uri", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("slug", name=op.f("uq_institutions_slug")),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("contributor", "archivist", "curator", "admin",
                                  name="membership_role", native_enum=False,
                                  create_constraint=True, length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('archivist', 'curator')",
                           name=op.f("ck_memberships_staff_role")),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"], ondelete="CASCADE",
                                name=op.f("fk_memberships_institution_id_institutions")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_memberships_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("user_id", "institution_id", name="uq_memberships_user_institution"),
    )
    op.create_index(op.f("ix_memberships_institution_id"), "memberships", ["institution_id"])

    connection = op.get_bind()
    has_collections = connection.execute(sa.text("SELECT 1 FROM collections LIMIT 1")).first()
    has_staff = connection.execute(sa.text(
        "SELECT 1 FROM users WHERE role IN ('archivist', 'curator', 'admin') LIMIT 1")).first()
    institution_id = None
    if has_collections or has_staff:
        # The archive this installation served until now.
        name = _archive_name()
        connection.execute(sa.text(
            "INSERT INTO institutions (slug, name, created_at)"
            " VALUES (:slug, :name, CURRENT_TIMESTAMP)"), {"slug": _slug(name), "name": name})
        institution_id = connection.execute(sa.text("SELECT id FROM institutions")).scalar_one()
        connection.execute(sa.text(
            "INSERT INTO memberships (user_id, institution_id, role, created_at)"
            " SELECT id, :institution, role, CURRENT_TIMESTAMP FROM users"
            " WHERE role IN ('archivist', 'curator')"), {"institution": institution_id})

    # Add the column, fill it, then require it. SQLite rebuilds the table for the last step
    # (collections has no triggers to lose; the environment turns foreign-key checks off
    # while SQLite migrations run, so its children are not touched).
    op.add_column("collections", sa.Column("institution_id", sa.Integer(), nullable=True))
    if institution_id is not None:
        connection.execute(sa.text("UPDATE collections SET institution_id = :institution"),
                           {"institution": institution_id})
    with op.batch_alter_table("collections") as batch_op:
        batch_op.alter_column("institution_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_collections_institution_id"), ["institution_id"])
        batch_op.create_foreign_key(batch_op.f("fk_collections_institution_id_institutions"),
                                    "institutions", ["institution_id"], ["id"])


def downgrade():
    with op.batch_alter_table("collections") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_collections_institution_id_institutions"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_collections_institution_id"))
        batch_op.drop_column("institution_id")
    op.drop_index(op.f("ix_memberships_institution_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("institutions")
