"""Curators put an item's images in order and choose the one shown first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, Image, Item


def order(app, item) -> list[str]:
    with app.app_context():
        found = db.session.get(Item, item.id)
        names = [image.original_name for image in found.images]
        positions = [image.position for image in found.images]
        db.session.remove()
    assert positions == list(range(len(names)))
    return names


def move(client, item, image, where):
    return client.post(f"/catalogue/items/{item.identifier}/images/{image.id}/move",
                       data={"where": where})


@pytest.fixture
def curator(app, make_user, login_client):
    return login_client(app, make_user("curator"))


def test_a_curator_chooses_the_image_shown_first_and_moves_the_others(app, curator, make_item):
    item = make_item(images=3)
    a, b, c = item.images
    names = [a.original_name, b.original_name, c.original_name]

    response = move(curator, item, c, "first")
    assert response.status_code == 302
    assert order(app, item) == [names[2], names[0], names[1]]

    move(curator, item, c, "later")
    assert order(app, item) == [names[0], names[2], names[1]]
    move(curator, item, a, "later")
    assert order(app, item) == [names[2], names[0], names[1]]
    move(curator, item, b, "earlier")
    assert order(app, item) == [names[2], names[1], names[0]]
    # At an end, nothing moves.
    assert move(curator, item, c, "earlier").status_code == 302
    assert order(app, item) == [names[2], names[1], names[0]]

    page = curator.get(f"/items/{item.identifier}").get_data(as_text=True)
    assert c.display_path in page.split("data-gallery-image")[0].rsplit("<img", 1)[1]


def test_the_edit_page_offers_the_moves(app, curator, make_item):
    item = make_item(images=2)
    page = curator.get(f"/catalogue/items/{item.identifier}/edit").get_data(as_text=True)
    first, second = item.images
    assert f"Show {second.original_name} first" in page
    assert f"Move {first.original_name} later" in page
    assert f"Show {first.original_name} first" not in page
    assert f"Move {second.original_name} later" not in page
    assert "Shown first" in page


def test_reordering_keeps_each_notes_box_on_its_image(app, curator, make_item,
                                                      make_contribution):
    item = make_item(images=2)
    second = item.images[1]
    note = make_contribution(item, region_x=0.1, region_y=0.1, region_w=0.2, region_h=0.2,
                             region_image=second.sha256)

    move(curator, item, second, "first")

    with app.app_context():
        stored = db.session.get(Contribution, note.id)
        assert stored.region_image == second.sha256
        assert stored.region_image_number == 1  # its image is now the first
        db.session.remove()


def test_removing_an_image_closes_the_gap(app, curator, make_item):
    item = make_item(images=3)
    a, b, c = item.images
    curator.post(f"/catalogue/items/{item.identifier}/images/{a.id}/remove")
    assert order(app, item) == [b.original_name, c.original_name]


@pytest.mark.parametrize("where", ["", "last", "sideways"])
def test_an_unknown_move_is_refused(app, curator, make_item, where):
    item = make_item(images=2)
    assert move(curator, item, item.images[1], where).status_code == 400
    assert order(app, item) == [i.original_name for i in item.images]


def test_an_image_of_another_item_is_404(app, curator, make_item):
    item, other = make_item(images=2), make_item(images=2)
    assert move(curator, item, other.images[1], "first").status_code == 404
    assert order(app, other) == [i.original_name for i in other.images]


@pytest.mark.parametrize("role", ["archivist", "contributor"])
def test_only_curators_reorder(app, make_user, login_client, make_item, role):
    item = make_item(images=2)
    client = login_client(app, make_user(role))
    assert move(client, item, item.images[1], "first").status_code == 403
    assert order(app, item) == [i.original_name for i in item.images]


def test_another_institutions_curator_gets_404(app, make_institution, make_collection,
                                               make_item, make_user, login_client):
    south = make_institution(slug="south", name="South Society")
    item = make_item(images=2)
    client = login_client(app, make_user("curator", institution=south))
    assert move(client, item, item.images[1], "first").status_code == 404
    assert order(app, item) == [i.original_name for i in item.images]


def test_moving_needs_a_csrf_token(make_app, make_user, make_item, login_client):
    app = make_app(WTF_CSRF_ENABLED=True)
    item = make_item(images=2)
    client = login_client(app, make_user("curator"))
    assert move(client, item, item.images[1], "first").status_code == 400
    with app.app_context():
        assert db.session.scalars(sa.select(Image.original_name).order_by(
            Image.position)).all() == [i.original_name for i in item.images]
        db.session.remove()
