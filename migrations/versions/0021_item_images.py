"""contributions: the image a note's box is on, and the archivist's version of the box

An item may have several images (the back of a print, say). A note's box names the image it
was drawn on by the SHA-256 of the image's original (``region_image``), so reordering an
item's images moves no box; every box drawn before now was drawn on the item's first image and
is given that image's hash here. An archivist approving a note with edits may move, resize or
remove its box: ``region_edited`` says so, and ``edited_region_*`` hold the box the public
sees (none: removed), beside the contributor's own, as ``edited_body`` is kept beside ``body``.

Revision ID: 0021_item_images
Revises: 0020_event_allowances
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_item_images"
down_revision = "0020_event_allowances"
branch_labels = None
depends_on = None

EDITED_REGION_WITHIN_IMAGE = (
    "edited_region_x IS NULL OR (region_edited AND edited_region_y IS NOT NULL"
    " AND edited_region_w > 0 AND edited_region_h > 0"
    " AND edited_region_x >= 0 AND edited_region_y >= 0"
    " AND edited_region_x + edited_region_w <= 1.0001"
    " AND edited_region_y + edited_region_h <= 1.0001)"
)


def upgrade():
    with op.batch_alter_table("contributions") as batch_op:
        batch_op.add_column(sa.Column("region_image", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("region_edited", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        for name in ("x", "y", "w", "h"):
            batch_op.add_column(sa.Column(f"edited_region_{name}", sa.Double(), nullable=True))
        batch_op.create_check_constraint("edited_region_within_image",
                                         EDITED_REGION_WITHIN_IMAGE)
    # Boxes drawn so far are on the item's first image (the only one the page showed).
    op.execute(
        "UPDATE contributions SET region_image = (SELECT images.sha256 FROM images"
        " WHERE images.item_id = contributions.item_id ORDER BY images.position, images.id"
        " LIMIT 1) WHERE region_x IS NOT NULL")


def downgrade():
    # The box the public saw becomes the note's box again only where the contributor drew
    # it on the first image; the history of edited boxes goes with these columns.
    with op.batch_alter_table("contributions") as batch_op:
        batch_op.drop_constraint("edited_region_within_image", type_="check")
        for name in ("h", "w", "y", "x"):
            batch_op.drop_column(f"edited_region_{name}")
        batch_op.drop_column("region_edited")
        batch_op.drop_column("region_image")
