"""`flask demo`: a complete demo archive in one command, and nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape

from archive.extensions import db
from archive.models import (
    Collection,
    Contribution,
    ContributionStatus,
    Enrichment,
    Image,
    Item,
    ModerationEvent,
    Role,
    User,
)


def _counts(app) -> dict:
    with app.app_context():
        def count(model, *where):
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

        return {
            "collections": count(Collection),
            "items": count(Item),
            "help": count(Item, Item.needs_help.is_(True)),
            "images": count(Image),
            "pending": count(Contribution, Contribution.status == ContributionStatus.PENDING),
            "approved": count(Contribution, Contribution.status == ContributionStatus.APPROVED),
            "events": count(ModerationEvent),
            "enrichments": count(Enrichment),
            "users": count(User),
        }


@pytest.mark.slow
def test_demo_loads_a_whole_archive_and_running_it_again_adds_nothing(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo login: archivist@example.org" in result.output

    first = _counts(app)
    assert first["collections"] >= 3
    assert first["items"] >= 40
    # Every item has its image, and one the back of its card too.
    assert first["images"] == first["items"] + 1
    assert first["help"] >= 8
    assert first["pending"] >= 1 and first["approved"] >= 1
    assert first["events"] == first["approved"]  # every approval has its audit event
    assert first["enrichments"] >= 1  # some approved notes already improved a record
    assert first["users"] == 5

    with app.app_context():
        two_sided = db.session.scalar(sa.select(Item).where(Item.identifier == "CB-HAR-0138"))
        assert two_sided is not None and len(two_sided.images) == 2
        # Its waiting note points at the pencilled name on the back, the second image.
        note = db.session.scalar(sa.select(Contribution).where(
            Contribution.item_id == two_sided.id,
            Contribution.status == ContributionStatus.PENDING))
        assert note is not None and note.region_image == two_sided.images[1].sha256
        assert note.region_image_number == 2
        db.session.remove()

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "added 0 collections, 0 items, 0 notes" in again.output
    assert _counts(app) == first

    with app.app_context():
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == {Role.ARCHIVIST, Role.CURATOR, Role.ADMIN}
        # Three institutions share the demo platform, each with collections and staff.
        from archive.models import Institution, Membership

        holdings = dict(db.session.execute(
            sa.select(Institution.slug, sa.func.count(Collection.id.distinct()))
            .join(Collection, Collection.institution_id == Institution.id)
            .group_by(Institution.slug)).all())
        assert holdings == {"calderbridge-libraries": 3, "calderbridge-co-op": 1,
                            "calder-valley-fhs": 1}
        staffed = set(db.session.scalars(sa.select(Membership.institution_id).distinct()))
        assert len(staffed) == 3
        questions = list(db.session.scalars(
            sa.select(Item.help_question).where(Item.needs_help.is_(True))))
        assert all(q.strip().endswith("?") for q in questions)
        # Every photograph really is on disk, with its derivatives.
        media = Path(app.config["MEDIA_ROOT"])
        for image in db.session.scalars(sa.select(Image)):
            for path in (image.original_path, image.thumb_path, image.display_path):
                assert (media / path).is_file()

    # Search knows every record and every approved note at once.
    with app.app_context():
        from archive.search.indexing import compute_documents

        documents = compute_documents(db.session(), db.session.scalars(sa.select(Item.id)))
        assert len(documents) == first["items"]
        assert all(stored == wanted for stored, wanted in documents.values())
        note = db.session.scalars(sa.select(Contribution).where(
            Contribution.status == ContributionStatus.APPROVED)).first()
        assert note.public_text.strip() in documents[note.item_id][0]

    # The demo is browsable at once: the home page asks its questions with thumbnails.
    home = client.get("/")
    assert home.status_code == 200
    shown = [q for q in questions if str(escape(q)) in home.get_data(as_text=True)]
    assert len(shown) >= 4


    # The demo's staff logins work through the real form.
    staff = app.test_client()
    response = staff.post("/login", data={"email": "archivist@example.org",
                                          "password": "demo-archivist"})
    assert response.status_code == 303
    assert staff.get("/moderation/").status_code == 200


def test_the_demo_platforms_staff_each_work_on_their_own_institution(app, runner):
    from archive.models import Contribution

    assert runner.invoke(args=["demo"]).exit_code == 0
    volunteer = app.test_client()
    volunteer.post("/login", data={"email": "coop@example.org",
                                   "password": "demo-co-op-volunteer"})
    librarian = app.test_client()
    librarian.post("/login", data={"email": "archivist@example.org",
                                   "password": "demo-archivist"})

    exported = volunteer.get("/curation/export.json").get_json(force=True)
    queue = librarian.get("/moderation/?status=approved").get_data(as_text=True)

    # The volunteer curates the co-op's archive only (and moderates at the society).
    assert exported and {r["institution"] for r in exported} == {"calderbridge-co-op"}
    with app.app_context():
        coop_note = db.session.scalar(
            sa.select(Contribution.id).join(Item).join(Collection)
            .where(Collection.slug == "co-operative-society").limit(1))
    assert coop_note is not None
    assert "queue-row" in queue and f'id="c{coop_note}"' not in queue
    assert librarian.get(f"/moderation/contributions/{coop_note}").status_code == 404
    home = app.test_client().get("/").get_data(as_text=True)
    assert "Calder Valley Family History Society" in home
