"""Administrators manage accounts in the browser; the archive never loses its last admin."""

from __future__ import annotations

import re

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Role, User

STRONG = "lantern orchard velvet 1937"


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_only_administrators_reach_the_accounts_page(app, make_user):
    assert app.test_client().get("/admin/users").status_code == 302  # to the login page
    for role in ("contributor", "archivist", "curator"):
        client = app.test_client(user=make_user(role))
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users", data={"email": "x@example.org"}).status_code == 403
    admin = make_user("admin")
    page = app.test_client(user=admin).get("/admin/users")
    assert page.status_code == 200
    assert admin.email in page.get_data(as_text=True)
    assert "password_hash" not in page.get_data(as_text=True)


def test_an_admin_creates_an_account_that_can_log_in(app, make_user):
    admin = make_user("admin")
    client = app.test_client(user=admin)
    response = client.post("/admin/users", data={
        "email": "New.Archivist@Example.org", "display_name": "Nia Archivist",
        "role": "archivist", "password": STRONG})
    assert response.status_code == 303
    assert "Account created for new.archivist@example.org" in client.get(
        "/admin/users").get_data(as_text=True)

    visitor = app.test_client()
    login = visitor.post("/login", data={"email": "new.archivist@example.org",
                                         "password": STRONG})
    assert login.status_code == 303
    assert visitor.get("/moderation/").status_code == 200


def test_a_weak_password_or_a_taken_email_is_refused_and_the_form_kept(app, make_user):
    admin = make_user("admin")
    client = app.test_client(user=admin)
    weak = client.post("/admin/users", data={"email": "someone@example.org",
                                             "display_name": "Some One", "role": "curator",
                                             "password": "password123"})
    html = weak.get_data(as_text=True)
    assert weak.status_code == 400
    assert "too easy to guess" in html
    assert 'value="someone@example.org"' in html  # what was typed is kept
    assert "password123" not in html  # but never the password

    taken = client.post("/admin/users", data={"email": admin.email, "display_name": "Again",
                                              "role": "curator", "password": STRONG})
    assert taken.status_code == 400
    assert "already exists" in taken.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_changing_a_role_takes_effect_at_once_and_logs_them_out(app, make_user):
    admin = make_user("admin")
    curator = make_user("curator")
    curator_browser = app.test_client()
    curator_browser.post("/login", data={"email": curator.email,
                                         "password": "correct horse battery"})
    assert curator_browser.get("/curation/").status_code == 200

    response = app.test_client(user=admin).post(f"/admin/users/{curator.id}", data={
        f"u{curator.id}-display_name": "Chris", f"u{curator.id}-role": "archivist",
        f"u{curator.id}-active": "y"})
    assert response.status_code == 303

    changed = _user(app, curator.id)
    assert (changed.role, changed.display_name, changed.active) == (Role.ARCHIVIST, "Chris", True)
    # The old session no longer carries curator rights (it is logged out entirely).
    assert curator_browser.get("/curation/").status_code in (302, 403)


def test_deactivating_an_account_stops_its_login(app, make_user):
    admin = make_user("admin")
    archivist = make_user("archivist")
    app.test_client(user=admin).post(f"/admin/users/{archivist.id}", data={
        f"u{archivist.id}-display_name": archivist.display_name,
        f"u{archivist.id}-role": "archivist"})  # "active" unticked
    assert _user(app, archivist.id).active is False
    login = app.test_client().post("/login", data={"email": archivist.email,
                                                   "password": "correct horse battery"})
    assert login.status_code != 303


def test_the_last_administrator_cannot_be_removed(app, make_user):
    admin = make_user("admin")
    client = app.test_client(user=admin)
    own = client.post(f"/admin/users/{admin.id}", data={
        f"u{admin.id}-display_name": admin.display_name, f"u{admin.id}-role": "curator",
        f"u{admin.id}-active": "y"}, follow_redirects=True)
    assert "cannot remove your own administrator rights" in own.get_data(as_text=True)
    assert _user(app, admin.id).role is Role.ADMIN

    # A second admin may demote the first, but not once they are the only one left.
    second = make_user("admin")
    other = app.test_client(user=second)
    other.post(f"/admin/users/{admin.id}", data={
        f"u{admin.id}-display_name": admin.display_name, f"u{admin.id}-role": "curator",
        f"u{admin.id}-active": "y"})
    assert _user(app, admin.id).role is Role.CURATOR
    html = other.post(f"/admin/users/{second.id}", data={
        f"u{second.id}-display_name": second.display_name, f"u{second.id}-role": "archivist",
        f"u{second.id}-active": "y"}, follow_redirects=True).get_data(as_text=True)
    assert re.search(r"cannot remove your own|last active administrator", html)
    assert _user(app, second.id).role is Role.ADMIN


def test_an_unknown_account_is_not_found(app, make_user):
    client = app.test_client(user=make_user("admin"))
    assert client.post("/admin/users/99999", data={}).status_code == 404


def test_on_a_shared_site_an_admin_chooses_where_a_new_archivist_works(
        app, make_user, make_institution):
    from archive.models import Membership

    admin = make_user("admin")
    make_institution(slug="north", name="North Library")
    south = make_institution(slug="south", name="South Society")
    client = app.test_client(user=admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "North Library" in page and "South Society" in page

    unplaced = client.post("/admin/users", data={
        "email": "nowhere@example.org", "display_name": "No Where", "role": "archivist",
        "password": STRONG})
    assert unplaced.status_code == 400
    assert "Choose the institution" in unplaced.get_data(as_text=True)
    placed = client.post("/admin/users", data={
        "email": "south@example.org", "display_name": "Sou Th", "role": "archivist",
        "institution": "south", "password": STRONG})
    assert placed.status_code == 303
    assert "Archivist at South Society" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "south@example.org"))
        assert [(m.institution_id, m.role.value) for m in db.session.scalars(
            sa.select(Membership).where(Membership.user_id == user.id))] == [
            (south.id, "archivist")]
        assert db.session.scalar(sa.select(User).where(
            User.email == "nowhere@example.org")) is None


ROUNDS = 6


def _remove_each_other(app, first_id: int, second_id: int, *, deactivate: bool) -> list[str]:
    """Two administrators demote (or deactivate) each other at the same moment; what each
    was told: "changed" or "refused"."""
    import threading

    from archive.admin.services import update_account
    from archive.auth.services import UserError

    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def remove(actor_id: int, target_id: int) -> None:
        try:
            with app.app_context():
                actor = db.session.get(User, actor_id)
                target = db.session.get(User, target_id)
                barrier.wait()
                try:
                    update_account(target, role=Role.ADMIN if deactivate else Role.CURATOR,
                                   active=not deactivate, display_name=target.display_name,
                                   acting_admin=actor)
                except UserError:
                    db.session.rollback()
                    outcome = "refused"
                else:
                    db.session.commit()
                    outcome = "changed"
            with lock:
                outcomes.append(outcome)
        except BaseException as error:  # reported below, in the test's own thread
            with lock:
                errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=remove, args=(first_id, second_id)),
               threading.Thread(target=remove, args=(second_id, first_id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    return sorted(outcomes)


def test_two_admins_removing_each_other_at_once_leave_one(app, make_user):
    """One change wins, the other is refused: an active administrator always remains."""
    for round_number in range(ROUNDS):
        with app.app_context():  # start each round from exactly two active admins
            db.session.execute(sa.update(User).where(User.role == Role.ADMIN)
                               .values(role=Role.ARCHIVIST))
            db.session.commit()
        first, second = make_user("admin"), make_user("admin")

        outcomes = _remove_each_other(app, first.id, second.id,
                                      deactivate=round_number % 2 == 1)

        assert outcomes == ["changed", "refused"]
        with app.app_context():
            admins = db.session.scalar(sa.select(sa.func.count()).where(
                User.role == Role.ADMIN, User.active.is_(True)))
        assert admins == 1, f"round {round_number}: {admins} active administrators"


def test_an_admin_demoted_meanwhile_can_no_longer_change_accounts(app, make_user):
    from archive.admin.services import update_account
    from archive.auth.services import UserError

    first, second, third = make_user("admin"), make_user("admin"), make_user("archivist")
    with app.app_context():
        stale = db.session.get(User, first.id)  # loaded before the demotion below
        update_account(db.session.get(User, first.id), role=Role.CURATOR, active=True,
                       display_name=first.display_name,
                       acting_admin=db.session.get(User, second.id))
        db.session.commit()
        refusal = None
        try:
            update_account(db.session.get(User, third.id), role=Role.ADMIN, active=True,
                           display_name=third.display_name, acting_admin=stale)
        except UserError as error:
            refusal = str(error)
        db.session.rollback()
    assert refusal == "You are no longer an administrator."
    assert _user(app, third.id).role is Role.ARCHIVIST
