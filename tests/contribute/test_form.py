"""The "Can you help?" form: what a visitor sends, what is stored, and what is refused."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import pytest
import sqlalchemy as sa

from archive.contribute.services import hash_ip
from archive.extensions import db
from archive.models import Contribution, ContributionStatus, ModerationEvent

VISITOR_IP = "203.0.113.77"
THANKS = "Thank you! Your note has reached the archive. An archivist will read it"


def note_form(**overrides) -> dict:
    """What a visitor's browser sends: the required fields, plus ``overrides``."""
    data = {"body": "This is the corner of Briggate and Boar Lane, about 1935.", "consent": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def stored_contributions(app) -> list[Contribution]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Contribution).order_by(Contribution.id)))


def moderation_events(app) -> list[ModerationEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ModerationEvent).order_by(ModerationEvent.id)))


def post_note(client, item, *, ip=VISITOR_IP, **fields):
    return client.post(
        f"/items/{item.identifier}/contribute",
        data=note_form(**fields),
        environ_base={"REMOTE_ADDR": ip},
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(html: str, field: str) -> str:
    """The error list shown beside ``field``, or "" when there is none."""
    match = re.search(rf'<ul class="field-errors" id="{field}-error">(.*?)</ul>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


# --- a note received ---------------------------------------------------------------------------


def test_a_note_is_received_and_kept_for_an_archivist(make_app, make_item):
    item = make_item()
    app = make_app(CONTRIBUTION_LICENCE="CC BY-SA 4.0", IP_HASH_SALT="pepper-for-this-test")
    client = app.test_client()

    response = post_note(
        client,
        item,
        body="My grandfather is the man\r\nby the lamp post.",
        suggested_date="about 1935",
        suggested_place="Briggate, Leeds",
        suggested_people="Albert Smith; Mary Smith",
        credit_name="Jane Smith",
        show_name="y",
        email="Jane.Smith@Example.ORG",
        region_x="0.25",
        region_y="0.5",
        region_w="0.5",
        region_h="0.25",
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/items/{item.identifier}#thanks"
    thanks = text(client.get(response.headers["Location"]))
    assert THANKS in thanks
    assert "once it is approved it will appear on this page" in thanks
    assert "My grandfather" not in thanks  # not published before an archivist approves it

    [note] = stored_contributions(app)
    assert note.status is ContributionStatus.PENDING
    assert note.item_id == item.id
    assert note.body == "My grandfather is the man\nby the lamp post."
    assert note.suggested_date == "about 1935"
    assert note.suggested_place == "Briggate, Leeds"
    assert note.suggested_people == "Albert Smith; Mary Smith"
    assert (note.credit_name, note.show_name) == ("Jane Smith", True)
    assert note.email == "jane.smith@example.org"
    assert note.licence == "CC BY-SA 4.0"
    assert (note.region_x, note.region_y, note.region_w, note.region_h) == (0.25, 0.5, 0.5, 0.25)
    assert note.submitted_by_id is None
    assert note.decided_at is None and note.decided_by_id is None
    assert moderation_events(app) == []


def test_the_sender_address_is_stored_only_as_a_salted_hash(make_app, make_item):
    item = make_item()
    app = make_app(IP_HASH_SALT="pepper-for-this-test")

    post_note(app.test_client(), item, ip=VISITOR_IP)
    post_note(app.test_client(), item, ip=VISITOR_IP)
    post_note(app.test_client(), item, ip="198.51.100.9")

    first, again, other = (note.ip_hash for note in stored_contributions(app))
    expected = hmac.new(b"pepper-for-this-test", VISITOR_IP.encode(), hashlib.sha256).hexdigest()
    assert first == expected == hash_ip(VISITOR_IP, "pepper-for-this-test")
    assert VISITOR_IP not in first
    assert first != hashlib.sha256(VISITOR_IP.encode()).hexdigest()  # keyed, not a bare hash
    assert again == first  # the same sender can be recognised...
    assert other != first  # ...and told apart from another


def test_a_minimal_note_needs_only_text_and_consent(app, client, make_item):
    item = make_item()

    response = post_note(client, item)

    assert response.status_code == 303
    [note] = stored_contributions(app)
    assert note.body == "This is the corner of Briggate and Boar Lane, about 1935."
    assert (note.email, note.show_name, note.credit_name) == (None, False, "")
    assert note.region_x is None
    assert note.licence == app.config["CONTRIBUTION_LICENCE"] == "CC BY 4.0"


def test_a_note_of_exactly_the_maximum_length_is_accepted(app, client, make_item):
    item = make_item()

    response = post_note(client, item, body="x" * 5000)

    assert response.status_code == 303
    assert len(stored_contributions(app)[0].body) == 5000


def test_line_breaks_sent_by_browsers_count_once_towards_the_length(app, client, make_item):
    # Browsers send each new line in a text area as CR LF: 50 lines of 99 letters are 5,000
    # characters as typed, and 5,050 as sent.
    body = "\r\n".join(["y" * 99] * 50) + "\r\n"
    assert len(body) == 5050

    response = post_note(client, item := make_item(), body=body)

    assert response.status_code == 303, field_errors(text(response), "body")
    [note] = stored_contributions(app)
    assert note.item_id == item.id
    assert note.body == "\n".join(["y" * 99] * 50)


# --- a note refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "Please tell us what you know before sending."),
        ({"body": "  \r\n\t "}, "body", "Please tell us what you know before sending."),
        ({"body": "\x00\x07\x1b"}, "body", "Please tell us what you know before sending."),
        ({"body": "x" * 5001}, "body", "Please keep your note under 5,000 characters."),
        ({"consent": None}, "consent", "Please tick the box to let us publish your note."),
        ({"email": "jane at example"}, "email", "That does not look like an email address."),
        ({"email": "jane@"}, "email", "That does not look like an email address."),
        (
            {"region_x": "0.5", "region_y": "0.5", "region_w": "0.8", "region_h": "0.2"},
            "region_x",
            "The marked region must lie within the photograph.",
        ),
        (
            {"region_x": "0.1", "region_y": "0.1", "region_w": "0", "region_h": "0.2"},
            "region_x",
            "The marked region must lie within the photograph.",
        ),
        (
            {"region_x": "-0.1", "region_y": "0.1", "region_w": "0.2", "region_h": "0.2"},
            "region_x",
            "The marked region must lie within the photograph.",
        ),
        ({"region_x": "0.1", "region_y": "0.1"}, "region_x", "The marked region is incomplete."),
        (
            {"region_x": "left", "region_y": "0.1", "region_w": "0.2", "region_h": "0.2"},
            "region_x",
            "The marked region could not be read.",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "control-characters",
        "too-long",
        "no-consent",
        "email-no-at",
        "email-no-domain",
        "region-outside",
        "region-empty",
        "region-negative",
        "region-incomplete",
        "region-not-a-number",
    ],
)
def test_a_note_with_a_mistake_is_shown_again_with_the_error(
    app, client, make_item, fields, field, message
):
    item = make_item()
    typed = {
        "credit_name": "Jane Smith",
        "suggested_place": "Kirkgate market",
        "body": "The stall on the left sold fish.",
        **fields,
    }

    response = post_note(client, item, **typed)

    assert response.status_code == 400
    html = text(response)
    assert message in field_errors(html, field)
    assert "Your note has not been sent yet" in html
    assert "Thank you!" not in html
    # What the visitor typed is still there for them to correct.
    assert 'value="Jane Smith"' in html
    assert 'value="Kirkgate market"' in html
    if field != "body":
        assert "The stall on the left sold fish.</textarea>" in html
    # The rest of the item page is still there too.
    assert item.title in html
    assert stored_contributions(app) == []


def test_a_note_that_is_too_long_is_kept_for_shortening(app, client, make_item):
    body = "The shop on the corner was my uncle's. " * 130  # 5,070 characters

    response = post_note(client, make_item(), body=body)

    assert response.status_code == 400
    assert body.strip() + "</textarea>" in text(response).replace("&#39;", "'")
    assert stored_contributions(app) == []


# One character as typed, three once in Unicode's composed form (NFC), as stored.
GROWS = "\ufb2c"


@pytest.mark.parametrize(("field", "limit"), [
    ("suggested_date", 200), ("suggested_place", 300), ("suggested_people", 2000),
    ("credit_name", 200),
])
def test_text_that_grows_when_normalised_is_checked_as_stored(app, client, make_item, field,
                                                               limit):
    typed = "Kirkgate " + GROWS * (limit // 3)
    stored = unicodedata.normalize("NFC", typed)
    assert len(typed) <= limit < len(stored)

    response = post_note(client, make_item(), body="The stall on the left sold fish.",
                         **{field: typed})

    # The form again, the field's own error beside it and everything typed kept: not the
    # database refusing the note with a bare "Bad request".
    assert response.status_code == 400
    html = text(response)
    assert str(limit) in field_errors(html, field)
    assert stored in html
    assert "The stall on the left sold fish.</textarea>" in html
    assert stored_contributions(app) == []


def test_text_at_the_limit_once_normalised_is_accepted(app, client, make_item):
    typed = GROWS * 100  # 300 characters once normalised: exactly the place's limit

    response = post_note(client, make_item(), suggested_place=typed)

    assert response.status_code == 303
    [note] = stored_contributions(app)
    assert note.suggested_place == unicodedata.normalize("NFC", typed)
    assert len(note.suggested_place) == 300


WITHIN = "The marked region must lie within the photograph."
TOO_SMALL = ("The marked region is too small: mark an area of at least 1% of the photograph's "
             "width and height.")
UNREADABLE = "The marked region could not be read."


@pytest.mark.parametrize(("region", "message"), [
    (("1", "1", "0.0001", "0.0001"), WITHIN),  # at the far corner: nothing of the photo in it
    (("0.99999", "0.5", "0.01", "0.2"), WITHIN),
    (("0.5", "0.5", "0.0001", "0.0001"), TOO_SMALL),
    (("0.2", "0.2", "0.5", "0.004"), TOO_SMALL),
    (("0.1", "0.1", "4.9e-324", "4.9e-324"), WITHIN),  # denormal: nothing once rounded
    (("nan", "0.1", "0.2", "0.2"), UNREADABLE),
    (("0.1", "0.1", "inf", "0.2"), UNREADABLE),
    (("0.1", "-inf", "0.2", "0.2"), UNREADABLE),
    (("0.1", "0.1", "1e308", "0.2"), WITHIN),
])
def test_a_region_outside_the_photo_or_too_small_is_refused(app, client, make_item, region,
                                                             message):
    fields = dict(zip(("region_x", "region_y", "region_w", "region_h"), region, strict=True))

    response = post_note(client, make_item(), **fields)

    assert response.status_code == 400
    assert message in field_errors(text(response).replace("&#39;", "'"), "region_x")
    assert stored_contributions(app) == []


def test_a_region_is_stored_rounded_and_inside_the_photo(app, client, make_item):
    response = post_note(client, make_item(), region_x="1e-310", region_y="0.5000000001",
                         region_w="0.25", region_h="0.5000004")

    assert response.status_code == 303
    [note] = stored_contributions(app)
    # The denormal is a plain zero; the box ends at the bottom edge, not past it.
    assert (note.region_x, note.region_y, note.region_w, note.region_h) == (0.0, 0.5, 0.25, 0.5)


def test_every_mistake_is_reported_at_once(app, client, make_item):
    response = post_note(client, make_item(), body="", consent=None, email="nope")

    html = text(response)
    assert response.status_code == 400
    assert field_errors(html, "body")
    assert field_errors(html, "consent")
    assert field_errors(html, "email")
    assert 'aria-invalid="true"' in html
    assert stored_contributions(app) == []


def test_errors_are_tied_to_their_fields_for_screen_readers(client, make_item):
    html = text(post_note(client, make_item(), consent=None, email="nope"))

    for field in ("email", "consent"):
        control = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', html).group(0)
        assert f"{field}-error" in re.search(r'aria-describedby="([^"]*)"', control).group(1)
        assert 'aria-invalid="true"' in control


def test_a_note_about_an_unknown_photograph_is_not_found(app, client, make_item):
    make_item(identifier="REAL-1")

    response = client.post("/items/NOT-REAL/contribute", data=note_form())

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert stored_contributions(app) == []


def test_the_form_is_only_posted(client, make_item):
    item = make_item()

    response = client.get(f"/items/{item.identifier}/contribute")

    assert response.status_code == 405


# --- spam --------------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_is_stored_as_spam(app, client, make_item):
    item = make_item()

    response = post_note(
        client, item, body="Cheap watches at example.com", website="https://example.com"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/items/{item.identifier}#thanks"
    page = text(client.get(response.headers["Location"]))
    assert THANKS in page  # a bot learns nothing
    assert "Cheap watches" not in page

    [note] = stored_contributions(app)
    assert note.status is ContributionStatus.SPAM
    assert note.decided_at is not None
    assert note.decided_by_id is None
    [event] = moderation_events(app)
    assert event.contribution_id == note.id
    assert event.actor_id is None
    assert (event.from_status, event.to_status) == ("pending", "spam")
    assert event.action == "auto_spam"


# --- cross-site request forgery ----------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def test_a_note_with_the_token_from_the_page_is_accepted(csrf_app, make_item):
    item = make_item()
    client = csrf_app.test_client()
    token = csrf_token_from(text(client.get(f"/items/{item.identifier}")))

    response = client.post(f"/items/{item.identifier}/contribute", data=note_form(csrf_token=token))

    assert response.status_code == 303
    assert len(stored_contributions(csrf_app)) == 1


@pytest.mark.parametrize("token", [None, "forged-token", "IjAwMDAi.aaaa.bbbb"])
def test_a_note_without_a_valid_token_is_refused(csrf_app, make_item, token):
    item = make_item()
    client = csrf_app.test_client()
    client.get(f"/items/{item.identifier}")  # the visitor has a session, as from a real visit

    response = client.post(f"/items/{item.identifier}/contribute", data=note_form(csrf_token=token))

    assert response.status_code == 400
    assert "Your form has expired" in text(response)
    assert stored_contributions(csrf_app) == []


def test_a_token_from_another_visitors_session_is_refused(csrf_app, make_item):
    item = make_item()
    someone_else = csrf_app.test_client()
    token = csrf_token_from(text(someone_else.get(f"/items/{item.identifier}")))

    response = csrf_app.test_client().post(
        f"/items/{item.identifier}/contribute", data=note_form(csrf_token=token)
    )

    assert response.status_code == 400
    assert stored_contributions(csrf_app) == []


# --- staff -------------------------------------------------------------------------------------


def test_a_note_sent_by_logged_in_staff_records_who_sent_it(app, client, make_item, make_user):
    item = make_item()
    archivist = make_user("archivist", email="ann@archive.example", password="a long password")
    login = client.post(
        "/login", data={"email": "ann@archive.example", "password": "a long password"}
    )
    assert login.status_code == 303

    response = client.post(f"/items/{item.identifier}/contribute", data=note_form())

    assert response.status_code == 303
    [note] = stored_contributions(app)
    assert note.submitted_by_id == archivist.id
    assert note.status is ContributionStatus.PENDING
