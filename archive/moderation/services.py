"""Moderation decisions and enrichment: the rules, enforced atomically.

Each function takes the acting user, writes its audit record and flushes; the caller (a view
or a command) commits once.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import sqlalchemy as sa
from flask_babel import format_date, format_time
from flask_babel import gettext as _

from archive.dates import year_range
from archive.extensions import db
from archive.i18n_words import N_
from archive.models import (
    Contribution,
    ContributionStatus,
    Enrichment,
    Item,
    ModerationEvent,
    Role,
    User,
    mark_items_changed,
    merge_names,
    utcnow,
)
from archive.moderation.lifecycle import TRANSITIONS, Action, TransitionRefused, transition
from archive.scope import EVERYTHING, Scope
from archive.text import clean_text

# The decisions an archivist takes on a pending note (the decision form's choices), and the
# status each leads to.
ACTIONS = {action: TRANSITIONS[action][ContributionStatus.PENDING]
           for action in (Action.APPROVE, Action.REJECT, Action.SPAM)}

# Suggested fields of a contribution, and the catalogue field each one enriches.
SUGGESTION_FIELDS = {
    "date": ("suggested_date", "date_text"),
    "place": ("suggested_place", "place"),
    "people": ("suggested_people", "people"),
}


class ModerationError(Exception):
    """A decision that cannot be taken. The message is fit to show the archivist."""


# One sentence per status, so that each language can say it its own way.
_ALREADY_DECIDED = {
    ContributionStatus.APPROVED: N_(
        "This note was already approved by %(who)s at %(time)s on %(date)s (UTC)."),
    ContributionStatus.REJECTED: N_(
        "This note was already rejected by %(who)s at %(time)s on %(date)s (UTC)."),
    ContributionStatus.SPAM: N_(
        "This note was already spam by %(who)s at %(time)s on %(date)s (UTC)."),
    ContributionStatus.WITHDRAWN: N_(
        "This note was already withdrawn by %(who)s at %(time)s on %(date)s (UTC)."),
}


class AlreadyDecided(ModerationError):
    def __init__(self, contribution: Contribution):
        self.contribution = contribution
        who = (contribution.decided_by.display_name if contribution.decided_by
               else _("the system"))
        message = _ALREADY_DECIDED.get(
            contribution.status,
            N_("This note was already decided by %(who)s at %(time)s on %(date)s (UTC)."))
        decided_at = contribution.decided_at
        super().__init__(_(message, who=who, time=format_time(decided_at, "HH:mm"),
                           date=format_date(decided_at, "dd MMM y")))


class NotAllowed(ModerationError):
    pass


def _cannot_moderate(moderator: User) -> NotAllowed:
    return NotAllowed(_("You cannot moderate a note you submitted yourself.")
                      if moderator.active else _("Your account cannot moderate."))


class _Keep(enum.Enum):
    REGION = "keep"


# Passed as ``edited_region``: the note's box stays as the contributor drew it.
KEEP_REGION = _Keep.REGION
EditedRegion = tuple[float, float, float, float] | None | _Keep


def region_change(contribution: Contribution,
                  sent: tuple[float, float, float, float] | None) -> EditedRegion:
    """What an archivist's form does to a note's box: ``KEEP_REGION`` when it leaves the box
    as the contributor drew it (or the note has none), None to remove it, else the new box."""
    region = contribution.region
    if region is None:
        return KEEP_REGION
    if sent is not None and all(abs(a - b) < 1e-6
                                for a, b in zip(sent, region.as_tuple(), strict=True)):
        return KEEP_REGION
    return sent


def decide(
    contribution: Contribution,
    moderator: User,
    to_status: ContributionStatus,
    *,
    reason: str = "",
    rejection_code: str = "",
    edited_body: str | None = None,
    edited_region: EditedRegion = KEEP_REGION,
) -> Contribution:
    """Move a pending contribution to ``to_status``: exactly once, whoever else tries too.

    The change is a single conditional UPDATE (``... WHERE status = 'pending'``, made by
    :func:`archive.moderation.lifecycle.transition`), so two archivists deciding at once
    cannot both succeed, on SQLite or PostgreSQL. An approval may carry the archivist's edit
    of the text (the original is kept); a rejection, the code of one of the configured
    reasons.
    """
    if not contribution.can_moderate(moderator):
        raise _cannot_moderate(moderator)
    if to_status not in ACTIONS.values():
        raise ModerationError(_("Unknown decision: %(decision)s", decision=to_status))
    if edited_body is not None and to_status is not ContributionStatus.APPROVED:
        raise ModerationError(_("Only an approval can change the text of a note."))
    if edited_region is not KEEP_REGION:
        if to_status is not ContributionStatus.APPROVED:
            raise ModerationError(_("Only an approval can change the box of a note."))
        if not contribution.has_region:
            raise ModerationError(_("This note has no box to change."))
    if rejection_code and to_status is not ContributionStatus.REJECTED:
        raise ModerationError(_("A rejection reason goes with a rejection only."))
    reason = (reason or "").strip()
    action = next(a for a, status in ACTIONS.items() if status is to_status)
    changes: dict[str, object] = {"rejection_code": rejection_code or ""}
    if edited_body is not None:
        changes["edited_body"] = edited_body
        action = Action.APPROVE_WITH_EDITS
    if not isinstance(edited_region, _Keep):
        # The archivist's box beside the contributor's (None everywhere: removed).
        x, y, w, h = edited_region if edited_region is not None else (None,) * 4
        changes.update(region_edited=True, edited_region_x=x, edited_region_y=y,
                       edited_region_w=w, edited_region_h=h)
        action = Action.APPROVE_WITH_EDITS
    try:
        transition(contribution, action, actor=moderator, reason=reason, changes=changes)
    except TransitionRefused:
        raise AlreadyDecided(contribution) from None
    return contribution


def approve_contribution(
    contribution: Contribution,
    moderator: User,
    *,
    apply: tuple[str, ...] = (),
    reason: str = "",
    edited_text: str | None = None,
    edited_region: EditedRegion = KEEP_REGION,
) -> Contribution:
    """Approve a note, and fold the suggestions named in ``apply`` into the item's record.

    With ``edited_text`` (different from what the contributor wrote) the public reads the
    archivist's version; the original stays with the note, for staff. So with
    ``edited_region``: the box moved or resized (x, y, width, height as fractions of its
    image), or None to publish the note without its box; the contributor's box is kept.
    Either edit is logged as an approval with edits.
    """
    edited_body = None
    if edited_text is not None:
        edited_body = clean_text(edited_text)
        if not edited_body:
            raise ModerationError(_("The edited text is empty: approve the note as written, "
                                    "or reject it."))
        if edited_body == contribution.body:
            edited_body = None
    if not isinstance(edited_region, _Keep) and edited_region is not None \
            and contribution.has_region:
        edited_region = region_change(contribution, edited_region)  # unchanged: kept
    decide(contribution, moderator, ContributionStatus.APPROVED, reason=reason,
           edited_body=edited_body, edited_region=edited_region)
    contribution.item.mark_changed()
    for suggestion in apply:
        apply_suggestion(contribution, suggestion, moderator)
    return contribution


def reject_contribution(contribution: Contribution, moderator: User, *, reason: str = "",
                        rejection_code: str = ""):
    return decide(contribution, moderator, ContributionStatus.REJECTED, reason=reason,
                  rejection_code=rejection_code)


def mark_spam(contribution: Contribution, moderator: User, *, reason: str = ""):
    return decide(contribution, moderator, ContributionStatus.SPAM, reason=reason)


def apply_suggestion(contribution: Contribution, suggestion: str, user: User) -> Enrichment | None:
    """Copy one suggested field of an approved note into the item's record, with provenance."""
    if contribution.status is not ContributionStatus.APPROVED:
        raise ModerationError(_("Only approved notes can change the record."))
    if suggestion not in SUGGESTION_FIELDS:
        raise ModerationError(_("Unknown suggestion: %(suggestion)s", suggestion=suggestion))
    source_attr, field = SUGGESTION_FIELDS[suggestion]
    value = getattr(contribution, source_attr).strip()
    if not value:
        return None
    item = contribution.item
    # The suggestion goes onto the record as it is now: written first (a pending change such
    # as mark_changed is kept), then read again under a row lock, so that a note approved at
    # the same moment on the same item is built upon, and the old value recorded is the real one.
    db.session.flush()
    db.session.execute(sa.select(Item.id).where(Item.id == item.id).with_for_update())
    db.session.refresh(item)
    if field == "people":
        # Names are added to those already recorded, not put in their place.
        value = merge_names(item.people, value)
    return apply_enrichment(item, field, value, user, contribution=contribution)


# English here; translated when a message names them.
FIELD_LABELS = {"date_text": N_("date"), "place": N_("place"), "people": N_("people shown"),
                "subjects": N_("subjects")}


class RecordChanged(ModerationError):
    """The record changed since the archivist looked at it: nothing was overwritten."""


def apply_enrichment(
    item: Item,
    field: str,
    new_value: str,
    user: User,
    *,
    contribution: Contribution | None,
    expected_old: str | None = None,
    years: tuple[int | None, int | None] | None = None,
) -> Enrichment | None:
    """Change one field of the record, keeping the old value and where the new one came from.

    The change is a conditional UPDATE on the value the archivist saw (``expected_old``, else
    the value loaded): if someone else changed the field meanwhile, nothing is overwritten and
    :class:`RecordChanged` says what it holds now. A date also sets the normalised year range,
    ``years`` when the archivist gave it, else read from the text.
    """
    if field not in Item.ENRICHABLE_FIELDS:
        raise ModerationError(_("The field “%(field)s” cannot be enriched.", field=field))
    new_value = clean_text(new_value, multiline=field in ("people", "subjects"))
    old_value = (getattr(item, field) or "") if expected_old is None else expected_old
    if old_value == new_value and years is None:
        return None
    values: dict[str, str | int | None] = {field: new_value}
    old_years: tuple[int | None, int | None] = (None, None)
    new_years: tuple[int | None, int | None] = (None, None)
    if field == "date_text":
        old_years = (item.date_earliest, item.date_latest)
        new_years = years if years is not None else year_range(new_value)
        earliest, latest = new_years
        if earliest is not None and latest is not None and earliest > latest:
            raise ModerationError(_("The earliest year must not be after the latest year."))
        if old_value == new_value and old_years == tuple(new_years):
            return None
        values.update(date_earliest=earliest, date_latest=latest)
    now = utcnow()
    column = getattr(Item, field)
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Item)
        .where(Item.id == item.id, sa.func.coalesce(column, "") == old_value)
        .values(**values, record_changed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ))
    db.session.refresh(item)
    if result.rowcount != 1:
        raise RecordChanged(_(
            "The %(field)s of “%(title)s” was changed by someone else meanwhile (it now reads "
            "“%(value)s”). Nothing was overwritten: look at the record again.",
            field=_(FIELD_LABELS[field]), title=item.title,
            value=getattr(item, field) or _("blank")))
    item.mark_changed(now)  # as the UPDATE did: it notes the item for search at commit
    enrichment = Enrichment(
        item_id=item.id,
        field=field,
        old_value=old_value,
        new_value=new_value,
        contribution_id=contribution.id if contribution else None,
        applied_by_id=user.id,
        applied_at=now,
    )
    if field == "date_text":
        enrichment.old_date_earliest, enrichment.old_date_latest = old_years
        enrichment.new_date_earliest, enrichment.new_date_latest = new_years
    db.session.add(enrichment)
    db.session.flush()
    return enrichment


def enrich_from_note(
    contribution: Contribution,
    user: User,
    changes: dict[str, tuple[str, str]],
    *,
    years: tuple[int | None, int | None] | None = None,
) -> list[Enrichment]:
    """Apply what an approved note told us: ``changes`` maps a field to (value seen, new value).

    All or nothing: if one field changed meanwhile, the caller rolls back and none is applied.
    """
    if contribution.status is not ContributionStatus.APPROVED:
        raise ModerationError(_("Only approved notes can change the record."))
    if not user.has_role(Role.ARCHIVIST):
        raise NotAllowed(_("Only archivists change the record."))
    applied = []
    for field, (seen, new_value) in changes.items():
        enrichment = apply_enrichment(
            contribution.item, field, new_value, user, contribution=contribution,
            expected_old=seen, years=years if field == "date_text" else None)
        if enrichment is not None:
            applied.append(enrichment)
    return applied


def revert_enrichment(enrichment: Enrichment, user: User) -> Enrichment:
    """Put back the value an enrichment replaced; the revert is itself a recorded change.

    Refused when the field no longer holds the enrichment's value (a later change would be
    lost silently) or when it was already reverted; both checks are conditional UPDATEs.
    """
    if not user.has_role(Role.ARCHIVIST):
        raise NotAllowed(_("Only archivists change the record."))
    if enrichment.is_reverted:
        raise ModerationError(_("This change was already reverted."))
    item = db.session.get_one(Item, enrichment.item_id)  # the foreign key keeps it there
    years = None
    if enrichment.field == "date_text" and (enrichment.old_date_earliest is not None
                                            or enrichment.new_date_earliest is not None
                                            or enrichment.old_date_latest is not None):
        years = (enrichment.old_date_earliest, enrichment.old_date_latest)
    revert = apply_enrichment(item, enrichment.field, enrichment.old_value, user,
                              contribution=None, expected_old=enrichment.new_value,
                              years=years)
    now = utcnow()
    result = cast(sa.CursorResult, db.session.execute(
        sa.update(Enrichment)
        .where(Enrichment.id == enrichment.id, Enrichment.reverted_at.is_(None))
        .values(reverted_at=now, reverted_by_id=user.id)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        raise ModerationError(_("This change was already reverted."))
    if revert is None:  # the values were equal: still record the revert
        revert = Enrichment(item_id=item.id, field=enrichment.field,
                            old_value=enrichment.new_value, new_value=enrichment.old_value,
                            applied_by_id=user.id, applied_at=now)
        db.session.add(revert)
    revert.reverts_id = enrichment.id
    db.session.flush()
    db.session.refresh(enrichment)
    item.mark_changed(now)
    return revert


_NOT_WITHDRAWABLE = {
    ContributionStatus.PENDING: N_("Only an approved note can be withdrawn; this one is pending."),
    ContributionStatus.REJECTED: N_(
        "Only an approved note can be withdrawn; this one is rejected."),
    ContributionStatus.SPAM: N_("Only an approved note can be withdrawn; this one is spam."),
}


def withdraw_contribution(contribution: Contribution, moderator: User, *, reason: str,
                          revert_enrichments: bool = False) -> Contribution:
    """Take an approved note down: it leaves the item page and the exports (which record it)."""
    if not contribution.can_moderate(moderator):
        raise _cannot_moderate(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Say why the note is withdrawn: the reason is kept in the log."))
    try:
        event = transition(contribution, Action.WITHDRAW, actor=moderator, reason=reason)
    except TransitionRefused:
        if contribution.status is ContributionStatus.WITHDRAWN:
            raise AlreadyDecided(contribution) from None
        message = _NOT_WITHDRAWABLE.get(contribution.status,
                                        N_("Only an approved note can be withdrawn."))
        raise ModerationError(_(message)) from None
    now = event.created_at
    if revert_enrichments:
        for enrichment in active_enrichments_from(contribution):
            revert_enrichment(enrichment, moderator)
    contribution.item.mark_changed(now)
    db.session.flush()
    return contribution


def active_enrichments_from(contribution: Contribution) -> list[Enrichment]:
    """Changes this note made to the record that have not been reverted, newest first."""
    return list(db.session.scalars(
        sa.select(Enrichment)
        .where(Enrichment.contribution_id == contribution.id, Enrichment.reverted_at.is_(None))
        .order_by(Enrichment.id.desc())
    ))


def enrichments_from(contribution: Contribution) -> list[Enrichment]:
    return list(db.session.scalars(
        sa.select(Enrichment).where(Enrichment.contribution_id == contribution.id)
        .order_by(Enrichment.id)
    ))


# --- several notes at once ---------------------------------------------------------------------


@dataclass
class BulkResult:
    decided: list[Contribution]
    skipped: list[tuple[Contribution, str]]


def bulk_decide(contributions: list[Contribution], moderator: User, to_status: ContributionStatus,
                *, reason: str = "", rejection_code: str = "") -> BulkResult:
    """Decide each note; a note someone else decided (or one's own) is skipped and said why.

    Each note is its own conditional UPDATE: a skipped note writes nothing, so the caller
    commits the others once.
    """
    result = BulkResult([], [])
    # Rows are locked in one order (contributions by id, then their items by id) by everyone,
    # so two archivists deciding overlapping selections wait for each other, never deadlock.
    for contribution in sorted(contributions, key=lambda c: c.id):
        try:
            decide(contribution, moderator, to_status, reason=reason,
                   rejection_code=rejection_code if to_status is ContributionStatus.REJECTED
                   else "")
        except ModerationError as error:
            result.skipped.append((contribution, str(error)))
            continue
        result.decided.append(contribution)
    if to_status is ContributionStatus.APPROVED:
        now = utcnow()
        item_ids = sorted({c.item_id for c in result.decided})
        for item_id in item_ids:
            db.session.execute(
                sa.update(Item).where(Item.id == item_id).values(record_changed_at=now)
                .execution_options(synchronize_session=False))
        mark_items_changed(db.session, item_ids)  # their search text takes the new notes
    db.session.flush()
    return result


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. The default is every pending note, oldest first."""

    status: ContributionStatus = ContributionStatus.PENDING
    collection_id: int | None = None
    item_id: int | None = None
    help_only: bool = False
    contributor: str = ""  # an email address, an account id ("account:12") or part of a name
    text: str = ""
    # The institutions whose notes the archivist works on (every one by default).
    scope: Scope = EVERYTHING

    @property
    def newest_first(self) -> bool:
        # Pending notes are worked oldest first; decided ones are looked up, latest first.
        return self.status is not ContributionStatus.PENDING


@dataclass(frozen=True)
class QueuePage:
    contributions: list[Contribution]
    next_cursor: str | None
    pending_count: int
    counts: dict[ContributionStatus, int] | None = None
    count_limit: int | None = None
    oldest_pending: datetime | None = None


def encode_cursor(created_at: datetime, contribution_id: int) -> str:
    raw = f"{created_at.isoformat()}|{contribution_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Contribution ids are 32-bit INTEGERs on PostgreSQL: a larger one in a cursor cannot be bound.
_MAX_ID = 2**31 - 1


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for a cursor this app did not write."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp_text, _sep, ident_text = base64.urlsafe_b64decode(padded).decode().partition("|")
        stamp, ident = datetime.fromisoformat(stamp_text), int(ident_text)
        if stamp.tzinfo is None or not 0 <= ident <= _MAX_ID:
            return None
        return stamp.astimezone(UTC), ident
    except (ValueError, OverflowError, UnicodeDecodeError):
        return None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_conditions(filters: QueueFilter) -> list:
    conditions = [Contribution.status == filters.status]
    if not filters.scope.everything:
        conditions.append(filters.scope.contributions())
    if filters.item_id is not None:
        conditions.append(Contribution.item_id == filters.item_id)
    if filters.collection_id is not None or filters.help_only:
        item_conditions = [Item.id == Contribution.item_id]
        if filters.collection_id is not None:
            item_conditions.append(Item.collection_id == filters.collection_id)
        if filters.help_only:
            item_conditions.append(Item.needs_help.is_(True))
        conditions.append(sa.exists().where(*item_conditions))
    who = filters.contributor.strip()
    if who.startswith("account:") and who[8:].isdigit() and int(who[8:]) <= _MAX_ID:
        conditions.append(Contribution.submitted_by_id == int(who[8:]))
    elif "@" in who:
        conditions.append(Contribution.email == who.lower())
    elif who:
        conditions.append(Contribution.credit_name.ilike(_like(who), escape="\\"))
    text = filters.text.strip()
    if text:
        pattern = _like(text)
        conditions.append(sa.or_(Contribution.body.ilike(pattern, escape="\\"),
                                 Contribution.edited_body.ilike(pattern, escape="\\"),
                                 Contribution.suggested_place.ilike(pattern, escape="\\"),
                                 Contribution.suggested_people.ilike(pattern, escape="\\")))
    return conditions


def status_counts(limit: int | None = None,
                  scope: Scope = EVERYTHING) -> dict[ContributionStatus, int]:
    """How many notes hold each status, each counted exactly up to ``limit`` (then limit + 1).

    Each count reads at most ``limit + 1`` index entries, so the queue page costs the same
    however many notes the archive holds.
    """
    counts = {}
    for status in ContributionStatus:
        inner = sa.select(Contribution.id).where(Contribution.status == status,
                                                 scope.contributions())
        if limit is not None:
            inner = inner.limit(limit + 1)
        counts[status] = db.session.scalar(
            sa.select(sa.func.count()).select_from(inner.subquery())) or 0
    return counts


def oldest_pending_at(scope: Scope = EVERYTHING) -> datetime | None:
    return db.session.scalar(
        sa.select(Contribution.created_at)
        .where(Contribution.status == ContributionStatus.PENDING, scope.contributions())
        .order_by(Contribution.created_at.asc(), Contribution.id.asc())
        .limit(1)
    )


def pending_queue(*, after: str | None = None, limit: int = 20,
                  filters: QueueFilter | None = None,
                  count_limit: int | None = None) -> QueuePage:
    """Notes of one status (pending by default, oldest first), a page at a time.

    Keyset pagination on (created_at, id), read through the (status, created_at, id) index:
    a page costs the same at the end of a long queue as at its start.
    """
    filters = filters or QueueFilter()
    if filters.newest_first:
        order = (Contribution.created_at.desc(), Contribution.id.desc())
    else:
        order = (Contribution.created_at.asc(), Contribution.id.asc())
    query = (
        sa.select(Contribution)
        .where(*_filter_conditions(filters))
        .order_by(*order)
        .limit(limit + 1)
    )
    position = decode_cursor(after)
    if position is not None:
        stamp, ident = position
        # The first condition is a plain range on the index (created_at), which both
        # databases seek to; the second breaks ties on the timestamp by id.
        if filters.newest_first:
            query = query.where(Contribution.created_at <= stamp, sa.or_(
                Contribution.created_at < stamp, Contribution.id < ident))
        else:
            query = query.where(Contribution.created_at >= stamp, sa.or_(
                Contribution.created_at > stamp, Contribution.id > ident))
    rows = list(db.session.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    if count_limit is None:
        pending = db.session.scalar(
            sa.select(sa.func.count()).where(Contribution.status == ContributionStatus.PENDING,
                                             filters.scope.contributions())
        )
        return QueuePage(rows, next_cursor, pending or 0)
    counts = status_counts(count_limit, filters.scope)
    return QueuePage(rows, next_cursor, counts[ContributionStatus.PENDING], counts,
                     count_limit, oldest_pending_at(filters.scope))


def contribution_history(contribution: Contribution) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            sa.select(ModerationEvent)
            .where(ModerationEvent.contribution_id == contribution.id)
            .order_by(ModerationEvent.id)
        )
    )
