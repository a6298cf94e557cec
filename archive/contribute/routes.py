from __future__ import annotations

import math

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exc as sa_exc
from wtforms.validators import ValidationError

from archive.auth.decorators import public
from archive.contribute import bp
from archive.contribute.forms import AddressConfirmationForm, ContributionForm
from archive.contribute.services import (
    ContributionInput,
    RegionImageError,
    hash_ip,
    note_sent_with,
    region_image_for,
    submit_contribution,
)
from archive.extensions import db, limiter, visitor_key
from archive.forms import required_text
from archive.harvesting.published import licence_url
from archive.institutions.services import notes_licence
from archive.models import ContributionStatus, EventAllowance, Item
from archive.moderation.allowances import allowance_for
from archive.moderation.notify import ADDRESS_CONFIRMATION_DAYS, note_for_address_token
from archive.moderation.outbox import confirm_note_address
from archive.queries import get_item_or_404, item_page_context, remember_note_sent
from archive.ratelimits import give_back_hits, retry_after_seconds


def _licence_recorded(item: Item) -> str:
    """The licence the holding institution publishes notes under, as the note records it: its
    name where that is known to stand for its address, else the address itself."""
    label, uri = notes_licence(item.collection.institution)
    return label if licence_url(label) == uri else uri[:100]


def _allowance() -> EventAllowance | None:
    """The event allowance open for this sender's address and the photograph's institution,
    looked up once per request."""
    if "_event_allowance" not in g:
        identifier = (request.view_args or {}).get("identifier", "")
        institution_id = db.session.scalar(
            sa.select(Item.institution_id).where(Item.identifier == identifier))
        g._event_allowance = None if institution_id is None else allowance_for(
            request.remote_addr, institution_id, current_app.config["IP_HASH_SALT"])
    return g._event_allowance


def _contribution_limit() -> str:
    allowance = _allowance()
    if allowance is not None:
        return f"{allowance.notes_per_hour} per hour"
    return current_app.config["CONTRIBUTION_RATE_LIMIT"]


def _contribution_key() -> str:
    """Whoever is behind an allowance's network shares its count; anyone else is counted
    alone (by address, or IPv6 /64), as every limit is."""
    allowance = _allowance()
    if allowance is not None and allowance.network_hash is not None:
        return f"allowance-{allowance.id}"
    return visitor_key()


@bp.errorhandler(429)
def paused(_error):
    """Too many notes: the form comes back as it was typed, saying when it can be sent."""
    item = get_item_or_404((request.view_args or {}).get("identifier", ""))
    seconds = retry_after_seconds()
    context = item_page_context(item, form=ContributionForm(),
                                image_number=request.args.get("image", type=int))
    response = current_app.make_response(
        (render_template("public/item.html", paused_minutes=math.ceil(seconds / 60), **context),
         429))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/items/<identifier>/contribute")
@limiter.limit(_contribution_limit, key_func=_contribution_key, methods=["POST"])
def contribute(identifier: str):
    item = get_item_or_404(identifier)
    form = ContributionForm()
    shown = request.args.get("image", type=int)
    valid = form.validate_on_submit()
    try:
        region = form.region() if valid else None
    except ValidationError:  # already reported by validate(); kept for safety
        region = None
    region_image = (form.region_image.data or "").strip().lower() or None
    if region is not None:
        try:
            region_image = region_image_for(item, region_image).sha256
        except RegionImageError as error:
            form.region_x.errors = [*form.region_x.errors, str(error)]
            region_image, valid = None, False
    if not valid:
        give_back_hits()  # only notes the archive accepts count against the limit
        # The page comes back on the image the visitor was marking (or looking at).
        number = next((n for n, image in enumerate(item.images, 1)
                       if image.sha256 == region_image), shown)
        context = item_page_context(item, form=form, image_number=number)
        return render_template("public/item.html", **context), 400
    data = ContributionInput(
        body=required_text(form.body),
        suggested_date=form.suggested_date.data or "",
        suggested_place=form.suggested_place.data or "",
        suggested_people=form.suggested_people.data or "",
        credit_name=form.credit_name.data or "",
        anonymous=form.anonymous.data,
        email=form.email.data or None,
        region=region,
        region_image=region_image if region is not None else None,
        submission_key=form.sent_submission_key,
    )
    try:
        note = submit_contribution(
            item,
            data,
            licence=_licence_recorded(item),
            ip_hash=hash_ip(request.remote_addr, current_app.config["IP_HASH_SALT"]),
            submitted_by=current_user if current_user.is_authenticated else None,
            honeypot_filled=form.honeypot_filled,
            trusted_threshold=current_app.config["TRUSTED_CONTRIBUTOR_THRESHOLD"],
        )
        db.session.commit()
    except sa_exc.IntegrityError:
        # The same form sent again (a double click, a retry, posts at the same moment): the
        # note is stored once, and this sender hears what the first one heard.
        db.session.rollback()
        existing = note_sent_with(data)
        if existing is None:
            raise
        note = existing
        give_back_hits()  # the same note, already counted once
    if note.status is ContributionStatus.APPROVED:  # a trusted contributor's note
        flash(_("Thank you! Your note is published on this page."), "success")
    else:  # pending, or (never said to the sender) spam
        flash(
            _("Thank you! Your note has reached the archive. An archivist will read it, and "
              "once it is approved it will appear on this page."),
            "success",
        )
    if data.email and note.email_confirmed_at is None:
        flash(_("We have emailed you a link to confirm your address: we write to you about "
                "your note only once you have followed it."), "info")
    remember_note_sent(item)
    return redirect(url_for("public.item", identifier=item.identifier, _anchor="thanks"), code=303)


@bp.route("/notes/confirm-address", methods=["GET", "POST"])
@public
def confirm_address():
    """The link emailed to a note's address: a page with the one button that confirms it."""
    form = AddressConfirmationForm()
    token = (form.token.data if request.method == "POST" else request.args.get("token")) or ""
    note = note_for_address_token(token)
    if note is None:
        db.session.rollback()
        return render_template("contribute/confirm_address_failed.html",
                               days=ADDRESS_CONFIRMATION_DAYS), 400
    if form.validate_on_submit():
        identifier = note.item.identifier
        confirm_note_address(note)
        db.session.commit()
        flash(_("Thank you: your address is confirmed. We will email you when an archivist "
                "has read your note."), "success")
        return redirect(url_for("public.item", identifier=identifier), code=303)
    form.token.data = token
    return render_template("contribute/confirm_address.html", form=form, item=note.item,
                           confirmed=note.email_confirmed_at is not None)
