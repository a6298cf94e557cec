"""Taking in what the public tells us."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Image, Item, User, utcnow
from archive.moderation.intake import screen_contribution
from archive.moderation.lifecycle import Action, transition
from archive.moderation.outbox import queue_address_confirmation
from archive.text import clean_text


@dataclass(frozen=True)
class ContributionInput:
    body: str
    suggested_date: str = ""
    suggested_place: str = ""
    suggested_people: str = ""
    credit_name: str = ""
    # The sender chose to publish without their name (which staff still see).
    anonymous: bool = False
    email: str | None = None
    region: tuple[float, float, float, float] | None = None
    # The image of the item the box is on, by the SHA-256 of its original; None: the first.
    region_image: str | None = None
    # The random key of the form it was sent with: the same form sent again with the same
    # text is refused (see ``submission_digest``).
    submission_key: str | None = None


def _interface_language() -> str | None:
    """The language of the page the note was sent from (None outside a request)."""
    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale else None


def hash_ip(ip_address: str | None, salt: str) -> str | None:
    """A keyed hash of the sender's address: lets us spot floods without storing the address."""
    if not ip_address:
        return None
    return hmac.new(salt.encode(), ip_address.encode(), hashlib.sha256).hexdigest()


class RegionImageError(ValueError):
    """The box names an image that is not one of the item's; the message is fit to show."""


def region_image_for(item: Item, sha256: str | None) -> Image:
    """The image of ``item`` a box was drawn on, named by its original's SHA-256 (none named:
    the first image). Raises ``RegionImageError`` when the item has no such image (one
    removed from the record while the visitor was drawing, say)."""
    images = item.images
    if not images:
        raise RegionImageError(_("This photograph has no image to mark an area on."))
    wanted = (sha256 or "").strip().lower()
    if not wanted:
        return images[0]
    found = next((image for image in images if image.sha256 == wanted), None)
    if found is None:
        raise RegionImageError(_("The image you marked is no longer part of this record: "
                                 "mark the area again."))
    return found


def submission_digest(data: ContributionInput) -> str | None:
    """What makes a sending unique: the form's key and what was typed in it.

    The same form sent twice is one note; a form sent, then changed and sent again (the
    browser's Back button keeps a page, and its key) is a second note.
    """
    if not data.submission_key:
        return None
    parts = [data.submission_key, clean_text(data.body),
             clean_text(data.suggested_date, multiline=False),
             clean_text(data.suggested_place, multiline=False),
             clean_text(data.suggested_people),
             clean_text(data.credit_name, multiline=False), str(bool(data.anonymous)),
             clean_text(data.email, multiline=False).lower(), repr(data.region),
             data.region_image or ""]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def note_sent_with(data: ContributionInput) -> Contribution | None:
    """The note already stored from this very sending of a form, if any."""
    digest = submission_digest(data)
    if digest is None:
        return None
    return db.session.scalar(
        sa.select(Contribution).where(Contribution.submission_key == digest))


def submit_contribution(
    item: Item,
    data: ContributionInput,
    *,
    licence: str,
    ip_hash: str | None = None,
    submitted_by: User | None = None,
    honeypot_filled: bool = False,
    trusted_threshold: int = 0,
) -> Contribution:
    """Store a note as pending, or straight away as spam when the honeypot was filled.

    The note is inserted first, before anything else is written: a sending already stored
    (its ``submission_digest`` taken, even by a transaction committing at this moment) raises
    ``sqlalchemy.exc.IntegrityError`` from the database's unique index, with nothing else done;
    the caller rolls back and finds the note with :func:`note_sent_with`.
    """
    email = clean_text(data.email, multiline=False).lower() or None
    credit_name = clean_text(data.credit_name, multiline=False)
    account = submitted_by if submitted_by is not None and submitted_by.active else None
    if not credit_name and not data.anonymous and account is not None:
        # An account's notes are credited to its name unless its owner chose otherwise.
        credit_name = clean_text(account.display_name, multiline=False)
    contribution = Contribution(
        item=item,
        body=clean_text(data.body),
        suggested_date=clean_text(data.suggested_date, multiline=False),
        suggested_place=clean_text(data.suggested_place, multiline=False),
        suggested_people=clean_text(data.suggested_people),
        credit_name=credit_name,
        show_name=bool(credit_name) and not data.anonymous,
        email=email,
        licence=licence,
        ip_hash=ip_hash,
        submitted_by_id=submitted_by.id if submitted_by else None,
        status=ContributionStatus.PENDING,
        language=_interface_language(),
        submission_key=submission_digest(data),
    )
    if data.region:
        x, y, w, h = data.region
        contribution.region_x, contribution.region_y = x, y
        contribution.region_w, contribution.region_h = w, h
        contribution.region_image = region_image_for(item, data.region_image).sha256
    if not contribution.body:
        raise ValueError("a contribution needs some text")
    if (email and account is not None and account.email_confirmed_at is not None
            and account.email == email):
        contribution.email_confirmed_at = utcnow()  # the account's own, confirmed address
    db.session.add(contribution)
    db.session.flush()
    if honeypot_filled:
        transition(contribution, Action.AUTO_SPAM, actor=None,
                   reason="Honeypot field filled in (automatic)")
    # Blocked senders go straight to spam; trusted contributors are approved at once.
    screen_contribution(contribution, trusted_threshold=trusted_threshold)
    if contribution.status is not ContributionStatus.SPAM:
        # Nothing is written to a typed address until its owner confirms it; spam's addresses
        # are never written to at all.
        queue_address_confirmation(contribution)
    return contribution
