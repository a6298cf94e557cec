"""`flask users create` and `flask users list`."""

from __future__ import annotations

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Role, User

PASSWORD = "a long enough password"


def users(app) -> list[tuple[str, Role, str]]:
    with app.app_context():
        return [(u.email, u.role, u.display_name)
                for u in db.session.scalars(sa.select(User).order_by(User.id))]


def stored_user(app, email) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def create(runner, *args, input=f"{PASSWORD}\n"):
    return runner.invoke(args=["users", "create", *args], input=input)


def test_create_with_the_password_on_standard_input(app, client, runner):
    result = create(runner, "Ada@Example.org", "--role", "archivist", "--name", "Ada Archivist",
                    "--password-stdin")

    assert result.exit_code == 0, result.output
    assert "ada@example.org" in result.output
    assert users(app) == [("ada@example.org", Role.ARCHIVIST, "Ada Archivist")]
    assert PASSWORD not in stored_user(app, "ada@example.org").password_hash
    response = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/moderation/"


def test_every_role_can_be_created(app, runner):
    for role in ("archivist", "curator", "admin"):
        result = create(runner, f"{role}@example.org", "--role", role, "--password-stdin")
        assert result.exit_code == 0, result.output

    assert [(email, role) for email, role, _ in users(app)] == [
        ("archivist@example.org", Role.ARCHIVIST),
        ("curator@example.org", Role.CURATOR),
        ("admin@example.org", Role.ADMIN),
    ]


def test_the_name_defaults_to_the_start_of_the_email(app, runner):
    create(runner, "ada@example.org", "--role", "admin", "--password-stdin")

    assert users(app) == [("ada@example.org", Role.ADMIN, "ada")]


def test_the_password_can_be_typed_twice_at_a_prompt(app, runner):
    result = create(runner, "ada@example.org", "--role", "curator",
                    input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert PASSWORD not in result.output  # the prompt does not echo it
    assert stored_user(app, "ada@example.org").check_password(PASSWORD)


def test_a_prompted_password_must_be_confirmed(app, runner):
    result = create(runner, "ada@example.org", "--role", "curator",
                    input=f"{PASSWORD}\nsomething else entirely\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert users(app) == []


def test_a_duplicate_email_is_refused(app, runner, make_user):
    make_user("admin", email="ada@example.org", display_name="First Ada")

    result = create(runner, "ADA@example.org", "--role", "archivist", "--password-stdin")

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert users(app) == [("ada@example.org", Role.ADMIN, "First Ada")]


def test_a_short_password_is_refused(app, runner):
    result = create(runner, "ada@example.org", "--role", "admin", "--password-stdin",
                    input="123456789\n")

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert users(app) == []


def test_a_password_of_exactly_ten_characters_is_accepted(app, runner):
    result = create(runner, "ada@example.org", "--role", "admin", "--password-stdin",
                    input="vq7#Lm2!xZ\n")

    assert result.exit_code == 0, result.output
    assert stored_user(app, "ada@example.org").check_password("vq7#Lm2!xZ")


def test_an_unknown_role_is_refused(app, runner):
    result = create(runner, "ada@example.org", "--role", "superuser", "--password-stdin")

    assert result.exit_code != 0
    assert "superuser" in result.output
    assert "archivist" in result.output  # the message names the roles there are
    assert users(app) == []


def test_something_that_is_not_an_email_is_refused(app, runner):
    result = create(runner, "ada.example.org", "--role", "admin", "--password-stdin")

    assert result.exit_code != 0
    assert "not an email address" in result.output
    assert users(app) == []


def test_list_shows_every_account_without_its_password(app, runner, make_user):
    make_user("admin", email="ada@example.org", display_name="Ada Admin")
    make_user("archivist", email="bob@example.org", display_name="Bob Archivist", active=False)
    hashes = [stored_user(app, e).password_hash for e in ("ada@example.org", "bob@example.org")]

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3  # a heading and one line per account
    assert "ada@example.org" in lines[1]
    assert "admin" in lines[1]
    assert "Ada Admin" in lines[1]
    assert "bob@example.org" in lines[2]
    assert " no " in lines[2]  # not active
    for password_hash in hashes:
        assert password_hash not in result.output
        assert password_hash.split("$")[-1] not in result.output
    assert "scrypt" not in result.output


def test_list_with_no_accounts_says_how_to_make_one(runner):
    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0
    assert "No users yet" in result.output


def test_promote_brings_back_an_administrator(app, runner, make_user):
    """The way back in when no active administrator is left."""
    former = make_user("curator", email="former.admin@example.org", active=False)
    token = stored_user(app, "former.admin@example.org").session_token

    result = runner.invoke(args=["users", "promote", "Former.Admin@example.org"])

    assert result.exit_code == 0, result.output
    assert "now an active administrator" in result.output
    promoted = stored_user(app, former.email)
    assert (promoted.role, promoted.active) == (Role.ADMIN, True)
    assert promoted.session_token != token
    again = runner.invoke(args=["users", "promote", former.email])
    assert again.exit_code == 0 and "already an active administrator" in again.output


def test_promote_an_unknown_email_says_how_to_create_one(app, runner):
    result = runner.invoke(args=["users", "promote", "nobody@example.org"])

    assert result.exit_code == 1
    assert "users create nobody@example.org --role admin" in result.output
    assert users(app) == []
