"""Curators withdraw items from public view, with a reason, and restore them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from archive.curation.withdrawal import WithdrawalError, restore_item, withdraw_item
from archive.extensions import db
from archive.models import Item, User


def item_state(app, identifier):
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        return item.withdrawn_at, item.withdrawal_reason


def test_the_services_check_the_role_the_reason_and_the_state(app, sample):
    with app.app_context():
        item = db.session.get(Item, sample.tram.id)
        archivist = db.session.get(User, sample.archivist.id)
        curator = db.session.get(User, sample.curator.id)
        with pytest.raises(WithdrawalError, match="Only curators"):
            withdraw_item(item, archivist, reason="No")
        with pytest.raises(WithdrawalError, match="why"):
            withdraw_item(item, curator, reason="   ")
        with pytest.raises(WithdrawalError, match="not withdrawn"):
            restore_item(item, curator)
        withdraw_item(item, curator, reason="  Rights unclear ")
        with pytest.raises(WithdrawalError, match="already"):
            withdraw_item(item, curator, reason="Again")
        db.session.commit()
        assert (item.is_withdrawn, item.withdrawal_reason) == (True, "Rights unclear")


def test_a_curator_withdraws_from_the_item_page_and_restores_from_the_list(
        app, make_app, make_user, login_client, sample):
    app = make_app(WTF_CSRF_ENABLED=True)
    curator = login_client(app, make_user("curator"))
    page = curator.get("/items/LDS-2")
    assert 'href="/curation/items/LDS-2/withdraw"' in page.text

    form = curator.get("/curation/items/LDS-2/withdraw")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)[1]
    assert curator.post("/curation/items/LDS-2/withdraw",
                        data={"reason": "x"}).status_code == 400  # no CSRF token
    empty = curator.post("/curation/items/LDS-2/withdraw", data={"csrf_token": token})
    assert empty.status_code == 200
    assert "Say why the item is withdrawn." in empty.text
    done = curator.post("/curation/items/LDS-2/withdraw",
                        data={"csrf_token": token, "reason": "Rights <unclear>"},
                        follow_redirects=True)

    assert done.status_code == 200
    assert "Rights &lt;unclear&gt;" in done.text  # listed, escaped
    assert item_state(app, "LDS-2")[1] == "Rights <unclear>"
    assert app.test_client().get("/items/LDS-2").status_code == 410

    restored = curator.post("/curation/items/LDS-2/restore", data={"csrf_token": token})
    assert restored.status_code == 302
    assert item_state(app, "LDS-2") == (None, "")
    assert app.test_client().get("/items/LDS-2").status_code == 200
    assert curator.post("/curation/items/LDS-2/restore").status_code == 400


def test_only_curators_may_withdraw(app, client, make_user, login_client, sample):
    archivist = login_client(app, make_user("archivist"))

    assert 'withdraw"' not in archivist.get("/items/LDS-2").text
    for path in ("/curation/items/LDS-2/withdraw", "/curation/withdrawn"):
        assert archivist.get(path).status_code == 403
    assert archivist.post("/curation/items/LDS-2/withdraw",
                          data={"reason": "x"}).status_code == 403
    assert archivist.post("/curation/items/LDS-2/restore").status_code == 403
    assert client.post("/curation/items/LDS-2/withdraw", data={"reason": "x"}).status_code == 302
    assert item_state(app, "LDS-2") == (None, "")
    curator = login_client(app, make_user("curator"))
    assert curator.get("/curation/items/NOPE/withdraw").status_code == 404
    assert "No item is withdrawn." in curator.get("/curation/withdrawn").text


# --- IIIF --------------------------------------------------------------------------------------


def test_unknown_and_withdrawn_images_are_not_served(app, client, sample):
    image = sample.tram.primary_image
    sha = image.sha256
    assert client.get("/iiif/image/" + "0" * 64 + "/info.json").status_code == 404
    assert client.get("/iiif/image/../info.json").status_code == 404
    assert client.get(f"/iiif/image/{image.id}/info.json").status_code == 200
    with app.app_context():
        curator = db.session.get(User, sample.curator.id)
        withdraw_item(db.session.get(Item, sample.tram.id), curator, reason="Rights")
        db.session.commit()
        # the same scan may belong to another item (files are stored by content)
        sharing = [i for i in db.session.scalars(sa.select(Item))
                   if i.images and i.images[0].sha256 == sha and not i.is_withdrawn]
        for item in sharing:
            withdraw_item(item, curator, reason="Rights")
        db.session.commit()

    assert client.get(f"/iiif/image/{image.id}/info.json").status_code == 404
    assert client.get(f"/iiif/image/{sha}/info.json").status_code == 404
    assert client.get(f"/iiif/image/{sha}/full/max/0/default.jpg").status_code == 404


def test_a_withdrawn_item_leaves_the_iiif_documents(app, client, sample):
    with app.app_context():
        withdraw_item(db.session.get(Item, sample.tram.id),
                      db.session.get(User, sample.curator.id), reason="Rights")
        db.session.commit()

    assert client.get("/iiif/LDS-2/manifest").status_code == 404
    leeds = client.get("/iiif/collections/leeds").get_json(force=True)
    assert [m["id"] for m in leeds["items"]] == ["http://localhost/iiif/LDS-1/manifest"]
