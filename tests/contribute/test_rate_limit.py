"""Rate limits: a flood of notes or of password guesses is paused, and says so kindly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from archive.extensions import db, limiter
from archive.models import Contribution

NOTE = {"body": "This is Kirkgate market in the 1950s.", "consent": "y"}
SLOW_DOWN = "Please slow down"


@pytest.fixture
def limited_app(make_app):
    """An app with rate limiting switched on, built after every other app of the test.

    Flask-Limiter keeps one ``enabled`` flag for the whole process, so the limited app must be
    the last one made; its in-memory counts are emptied before the test begins.
    """

    def factory(**overrides):
        app = make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            CONTRIBUTION_RATE_LIMIT="3 per hour",
            **overrides,
        )
        limiter.reset()
        return app

    return factory


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Contribution.id)))


def send_note(client, item, ip="203.0.113.5"):
    return client.post(
        f"/items/{item.identifier}/contribute", data=NOTE, environ_base={"REMOTE_ADDR": ip}
    )


def test_the_fourth_note_in_an_hour_is_refused_and_not_stored(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()

    accepted = [send_note(client, item).status_code for _ in range(3)]
    refused = send_note(client, item)

    assert accepted == [303, 303, 303]
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert SLOW_DOWN in page
    assert "Nothing from this last attempt was saved" in page
    assert int(refused.headers["Retry-After"]) > 0
    assert stored_count(app) == 3


def test_the_limit_counts_notes_to_any_photograph(limited_app, make_item):
    first, second = make_item(), make_item()
    app = limited_app()
    client = app.test_client()

    for item in (first, second, first):
        assert send_note(client, item).status_code == 303

    assert send_note(client, second).status_code == 429
    assert stored_count(app) == 3


def test_one_sender_being_limited_does_not_stop_another(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()
    for _ in range(4):
        send_note(client, item, ip="203.0.113.5")

    response = send_note(client, item, ip="198.51.100.20")

    assert response.status_code == 303
    assert stored_count(app) == 4


def test_reading_the_item_page_is_not_limited(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()

    views = [client.get(f"/items/{item.identifier}").status_code for _ in range(8)]
    notes = [send_note(client, item, ip="127.0.0.1").status_code for _ in range(4)]
    after = client.get(f"/items/{item.identifier}")

    assert views == [200] * 8
    assert notes == [303, 303, 303, 429]  # viewing used none of the allowance
    assert after.status_code == 200
    assert SLOW_DOWN not in after.get_data(as_text=True)


def test_password_guessing_is_paused_at_the_login_limit(limited_app, make_user):
    make_user("archivist", email="ann@archive.example", password="the right password")
    app = limited_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    guesses = [
        client.post(
            "/login", data={"email": "ann@archive.example", "password": f"guess {n}"}
        ).status_code
        for n in range(3)
    ]
    paused = client.post(
        "/login", data={"email": "ann@archive.example", "password": "the right password"}
    )

    assert guesses == [401, 401, 401]
    assert paused.status_code == 429
    assert SLOW_DOWN in paused.get_data(as_text=True)
    assert "Log out" not in paused.get_data(as_text=True)
    # Even the right password did not log in while paused.
    assert client.get("/moderation/").status_code == 302
    # The login page itself can still be read.
    assert client.get("/login").status_code == 200


def test_logging_in_within_the_limit_works(limited_app, make_user):
    make_user("archivist", email="ann@archive.example", password="the right password")
    app = limited_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    client.post("/login", data={"email": "ann@archive.example", "password": "wrong"})
    response = client.post(
        "/login", data={"email": "ann@archive.example", "password": "the right password"}
    )

    assert response.status_code == 303
    assert client.get("/moderation/").status_code == 200
