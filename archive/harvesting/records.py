"""Enriched records, read in batches so that memory stays flat however large the archive.

Every exporter is fed by :func:`iter_records`: one record (a plain dict) per item, with its
catalogue fields, its approved notes (their public text) and the provenance of enriched
fields. Private data (emails, IP hashes), notes that are not approved and withdrawn items are
never read here (OAI-PMH reports withdrawn items as deleted instead).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa

from archive.extensions import db
from archive.images.processing import full_size_path
from archive.models import (
    ANONYMOUS_CREDIT,
    Collection,
    Contribution,
    ContributionStatus,
    Enrichment,
    Image,
    Institution,
    Item,
    User,
)
from archive.scope import EVERYTHING, Scope

BATCH_SIZE = 500
# Characters left as they are in a URL path segment: what url_for leaves unquoted too.
PATH_SAFE = "!$&'()*+,/:;=@"

CATALOGUE_FIELDS = (
    "identifier", "title", "description", "date_text", "date_earliest", "date_latest", "place",
    "people", "subjects", "creator", "rights", "needs_help", "help_question", "help_solved_at",
)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class RecordFilter:
    """Which records an export holds.

    ``changed_since``: only records whose exported content changed at or after this time
    (``Item.record_changed_at``). ``notes_since``: only records with a note approved at or
    after this time.
    """

    collection_slug: str | None = None
    changed_since: datetime | None = None
    notes_since: datetime | None = None
    # The institutions whose records are exported (a curator's own; every one by default).
    scope: Scope = EVERYTHING


def _collection_id(collection_slug: str | None, scope: Scope = EVERYTHING) -> int | None:
    if not collection_slug:
        return None
    collection_id = db.session.scalar(
        sa.select(Collection.id).where(Collection.slug == collection_slug, scope.collections())
    )
    if collection_id is None:
        raise LookupError(f"no collection with the slug {collection_slug!r}")
    return collection_id


def _filter_conditions(filters: RecordFilter, collection_id: int | None) -> list:
    conditions: list[sa.ColumnElement[bool]] = [Item.withdrawn_at.is_(None)]
    if not filters.scope.everything:
        conditions.append(filters.scope.items())
    if collection_id is not None:
        conditions.append(Item.collection_id == collection_id)
    if filters.changed_since is not None:
        conditions.append(Item.record_changed_at >= filters.changed_since)
    if filters.notes_since is not None:
        conditions.append(
            sa.exists().where(
                Contribution.item_id == Item.id,
                Contribution.status == ContributionStatus.APPROVED,
                Contribution.decided_at >= filters.notes_since,
            )
        )
    return conditions


def count_records(filters: RecordFilter) -> int:
    """How many records an export with these filters holds (for progress bars)."""
    conditions = _filter_conditions(filters, _collection_id(filters.collection_slug,
                                                            filters.scope))
    return db.session.scalar(sa.select(sa.func.count(Item.id)).where(*conditions)) or 0


def iter_records(*, base_url: str, collection_slug: str | None = None,
                 batch_size: int = BATCH_SIZE,
                 filters: RecordFilter | None = None) -> Iterator[dict]:
    base_url = base_url.rstrip("/")
    if filters is None:
        filters = RecordFilter(collection_slug=collection_slug)
    elif collection_slug is not None:
        raise TypeError("give the collection in filters or as collection_slug, not both")
    collection_id = _collection_id(filters.collection_slug, filters.scope)
    conditions = _filter_conditions(filters, collection_id)

    # "identifier" in an export is the institution's own reference (what an import matches
    # on); the item's address on the site goes into its URL.
    item_cols = [Item.reference if f == "identifier" else getattr(Item, f)
                 for f in CATALOGUE_FIELDS]
    last_id = 0
    while True:
        query = (
            sa.select(Item.id, Item.identifier, Collection.slug, Collection.title,
                      Institution.slug, Institution.name, *item_cols)
            .join(Collection, Collection.id == Item.collection_id)
            .join(Institution, Institution.id == Collection.institution_id)
            .where(Item.id > last_id, *conditions)
            .order_by(Item.id)
            .limit(batch_size)
        )
        rows = db.session.execute(query).all()
        if not rows:
            return
        ids = [r[0] for r in rows]
        notes = _notes_for(ids)
        enrichments = _enrichments_for(ids)
        images = _images_for(ids, base_url)
        for row in rows:
            item_id, address, slug, collection_title, institution, institution_name, *values = row
            record = dict(zip(CATALOGUE_FIELDS, values, strict=True))
            item_notes = notes.get(item_id, [])
            record.update(_solved(record.pop("help_solved_at"), record["needs_help"], item_notes))
            record = {
                "identifier": record.pop("identifier"),
                "url": f"{base_url}/items/{quote(address, safe=PATH_SAFE)}",
                "collection": slug,
                "collection_title": collection_title,
                "institution": institution,
                "institution_name": institution_name,
                **record,
                "images": images.get(item_id, []),
                "notes": item_notes,
                "enrichments": enrichments.get(item_id, []),
            }
            yield record
        last_id = ids[-1]
        # Let this batch go before the next one is read, so that memory holds one batch, not two.
        del rows, ids, notes, enrichments, images, row, record, item_notes
        db.session.expunge_all()  # keep the identity map from growing with the archive


def _solved(solved_at: datetime | None, needs_help: bool, notes: list[dict]) -> dict:
    """Whether the item's question was answered, when, and the credit of the published notes
    that answered it (names as the public sees them, never an address)."""
    solved = bool(needs_help) and solved_at is not None
    return {
        "solved": solved,
        "solved_at": _iso(solved_at) if solved else None,
        "solved_by": [note["credit"] for note in notes if note["solved_question"]] if solved
        else [],
    }


def _notes_for(item_ids: list[int]) -> dict[int, list[dict]]:
    approver = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(
            Contribution.item_id, Contribution.id,
            sa.func.coalesce(Contribution.edited_body, Contribution.body).label("text"),
            Contribution.suggested_date,
            Contribution.suggested_place, Contribution.suggested_people, Contribution.credit_name,
            Contribution.show_name, Contribution.licence, Contribution.created_at,
            Contribution.decided_at, approver.display_name, Contribution.region_x,
            Contribution.region_y, Contribution.region_w, Contribution.region_h,
            Contribution.solved_question,
            Contribution.region_image, Contribution.region_edited,
            Contribution.edited_region_x, Contribution.edited_region_y,
            Contribution.edited_region_w, Contribution.edited_region_h,
        )
        .outerjoin(approver, approver.id == Contribution.decided_by_id)
        .where(Contribution.item_id.in_(item_ids),
               Contribution.status == ContributionStatus.APPROVED)
        .order_by(Contribution.item_id, Contribution.decided_at, Contribution.id)
    ).all()
    result: dict[int, list[dict]] = defaultdict(list)
    # Each boxed note's image, counted from 1 in its item's order (its box names it by hash).
    boxed = {r.item_id for r in rows if r.region_x is not None}
    image_numbers: dict[int, dict[str, int]] = defaultdict(dict)
    image_rows = db.session.execute(
        sa.select(Image.item_id, Image.sha256).where(Image.item_id.in_(boxed))
        .order_by(Image.item_id, Image.position)).all() if boxed else []
    position: dict[int, int] = defaultdict(int)
    for image_row in image_rows:  # numbered as the record's images list is, one by one
        position[image_row.item_id] += 1
        image_numbers[image_row.item_id].setdefault(image_row.sha256,
                                                     position[image_row.item_id])
    for r in rows:
        credit = r.credit_name.strip() if r.show_name and r.credit_name.strip() else None
        region = None
        # The box the public sees: an archivist's edit of it (none: removed), else the
        # contributor's.
        x, y, w, h = ((r.edited_region_x, r.edited_region_y, r.edited_region_w,
                       r.edited_region_h) if r.region_edited
                      else (r.region_x, r.region_y, r.region_w, r.region_h))
        if x is not None:
            numbers = image_numbers.get(r.item_id, {})
            number = numbers.get(r.region_image) if r.region_image else (1 if numbers else None)
            # A box on an image taken off the record is shown nowhere, so not exported either.
            region = {"x": x, "y": y, "w": w, "h": h, "image": number} if number else None
        result[r.item_id].append({
            "id": r.id,
            "text": r.text,
            "suggested_date": r.suggested_date,
            "suggested_place": r.suggested_place,
            "suggested_people": r.suggested_people,
            "credit": credit or ANONYMOUS_CREDIT.split()[0],  # "Anonymous"
            "licence": r.licence,
            "region": region,
            "submitted_at": _iso(r.created_at),
            "approved_by": r.display_name,
            "approved_at": _iso(r.decided_at),
            # This note was credited with answering the item's "Can you help?" question.
            "solved_question": bool(r.solved_question),
        })
    return result


def _enrichments_for(item_ids: list[int]) -> dict[int, list[dict]]:
    applier = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(Enrichment.item_id, Enrichment.field, Enrichment.old_value,
                  Enrichment.new_value, Enrichment.contribution_id, Enrichment.applied_at,
                  Enrichment.reverted_at, Enrichment.reverts_id, applier.display_name)
        .join(applier, applier.id == Enrichment.applied_by_id)
        .where(Enrichment.item_id.in_(item_ids))
        .order_by(Enrichment.item_id, Enrichment.applied_at, Enrichment.id)
    ).all()
    result: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        result[r.item_id].append({
            "field": r.field,
            "old_value": r.old_value,
            "new_value": r.new_value,
            "source_note": r.contribution_id,
            "applied_by": r.display_name,
            "applied_at": _iso(r.applied_at),
            # A revert is recorded as a later change of its own that puts the old value back.
            "is_revert": r.reverts_id is not None,
            "reverted_at": _iso(r.reverted_at),
        })
    return result


def _images_for(item_ids: list[int], base_url: str) -> dict[int, list[str]]:
    """The public full-size copy of each image (originals, with their metadata, are for staff
    only: a catalogue or aggregator reading an export could not fetch them)."""
    rows = db.session.execute(
        sa.select(Image.item_id, Image.sha256)
        .where(Image.item_id.in_(item_ids))
        .order_by(Image.item_id, Image.position)
    ).all()
    result: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        result[r.item_id].append(f"{base_url}/media/{full_size_path(r.sha256)}")
    return result
