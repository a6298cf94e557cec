"""The team's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.moderation.dashboard import dashboard

NOW = datetime(2024, 6, 30, 15, 0, tzinfo=UTC)


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


def test_figures(app, archivist, make_user, make_item, make_contribution):
    item = make_item(with_image=False)
    member = make_user("contributor", display_name="Kim Lee")
    make_contribution(item, created_at=NOW - timedelta(days=2))  # pending
    make_contribution(item, created_at=NOW - timedelta(hours=5))  # pending
    for hours, day in ((2, 0), (4, 0), (10, 1)):
        make_contribution(item, status="approved", decided_by=archivist, submitted_by_id=member.id,
                          created_at=NOW - timedelta(days=day, hours=hours),
                          decided_at=NOW - timedelta(days=day))
    make_contribution(item, status="approved", decided_by=archivist, credit_name="Jo Bloggs",
                      show_name=True, created_at=NOW - timedelta(days=40),
                      decided_at=NOW - timedelta(days=39))
    make_contribution(item, status="approved", decided_by=archivist, credit_name="Hidden Name",
                      show_name=False, email="hidden@example.net",
                      created_at=NOW - timedelta(days=1, hours=1), decided_at=NOW - timedelta(
                          days=1))
    make_contribution(item, status="spam", created_at=NOW - timedelta(hours=1),
                      decided_at=NOW)  # caught by the system: not a decision by the team

    with app.app_context():
        figures = dashboard(now=NOW, period_days=7)

    assert figures.pending == 2
    assert figures.oldest_pending == NOW - timedelta(days=2)
    assert figures.decided_in_period == 4
    assert figures.median_wait == timedelta(hours=3)  # 1h, 2h, 4h, 10h
    days = dict(figures.days)
    assert len(days) == 7
    assert days[NOW.date()] == 2 and days[(NOW - timedelta(days=1)).date()] == 2
    assert sum(days.values()) == 4
    # A note sent without an account or a published name is nobody's: "Anonymous contributor"
    # is many people, and never ranked as one.
    assert [(c.name, c.has_account, c.approved) for c in figures.top_contributors] == [
        ("Kim Lee", True, 3), ("Jo Bloggs", False, 1)]


def test_the_page(app, archivist, make_item, make_contribution, login_client):
    make_contribution(make_item(with_image=False), email="secret@example.net",
                      credit_name="Jo", show_name=True, status="approved", decided_by=archivist)
    staff = login_client(app, archivist)

    html = staff.get("/moderation/dashboard").text

    assert "Notes waiting" in html
    assert "Jo: 1 approved note" in html
    assert "secret@example.net" not in html
