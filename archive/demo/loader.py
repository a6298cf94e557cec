"""The demo archive: generated photographs, catalogue records, staff and notes from the public.

Loading is idempotent: collections, items and users are found by their slug, identifier and
email, and only what is missing is added (a new item comes with its notes).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from archive.auth.services import create_user
from archive.dates import year_range
from archive.demo.data import (
    CO_OP,
    DEMO_COLLECTIONS,
    DEMO_CONTRIBUTIONS,
    DEMO_INSTITUTIONS,
    DEMO_ITEMS,
    FAMILY_HISTORY,
    LIBRARY,
)
from archive.demo.photos import render_card_back, render_photo
from archive.extensions import db
from archive.images.processing import store_image
from archive.institutions.services import grant, institution_by_slug
from archive.models import Collection, Contribution, Image, Institution, Item, Role, User
from archive.models.types import utcnow
from archive.moderation.lifecycle import Action, transition
from archive.moderation.services import apply_suggestion

DEMO_LICENCE = "CC BY 4.0"
# Demo staff accounts, with the roles they hold at each institution. The demo is for trying the
# app on your own computer, never for production.
DEMO_USERS: tuple[tuple[str, str, Role, str, dict[str, Role]], ...] = (
    ("archivist@example.org", "Alex Archivist", Role.ARCHIVIST, "demo-archivist",
     {LIBRARY: Role.ARCHIVIST}),
    ("curator@example.org", "Chris Curator", Role.CURATOR, "demo-curator-pw",
     {LIBRARY: Role.CURATOR}),
    ("admin@example.org", "Ada Admin", Role.ADMIN, "demo-admin-pass", {}),
    # A volunteer: curator of the co-op's archive, and an archivist at the society next door.
    ("coop@example.org", "Olwen Co-op", Role.CURATOR, "demo-co-op-volunteer",
     {CO_OP: Role.CURATOR, FAMILY_HISTORY: Role.ARCHIVIST}),
    ("fhs@example.org", "Frank Family-History", Role.ARCHIVIST, "demo-family-history",
     {FAMILY_HISTORY: Role.ARCHIVIST}),
)
LANDSCAPE = (1400, 1000)
PORTRAIT = (1000, 1350)


@dataclass
class DemoSummary:
    collections: int = 0
    items: int = 0
    contributions: int = 0
    users: list[str] = field(default_factory=list)


def load_demo(media_root: Path) -> DemoSummary:
    summary = DemoSummary()
    institutions = _ensure_institutions()
    users = _ensure_users(summary, institutions)
    collections = _ensure_collections(summary, institutions)
    existing = set(db.session.scalars(
        sa.select(Item.identifier).where(Item.identifier.in_([i["identifier"] for i in DEMO_ITEMS]))
    ))
    new_items: dict[str, Item] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for position, data in enumerate(DEMO_ITEMS):
            if data["identifier"] in existing:
                continue
            item = _create_item(data, collections[data["collection"]], Path(tmp), media_root,
                                age_days=len(DEMO_ITEMS) - position)
            new_items[item.identifier] = item
            summary.items += 1
    # Each institution's notes are decided by one of its own archivists.
    deciders: dict[int, User] = {}
    for email, _name, _role, _password, roles in DEMO_USERS:
        for slug in roles:
            deciders.setdefault(institutions[slug].id, users[email])
    for note in DEMO_CONTRIBUTIONS:
        noted = new_items.get(note["item"])
        if noted is not None:
            _create_contribution(noted, note, deciders[noted.collection.institution_id])
            summary.contributions += 1
    db.session.flush()
    return summary


def _ensure_institutions() -> dict[str, Institution]:
    institutions = {}
    for data in DEMO_INSTITUTIONS:
        institution = institution_by_slug(data["slug"])
        if institution is None:
            fields = {k: v for k, v in data.items() if k != "collections"}
            institution = Institution(**fields)
            db.session.add(institution)
        institutions[data["slug"]] = institution
    db.session.flush()
    return institutions


def _ensure_users(summary: DemoSummary,
                  institutions: dict[str, Institution]) -> dict[str, User]:
    users = {}
    for email, name, role, password, roles in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = create_user(email, password, role, name)
            db.session.flush()
            for slug, held in roles.items():
                grant(user, institutions[slug], held)
            where = ", ".join(f"{held.value} at {slug}" for slug, held in roles.items())
            summary.users.append(f"{email} / {password} ({where or role.value})")
        users[email] = user
    return users


def _ensure_collections(summary: DemoSummary,
                        institutions: dict[str, Institution]) -> dict[str, Collection]:
    holder = {slug: institutions[data["slug"]] for data in DEMO_INSTITUTIONS
              for slug in data["collections"]}
    collections = {}
    for data in DEMO_COLLECTIONS:
        collection = db.session.scalar(sa.select(Collection).where(Collection.slug == data["slug"]))
        if collection is None:
            collection = Collection(slug=data["slug"], title=data["title"],
                                    description=data["description"],
                                    institution_id=holder[data["slug"]].id)
            db.session.add(collection)
            summary.collections += 1
        collections[data["slug"]] = collection
    db.session.flush()
    return collections


def _create_item(data: dict, collection: Collection, tmp: Path, media_root: Path,
                 age_days: int) -> Item:
    size = PORTRAIT if data.get("orientation") == "portrait" else LANDSCAPE
    photo = render_photo(data["kind"], data["seed"], size)
    source = tmp / f"{data['identifier']}.jpg"
    photo.save(source, "JPEG", quality=90)
    stored = store_image(source, media_root)
    earliest, latest = year_range(data.get("date_text"))
    created = utcnow() - timedelta(days=age_days)
    item = Item(
        identifier=data["identifier"],
        collection=collection,
        title=data["title"],
        description=data.get("description", ""),
        date_text=data.get("date_text", ""),
        date_earliest=earliest,
        date_latest=latest,
        place=data.get("place", ""),
        people=data.get("people", ""),
        subjects=data.get("subjects", ""),
        creator=data.get("creator", ""),
        rights=data.get("rights", ""),
        needs_help=bool(data.get("needs_help")),
        help_question=data.get("help_question", "") if data.get("needs_help") else "",
        created_at=created,
        updated_at=created,
    )
    item.images.append(Image(
        position=0, sha256=stored.sha256, original_name=source.name,
        original_path=stored.original_path, thumb_path=stored.thumb_path,
        display_path=stored.display_path, media_type=stored.media_type,
        width=stored.width, height=stored.height,
    ))
    if data.get("back"):  # the back of the card, scanned too
        back = render_card_back(data["seed"], data["back"], "Hardcastle & Son, Market Street",
                                size)
        source = tmp / f"{data['identifier']}-back.jpg"
        back.save(source, "JPEG", quality=90)
        stored = store_image(source, media_root)
        item.images.append(Image(
            position=1, sha256=stored.sha256, original_name=source.name,
            original_path=stored.original_path, thumb_path=stored.thumb_path,
            display_path=stored.display_path, media_type=stored.media_type,
            width=stored.width, height=stored.height,
        ))
    db.session.add(item)
    db.session.flush()
    return item


def _create_contribution(item: Item, note: dict, archivist: User) -> None:
    submitted = utcnow() - timedelta(days=note.get("days_ago", 7), hours=note.get("hour", 0))
    region = note.get("region")
    contribution = Contribution(
        item=item,
        body=note["body"],
        suggested_date=note.get("suggested_date", ""),
        suggested_place=note.get("suggested_place", ""),
        suggested_people=note.get("suggested_people", ""),
        credit_name=note.get("credit_name", ""),
        show_name=bool(note.get("show_name")),
        email=note.get("email"),
        licence=DEMO_LICENCE,
        created_at=submitted,
    )
    if region:
        (contribution.region_x, contribution.region_y,
         contribution.region_w, contribution.region_h) = region
        # On the image the note names (counted from 1), else the first.
        contribution.region_image = item.images[note.get("region_image", 1) - 1].sha256
    db.session.add(contribution)
    db.session.flush()
    if note.get("status") == "approved":
        decided = submitted + timedelta(days=1)
        transition(contribution, Action.APPROVE, actor=archivist, at=decided)
        item.mark_changed()  # the note is published: the item's export and search text change
        for suggestion in ("date", "place"):
            if note.get(f"suggested_{suggestion}") and not getattr(
                item, "date_text" if suggestion == "date" else "place"
            ):
                apply_suggestion(contribution, suggestion, archivist)
