"""Archivists deciding the same notes at the same moment: each note is decided exactly once."""

from __future__ import annotations

import random
import threading
from collections import Counter

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, ModerationEvent, User
from archive.moderation.services import (
    AlreadyDecided,
    approve_contribution,
    mark_spam,
    reject_contribution,
)

THREADS = 8
NOTES = 12
SERVICES = [
    (approve_contribution, ContributionStatus.APPROVED),
    (reject_contribution, ContributionStatus.REJECTED),
    (mark_spam, ContributionStatus.SPAM),
]


def test_each_note_is_decided_once_however_many_archivists_race(app, make_item, make_user,
                                                                make_contribution):
    item = make_item(with_image=False)
    note_ids = [make_contribution(item, suggested_place="Kirkgate").id for _ in range(NOTES)]
    moderator_ids = [make_user("archivist").id for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[tuple[int, int, ContributionStatus | None]] = []  # (note, moderator, won as)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def moderate(n: int) -> None:
        service, status = SERVICES[n % len(SERVICES)]
        order = list(note_ids)
        random.Random(n).shuffle(order)  # not everyone starts with the same note
        try:
            with app.app_context():
                moderator = db.session.get(User, moderator_ids[n])
                barrier.wait()
                for note_id in order:
                    note = db.session.get(Contribution, note_id)
                    try:
                        if service is approve_contribution:
                            service(note, moderator, apply=("place",))
                        else:
                            service(note, moderator)
                    except AlreadyDecided:
                        db.session.rollback()
                        outcome = None
                    else:
                        db.session.commit()
                        outcome = status
                    with lock:
                        outcomes.append((note_id, moderator_ids[n], outcome))
        except BaseException as error:  # reported below, in the test's own thread
            with lock:
                errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=moderate, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(outcomes) == THREADS * NOTES
    winners = {(note, moderator, status) for note, moderator, status in outcomes if status}
    assert Counter(note for note, _, _ in winners) == Counter(note_ids)
    with app.app_context():
        for note_id, moderator_id, status in winners:
            note = db.session.get(Contribution, note_id)
            events = db.session.scalars(
                sa.select(ModerationEvent).where(ModerationEvent.contribution_id == note_id)
            ).all()
            assert (note.status, note.decided_by_id) == (status, moderator_id)
            assert [(e.actor_id, e.to_status) for e in events] == [(moderator_id, status.value)]
        assert db.session.scalar(sa.select(sa.func.count(ModerationEvent.id))) == NOTES
