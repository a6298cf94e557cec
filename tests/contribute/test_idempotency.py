"""The same "Can you help?" form sent several times is stored as one note."""

from __future__ import annotations

import re
import threading

from tests.contribute.test_form import note_form, stored_contributions

SENDERS = 5


def form_key(html: str) -> str:
    return re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', html)[1]


def test_each_form_the_page_shows_has_a_key_of_its_own(client, make_item):
    item = make_item()

    first = form_key(client.get(f"/items/{item.identifier}").get_data(as_text=True))
    second = form_key(client.get(f"/items/{item.identifier}").get_data(as_text=True))

    assert first != second


def test_a_form_sent_five_times_at_once_is_one_note(app, make_item):
    item = make_item()
    data = note_form(submission_key="5e" * 16, suggested_place="Kirkgate")
    barrier = threading.Barrier(SENDERS, timeout=30)
    answers: list[tuple[int, str | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send() -> None:
        client = app.test_client()
        try:
            barrier.wait()
            response = client.post(f"/items/{item.identifier}/contribute", data=data)
            with lock:
                answers.append((response.status_code, response.headers.get("Location")))
        except BaseException as error:  # reported below, in the test's own thread
            with lock:
                errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    # Every sender is thanked, as the first one was; one note is stored.
    assert answers == [(303, f"/items/{item.identifier}#thanks")] * SENDERS
    [note] = stored_contributions(app)
    assert note.suggested_place == "Kirkgate"


def test_a_form_sent_again_later_is_still_one_note(app, client, make_item):
    item = make_item()
    data = note_form(submission_key="a1" * 16)

    for _ in range(3):
        response = client.post(f"/items/{item.identifier}/contribute", data=data)
        assert response.status_code == 303
        follow = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Thank you! Your note has reached the archive." in follow

    assert len(stored_contributions(app)) == 1


def test_a_form_changed_and_sent_again_is_a_second_note(app, client, make_item):
    """The Back button keeps the page and its key: a different note from it is kept too."""
    item = make_item()
    key = "b2" * 16

    client.post(f"/items/{item.identifier}/contribute", data=note_form(submission_key=key))
    client.post(f"/items/{item.identifier}/contribute",
                data=note_form(submission_key=key, body="And the shop on the right was a baker's."))

    assert len(stored_contributions(app)) == 2


def test_a_form_without_a_usable_key_is_still_taken(app, client, make_item):
    """(Pages shown before keys existed, and clients that leave it out.)"""
    item = make_item()

    for key in (None, "", "not-a-key"):
        response = client.post(f"/items/{item.identifier}/contribute",
                               data=note_form(submission_key=key))
        assert response.status_code == 303

    assert len(stored_contributions(app)) == 3
