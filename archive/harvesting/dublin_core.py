"""An item as simple Dublin Core: the ``oai_dc`` records of the OAI-PMH feed.

=============  =====================================================================
element        from
=============  =====================================================================
title          the item's title
creator        the photographer
subject        each person shown, then each subject
description    the catalogue description, then each approved note, marked as a note
               from the public with its credit and approval date, then, when the
               item's "Can you help?" question was solved, the question, the date and
               the credit of the notes that answered it
publisher      the institution holding the item
date           the (enriched) date text
type           ``StillImage`` (DCMI Type Vocabulary)
format         the media type of each image
identifier     the item's public page
source         the collection's title
relation       the item's IIIF Presentation manifest (when it has images)
coverage       the (enriched) place
rights         the item's rights statement
=============  =====================================================================
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.harvesting.links import Links
from archive.models import Contribution, Item

DC_TYPE = "StillImage"


def note_description(note: Contribution) -> str:
    approved = f", {note.decided_at:%Y-%m-%d}" if note.decided_at else ""
    return f"Note from a member of the public ({note.credit}{approved}): {note.public_text}"


def solved_description(item: Item, notes: Iterable[Contribution]) -> str | None:
    """The item's answered question as a note, or None while it is not solved."""
    if not (item.needs_help and item.help_solved_at is not None):
        return None
    credits = ", ".join(note.credit for note in notes if note.solved_question)
    answered = f" Answered by {credits}." if credits else ""
    return (f"Question solved with the public's help ({item.help_solved_at:%Y-%m-%d}): "
            f"{item.help_question}{answered}")


def dublin_core(item: Item, notes: Iterable[Contribution],
                links: Links) -> list[tuple[str, str]]:
    """``(element, value)`` pairs in the order the oai_dc schema lists its elements."""
    elements: list[tuple[str, str]] = [("title", item.title)]
    if item.creator:
        elements.append(("creator", item.creator))
    elements += [("subject", name) for name in item.people_list]
    elements += [("subject", subject) for subject in item.subject_list]
    if item.description:
        elements.append(("description", item.description))
    notes = list(notes)
    elements += [("description", note_description(note)) for note in notes]
    solved = solved_description(item, notes)
    if solved:
        elements.append(("description", solved))
    elements.append(("publisher", item.collection.institution.name))
    if item.date_text:
        elements.append(("date", item.date_text))
    elements.append(("type", DC_TYPE))
    for media_type in dict.fromkeys(image.media_type for image in item.images):
        elements.append(("format", media_type))
    elements.append(("identifier", links.item(item.identifier)))
    # The holding institution's own reference, which its catalogue knows the photograph by.
    elements.append(("identifier", item.reference))
    elements.append(("source", item.collection.title))
    if item.images:
        elements.append(("relation", links.manifest(item.identifier)))
    if item.place:
        elements.append(("coverage", item.place))
    if item.rights:
        elements.append(("rights", item.rights))
    return [(name, value) for name, value in elements if value and value.strip()]
