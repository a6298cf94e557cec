"""Words kept in English in code and data, translated only where a page shows them.

``N_`` returns its argument unchanged: it only marks a string for ``pybabel extract`` (and for
the test that every interface string has a Welsh translation). Templates translate the value
with ``_()`` when they display it. A leaf module: it imports nothing from ``archive``.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


# Labels computed from enum values (``ContributionStatus.label``, ``Role.label``).
ENUM_LABELS = (
    N_("Pending"), N_("Approved"), N_("Rejected"), N_("Spam"), N_("Withdrawn"),
    N_("Open"), N_("Closed"),  # an event allowance's states in the audit log
    N_("Contributor"), N_("Archivist"), N_("Curator"), N_("Admin"),
)

# Record fields named in moderation messages ("The change to the date is reverted").
FIELD_WORDS = (N_("date"), N_("place"), N_("people"), N_("subjects"))
