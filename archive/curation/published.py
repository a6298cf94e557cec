"""What the harvesting formats may publish: items in public view and their approved notes."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from archive.extensions import db
from archive.models import Collection, Contribution, ContributionStatus, Item

IN_PUBLIC_VIEW = Item.withdrawn_at.is_(None)

# Licences notes may be published under, by the name a contribution records.
KNOWN_LICENCES = {
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC BY-NC-SA 4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
}


def licence_url(licence: str) -> str | None:
    """The address of a licence named by a contribution, when it is known."""
    if licence == current_app.config.get("CONTRIBUTION_LICENCE"):
        return current_app.config.get("CONTRIBUTION_LICENCE_URL")
    if licence.startswith(("https://", "http://")):
        return licence
    return KNOWN_LICENCES.get(licence)


def rights_uri(rights: str) -> str | None:
    """An item's rights as a URI IIIF accepts (Creative Commons or RightsStatements.org)."""
    value = rights.strip()
    if value.startswith(("http://creativecommons.org/", "https://creativecommons.org/",
                         "http://rightsstatements.org/", "https://rightsstatements.org/")):
        return value.replace("https://", "http://", 1)
    uri = KNOWN_LICENCES.get(value)
    return uri.replace("https://", "http://", 1) if uri else None


def public_item(identifier: str) -> Item | None:
    return db.session.scalar(
        sa.select(Item).where(Item.identifier == identifier, IN_PUBLIC_VIEW)
    )


def public_collection(slug: str) -> Collection | None:
    return db.session.scalar(sa.select(Collection).where(Collection.slug == slug))


def approved_notes_by_item(item_ids: list[int]) -> dict[int, list[Contribution]]:
    """Approved notes of these items, oldest decision first."""
    if not item_ids:
        return {}
    notes = db.session.scalars(
        sa.select(Contribution)
        .where(Contribution.item_id.in_(item_ids),
               Contribution.status == ContributionStatus.APPROVED)
        .order_by(Contribution.item_id, Contribution.decided_at, Contribution.id)
    )
    result: dict[int, list[Contribution]] = defaultdict(list)
    for note in notes:
        result[note.item_id].append(note)
    return result
