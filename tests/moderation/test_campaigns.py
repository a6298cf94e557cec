""""Can you help?" questions: asked, answered, marked solved with the answering notes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, Item, ModerationEvent


@pytest.fixture
def archivist(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.fixture
def staff(app, archivist, login_client):
    return login_client(app, archivist)


def item_state(app, item):
    with app.app_context():
        row = db.session.get(Item, item.id)
        return row.needs_help, row.help_question, row.help_solved_at is not None


def test_asking_lists_the_question_on_the_home_page(app, client, staff, make_item):
    item = make_item(with_image=False, title="Children on a wall")
    with app.app_context():
        before = db.session.get(Item, item.id).record_changed_at
    assert "Ask the public a question" in staff.get(f"/items/{item.identifier}").text

    response = staff.post(f"/moderation/items/{item.identifier}/question",
                          data={"action": "ask", "question": "Which school is this?"})

    assert response.status_code == 303
    assert item_state(app, item) == (True, "Which school is this?", False)
    assert "Which school is this?" in client.get("/").text
    assert "Which school is this?" in client.get(f"/items/{item.identifier}").text
    with app.app_context():
        assert db.session.get(Item, item.id).record_changed_at > before


def test_an_empty_question_is_refused(app, staff, make_item):
    item = make_item(with_image=False)

    response = staff.post(f"/moderation/items/{item.identifier}/question",
                          data={"action": "ask", "question": "  "})

    assert response.status_code == 409
    assert "Write the question the public should help with." in response.text
    assert item_state(app, item) == (False, "", False)


def test_solving_credits_the_notes_and_closes_the_question(app, client, staff, archivist,
                                                           make_item, make_contribution):
    item = make_item(with_image=False, needs_help=True, help_question="Which school is this?")
    answer = make_contribution(item, status="approved", decided_by=archivist,
                               body="Quarry Mount school, 1950.", credit_name="Jo Bloggs",
                               show_name=True)
    other = make_contribution(item, status="approved", decided_by=archivist, body="Nice photo.")
    form = staff.get(f"/moderation/items/{item.identifier}/question").text
    assert "Quarry Mount school, 1950." in form

    response = staff.post(f"/moderation/items/{item.identifier}/question",
                          data={"action": "solve", "solved_by": [answer.id],
                                "reason": "Checked the school log book"})

    assert response.status_code == 303
    assert item_state(app, item) == (True, "Which school is this?", True)
    with app.app_context():
        solved = dict(db.session.execute(sa.select(Contribution.id,
                                                   Contribution.solved_question)).all())
        events = [(e.contribution_id, e.action, e.reason)
                  for e in db.session.scalars(sa.select(ModerationEvent))]
    assert solved == {answer.id: True, other.id: False}
    assert events == [(answer.id, "solved", "Checked the school log book")]
    home = client.get("/").text
    assert "Which school is this?" not in home  # no longer an open question
    page = client.get(f"/items/{item.identifier}").text
    assert "Solved with your help" in page
    assert f'<a href="#note-{answer.id}">Jo Bloggs</a>' in page
    assert "Tell us what you know</a>" not in page.split('id="contribute"')[0]


def test_solving_needs_an_approved_note_of_this_item(app, staff, archivist, make_item,
                                                     make_contribution):
    item = make_item(with_image=False, needs_help=True, help_question="Who?")
    elsewhere = make_contribution(make_item(with_image=False), status="approved",
                                  decided_by=archivist)
    pending = make_contribution(item)

    # None ticked: a form error, and the page says what is missing.
    response = staff.post(f"/moderation/items/{item.identifier}/question",
                          data={"action": "solve", "solved_by": []})
    assert response.status_code == 400
    assert "No approved note on this photograph yet" in response.text
    for chosen in ([elsewhere.id], [pending.id]):
        response = staff.post(f"/moderation/items/{item.identifier}/question",
                              data={"action": "solve", "solved_by": chosen})
        assert response.status_code == 409
        assert "Choose the approved note" in response.text
    assert item_state(app, item) == (True, "Who?", False)


def test_solving_twice_is_refused_and_reopening_asks_again(app, client, staff, archivist,
                                                           make_item, make_contribution):
    item = make_item(with_image=False, needs_help=True, help_question="Who?")
    answer = make_contribution(item, status="approved", decided_by=archivist)
    url = f"/moderation/items/{item.identifier}/question"
    staff.post(url, data={"action": "solve", "solved_by": [answer.id]})

    again = staff.post(url, data={"action": "solve", "solved_by": [answer.id]})
    assert again.status_code == 409
    assert "This question was already marked solved." in again.text

    staff.post(url, data={"action": "reopen"})
    assert item_state(app, item) == (True, "Who?", False)
    assert "Who?" in client.get("/").text


def test_contributors_cannot_manage_questions(app, make_user, make_item, login_client):
    item = make_item(with_image=False)
    member = login_client(app, make_user("contributor"))

    response = member.post(f"/moderation/items/{item.identifier}/question",
                           data={"action": "ask", "question": "Mine?"})

    assert response.status_code == 403
    assert item_state(app, item) == (False, "", False)
