"""Rate limits: a flood of notes or of password guesses is paused, and says so kindly.

Every test runs with the limiter counting in memory and in a real Redis."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution

NOTE = {"body": "This is Kirkgate market in the 1950s.", "consent": "y"}
SLOW_DOWN = "Please slow down"


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Contribution.id)))


def send_note(client, item, ip="203.0.113.5", data=None):
    return client.post(
        f"/items/{item.identifier}/contribute", data=data or NOTE,
        environ_base={"REMOTE_ADDR": ip}
    )


def test_the_fourth_note_in_an_hour_is_refused_and_not_stored(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()

    accepted = [send_note(client, item).status_code for _ in range(3)]
    refused = send_note(client, item)

    assert accepted == [303, 303, 303]
    assert refused.status_code == 429
    assert SLOW_DOWN in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert stored_count(app) == 3


def test_a_paused_note_comes_back_as_typed_saying_when_to_send_it(limited_app, make_item):
    item = make_item()
    app = limited_app(CONTRIBUTION_RATE_LIMIT="1 per hour")
    client = app.test_client()
    send_note(client, item)
    typed = {"body": "My grandmother ran the stall on the left, \"Ada's\".",
             "suggested_place": "Kirkgate Market", "credit_name": "Jo Bloggs", "consent": "y"}

    refused = send_note(client, item, data=typed)

    assert refused.status_code == 429
    page = html.unescape(refused.get_data(as_text=True))
    assert typed["body"] in re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert 'value="Kirkgate Market"' in page
    assert 'value="Jo Bloggs"' in page
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 3600
    minutes = -(-wait // 60)
    assert f"please send it again in about {minutes} minute" in page
    assert stored_count(app) == 1


def test_notes_sent_back_for_a_correction_do_not_count(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()

    corrections = [send_note(client, item, data={"body": "", "consent": "y"}).status_code,
                   send_note(client, item, data={"body": "No consent given"}).status_code,
                   send_note(client, item, data={"body": "", "consent": "y"}).status_code]
    accepted = [send_note(client, item).status_code for _ in range(3)]

    assert corrections == [400, 400, 400]
    assert accepted == [303, 303, 303]
    assert send_note(client, item).status_code == 429
    assert stored_count(app) == 3


def test_an_accepted_note_is_not_told_to_retry(limited_app, make_item):
    # Flask-Limiter would add the limit's reset time as Retry-After to every response of a
    # limited page; only a refusal carries one.
    item = make_item()
    app = limited_app()
    client = app.test_client()

    accepted = send_note(client, item)

    assert accepted.status_code == 303
    assert "Retry-After" not in accepted.headers
    assert accepted.headers["X-RateLimit-Remaining"] == "2"


def test_ipv6_addresses_of_one_network_share_a_limit(limited_app, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()

    rotating = [send_note(client, item, ip=f"2001:db8:1:2::{n:x}").status_code
                for n in range(1, 5)]
    neighbour = send_note(client, item, ip="2001:db8:1:3::1")

    assert rotating == [303, 303, 303, 429]  # a new address in the same /64 each time
    assert neighbour.status_code == 303  # the next /64 is another visitor
    assert stored_count(app) == 4


def test_the_limiters_keys_hold_no_address(limited_app, limiter_storage, make_item):
    item = make_item()
    app = limited_app()
    client = app.test_client()
    send_note(client, item, ip="203.0.113.5")
    send_note(client, item, ip="2001:db8:1:2::5")
    client.post("/login", data={"email": "a@b.example", "password": "x"},
                environ_base={"REMOTE_ADDR": "198.51.100.77"})

    keys = limiter_storage.keys()

    assert len(keys) >= 3, keys
    for key in keys:
        for address in ("203.0.113", "2001:db8", "2001:0db8", "198.51.100"):
            assert address not in key, key


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
    page = paused.get_data(as_text=True)
    assert SLOW_DOWN in page
    assert "Log out" not in page
    assert 'href="/login"' in page  # back to the login page, which still opens
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


def test_a_paused_login_links_back_to_the_login_page_it_came_from(limited_app, make_user):
    app = limited_app(LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    login = {"email": "ann@archive.example", "password": "wrong"}
    client.post("/login?next=/moderation/log", data=login)

    paused = client.post("/login?next=/moderation/log", data=login)
    offsite = client.post("/login?next=//evil.example/", data=login)

    assert paused.status_code == 429
    assert 'href="/login?next=/moderation/log"' in html.unescape(paused.get_data(as_text=True))
    assert 'class="button" href="/login"' in offsite.get_data(as_text=True)


def test_a_paused_registration_links_back_to_the_registration_page(limited_app):
    app = limited_app(LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    for _ in range(2):
        paused = client.post("/register", data={"email": "x@example.org"})

    assert paused.status_code == 429
    assert 'href="/register"' in paused.get_data(as_text=True)
    assert "Back to the registration page" in paused.get_data(as_text=True)


def test_a_paused_search_offers_browsing(limited_app):
    app = limited_app(SEARCH_RATE_LIMIT="1 per minute")
    client = app.test_client()
    client.get("/search?q=market")

    paused = client.get("/search?q=market")

    assert paused.status_code == 429
    page = paused.get_data(as_text=True)
    assert 'class="button" href="/browse">Browse the collections</a>' in page


def test_the_same_form_sent_again_counts_once(limited_app, make_item):
    # A double click, or a retry after a lost answer, stores one note: it uses one of the hour's.
    item = make_item()
    app = limited_app()
    client = app.test_client()
    same = {**NOTE, "submission_key": "b2" * 16}

    resent = [send_note(client, item, data=same).status_code for _ in range(3)]
    others = [send_note(client, item, data={**NOTE, "body": f"Another {n}"}).status_code
              for n in range(3)]

    assert resent == [303, 303, 303]
    assert others == [303, 303, 429]
    assert stored_count(app) == 3
