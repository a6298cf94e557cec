"""The catalogue: collections, items and their images."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import (
    Mapped,
    Session,
    mapped_column,
    relationship,
    scoped_session,
)

from archive.extensions import Model
from archive.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from archive.models.institution import Institution


class Collection(Model):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # The institution holding the collection; it decides who may work on its items.
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institutions.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    items: Mapped[list[Item]] = relationship(back_populates="collection", lazy="raise_on_sql")
    institution: Mapped[Institution] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Collection {self.slug}>"


# The ids of the items whose export changed in a session's transaction, kept in the session's
# ``info`` until the search text is refreshed at commit (see archive.search.indexing).
ITEMS_CHANGED = "items_changed"


def mark_items_changed(session: Session | scoped_session[Any], item_ids: Iterable[int]) -> None:
    """Note in ``session`` that what these items export changed; their search text is then
    refreshed once, when the session commits.

    ``Item.mark_changed`` calls it. A Core UPDATE that changes an item's exported content (and
    sets ``record_changed_at`` itself) calls it, or ``mark_changed``, too: nothing else notices.
    """
    session.info.setdefault(ITEMS_CHANGED, set()).update(item_ids)


class Item(Model):
    """One catalogued photograph (or a set of views of one subject)."""

    __tablename__ = "items"
    __table_args__ = (
        sa.Index("ix_items_collection_created", "collection_id", "created_at", "id"),
        sa.Index("ix_items_needs_help", "needs_help", "created_at"),
        # An institution's references are its own: two institutions may both have "P-0001".
        sa.UniqueConstraint("institution_id", "reference", name="uq_items_institution_reference"),
        sa.CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name="date_range_ordered",
        ),
    )

    # Catalogue fields an archivist may change from an approved note (see Enrichment).
    ENRICHABLE_FIELDS = ("date_text", "place", "people", "subjects")

    id: Mapped[int] = mapped_column(primary_key=True)
    # The item's address on this site, unique across the platform: its URL (/items/<identifier>),
    # OAI-PMH identifier and IIIF ids are built from it and never change. It is the
    # institution's reference, or, when another institution already uses that reference,
    # "<institution slug>:<reference>" (see catalogue.services.address_for).
    identifier: Mapped[str] = mapped_column(sa.String(250), unique=True)
    # The holding institution's own reference for the item, unique within the institution.
    reference: Mapped[str] = mapped_column(sa.String(100))
    # The institution of the item's collection, kept beside it so the database itself keeps
    # references unique per institution (catalogue.services sets it with the collection).
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institutions.id"), index=True)
    collection_id: Mapped[int] = mapped_column(sa.ForeignKey("collections.id"))
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    date_text: Mapped[str] = mapped_column(sa.String(200), default="")
    date_earliest: Mapped[int | None] = mapped_column(index=True)
    date_latest: Mapped[int | None]
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    people: Mapped[str] = mapped_column(sa.Text, default="")
    subjects: Mapped[str] = mapped_column(sa.Text, default="")
    creator: Mapped[str] = mapped_column(sa.String(300), default="")
    rights: Mapped[str] = mapped_column(sa.String(500), default="")
    needs_help: Mapped[bool] = mapped_column(default=False)
    help_question: Mapped[str] = mapped_column(sa.Text, default="")
    # Set when the archive marks the question answered ("Solved with your help").
    help_solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A curator may withdraw an item from public view; harvesters then see it as deleted.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    view_count: Mapped[int] = mapped_column(default=0, server_default="0", index=True)
    # Everything searchable about the item (record and approved notes), kept by the services.
    search_document: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # When anything an export carries changed: the record, its notes or its enrichments.
    # Harvesters (OAI-PMH datestamps) rely on it; change it only through ``mark_changed``.
    record_changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=sa.func.current_timestamp(), index=True
    )

    collection: Mapped[Collection] = relationship(back_populates="items", lazy="joined")
    images: Mapped[list[Image]] = relationship(
        back_populates="item", order_by="Image.position", lazy="selectin",
        cascade="all, delete-orphan",
    )

    def mark_changed(self, when: datetime | None = None) -> None:
        """Record that what this item exports has changed: harvesters pick it up again, and
        its search text is refreshed when its session commits.

        Call it on the item as loaded in the session that commits the change. (An item not
        inserted yet needs no call for search: every inserted item's text is computed.)
        """
        self.record_changed_at = when or utcnow()
        state = sa.inspect(self)
        if state.session is not None and state.identity is not None:
            mark_items_changed(state.session, state.identity)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def help_solved(self) -> bool:
        return self.help_solved_at is not None

    @property
    def primary_image(self) -> Image | None:
        return self.images[0] if self.images else None

    @property
    def people_list(self) -> list[str]:
        return split_list(self.people)

    @property
    def subject_list(self) -> list[str]:
        return split_list(self.subjects)

    def __repr__(self) -> str:
        return f"<Item {self.identifier}>"


class Image(Model):
    """An original image file and its derivatives, all stored under MEDIA_ROOT.

    Files are content-addressed by the SHA-256 of the original, so the same scan is stored
    once and a derivative's URL never changes meaning (it can be cached forever).
    """

    __tablename__ = "images"
    __table_args__ = (sa.UniqueConstraint("item_id", "position", name="item_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(300))
    original_path: Mapped[str] = mapped_column(sa.String(300))
    thumb_path: Mapped[str] = mapped_column(sa.String(300))
    display_path: Mapped[str] = mapped_column(sa.String(300))
    media_type: Mapped[str] = mapped_column(sa.String(50))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[Item] = relationship(back_populates="images")

    def __repr__(self) -> str:
        return f"<Image {self.sha256[:10]}>"


@sa.event.listens_for(Item, "before_insert")
def _fill_reference_and_institution(mapper, connection, item: Item) -> None:
    """An item made without them takes its address as its reference and its collection's
    institution (the catalogue services set both; this keeps every other path consistent)."""
    if item.reference is None:
        item.reference = item.identifier
    if item.institution_id is None:
        collection = item.__dict__.get("collection")
        collection_id = collection.id if collection is not None else item.collection_id
        item.institution_id = connection.scalar(
            sa.select(Collection.institution_id).where(Collection.id == collection_id))


def split_list(value: str) -> list[str]:
    """People and subjects are kept as one text, separated by semicolons or new lines."""
    parts = value.replace("\n", ";").split(";") if value else []
    return [p.strip() for p in parts if p.strip()]


def merge_names(recorded: str, added: str) -> str:
    """Names added to those already recorded (a name already there, in any case, is kept once)."""
    names = split_list(recorded)
    known = {name.casefold() for name in names}
    for name in split_list(added):
        if name.casefold() not in known:
            names.append(name)
            known.add(name.casefold())
    return "; ".join(names)
