from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exc as sa_exc
from wtforms.validators import ValidationError

from archive.contribute import bp
from archive.contribute.forms import ContributionForm
from archive.contribute.services import (
    ContributionInput,
    RegionImageError,
    hash_ip,
    note_sent_with,
    region_image_for,
    submit_contribution,
)
from archive.extensions import db, limiter
from archive.forms import required_text
from archive.harvesting.published import licence_url
from archive.institutions.services import notes_licence
from archive.models import ContributionStatus, Item
from archive.queries import get_item_or_404, item_page_context


def _licence_recorded(item: Item) -> str:
    """The licence the holding institution publishes notes under, as the note records it: its
    name where that is known to stand for its address, else the address itself."""
    label, uri = notes_licence(item.collection.institution)
    return label if licence_url(label) == uri else uri[:100]


def _contribution_limit() -> str:
    return current_app.config["CONTRIBUTION_RATE_LIMIT"]


@bp.post("/items/<identifier>/contribute")
@limiter.limit(_contribution_limit, methods=["POST"])
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
        show_name=form.show_name.data,
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
    if note.status is ContributionStatus.APPROVED:  # a trusted contributor's note
        flash(_("Thank you! Your note is published on this page."), "success")
    else:  # pending, or (never said to the sender) spam
        flash(
            _("Thank you! Your note has reached the archive. An archivist will read it, and "
              "once it is approved it will appear on this page."),
            "success",
        )
    return redirect(url_for("public.item", identifier=item.identifier, _anchor="thanks"), code=303)
