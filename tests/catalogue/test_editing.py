"""Curators create and edit records and upload images in the browser."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image as PILImage

from archive.extensions import db
from archive.models import Image, Item


def jpeg_bytes(size=(900, 600), color=(10, 120, 200), **save) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def form(**overrides) -> dict:
    data = {"identifier": "NEW-1", "collection": "streets", "title": "A new photograph",
            "description": "", "date_text": "1936", "place": "Leeds", "people": "",
            "subjects": "", "creator": "", "rights": "", "help_question": ""}
    data.update(overrides)
    return data


@pytest.fixture
def curator_client(app, make_user, make_collection, login_client):
    make_collection(slug="streets", title="Streets")
    return login_client(app, make_user("curator"))


def stored_items(app) -> list[Item]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Item).order_by(Item.id)))
        for item in found:
            _ = item.images
            db.session.expunge(item)
        return found


def media_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_curator_creates_a_record_with_an_image(app, curator_client):
    data = form(image=(io.BytesIO(jpeg_bytes()), "scan.jpg"), needs_help="y",
                help_question="Which street is this?")

    response = curator_client.post("/catalogue/items/new", data=data,
                                   content_type="multipart/form-data")

    assert response.status_code == 302
    [item] = stored_items(app)
    assert (item.identifier, item.title, item.date_earliest) == ("NEW-1", "A new photograph", 1936)
    assert item.needs_help and item.help_question == "Which street is this?"
    assert [(i.original_name, i.width, i.height) for i in item.images] == [("scan.jpg", 900, 600)]
    page = curator_client.get("/items/NEW-1").get_data(as_text=True)
    assert "Edit this record" in page


def test_editing_changes_the_record_marks_it_changed_and_records_the_change(
        app, curator_client, make_item):
    item = make_item(title="Old title", place="Leeds")

    response = curator_client.post(f"/catalogue/items/{item.identifier}/edit", data=form(
        identifier="IGNORED", title="New title", place="Hunslet"),
        content_type="multipart/form-data")

    assert response.status_code == 302
    [saved] = stored_items(app)
    assert (saved.identifier, saved.title, saved.place) == (item.identifier, "New title",
                                                             "Hunslet")
    assert saved.record_changed_at > item.record_changed_at
    assert "Hunslet" in saved.search_document
    history = curator_client.get(f"/items/{item.identifier}").get_data(as_text=True)
    assert "changed from “Leeds” to “Hunslet”" in history


@pytest.mark.parametrize(("payload", "message"), [
    (b"just some text, named like a picture", "not an image"),
    (jpeg_bytes(quality=95)[:1500], "could not be read"),
    (jpeg_bytes(size=(4000, 3000)), "too many pixels"),
])
def test_a_bad_upload_is_refused_the_typed_text_kept_and_nothing_stored(
        make_app, make_user, make_collection, login_client, payload, message):
    app = make_app(IMAGE_MAX_PIXELS=10_000_000)  # a bomb is the same check at a lower limit
    make_collection(slug="streets", title="Streets")
    client = login_client(app, make_user("curator"))
    before = media_files(app)

    response = client.post("/catalogue/items/new",
                           data=form(title="Typed with care",
                                     image=(io.BytesIO(payload), "photo.jpg")),
                           content_type="multipart/form-data")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This file cannot be used" in html and message in html
    assert 'value="Typed with care"' in html
    assert stored_items(app) == []
    assert [p for p in media_files(app) if p not in before] == []


def test_an_upload_over_the_decoding_budget_is_refused_before_decoding(
        make_app, make_user, make_collection, login_client):
    app = make_app(IMAGE_DECODE_BUDGET=2 * 2**20)
    make_collection(slug="streets", title="Streets")
    client = login_client(app, make_user("curator"))
    photo = io.BytesIO()
    PILImage.new("RGB", (1200, 900), (90, 90, 90)).save(photo, "PNG")  # 4 MiB once decoded
    photo.seek(0)

    response = client.post("/catalogue/items/new",
                           data=form(title="Typed with care", image=(photo, "flat.png")),
                           content_type="multipart/form-data")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too large to process (1200x900 pixels would take 4 MiB" in html
    assert 'value="Typed with care"' in html
    assert stored_items(app) == []
    assert media_files(app) == []


def test_an_upload_over_the_size_limit_gets_the_413_page(make_app, make_user, make_collection,
                                                         login_client):
    app = make_app(MAX_CONTENT_LENGTH=50_000)
    make_collection(slug="streets", title="Streets")
    client = login_client(app, make_user("curator"))

    response = client.post("/catalogue/items/new",
                           data=form(image=(io.BytesIO(b"x" * 100_000), "big.jpg")),
                           content_type="multipart/form-data")

    assert response.status_code == 413
    assert stored_items(app) == []


def test_uploads_may_be_larger_than_the_limit_for_other_forms(make_app, make_user,
                                                             make_collection, login_client):
    app = make_app(MAX_FORM_BYTES=10_000)
    make_collection(slug="streets", title="Streets")
    client = login_client(app, make_user("curator"))
    photo = io.BytesIO()
    PILImage.effect_noise((400, 300), 60).convert("RGB").save(photo, "PNG")
    assert photo.tell() > 10_000
    photo.seek(0)

    response = client.post("/catalogue/items/new",
                           data=form(image=(photo, "street.png")),
                           content_type="multipart/form-data")

    assert response.status_code == 302
    assert [item.identifier for item in stored_items(app)] == ["NEW-1"]


def test_a_used_identifier_is_refused_with_the_form_kept(app, curator_client, make_item):
    make_item(identifier="DUP-1")

    response = curator_client.post("/catalogue/items/new", data=form(identifier="DUP-1",
                                                                     title="Second"),
                                   content_type="multipart/form-data")

    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)
    assert 'value="Second"' in response.get_data(as_text=True)


def test_removing_an_image(app, curator_client, make_item):
    item = make_item()
    image_id = item.images[0].id

    response = curator_client.post(f"/catalogue/items/{item.identifier}/images/{image_id}/remove")

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Image, image_id) is None


@pytest.mark.parametrize("role", ["archivist", "contributor"])
def test_only_curators_and_above_may_edit(app, make_user, make_item, login_client, role):
    item = make_item(title="Untouched")
    client = login_client(app, make_user(role))

    assert client.get("/catalogue/items/new").status_code == 403
    assert client.post(f"/catalogue/items/{item.identifier}/edit",
                       data=form(title="Changed")).status_code == 403
    assert stored_items(app)[0].title == "Untouched"
    assert "Edit this record" not in client.get(f"/items/{item.identifier}").get_data(
        as_text=True)


@pytest.mark.database_independent
def test_visitors_are_sent_to_log_in(app, client):
    response = client.get("/catalogue/items/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_edit_form_needs_a_csrf_token(make_app, make_user, make_collection, make_item,
                                          login_client):
    app = make_app(WTF_CSRF_ENABLED=True)
    item = make_item(title="Kept")
    client = login_client(app, make_user("curator"))

    response = client.post(f"/catalogue/items/{item.identifier}/edit", data=form(title="X"))

    assert response.status_code == 400
    assert stored_items(app)[0].title == "Kept"


def test_a_title_that_grows_when_normalised_is_refused_with_the_form_kept(app, curator_client):
    """Lengths are checked on the text as stored (NFC), not as typed."""
    import unicodedata

    typed = "\ufb2c" * 200  # 200 characters typed, 600 once normalised: over the 500 limit

    response = curator_client.post("/catalogue/items/new",
                                   data=form(title=typed, place="Kirkgate market"),
                                   content_type="multipart/form-data")

    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    assert "500" in html and unicodedata.normalize("NFC", typed) in html
    assert 'value="Kirkgate market"' in html
    assert stored_items(app) == []
