"""One module owns every change of a note's state: its table, its conditional update, its log."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, ModerationEvent, User, utcnow
from archive.moderation.lifecycle import (
    ACTION_LABELS,
    ALLOWANCE_ACTIONS,
    TRANSITIONS,
    Action,
    OutsideTheLifecycle,
    TransitionRefused,
    allowed,
    transition,
)

ARCHIVE = Path(__file__).resolve().parents[2] / "archive"
LIFECYCLE = ARCHIVE / "moderation" / "lifecycle.py"
S = ContributionStatus


def test_every_action_has_a_label_and_a_rule():
    assert set(ACTION_LABELS) == set(Action)
    assert set(TRANSITIONS) == set(Action)
    for action in Action:
        assert action.label == ACTION_LABELS[action]
        # An allowance's actions move no note (record_allowance_event writes them).
        assert TRANSITIONS[action] or action in ALLOWANCE_ACTIONS, f"{action} can never happen"
        assert len(action.value) <= 40  # moderation_events.action is a VARCHAR(40)


@pytest.mark.database_independent
def test_every_label_is_translated_into_welsh(app):
    with app.test_request_context(), force_locale("cy"):
        untranslated = [a for a in Action if gettext(a.label) == a.label]
    assert untranslated == []


def test_the_table_keeps_decisions_final():
    # A pending note is decided once; only an approved note moves on (withdrawn); nothing
    # brings a note back to pending.
    for action, rule in TRANSITIONS.items():
        assert S.PENDING not in rule.values(), action
        for from_status, to_status in rule.items():
            if to_status is not from_status:
                assert (from_status, to_status) in {
                    (S.PENDING, S.APPROVED), (S.PENDING, S.REJECTED), (S.PENDING, S.SPAM),
                    (S.APPROVED, S.WITHDRAWN)}, (action, from_status, to_status)
    assert allowed(Action.WITHDRAW, S.APPROVED) and not allowed(Action.WITHDRAW, S.PENDING)
    assert not allowed(Action.APPROVE, S.REJECTED)


def _events(contribution_id: int) -> list[tuple]:
    return [(e.action, e.from_status, e.to_status, e.actor_id) for e in db.session.scalars(
        sa.select(ModerationEvent).where(ModerationEvent.contribution_id == contribution_id)
        .order_by(ModerationEvent.id))]


def test_a_transition_moves_the_status_records_the_decision_and_logs_it(
        app, make_item, make_contribution, make_user):
    archivist = make_user("archivist")
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        row = db.session.get_one(Contribution, note.id)
        event = transition(row, Action.REJECT, actor=db.session.get(User, archivist.id),
                           reason="Not this place", changes={"rejection_code": "wrong"})
        db.session.commit()
        row = db.session.get_one(Contribution, note.id)
        assert row.status is S.REJECTED and row.rejection_code == "wrong"
        assert row.decided_by_id == archivist.id and row.decision_reason == "Not this place"
        assert row.decided_at == event.created_at
        assert _events(note.id) == [("reject", "pending", "rejected", archivist.id)]


def test_an_action_the_table_does_not_allow_is_refused_and_writes_nothing(
        app, make_item, make_contribution):
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        row = db.session.get_one(Contribution, note.id)
        with pytest.raises(TransitionRefused) as refused:
            transition(row, Action.WITHDRAW, actor=None, reason="no")
        assert refused.value.status is S.PENDING and refused.value.action is Action.WITHDRAW
        db.session.rollback()
        assert db.session.get_one(Contribution, note.id).status is S.PENDING
        assert _events(note.id) == []


def test_a_note_changed_since_it_was_loaded_is_refused(app, make_item, make_contribution):
    """The update is conditional on the status the caller saw: a stale note changes nothing."""
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        row = db.session.get_one(Contribution, note.id)
        assert row.status is S.PENDING
        # Someone else decides it meanwhile; the note this session loaded does not know.
        db.session.execute(
            sa.update(Contribution).where(Contribution.id == note.id)
            .values(status=S.SPAM, decided_at=utcnow())
            .execution_options(synchronize_session=False))
        assert row.status is S.PENDING
        with pytest.raises(TransitionRefused):
            transition(row, Action.APPROVE, actor=None)
        assert row.status is S.SPAM  # re-read: the refusal says how it is now
        db.session.rollback()
        assert _events(note.id) == []


def test_columns_the_lifecycle_owns_cannot_be_slipped_in(app, make_item, make_contribution):
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        row = db.session.get_one(Contribution, note.id)
        with pytest.raises(ValueError, match="status"):
            transition(row, Action.SOLVED, actor=None, changes={"status": S.APPROVED})


def test_an_event_built_elsewhere_is_refused(app, make_item, make_contribution):
    note = make_contribution(make_item(with_image=False))
    with app.app_context():
        db.session.add(ModerationEvent(contribution_id=note.id, action="approve",
                                       from_status="pending", to_status="approved"))
        with pytest.raises(OutsideTheLifecycle):
            db.session.flush()
        db.session.rollback()


def _writes_notes(values_call: ast.Call) -> bool:
    """Whether ``….values(…)`` is an UPDATE or INSERT of the notes' table (other tables, such as
    the outbox, have status columns of their own)."""
    receiver = values_call.func.value if isinstance(values_call.func, ast.Attribute) else None
    for part in ast.walk(receiver) if receiver is not None else ():
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute | ast.Name):
            called = part.func.attr if isinstance(part.func, ast.Attribute) else part.func.id
            if called in {"update", "insert"} and part.args and isinstance(
                    part.args[0], ast.Name) and part.args[0].id == "Contribution":
                return True
    return False


def _offences(path: Path) -> list[str]:
    """Places in ``path`` that change a note's state or write to the log by themselves."""
    found = []
    own = {"status", "decided_at", "decided_by_id", "decision_reason"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(path.parents[1])}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            name = (node.func.id if isinstance(node.func, ast.Name)
                    else node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if name == "ModerationEvent":
                found.append(f"{where} builds a ModerationEvent")
            elif name == "insert" and any(isinstance(a, ast.Name) and a.id == "ModerationEvent"
                                          for a in node.args):
                found.append(f"{where} inserts into the log")
            elif name == "values" and own & {k.arg for k in node.keywords if k.arg} \
                    and _writes_notes(node):
                found.append(f"{where} updates a decision column")
            elif name == "Contribution":
                for keyword in node.keywords:
                    if keyword.arg == "status" and ast.unparse(keyword.value) != (
                            "ContributionStatus.PENDING"):
                        found.append(f"{where} creates a note that is not pending")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr in own:
                        found.append(f"{where} assigns .{part.attr}")
    return found


def test_nothing_outside_the_lifecycle_changes_a_notes_state():
    offences = [o for path in sorted(ARCHIVE.rglob("*.py")) if path != LIFECYCLE
                for o in _offences(path)]
    assert offences == []


def test_the_offence_finder_finds_offences(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "note.status = ContributionStatus.SPAM\n"
        "db.session.add(ModerationEvent(action='approve'))\n"
        "db.session.execute(sa.insert(ModerationEvent).values(action='approve'))\n"
        "sa.update(Contribution).values(decided_at=now)\n"
        "sa.update(OutboxMessage).values(status=OutboxStatus.QUEUED)\n"
        "Contribution(status=ContributionStatus.APPROVED)\n"
        "Contribution(status=ContributionStatus.PENDING)\n", encoding="utf-8")
    assert len(_offences(sample)) == 5
    assert _offences(LIFECYCLE) != []  # the lifecycle itself does these


def test_an_action_that_only_records_is_logged_on_the_status_it_saw(app, make_item,
                                                                    make_contribution):
    note = make_contribution(make_item(with_image=False), status="approved")
    with app.app_context():
        row = db.session.get_one(Contribution, note.id)

        entry = transition(row, Action.SOLVED, actor=None)
        db.session.commit()

        assert (entry.from_status, entry.to_status) == ("approved", "approved")
        assert row.status is S.APPROVED
        assert _events(note.id) == [("solved", "approved", "approved", None)]
