"""The rules for changing catalogue records, shared by the browser forms and the CSV import.

Services flush; the view or command that called them commits. Their messages are in the
curator's language on the pages, and in English in the import's report (no request there).
"""

from __future__ import annotations

import re
import secrets
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from archive.dates import year_range
from archive.extensions import db
from archive.images.processing import (
    DECODE_BUDGET,
    MAX_PIXELS,
    ImageError,
    StoredImage,
    store_image,
)
from archive.institutions.services import InstitutionError, default_institution
from archive.models import Collection, Enrichment, Image, Institution, Item, User
from archive.text import clean_text

# The fields of a record a curator edits, and whether each may hold several lines.
RECORD_FIELDS = {
    "title": False,
    "description": True,
    "date_text": False,
    "place": False,
    "people": True,
    "subjects": True,
    "creator": False,
    "rights": False,
    "help_question": True,
}
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class CatalogueError(ValueError):
    """A change that breaks a rule; the message is fit to show a person."""


@dataclass(frozen=True)
class NewImage:
    stored: StoredImage
    original_name: str


def store_upload(upload) -> StoredImage | None:
    """An uploaded file (a werkzeug ``FileStorage``) checked like any image and stored, with
    the app's limits; None when no file was chosen. Nothing is left behind on an error."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    media_root = Path(current_app.config["MEDIA_ROOT"])
    incoming = media_root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    temporary = incoming / f"upload-{secrets.token_hex(12)}"
    try:
        upload.save(temporary)
        return check_and_store(
            temporary, media_root, current_app.config.get("IMAGE_MAX_PIXELS") or MAX_PIXELS,
            current_app.config.get("IMAGE_DECODE_BUDGET") or DECODE_BUDGET)
    finally:
        temporary.unlink(missing_ok=True)


def check_and_store(source, media_root, max_pixels: int = MAX_PIXELS,
                    decode_budget: int = DECODE_BUDGET) -> StoredImage:
    """Check ``source`` with Pillow (never by its name) and store it with its derivatives.

    Raises ``CatalogueError`` with a message fit to show a person; nothing is stored then.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(source) as im:
                width, height = im.size
            if width * height > max_pixels:
                raise CatalogueError(_(
                    "too many pixels (%(width)dx%(height)d; the limit is %(limit)s)",
                    width=width, height=height, limit=f"{max_pixels:,}"))
            return store_image(source, media_root, decode_budget=decode_budget)
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as exc:
        raise CatalogueError(_("too many pixels to be processed safely")) from exc
    except UnidentifiedImageError as exc:
        raise CatalogueError(_("not an image")) from exc
    except ImageError as exc:
        not_an_image = isinstance(exc.__cause__, UnidentifiedImageError)
        raise CatalogueError(_("not an image") if not_an_image else str(exc)) from exc
    except OSError as exc:
        raise CatalogueError(_("unreadable image (%(error)s)", error=exc)) from exc


def check_reference(reference: str) -> str:
    """An institution's reference for an item, checked (it becomes part of the item's URL)."""
    reference = (reference or "").strip()
    if not reference:
        raise CatalogueError(_("missing identifier"))
    if not REFERENCE.fullmatch(reference):
        raise CatalogueError(_(
            "an identifier is up to 100 letters, digits, dots, hyphens and underscores, "
            "starting with a letter or digit (got %(identifier)s)",
            identifier=repr(reference[:40])))
    return reference


def item_by_identifier(identifier: str) -> Item | None:
    """The item at this address on the site (``/items/<identifier>``)."""
    return db.session.scalar(sa.select(Item).where(Item.identifier == identifier))


def item_by_reference(institution_id: int, reference: str) -> Item | None:
    """The item an institution knows by ``reference``."""
    return db.session.scalar(sa.select(Item).where(Item.institution_id == institution_id,
                                                   Item.reference == reference))


def address_for(reference: str, institution: Institution) -> str:
    """A new item's address on the site: its reference, unless an item of another institution
    already has that address; then "<institution slug>:<reference>" (a colon never occurs in a
    reference, so such an address never takes one that a reference could need later)."""
    taken = sa.select(Item.id).where(Item.identifier == sa.bindparam("address")).limit(1)
    candidates = [reference, f"{institution.slug}:{reference}"]
    candidates += [f"{institution.slug}:{reference}:{n}" for n in range(2, 100)]
    for address in candidates:
        if db.session.scalar(taken, {"address": address}) is None:
            return address
    raise CatalogueError(_("the identifier %(identifier)s is already used",
                           identifier=reference))


def collection_for(slug: str, *, create: bool = False,
                   institution: Institution | None = None) -> Collection:
    """The collection ``slug`` names, created (in ``institution``, else the default one) when
    ``create`` says so. Naming a collection of another institution than ``institution`` is
    refused: an institution's import never reaches into another's collections."""
    slug = (slug or "").strip().lower()
    if not SLUG.fullmatch(slug):
        raise CatalogueError(_("unknown collection %(slug)s", slug=repr(slug)) if slug
                             else _("missing collection"))
    collection = db.session.scalar(sa.select(Collection).where(Collection.slug == slug))
    if collection is not None and institution is not None \
            and collection.institution_id != institution.id:
        raise CatalogueError(_("the collection %(slug)s belongs to another institution",
                               slug=repr(slug)))
    if collection is None:
        if not create:
            raise CatalogueError(_("unknown collection %(slug)s", slug=repr(slug)))
        try:
            owner = institution or default_institution()
        except InstitutionError as error:
            raise CatalogueError(str(error)) from None
        collection = Collection(slug=slug, title=slug.replace("-", " ").capitalize(),
                                description="", institution_id=owner.id)
        db.session.add(collection)
        db.session.flush()
    return collection


def update_record(item: Item, values: Mapping[str, object], *, user: User | None = None,
                  collection: Collection | None = None) -> bool:
    """Apply ``values`` (record fields and ``needs_help``) to ``item``. True when it changed.

    A change calls ``item.mark_changed()``. With a ``user``, changes to enrichable fields are
    recorded as enrichments made by the archive itself, so the record's history stays whole.
    """
    changed = False
    if collection is not None and item.collection_id != collection.id:
        if collection.institution_id != item.institution_id:
            if item_by_reference(collection.institution_id, item.reference) is not None:
                raise CatalogueError(_(
                    "the identifier %(identifier)s is already used", identifier=item.reference))
            item.institution_id = collection.institution_id
        item.collection_id = collection.id
        changed = True
    for name, multiline in RECORD_FIELDS.items():
        if name not in values:
            continue
        new = clean_text(str(values[name] or ""), multiline=multiline)
        old = getattr(item, name) or ""
        if new == old:
            continue
        if name == "title" and not new:
            raise CatalogueError(_("missing title"))
        setattr(item, name, new)
        changed = True
        if name == "date_text":
            item.date_earliest, item.date_latest = year_range(new)
        if user is not None and item.id is not None and name in Item.ENRICHABLE_FIELDS:
            db.session.add(Enrichment(item_id=item.id, field=name, old_value=old,
                                      new_value=new, contribution_id=None,
                                      applied_by_id=user.id))
    if "needs_help" in values and bool(values["needs_help"]) != bool(item.needs_help):
        item.needs_help = bool(values["needs_help"])
        changed = True
    if changed:
        item.mark_changed()
        db.session.flush()
    return changed


def create_item(reference: str, collection: Collection, values: Mapping[str, object], *,
                user: User | None = None) -> Item:
    """A new item in ``collection``, known to its institution by ``reference``."""
    reference = check_reference(reference)
    if item_by_reference(collection.institution_id, reference) is not None:
        raise CatalogueError(_("the identifier %(identifier)s is already used",
                               identifier=reference))
    title = clean_text(str(values.get("title") or ""), multiline=False)
    if not title:
        raise CatalogueError(_("missing title"))
    institution = db.session.get(Institution, collection.institution_id)
    assert institution is not None  # a collection's institution cannot be deleted
    item = Item(identifier=address_for(reference, institution), reference=reference,
                institution_id=institution.id, collection_id=collection.id, title=title)
    db.session.add(item)
    update_record(item, values)
    item.mark_changed()
    db.session.flush()
    return item


def _image_row(new: NewImage, position: int) -> Image:
    s = new.stored
    return Image(position=position, sha256=s.sha256, original_name=new.original_name[:300],
                 original_path=s.original_path, thumb_path=s.thumb_path,
                 display_path=s.display_path, media_type=s.media_type,
                 width=s.width, height=s.height)


def _copy_into(image: Image, new: NewImage) -> None:
    s = new.stored
    image.sha256, image.original_name = s.sha256, new.original_name[:300]
    image.original_path, image.thumb_path, image.display_path = (
        s.original_path, s.thumb_path, s.display_path)
    image.media_type, image.width, image.height = s.media_type, s.width, s.height


def set_images(item: Item, images: Sequence[NewImage]) -> bool:
    """Make ``images`` the item's images, in order. True when anything changed."""
    current = list(item.images)
    if [i.sha256 for i in current] == [n.stored.sha256 for n in images] and [
            i.original_name for i in current] == [n.original_name[:300] for n in images]:
        return False
    for position, new in enumerate(images):
        if position < len(current):
            _copy_into(current[position], new)
        else:
            item.images.append(_image_row(new, position))
    for extra in current[len(images):]:
        item.images.remove(extra)
    item.mark_changed()
    db.session.flush()
    return True


def add_image(item: Item, new: NewImage) -> Image:
    position = max((i.position for i in item.images), default=-1) + 1
    image = _image_row(new, position)
    item.images.append(image)
    item.mark_changed()
    db.session.flush()
    return image


def remove_image(item: Item, image_id: int) -> None:
    """Take an image off the record. Boxes that notes drew on it are kept with the notes (by
    the image's hash), but not shown until the same image is added to the record again."""
    image = next((i for i in item.images if i.id == image_id), None)
    if image is None:
        raise CatalogueError(_("that image is not part of this record"))
    item.images.remove(image)
    db.session.flush()
    _renumber(item, list(item.images))
    item.mark_changed()
    db.session.flush()


IMAGE_MOVES = ("first", "earlier", "later")


def move_image(item: Item, image_id: int, where: str) -> bool:
    """Move one of the item's images ``where`` (one of ``IMAGE_MOVES``): to the front (the
    image its page shows first, and exports' thumbnail), or one place earlier or later. True
    when the order changed. Notes' boxes stay on their images (they name them by hash)."""
    images = list(item.images)
    image = next((i for i in images if i.id == image_id), None)
    if image is None:
        raise CatalogueError(_("that image is not part of this record"))
    if where not in IMAGE_MOVES:
        raise CatalogueError(_("unknown move %(move)s", move=repr(where)))
    index = images.index(image)
    target = {"first": 0, "earlier": max(index - 1, 0),
              "later": min(index + 1, len(images) - 1)}[where]
    if target == index:
        return False
    images.insert(target, images.pop(index))
    _renumber(item, images)
    item.mark_changed()
    db.session.flush()
    return True


def _renumber(item: Item, images: Sequence[Image]) -> None:
    """Give ``images`` the positions 0, 1, 2… in this order. Positions are unique per item, so
    every image first steps aside to a negative position, then takes its own."""
    for position, image in enumerate(images):
        image.position = -1 - position
    db.session.flush()
    for position, image in enumerate(images):
        image.position = position
    db.session.flush()
    db.session.expire(item, ["images"])  # read again, in the new order


def known_images(sha256s: Sequence[str]) -> dict[str, Image]:
    """Images already stored for these content hashes (any item), by hash."""
    found: dict[str, Image] = {}
    for start in range(0, len(sha256s), 500):
        chunk = list(sha256s[start:start + 500])
        for image in db.session.scalars(sa.select(Image).where(Image.sha256.in_(chunk))):
            found.setdefault(image.sha256, image)
    return found
