"""Staff log in through the real form, and out again."""

from __future__ import annotations

import pytest

from archive.auth.services import create_user
from archive.extensions import db
from archive.models import Role, User

PASSWORD = "correct horse battery"
WRONG = "The email or password is not right."


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", email="ada@example.org", display_name="Ada Archivist")


def log_in(client, email, password, **query):
    return client.post("/login", query_string=query, data={"email": email, "password": password})


def is_logged_in(client) -> bool:
    response = client.get("/moderation/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_the_login_page_shows_the_form(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="email"' in response.text
    assert 'type="password"' in response.text


def test_the_right_password_logs_in_and_opens_the_queue(client, archivist):
    response = log_in(client, "ada@example.org", PASSWORD)

    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/"
    assert is_logged_in(client)
    assert "Log out Ada Archivist" in client.get("/moderation/").text


def test_the_email_is_not_case_sensitive(client, archivist):
    log_in(client, "  ADA@Example.org ", PASSWORD)

    assert is_logged_in(client)


def test_a_local_next_page_is_honoured(client, archivist):
    response = log_in(client, "ada@example.org", PASSWORD, next="/moderation/contributions/7?x=1")

    assert response.headers["Location"] == "/moderation/contributions/7?x=1"


def test_the_page_asked_for_before_logging_in_is_reached_afterwards(client, archivist):
    login_page = client.get("/moderation/?after=abc").headers["Location"]

    response = client.post(login_page, data={"email": "ada@example.org", "password": PASSWORD})

    assert response.headers["Location"] == "/moderation/?after=abc"


EXTERNAL = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "http:/evil.example",
]


def test_an_external_next_page_is_ignored(app, archivist):
    for target in EXTERNAL:
        response = log_in(app.test_client(), "ada@example.org", PASSWORD, next=target)

        assert response.status_code == 303, target
        assert response.headers["Location"] == "/moderation/", target


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app, archivist):
    answers = []
    for email, password in [("ada@example.org", "wrong horse battery"),
                            ("nobody@example.org", PASSWORD)]:
        client = app.test_client()
        response = log_in(client, email, password)
        answers.append((response.status_code, response.text.replace(email, "EMAIL")))
        assert not is_logged_in(client)

    assert answers[0] == answers[1]
    assert answers[0][0] == 401
    assert WRONG in answers[0][1]


def test_an_inactive_account_cannot_log_in(client, make_user):
    make_user("admin", email="former@example.org", active=False)

    response = log_in(client, "former@example.org", PASSWORD)

    assert response.status_code == 401
    assert WRONG in response.text
    assert not is_logged_in(client)


def test_an_empty_form_is_refused(client, archivist):
    response = log_in(client, "", "")

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not is_logged_in(client)


def test_a_logged_in_user_visiting_the_login_page_goes_to_the_queue(client, archivist):
    log_in(client, "ada@example.org", PASSWORD)

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/"


def test_logging_out_is_a_post_and_ends_the_session(client, archivist):
    log_in(client, "ada@example.org", PASSWORD)

    refused = client.get("/logout")
    assert refused.status_code == 405
    assert is_logged_in(client)

    response = client.post("/logout")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert not is_logged_in(client)
    assert "You have logged out." in client.get("/").text


def test_a_copy_of_the_session_cookie_stops_working_at_logout(app, archivist):
    browser = app.test_client()
    log_in(browser, "ada@example.org", PASSWORD)
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, browser.get_cookie(name).value)
    assert is_logged_in(thief)  # the copy works as long as the session lasts

    browser.post("/logout")

    assert not is_logged_in(thief)


def test_passwords_are_stored_hashed_and_salted(app):
    # Through the real service, not the test factory (which reuses one hash to save time).
    with app.app_context():
        users = [create_user(f"same{n}@example.org", PASSWORD, Role.ARCHIVIST) for n in (1, 2)]
        db.session.commit()
        hashes = [db.session.get(User, u.id).password_hash for u in users]
        checks = [db.session.get(User, u.id).check_password(PASSWORD) for u in users]

    assert all(PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]
    assert checks == [True, True]


def test_a_contributor_lands_on_their_own_notes_and_staff_on_the_queue(app, make_user):
    contributor = make_user("contributor")
    browser = app.test_client()
    response = log_in(browser, contributor.email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/my/contributions")
    assert browser.get(response.headers["Location"]).status_code == 200

    archivist = make_user("archivist")
    staff = app.test_client()
    assert log_in(staff, archivist.email, PASSWORD).headers["Location"].endswith("/moderation/")
