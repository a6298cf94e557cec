from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from archive.forms import ArchiveForm, parse_region
from archive.text import clean_text

BODY_MAX = 5000


SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")


def new_submission_key() -> str:
    return secrets.token_hex(16)


class ContributionForm(ArchiveForm):
    body = TextAreaField(
        _l("What do you know about this photograph?"),
        # Checked as it will be stored: browsers send each line break as two characters, and
        # a body of only control characters is empty once cleaned.
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please tell us what you know before sending.")),
            Length(max=BODY_MAX, message=_l("Please keep your note under %(max)s characters.",
                                                  max=f"{BODY_MAX:,}")),
        ],
    )
    suggested_date = StringField(
        _l("When was it taken? (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("A year, a decade or a date: “about 1935”, “1950s”, “12 May 1937”."),
    )
    suggested_place = StringField(
        _l("Where was it taken? (optional)"),
        validators=[Optional(), Length(max=300)],
        description=_l("A street, a building or a district."),
    )
    suggested_people = TextAreaField(
        _l("Who is in it? (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Names of people shown, separated by semicolons or on separate lines."),
    )
    credit_name = StringField(
        _l("Your name, as it should be credited (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Your note is published with this name, unless you tick “Publish my "
                       "note anonymously” below. The archive's team sees it either way."),
    )
    # A name typed is the credit: publishing without it is a choice made here, never the
    # result of a box left unticked.
    anonymous = BooleanField(_l("Publish my note anonymously (as “Anonymous contributor”)"))
    email = EmailField(
        _l("Your email, if we may write to you about your note (optional)"),
        validators=[
            Optional(), Email(_l("That does not look like an email address.")), Length(max=320)
        ],
        description=_l("Never shown on the site and never shared. We first email you a link "
                       "to confirm it is yours; we write about your note only once you have."),
    )
    consent = BooleanField(
        _l("I agree that my note may be published"),
        validators=[DataRequired(_l("Please tick the box to let us publish your note."))],
    )
    # Honeypot: hidden from people by CSS; bots fill every field they find.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    # A random key given to each form the page shows: the same form sent twice is one note.
    submission_key = HiddenField(default=new_submission_key)

    region_x = HiddenField()
    region_y = HiddenField()
    region_w = HiddenField()
    region_h = HiddenField()
    # The image the box was drawn on: the SHA-256 of its original (the first image if none).
    region_image = HiddenField()

    def region(self) -> tuple[float, float, float, float] | None:
        return parse_region(self.region_x.data, self.region_y.data, self.region_w.data,
                            self.region_h.data)

    def validate_region_x(self, _field) -> None:
        self.region()  # raises ValidationError, shown beside the photograph

    @property
    def sent_submission_key(self) -> str | None:
        """The form's key as sent, when it is one the page could have given (else None: the
        note is stored without one)."""
        key = (self.submission_key.data or "").strip()
        return key if SUBMISSION_KEY.fullmatch(key) else None

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.website.data or "").strip())


class AddressConfirmationForm(ArchiveForm):
    """The button that confirms a note's address (a link alone does not: mail filters open
    links on their own)."""

    token = HiddenField(validators=[DataRequired()])
