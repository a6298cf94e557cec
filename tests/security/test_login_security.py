"""Logging in: no user enumeration, throttling, password rules, and a logout that sticks."""

from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa

from archive.auth.services import UserError, create_user, password_problem
from archive.extensions import db, limiter
from archive.models import Role, User

PASSWORD = "correct horse battery"


def log_in(client, email, password, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def can_open_queue(client) -> bool:
    response = client.get("/moderation/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- enumeration ---------------------------------------------------------------------------------


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(client, make_user):
    make_user("archivist", email="ada@example.org")

    unknown = log_in(client, "nobody@example.org", "whatever it is")
    wrong = log_in(client, "ada@example.org", "whatever it is")

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.text.replace("nobody@example.org", "EMAIL") == \
        wrong.text.replace("ada@example.org", "EMAIL")


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password(client, make_user):
    make_user("archivist", email="gone@example.org", active=False)

    response = log_in(client, "gone@example.org", PASSWORD)

    assert response.status_code == 401
    assert "The email or password is not right." in response.text


@pytest.mark.slow
def test_unknown_emails_take_about_as_long_as_wrong_passwords(app, make_user):
    """Measured, not tightly asserted: the medians must be of the same order."""
    make_user("archivist", email="ada@example.org")
    client = app.test_client()
    log_in(client, "warm@example.org", "warm up")
    timings = {"unknown": [], "wrong": []}
    for _ in range(7):
        for kind, email in (("unknown", "nobody@example.org"), ("wrong", "ada@example.org")):
            start = time.perf_counter()
            log_in(client, email, "not the password")
            timings[kind].append(time.perf_counter() - start)
    unknown, wrong = (statistics.median(timings[k]) for k in ("unknown", "wrong"))
    ratio = max(unknown, wrong) / min(unknown, wrong)
    print(f"median login time: unknown email {unknown * 1000:.1f} ms, "
          f"wrong password {wrong * 1000:.1f} ms, ratio {ratio:.2f}")
    # Without the dummy hash check an unknown email answers ~100x faster.
    assert ratio < 3


# --- throttling ----------------------------------------------------------------------------------


def test_password_guessing_is_throttled_even_for_the_right_password(make_app, make_user):
    make_user("archivist", email="ada@example.org")
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   LOGIN_RATE_LIMIT="3 per minute")
    limiter.reset()
    client = app.test_client()

    guesses = [log_in(client, "ada@example.org", f"guess {n}").status_code for n in range(3)]
    fourth = log_in(client, "ada@example.org", PASSWORD)

    assert guesses == [401, 401, 401]
    assert fourth.status_code == 429
    assert int(fourth.headers["Retry-After"]) > 0
    assert not can_open_queue(client)
    limiter.reset()


# --- password rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [
    "short1!",  # too short
    "password123",  # a breached favourite
    "qwertyuiop",  # a keyboard walk
    "1234567890",
    "P@ssw0rd2024",  # a dictionary word with the usual substitutions
    "ada@example.org",  # the email itself
    "aaaaaaaaaaaaaaaa",
])
def test_weak_passwords_are_refused(password):
    assert password_problem(password, personal=("ada@example.org", "Ada")) is not None


@pytest.mark.parametrize("password", [PASSWORD, "vq7#Lm2!xZ", "tram depot on a wet tuesday"])
def test_strong_passwords_are_accepted(password):
    assert password_problem(password, personal=("ada@example.org", "Ada")) is None


def test_users_create_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["users", "create", "ada@example.org", "--role", "admin",
                                 "--password-stdin"], input="password123\n")

    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.database_independent
def test_the_service_refuses_a_weak_password_too(app):
    with app.app_context(), pytest.raises(UserError, match="too easy to guess"):
        create_user("ada@example.org", "letmein123", Role.ADMIN)


def test_set_password_checks_the_rules_and_ends_other_sessions(app, runner, make_user,
                                                               login_client):
    user = make_user("archivist", email="ada@example.org")
    elsewhere = login_client(app, user)
    assert can_open_queue(elsewhere)

    weak = runner.invoke(args=["users", "set-password", "ada@example.org",
                               "--password-stdin"], input="password1\n")
    assert weak.exit_code != 0
    assert can_open_queue(elsewhere)

    strong = runner.invoke(args=["users", "set-password", "ada@example.org",
                                 "--password-stdin"], input="a fresh lantern of brass\n")
    assert strong.exit_code == 0, strong.output
    assert not can_open_queue(elsewhere)
    client = app.test_client()
    log_in(client, "ada@example.org", "a fresh lantern of brass")
    assert can_open_queue(client)


# --- logout --------------------------------------------------------------------------------------


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_a_copied_session_cookie_stops_working_after_logout(app, make_user):
    make_user("archivist", email="ada@example.org")
    browser = app.test_client()
    log_in(browser, "ada@example.org", PASSWORD)
    stolen = _cookie(browser, "session")

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert can_open_queue(thief)  # the copy works while the session lasts...

    browser.post("/logout")
    assert not can_open_queue(browser)

    thief_after = app.test_client()
    thief_after.set_cookie("session", stolen)
    assert not can_open_queue(thief_after)  # ...and not after the logout


def test_a_copied_remember_cookie_stops_working_after_logout(app, make_user):
    make_user("archivist", email="ada@example.org")
    browser = app.test_client()
    log_in(browser, "ada@example.org", PASSWORD, remember=True)
    remembered = _cookie(browser, "remember_token")

    returning = app.test_client()
    returning.set_cookie("remember_token", remembered)
    assert can_open_queue(returning)

    browser.post("/logout")

    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert not can_open_queue(later)


def test_logging_out_elsewhere_does_not_need_the_old_token(app, make_user):
    """A session naming a user id without its token is refused (no downgrade to bare ids)."""
    user = make_user("archivist", email="ada@example.org")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not can_open_queue(client)


def test_the_remember_me_cookie_is_same_site_lax_and_http_only(app, make_user):
    make_user("archivist", email="ada@example.org")
    browser = app.test_client()

    response = log_in(browser, "ada@example.org", PASSWORD, remember=True)

    [remember] = [c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip()
                  for part in remember.split(";")[1:]}
    assert attributes["samesite"].lower() == "samesite=lax"
    assert "httponly" in attributes


def _form_token(html: str) -> str:
    import re

    match = (re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
             or re.search(r'type="hidden" name="csrf_token" value="([^"]+)"', html))
    assert match, "the page carries no form token"
    return match.group(1)


def test_logging_in_makes_a_new_form_token_and_the_old_one_stops_working(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_user("archivist", email="ada@example.org")
    browser = app.test_client()
    before = _form_token(browser.get("/login").get_data(as_text=True))

    response = browser.post("/login", data={"email": "ada@example.org", "password": PASSWORD,
                                            "csrf_token": before})
    assert response.status_code == 303

    after = _form_token(browser.get("/moderation/").get_data(as_text=True))
    assert after != before
    # A token from before the login (seen on a shared computer, or planted) does nothing now.
    refused = browser.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert can_open_queue(browser)
    assert browser.post("/logout", data={"csrf_token": after}).status_code == 303
    assert not can_open_queue(browser)
