from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from archive.curation.withdrawal import REASON_MAX_LENGTH
from archive.forms import ArchiveForm


class WithdrawForm(ArchiveForm):
    reason = TextAreaField(
        _l("Why is it withdrawn? (kept with the item, shown to curators only)"),
        validators=[DataRequired(message=_l("Say why the item is withdrawn.")),
                    Length(max=REASON_MAX_LENGTH)],
    )


class RestoreForm(ArchiveForm):
    """Only the CSRF token: restoring needs nothing else."""


class ExportFilterForm(ArchiveForm):
    """Filters of a download (a GET that changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    collection = StringField(_l("Collection"), validators=[Optional(), Length(max=100)])
    since = DateField(_l("Changed since"), validators=[Optional()])
    new_notes = BooleanField(_l("Only records with notes approved since that date"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.new_notes.data and self.since.data is None:
            self.since.errors.append(  # type: ignore[attr-defined]  # a list once validated
                _("Give the date the new notes were approved since."))
            return False
        return True
