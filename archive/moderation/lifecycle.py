"""Every change of a note's state, in one place: what may happen, doing it, and the log entry.

A note (a :class:`Contribution`) moves through :class:`ContributionStatus` by *actions*. The
table :data:`TRANSITIONS` says, for each action, which status it may start from and which
status it leaves the note in; some actions leave the status as it is and only write to the log
(a note credited with solving a question, personal data erased from a published note).

:func:`transition` is the only way to carry an action out. It is one conditional UPDATE
(``... WHERE id = :id AND status = :from``, the status the note was seen in, which the table
must allow the action from), so two archivists can never both decide one note, on SQLite or
PostgreSQL; then the :class:`ModerationEvent` that records it. Nothing else writes a
ModerationEvent: the ORM refuses to insert one that this module did not build.

A new action is added here only: to :class:`Action`, :data:`ACTION_LABELS` and
:data:`TRANSITIONS` (and its label to the Welsh catalogue). A new status is given its moves
here too; its value itself is a :class:`ContributionStatus` (a column with a CHECK constraint,
so a migration).
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm.attributes import set_committed_value

from archive.extensions import db
from archive.i18n_words import N_
from archive.models import (
    Contribution,
    ContributionStatus,
    EventAllowance,
    EventReason,
    ModerationEvent,
    User,
    utcnow,
)
from archive.text import without_mentions


class Action(enum.StrEnum):
    """What was done to a note, as stored in ``moderation_events.action``."""

    APPROVE = "approve"
    APPROVE_WITH_EDITS = "approve_with_edits"
    REJECT = "reject"
    SPAM = "spam"
    WITHDRAW = "withdraw"
    AUTO_SPAM = "auto_spam"  # the honeypot field was filled in
    BLOCKED = "blocked"  # the sender is blocked
    AUTO_APPROVE = "auto_approve"  # a trusted contributor
    SOLVED = "solved"
    ERASE_PERSONAL_DATA = "erase_personal_data"
    RETENTION_PURGE = "retention_purge"
    # Not about a note: an event allowance opened or closed early (archive/moderation/allowances).
    ALLOWANCE_OPENED = "allowance_opened"
    ALLOWANCE_CLOSED = "allowance_closed"

    @property
    def label(self) -> str:
        """The English words for the action; pages translate them with ``_()``."""
        return ACTION_LABELS[self]


# The words the log and a note's history use. English here (N_ only marks them for the
# translators); pages translate them when they show them.
ACTION_LABELS: dict[Action, str] = {
    Action.APPROVE: N_("Approved"),
    Action.APPROVE_WITH_EDITS: N_("Approved with edits"),
    Action.REJECT: N_("Rejected"),
    Action.SPAM: N_("Marked spam"),
    Action.WITHDRAW: N_("Withdrawn"),
    Action.AUTO_SPAM: N_("Spam (caught automatically)"),
    Action.BLOCKED: N_("Spam (sender blocked)"),
    Action.AUTO_APPROVE: N_("Approved (trusted contributor)"),
    Action.SOLVED: N_("Credited with solving the question"),
    Action.ERASE_PERSONAL_DATA: N_("Erased on request"),
    Action.RETENTION_PURGE: N_("Removed after the retention period"),
    Action.ALLOWANCE_OPENED: N_("Event allowance opened"),
    Action.ALLOWANCE_CLOSED: N_("Event allowance closed"),
}

_S = ContributionStatus
_EVERY_STATUS_KEPT = {status: status for status in _S}

# Actions that erase personal data: the reason an archivist wrote for the note's decision (which
# may name its sender) goes too, even when the status stays.
ERASING = frozenset({Action.ERASE_PERSONAL_DATA, Action.RETENTION_PURGE})

# For each action: the statuses it may start from, and the status each one becomes. A pending
# note is decided once; an approved note can later be withdrawn; nothing else changes a
# decision. Erasing a pending note's data rejects it (nobody may publish it any more).
TRANSITIONS: dict[Action, dict[ContributionStatus, ContributionStatus]] = {
    Action.APPROVE: {_S.PENDING: _S.APPROVED},
    Action.APPROVE_WITH_EDITS: {_S.PENDING: _S.APPROVED},
    Action.AUTO_APPROVE: {_S.PENDING: _S.APPROVED},
    Action.REJECT: {_S.PENDING: _S.REJECTED},
    Action.SPAM: {_S.PENDING: _S.SPAM},
    Action.AUTO_SPAM: {_S.PENDING: _S.SPAM},
    Action.BLOCKED: {_S.PENDING: _S.SPAM},
    Action.WITHDRAW: {_S.APPROVED: _S.WITHDRAWN},
    Action.SOLVED: {_S.APPROVED: _S.APPROVED},
    Action.ERASE_PERSONAL_DATA: {**_EVERY_STATUS_KEPT, _S.PENDING: _S.REJECTED},
    Action.RETENTION_PURGE: {_S.REJECTED: _S.REJECTED, _S.SPAM: _S.SPAM},
    # Allowance actions move no note (record_allowance_event writes them).
    Action.ALLOWANCE_OPENED: {},
    Action.ALLOWANCE_CLOSED: {},
}
ALLOWANCE_ACTIONS = frozenset({Action.ALLOWANCE_OPENED, Action.ALLOWANCE_CLOSED})

# Columns only this module sets: the status and the decision that moved it (who, when, why,
# and whether the contributor has been told). A caller's ``changes`` name other columns.
_OWN_COLUMNS = frozenset({"status", "decided_at", "decided_by_id", "decision_reason",
                          "notified_at"})


class TransitionRefused(Exception):
    """The table does not allow ``action`` from the note's status (as it is now in the
    database: someone else may just have changed it). Nothing was written."""

    def __init__(self, contribution: Contribution, action: Action):
        self.contribution = contribution
        self.action = action
        self.status = contribution.status
        super().__init__(f"{action.value} is not allowed on a {self.status.value} note "
                         f"(#{contribution.id})")


def allowed(action: Action, status: ContributionStatus) -> bool:
    return status in TRANSITIONS[action]


def transition(
    contribution: Contribution,
    action: Action,
    *,
    actor: User | None,
    reason: str = "",
    at: datetime | None = None,
    changes: Mapping[str, Any] | None = None,
) -> ModerationEvent:
    """Carry out ``action`` on ``contribution`` (by ``actor``; None when the system acted).

    One conditional UPDATE, on the status the note was loaded with, moves it as
    :data:`TRANSITIONS` says and, when the status changes, records the decision (who, when,
    why; the contributor is yet to be told of it), together with ``changes`` to the note's
    other columns (computed by the caller from the status it saw). Then the log entry.

    Raises :class:`TransitionRefused`, writing nothing, when the table does not allow the
    action from that status, or when someone else changed the status meanwhile; either way
    ``contribution`` is then re-read, as it is now. Flushes; the caller commits.
    """
    action = Action(action)
    if changes and not _OWN_COLUMNS.isdisjoint(changes):
        raise ValueError(f"the lifecycle sets {sorted(_OWN_COLUMNS & set(changes))} itself")
    at = at or utcnow()
    reason = reason or ""
    from_status = contribution.status
    to_status = TRANSITIONS[action].get(from_status)
    if to_status is None:
        db.session.refresh(contribution)  # so that the refusal tells the status as it is now
        raise TransitionRefused(contribution, action)
    values: dict[str, Any] = dict(changes or {})
    if to_status is not from_status:
        values.update(status=to_status, decided_at=at,
                      decided_by_id=actor.id if actor is not None else None,
                      decision_reason=reason, notified_at=None)
    elif action in ERASING:
        values["decision_reason"] = ""
    elif not values:
        # Only a log entry (the status stays): the UPDATE still checks the status it was
        # loaded with, and locks the row, so the entry cannot follow a change it did not see.
        values["status"] = from_status
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == contribution.id, Contribution.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    ))
    db.session.refresh(contribution)
    if result.rowcount != 1:  # someone else changed its status since it was loaded
        raise TransitionRefused(contribution, action)
    entry = ModerationEvent(
        contribution_id=contribution.id,
        actor_id=actor.id if actor is not None else None,
        action=action.value,
        from_status=from_status.value,
        to_status=to_status.value,
        created_at=at,
    )
    _WRITTEN_HERE.add(entry)
    db.session.add(entry)
    db.session.flush()
    given = None
    if reason:  # beside the event, where erasure can reach it
        given = EventReason(event_id=entry.id, text=reason)
        db.session.add(given)
        db.session.flush()
    set_committed_value(entry, "given_reason", given)
    return entry


def record_allowance_event(allowance: EventAllowance, action: Action, *, actor: User,
                           at: datetime) -> ModerationEvent:
    """The log entry for an event allowance opened or closed early (by ``actor``). Flushes."""
    if action not in ALLOWANCE_ACTIONS:
        raise ValueError(f"{action} is not an allowance action")
    opened = action is Action.ALLOWANCE_OPENED
    entry = ModerationEvent(
        allowance_id=allowance.id, actor_id=actor.id, action=action.value,
        from_status="" if opened else "open", to_status="open" if opened else "closed",
        created_at=at)
    _WRITTEN_HERE.add(entry)
    db.session.add(entry)
    db.session.flush()
    set_committed_value(entry, "given_reason", None)
    return entry


def erase_mentions_in_decisions(mentions: Collection[str], placeholder: str) -> int:
    """Erasure of personal data: every mention of ``mentions`` (any case) in the reason given
    for any note's decision is replaced by ``placeholder``. (Not a decision, so no log entry;
    the reason's copy beside the log, an EventReason, is erasable by its own table.) Returns
    the number of notes changed; flushes."""
    if not mentions:
        return 0
    reason = Contribution.decision_reason
    found = sa.or_(*(sa.func.lower(reason).contains(m.lower(), autoescape=True)
                     for m in mentions))
    changed = 0
    for note_id, text in db.session.execute(
            sa.select(Contribution.id, reason).where(found)).all():
        cleaned = without_mentions(text, mentions, placeholder)
        if cleaned != text:
            db.session.execute(
                sa.update(Contribution).where(Contribution.id == note_id)
                .values(decision_reason=cleaned)
                .execution_options(synchronize_session=False))
            changed += 1
    db.session.flush()
    return changed


# The events this module built: the only ones the ORM will insert.
_WRITTEN_HERE: weakref.WeakSet[ModerationEvent] = weakref.WeakSet()


class OutsideTheLifecycle(RuntimeError):
    pass


@event.listens_for(ModerationEvent, "before_insert")
def _only_the_lifecycle_writes_the_log(_mapper, _connection, target: ModerationEvent) -> None:
    if target not in _WRITTEN_HERE:
        raise OutsideTheLifecycle(
            "moderation events are written by archive.moderation.lifecycle.transition only")
