from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from archive.forms import ArchiveForm, parse_region

# types-WTForms follows WTForms 3.2, whose choices are (value, label) tuples; plain values, as
# WTForms 3.3 prefers, need a `type: ignore[list-item]` until the stubs catch up.
YEAR = NumberRange(min=1000, max=2999, message=_l("A year has four digits."))


class DecisionForm(ArchiveForm):
    # Plain values: tuple choices are deprecated from WTForms 3.3, and the template renders
    # its own labelled buttons.
    action = SelectField(_l("Decision"), choices=["approve", "reject", "spam"],  # type: ignore[list-item]
                         validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (optional, kept in the audit log)"),
                           validators=[Optional(), Length(max=2000)])
    rejection_code = SelectField(_l("Reason for rejecting"), choices=[""], default="")  # type: ignore[list-item]
    edited_text = TextAreaField(_l("Text to publish"), validators=[Optional(), Length(max=5000)])
    apply_date = BooleanField(_l("Apply the suggested date to the record"))
    apply_place = BooleanField(_l("Apply the suggested place to the record"))
    apply_people = BooleanField(_l("Add the suggested names to the record"))
    # The note's box as the archivist leaves it (sent with the form only where the note has a
    # box): moved or resized on the picture, or removed.
    region_x = HiddenField()
    region_y = HiddenField()
    region_w = HiddenField()
    region_h = HiddenField()
    remove_region = BooleanField(_l("Remove the box: publish the note without it"))

    def __init__(self, *args, rejection_reasons: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rejection_code.choices = ["", *(rejection_reasons or {})]  # type: ignore[list-item]

    @property
    def region_sent(self) -> bool:
        """Whether the form carried the note's box at all (a form without it keeps the box)."""
        return bool(self.region_x.raw_data) or bool(self.remove_region.data)

    def sent_region(self) -> tuple[float, float, float, float] | None:
        """The box as the archivist left it; None when removed. Raises ``ValidationError``."""
        if self.remove_region.data:
            return None
        return parse_region(self.region_x.data, self.region_y.data, self.region_w.data,
                            self.region_h.data)

    def suggestions_to_apply(self) -> tuple[str, ...]:
        chosen = {"date": self.apply_date.data, "place": self.apply_place.data,
                  "people": self.apply_people.data}
        return tuple(name for name, wanted in chosen.items() if wanted)


class WithdrawForm(ArchiveForm):
    reason = TextAreaField(_l("Why is the note withdrawn? (kept in the log and told to the "
                           "contributor)"), validators=[DataRequired(), Length(max=2000)])
    revert_enrichments = BooleanField(_l("Also put back what this note changed in the record"))


class BulkForm(ArchiveForm):
    ids = SelectMultipleField(_l("Notes"), coerce=int, validate_choice=False,
                              validators=[DataRequired(message=_l("Choose at least one note."))])
    action = SelectField(_l("Decision"), choices=["approve", "reject", "spam"],  # type: ignore[list-item]
                         validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (optional, kept in the audit log)"),
                           validators=[Optional(), Length(max=2000)])
    rejection_code = SelectField(_l("Reason for rejecting"), choices=[""], default="")  # type: ignore[list-item]
    confirm = HiddenField()

    def __init__(self, *args, rejection_reasons: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_reasons(rejection_reasons or {})

    def offer_reasons(self, rejection_reasons: dict[str, str]) -> None:
        """The reasons (by code) a rejection may give: those of the chosen notes."""
        self.rejection_code.choices = ["", *rejection_reasons]  # type: ignore[list-item]

    def validate_ids(self, field):
        if len(field.data or []) > 200:
            raise ValidationError(_("Decide at most 200 notes at once."))


class EnrichForm(ArchiveForm):
    """Each field: whether to apply it, the value to write, and the value the archivist saw."""

    apply_date_text = BooleanField(_l("Change the date"))
    date_text = StringField(_l("Date as shown"), validators=[Optional(), Length(max=200)])
    seen_date_text = HiddenField()
    date_earliest = IntegerField(_l("Earliest year"), validators=[Optional(), YEAR])
    date_latest = IntegerField(_l("Latest year"), validators=[Optional(), YEAR])
    apply_place = BooleanField(_l("Change the place"))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    seen_place = HiddenField()
    apply_people = BooleanField(_l("Change the people shown"))
    people = TextAreaField(_l("People shown (one per line or separated by ;)"),
                           validators=[Optional(), Length(max=5000)])
    seen_people = HiddenField()
    apply_subjects = BooleanField(_l("Change the subjects"))
    subjects = TextAreaField(_l("Subjects (one per line or separated by ;)"),
                             validators=[Optional(), Length(max=5000)])
    seen_subjects = HiddenField()

    FIELDS = ("date_text", "place", "people", "subjects")

    def validate_date_latest(self, field):
        earliest = self.date_earliest.data
        if earliest is not None and field.data is not None and earliest > field.data:
            raise ValidationError(_("The latest year cannot be before the earliest year."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not any(getattr(self, f"apply_{f}").data for f in self.FIELDS):
            self.apply_date_text.errors = [_("Tick at least one field to change.")]
            return False
        if valid and self.apply_date_text.data and not (self.date_text.data or "").strip():
            self.date_text.errors = [_("Give the date as it should be shown.")]
            return False
        return valid

    def changes(self) -> dict[str, tuple[str, str]]:
        return {f: (getattr(self, f"seen_{f}").data or "", getattr(self, f).data or "")
                for f in self.FIELDS if getattr(self, f"apply_{f}").data}

    def years(self) -> tuple[int | None, int | None] | None:
        if self.date_earliest.data is None and self.date_latest.data is None:
            return None  # read from the text
        earliest = self.date_earliest.data
        latest = self.date_latest.data
        return (earliest if earliest is not None else latest,
                latest if latest is not None else earliest)


class QuestionForm(ArchiveForm):
    question = TextAreaField(_l("The question the public is asked"),
                             validators=[Optional(), Length(max=1000)])
    action = SelectField(_l("Action"), choices=["ask", "solve", "reopen", "close"],  # type: ignore[list-item]
                         validators=[DataRequired()])
    solved_by = SelectMultipleField(_l("Notes that answered it"), coerce=int, validate_choice=False)
    reason = StringField(_l("How the answer was confirmed (optional)"),
                         validators=[Optional(), Length(max=500)])

    def validate_solved_by(self, field):
        if self.action.data == "solve" and not field.data:
            raise ValidationError(_("Tick the approved note (or notes) that answered the "
                                    "question."))


class BlockForm(ArchiveForm):
    kind = SelectField(_l("Block"), choices=["account", "email", "ip_hash"],  # type: ignore[list-item]
                       validators=[DataRequired()])
    reason = StringField(_l("Why (kept with the block)"), validators=[Optional(), Length(max=500)])


class EmptyForm(ArchiveForm):
    """A form with only its CSRF token: for buttons that change something."""


class AllowanceForm(ArchiveForm):
    """Open an event allowance (the rules: archive/moderation/allowances.py)."""

    institution = SelectField(_l("Institution"), choices=[], validate_choice=True)
    label = StringField(_l("What it is for"),
                        description=_l("For example: Memory day at Central Library, 14 March."),
                        validators=[DataRequired(_l("Say what the allowance is for.")),
                                    Length(max=200)])
    network = StringField(
        _l("Address or network"),
        description=_l("The address the archive sees for the event's connection (such as "
                       "203.0.113.7), or its network: an IPv4 network of /16 at most, an IPv6 "
                       "network of /48 at most (such as 2001:db8:5::/48)."),
        validators=[DataRequired(_l("Give the address or the network.")), Length(max=64)])
    notes_per_hour = IntegerField(
        _l("Notes an hour"),
        description=_l("Shared by everyone on that connection, from 1 to 1000."),
        validators=[DataRequired(_l("Give a number of notes an hour.")),
                    NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))])
    hours = IntegerField(
        _l("For how many hours, from now"),
        description=_l("From 1 to 168 (seven days). It can be closed early."),
        validators=[DataRequired(_l("Give a number of hours.")),
                    NumberRange(min=1, max=168, message=_l("From 1 to 168 hours."))])
