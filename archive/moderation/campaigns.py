""""Can you help?" questions: asked by archivists, answered by the public, marked solved.

Services flush; the view that called them commits.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from flask_babel import gettext as _

from archive.extensions import db
from archive.models import (
    Contribution,
    Item,
    Role,
    User,
    utcnow,
)
from archive.moderation.lifecycle import Action, TransitionRefused, transition
from archive.moderation.services import ModerationError, NotAllowed
from archive.queries import approved_notes_of
from archive.text import clean_text

QUESTION_MAX_LENGTH = 1000


def _check_staff(user: User) -> None:
    if not user.has_role(Role.ARCHIVIST):
        raise NotAllowed(_("Only archivists manage the archive's questions."))


def ask_for_help(item: Item, question: str, user: User) -> Item:
    """Flag the item as needing help with ``question`` (or change the question it asks)."""
    _check_staff(user)
    question = clean_text(question)
    if not question:
        raise ModerationError(_("Write the question the public should help with."))
    if len(question) > QUESTION_MAX_LENGTH:
        raise ModerationError(_("Keep the question under %(num)d characters.",
                                num=QUESTION_MAX_LENGTH))
    if item.needs_help and item.help_question == question and item.help_solved_at is None:
        return item
    item.needs_help = True
    item.help_question = question
    item.help_solved_at = None
    item.mark_changed()
    db.session.flush()
    return item


def mark_solved(item: Item, contribution_ids: list[int], user: User, *,
                reason: str = "") -> list[Contribution]:
    """Close the item's question, crediting the approved notes that answered it.

    One conditional UPDATE closes the question, so two archivists cannot both solve it; each
    credited note gets an event in its history.
    """
    _check_staff(user)
    if not item.needs_help:
        raise ModerationError(_("This photograph has no open question."))
    wanted = set(contribution_ids)
    notes = [n for n in approved_notes_of(item) if n.id in wanted]
    if not notes or len(notes) != len(wanted):
        raise ModerationError(_("Choose the approved note (or notes) that answered the "
                                "question."))
    now = utcnow()
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Item)
        .where(Item.id == item.id, Item.needs_help.is_(True), Item.help_solved_at.is_(None))
        .values(help_solved_at=now, record_changed_at=now)
        .execution_options(synchronize_session=False)
    ))
    db.session.refresh(item)
    if result.rowcount != 1:
        raise ModerationError(_("This question was already marked solved."))
    item.mark_changed(now)  # as the UPDATE did: it notes the item for search at commit
    reason = clean_text(reason, multiline=False)
    for note in notes:
        try:
            transition(note, Action.SOLVED, actor=user, at=now,
                       reason=reason or f"Answered the question: {item.help_question}"[:2000],
                       changes={"solved_question": True})
        except TransitionRefused:  # withdrawn meanwhile
            raise ModerationError(_("Choose the approved note (or notes) that answered the "
                                    "question.")) from None
    return notes


def reopen_question(item: Item, user: User) -> Item:
    """Ask the question again (the notes keep their credit for the earlier answer)."""
    _check_staff(user)
    if item.help_solved_at is None:
        raise ModerationError(_("This question is not marked solved."))
    item.help_solved_at = None
    item.mark_changed()
    db.session.flush()
    return item


def close_question(item: Item, user: User) -> Item:
    """Stop asking, without an answer (the question was withdrawn)."""
    _check_staff(user)
    if not item.needs_help:
        raise ModerationError(_("This photograph has no open question."))
    item.needs_help = False
    item.help_solved_at = None
    item.mark_changed()
    db.session.flush()
    return item


def solving_notes(item: Item) -> list[Contribution]:
    """The published notes credited with answering the item's question."""
    return [n for n in approved_notes_of(item) if n.solved_question]
