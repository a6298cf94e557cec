"""A platform administrator manages the institutions in the browser: profile, look and rules."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image as PILImage

from archive.extensions import db
from archive.models import Contribution, Institution


def _institution(app, slug: str) -> Institution:
    with app.app_context():
        found = db.session.scalar(sa.select(Institution).where(Institution.slug == slug))
        if found is not None:
            db.session.expunge(found)
        return found


PROFILE = {"name": "Calderbridge Library", "name_cy": "Llyfrgell Calderbridge",
           "description": "Local studies.", "description_cy": "Astudiaethau lleol.",
           "website": "https://library.example.org/", "contact_email": "photos@example.org",
           "accent_colour": "#0B5D3B", "licence_label": "CC BY-NC 4.0",
           "licence_uri": "https://creativecommons.org/licenses/by-nc/4.0/",
           "rejection_reasons": "not_local=We only keep photographs of Calderbridge.",
           "standing_questions": "Who are the people?\nWhen was this taken?"}


def test_an_administrator_creates_and_describes_an_institution(app, make_user):
    client = app.test_client(user=make_user("admin"))

    bad = client.post("/admin/institutions", data={"slug": "Not A Slug!", "name": "Calder"})
    assert bad.status_code == 400
    assert "lower-case letters" in bad.get_data(as_text=True)
    assert 'value="Calder"' in bad.get_data(as_text=True)  # what was typed is kept
    made = client.post("/admin/institutions", data={"slug": "calderbridge", "name": "Calder"})
    assert made.status_code == 303
    assert made.headers["Location"].endswith("/admin/institutions/calderbridge")

    saved = client.post("/admin/institutions/calderbridge", data=PROFILE)

    assert saved.status_code == 303
    institution = _institution(app, "calderbridge")
    assert institution.name == "Calderbridge Library"
    assert institution.accent_colour == "#0b5d3b"
    assert institution.question_list == ["Who are the people?", "When was this taken?"]
    page = client.get("/institutions/calderbridge").get_data(as_text=True)
    assert "Local studies." in page and "photos@example.org" in page


def test_a_colour_that_breaks_contrast_and_other_mistakes_are_refused(app, make_user,
                                                                      make_institution):
    make_institution(slug="calderbridge", name="Calder", accent_colour="#1d4f91")
    client = app.test_client(user=make_user("admin"))

    pale = client.post("/admin/institutions/calderbridge",
                       data={**PROFILE, "accent_colour": "#ffcc00"})
    half_licence = client.post("/admin/institutions/calderbridge",
                               data={**PROFILE, "licence_uri": ""})
    bad_reason = client.post("/admin/institutions/calderbridge",
                             data={**PROFILE, "rejection_reasons": "Just some words"})

    assert pale.status_code == 400
    assert "WCAG AA asks for 4.5:1" in pale.get_data(as_text=True)
    assert "Local studies." in pale.get_data(as_text=True)  # the typed text is kept
    assert half_licence.status_code == 400
    assert "or neither" in half_licence.get_data(as_text=True)
    assert bad_reason.status_code == 400
    assert "Line 1 is not" in bad_reason.get_data(as_text=True)
    unchanged = _institution(app, "calderbridge")
    assert (unchanged.name, unchanged.accent_colour) == ("Calder", "#1d4f91")


def _png(size=(120, 60)) -> io.BytesIO:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (10, 80, 40)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_a_logo_is_checked_like_any_upload_and_shown(app, make_user, make_institution):
    make_institution(slug="calderbridge", name="Calder")
    client = app.test_client(user=make_user("admin"))

    fake = client.post("/admin/institutions/calderbridge", data={
        **PROFILE, "logo": (io.BytesIO(b"<script>not an image</script>"), "logo.png")},
        content_type="multipart/form-data")
    assert fake.status_code == 400
    assert "not an image" in fake.get_data(as_text=True)
    assert client.get("/institutions/calderbridge/logo").status_code == 404

    real = client.post("/admin/institutions/calderbridge", data={
        **PROFILE, "logo": (_png(), "logo.png")}, content_type="multipart/form-data")
    assert real.status_code == 303
    logo = client.get("/institutions/calderbridge/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/jpeg"
    logo.close()
    assert "/institutions/calderbridge/logo" in client.get(
        "/institutions/calderbridge").get_data(as_text=True)

    client.post("/admin/institutions/calderbridge", data={**PROFILE, "remove_logo": "y"})
    assert client.get("/institutions/calderbridge/logo").status_code == 404


def test_an_institutions_own_rejection_reasons_and_questions_are_offered(
        app, make_user, make_institution, make_collection, make_item, make_contribution):
    from archive.moderation.notify import rejection_text

    institution = make_institution(
        slug="calderbridge", name="Calder",
        rejection_reasons="not_local=We only keep photographs of Calderbridge.",
        standing_questions="Who are the people?")
    item = make_item(collection=make_collection(institution=institution), identifier="C-1")
    note = make_contribution(item)
    client = app.test_client(user=make_user("archivist", institution=institution))

    page = client.get(f"/moderation/contributions/{note.id}").get_data(as_text=True)
    assert "We only keep photographs of Calderbridge." in page
    assert "The note is not about this photograph." not in page  # the site's reasons
    rejected = client.post(f"/moderation/contributions/{note.id}/decide",
                           data={"action": "reject", "rejection_code": "not_local"})
    assert rejected.status_code == 303
    with app.test_request_context():
        stored = db.session.get(Contribution, note.id)
        assert stored.rejection_code == "not_local"
        assert rejection_text(stored) == "We only keep photographs of Calderbridge."

    question = client.get("/moderation/items/C-1/question").get_data(as_text=True)
    assert "Ask “Who are the people?”" in question
    asked = client.post("/moderation/items/C-1/question",
                        data={"action": "ask", "question": "Who are the people?"})
    assert asked.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.text("help_question FROM items"))) == \
            "Who are the people?"


def test_an_archivist_of_two_institutions_gives_each_note_its_own_institutions_reasons(
        app, make_user, make_institution, make_collection, make_item, make_contribution):
    calder = make_institution(slug="calder", rejection_reasons=(
        "not_local=We only keep photographs of Calderbridge.\n"
        "duplicate=Someone had already told us the same thing."))
    coop = make_institution(slug="coop", rejection_reasons=(
        "not_coop=The note is not about the society.\n"
        "duplicate=Someone had already told us the same thing."))
    calder_note = make_contribution(make_item(
        collection=make_collection(institution=calder), identifier="C-1"), body="Calder note")
    coop_note = make_contribution(make_item(
        collection=make_collection(institution=coop), identifier="K-1"), body="Co-op note")
    client = app.test_client(user=make_user("archivist", institutions=[calder, coop]))

    # In the queue, each note offers the reasons of the institution holding its photograph.
    queue = client.get("/moderation/").get_data(as_text=True)
    calder_form = queue[queue.index(f'id="code-{calder_note.id}"'):]
    calder_form = calder_form[:calder_form.index("</select>")]
    coop_form = queue[queue.index(f'id="code-{coop_note.id}"'):]
    coop_form = coop_form[:coop_form.index("</select>")]
    assert 'value="not_local"' in calder_form and 'value="not_coop"' not in calder_form
    assert 'value="not_coop"' in coop_form and 'value="not_local"' not in coop_form
    assert client.post(f"/moderation/contributions/{coop_note.id}/decide", data={
        "action": "reject", "rejection_code": "not_coop"}).status_code == 303

    # Several notes of both: only the reasons both offer, and the page says why.
    other_calder = make_contribution(make_item(
        collection=make_collection(institution=calder), identifier="C-2"))
    other_coop = make_contribution(make_item(
        collection=make_collection(institution=coop), identifier="K-2"))
    both = {"ids": [other_calder.id, other_coop.id], "action": "reject"}
    confirm = client.post("/moderation/bulk", data=both).get_data(as_text=True)
    assert 'value="duplicate"' in confirm
    assert 'value="not_local"' not in confirm and 'value="not_coop"' not in confirm
    assert "only the reasons they all share are offered" in confirm
    # A reason of one of them cannot be given to the other's notes: nothing is decided.
    refused = client.post("/moderation/bulk", data={**both, "confirm": "yes",
                                                     "rejection_code": "not_local"})
    assert refused.status_code == 303
    with app.app_context():
        assert {db.session.get(Contribution, n.id).status.value
                for n in (other_calder, other_coop)} == {"pending"}
    done = client.post("/moderation/bulk", data={**both, "confirm": "yes",
                                                  "rejection_code": "duplicate"})
    assert done.status_code == 303
    with app.app_context():
        assert {db.session.get(Contribution, n.id).rejection_code
                for n in (other_calder, other_coop)} == {"duplicate"}

    # Notes of one institution alone: all its own reasons.
    alone = make_contribution(make_item(
        collection=make_collection(institution=calder), identifier="C-3"))
    confirm = client.post("/moderation/bulk", data={"ids": [alone.id], "action": "reject"})
    assert 'value="not_local"' in confirm.get_data(as_text=True)
    assert "only the reasons they all share" not in confirm.get_data(as_text=True)
