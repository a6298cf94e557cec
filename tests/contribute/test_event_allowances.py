"""Event allowances: a memory day's shared connection may send more notes, for a while, to
the institution that opened it; nothing stored names the address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, EventAllowance, ModerationEvent

NOTE = {"body": "That's my uncle on the tram platform.", "consent": "y"}


def send_note(client, item, ip):
    return client.post(f"/items/{item.identifier}/contribute", data=NOTE,
                       environ_base={"REMOTE_ADDR": ip}).status_code


def allowance_form(institution, **changes):
    return {"institution": str(institution.id), "label": "Memory day at Central Library",
            "network": "198.51.100.0/24", "notes_per_hour": "6", "hours": "8", **changes}


@pytest.fixture
def library(make_institution, make_collection, make_item, make_user):
    """An institution with a photograph and an archivist; another institution beside it."""
    central = make_institution(slug="central", name="Central Library")
    other = make_institution(slug="museum", name="Town Museum")
    return {
        "institution": central,
        "item": make_item(collection=make_collection(institution=central)),
        "archivist": make_user("archivist", institution=central),
        "other": other,
        "other_item": make_item(collection=make_collection(institution=other)),
        "other_archivist": make_user("archivist", institution=other),
    }


def stored(app, model, *conditions):
    with app.app_context():
        found = list(db.session.scalars(sa.select(model).where(*conditions)))
        db.session.expunge_all()
        return found


def test_an_allowance_lets_the_event_network_send_more_notes(limited_app, library,
                                                            login_client):
    app = limited_app()  # the usual limit: 3 notes an hour
    archivist = login_client(app, library["archivist"])

    opened = archivist.post("/moderation/allowances", data=allowance_form(library["institution"]))
    page = archivist.get("/moderation/allowances").get_data(as_text=True)

    assert opened.status_code == 303
    assert "Memory day at Central Library" in page and "IPv4, /24" in page
    visitors = app.test_client()
    room = [send_note(visitors, library["item"], f"198.51.100.{n}") for n in (7, 8, 7, 9, 8, 7)]
    assert room == [303] * 6  # more than the usual 3, from any address of the network
    assert send_note(visitors, library["item"], "198.51.100.10") == 429  # 6 an hour, shared
    assert [send_note(visitors, library["item"], "192.0.2.1") for _ in range(4)] == [
        303, 303, 303, 429]  # outside the network: the usual limit
    # Notes to another institution's photographs are not covered by this allowance.
    assert [send_note(visitors, library["other_item"], "198.51.100.20") for _ in range(4)] == [
        303, 303, 303, 429]

    [allowance] = stored(app, EventAllowance)
    assert allowance.prefix_length == 24 and allowance.ip_version == 4
    assert allowance.notes_per_hour == 6
    assert timedelta(hours=7, minutes=59) < allowance.ends_at - allowance.starts_at <= timedelta(
        hours=8)
    assert re.fullmatch(r"[0-9a-f]{64}", allowance.network_hash)
    with app.app_context():
        row = db.session.execute(sa.text("SELECT * FROM event_allowances")).one()
    assert not any("198.51.100" in str(value) for value in row)
    [event] = stored(app, ModerationEvent, ModerationEvent.allowance_id == allowance.id)
    assert event.action == "allowance_opened"
    assert event.actor_id == library["archivist"].id and event.contribution_id is None
    log = archivist.get("/moderation/log").get_data(as_text=True)
    assert "Event allowance opened" in log and f"Event allowance #{allowance.id}" in log


def test_closing_an_allowance_early_brings_back_the_usual_limit(limited_app, library,
                                                               login_client):
    app = limited_app()
    archivist = login_client(app, library["archivist"])
    archivist.post("/moderation/allowances",
                   data=allowance_form(library["institution"], network="203.0.113.50"))
    [allowance] = stored(app, EventAllowance)
    visitors = app.test_client()
    assert [send_note(visitors, library["item"], "203.0.113.50") for _ in range(4)] == [303] * 4

    closed = archivist.post(f"/moderation/allowances/{allowance.id}/close")

    assert closed.status_code == 303
    assert [send_note(visitors, library["item"], "203.0.113.50") for _ in range(4)] == [
        303, 303, 303, 429]
    [allowance] = stored(app, EventAllowance)
    assert allowance.closed_at is not None and allowance.closed_by_id == library["archivist"].id
    events = stored(app, ModerationEvent, ModerationEvent.allowance_id == allowance.id)
    actions = [e.action for e in sorted(events, key=lambda e: e.id)]
    assert actions == ["allowance_opened", "allowance_closed"]
    assert "Event allowance closed" in archivist.get("/moderation/log").get_data(as_text=True)
    again = archivist.post(f"/moderation/allowances/{allowance.id}/close", follow_redirects=True)
    assert "That allowance has already ended." in again.get_data(as_text=True)


def test_an_ipv6_allowance_covers_its_network(app, library):
    from archive.moderation.allowances import allowance_for, open_allowance

    salt = app.config["IP_HASH_SALT"]
    with app.app_context():
        opened = open_allowance(library["institution"], library["archivist"], label="Open day",
                                network="2001:db8:5::/48", notes_per_hour=50, hours=4, salt=salt)
        db.session.commit()
        central = library["institution"].id
        assert allowance_for("2001:db8:5:77::9", central, salt).id == opened.id
        assert allowance_for("2001:db8:6::9", central, salt) is None
        assert allowance_for("198.51.100.1", central, salt) is None
        assert allowance_for("2001:db8:5::1", library["other"].id, salt) is None
        later = datetime.now(UTC) + timedelta(hours=5)
        assert allowance_for("2001:db8:5:77::9", central, salt, now=later) is None  # ended
        db.session.remove()


@pytest.mark.parametrize(("changes", "message"), [
    ({"network": "198.0.0.0/8"}, "An IPv4 network may be a /16 at the widest."),
    ({"network": "2001:db8::/32"}, "An IPv6 network may be a /48 at the widest."),
    ({"network": "the library"}, "Type an address such as 203.0.113.7"),
    ({"hours": "200"}, "From 1 to 168 hours."),
    ({"notes_per_hour": "5000"}, "From 1 to 1000."),
    ({"label": "  "}, "Say what the allowance is for."),
])
def test_a_wider_or_longer_allowance_is_refused_keeping_what_was_typed(app, library,
                                                                       login_client, changes,
                                                                       message):
    archivist = login_client(app, library["archivist"])
    typed = allowance_form(library["institution"], **changes)

    refused = archivist.post("/moderation/allowances", data=typed)

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert message in page
    assert f'value="{typed["network"]}"' in page
    assert stored(app, EventAllowance) == []
    assert stored(app, ModerationEvent) == []


def test_allowances_are_seen_and_closed_by_their_institution_only(app, library, login_client,
                                                                 make_user):
    from archive.moderation.allowances import open_allowance

    with app.app_context():
        opened = open_allowance(library["institution"], library["archivist"],
                                label="Family history weekend", network="198.51.100.7",
                                notes_per_hour=30, hours=6, salt=app.config["IP_HASH_SALT"])
        db.session.commit()
        allowance_id = opened.id
        db.session.remove()
    outsider = login_client(app, library["other_archivist"])
    admin = login_client(app, make_user("admin"))

    listed = outsider.get("/moderation/allowances").get_data(as_text=True)
    assert "Family history weekend" not in listed
    assert "Event allowance #" not in outsider.get("/moderation/log").get_data(as_text=True)
    assert outsider.post(f"/moderation/allowances/{allowance_id}/close").status_code == 404
    # Nor can they open one for an institution they do not work for.
    assert outsider.post("/moderation/allowances",
                         data=allowance_form(library["institution"])).status_code == 400
    assert "Family history weekend" in admin.get("/moderation/allowances").get_data(as_text=True)
    assert "Event allowance opened" in admin.get("/moderation/log").get_data(as_text=True)
    assert app.test_client().get("/moderation/allowances").status_code == 302  # log in first
    [allowance] = stored(app, EventAllowance)
    assert allowance.closed_at is None


def test_the_retention_period_erases_an_ended_allowances_network(app, library):
    from archive.moderation.allowances import close_allowance, open_allowance
    from archive.ops.privacy import purge_expired

    salt = app.config["IP_HASH_SALT"]
    long_ago = datetime(2020, 5, 1, 9, tzinfo=UTC)
    with app.app_context():
        open_allowance(library["institution"], library["archivist"], label="2020 day",
                       network="198.51.100.7", notes_per_hour=30, hours=6, salt=salt,
                       now=long_ago)
        closed_early = open_allowance(library["institution"], library["archivist"],
                                      label="Closed early", network="198.51.100.8",
                                      notes_per_hour=30, hours=168, salt=salt, now=long_ago)
        close_allowance(closed_early, library["archivist"], now=long_ago + timedelta(hours=1))
        current = open_allowance(library["institution"], library["archivist"], label="Today",
                                 network="198.51.100.9", notes_per_hour=30, hours=6, salt=salt)
        db.session.commit()
        purge_expired(days=90)
        db.session.commit()
        hashes = {a.label: a.network_hash for a in db.session.scalars(sa.select(EventAllowance))}
        db.session.remove()

    assert hashes["2020 day"] is None and hashes["Closed early"] is None
    assert hashes["Today"] is not None
    assert current is not None


def test_the_allowances_page_speaks_welsh(app, library, login_client):
    archivist = login_client(app, library["archivist"])

    page = archivist.get("/moderation/allowances",
                         headers={"Accept-Language": "cy"}).get_data(as_text=True)

    assert "Lwfansau digwyddiadau" in page


def test_notes_sent_under_an_allowance_are_stored_as_any_other(limited_app, library,
                                                               login_client):
    app = limited_app()
    login_client(app, library["archivist"]).post(
        "/moderation/allowances", data=allowance_form(library["institution"]))

    send_note(app.test_client(), library["item"], "198.51.100.7")

    [note] = stored(app, Contribution)
    assert note.status.value == "pending" and note.ip_hash != "198.51.100.7"
