"""The public sees one archive of many voices: the institutions' pages, and what they hold."""

from __future__ import annotations

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, Item


def test_a_site_with_one_institution_looks_as_it_always_did(app, client, make_item):
    make_item(title="Briggate")

    home = client.get("/").get_data(as_text=True)

    assert "The archives sharing this site" not in home
    # The footer names the site's licence, as it always did.
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in _footer(home)
    assert "Briggate" in client.get("/browse").get_data(as_text=True)


def _two(make_institution, make_collection, make_item, make_contribution, make_user):
    north = make_institution(slug="north", name="North Library", name_cy="Llyfrgell y Gogledd",
                             description="Photographs of the north.",
                             description_cy="Ffotograffau o'r gogledd.", accent_colour="#0b5d3b",
                             contact_email="photos@north.example", licence_label="CC BY-NC 4.0",
                             licence_uri="https://creativecommons.org/licenses/by-nc/4.0/")
    south = make_institution(slug="south", name="South Society")
    north_photos = make_collection(institution=north, slug="n", title="Northern streets")
    south_photos = make_collection(institution=south, slug="s", title="Southern piers")
    asked = make_item(collection=north_photos, identifier="N-1", title="Mill chimney",
                      needs_help=True, help_question="Which mill is this?")
    make_item(collection=south_photos, identifier="S-1", title="Pier head", needs_help=True,
              help_question="When did the pier burn?")
    make_contribution(asked, status="approved", body="It is Sunny Bank Mills.",
                      decided_by=make_user("archivist", institution=north))
    return north, south


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):]


def test_the_footer_names_the_licence_of_the_institution_a_page_is_about(
        app, client, make_institution, make_collection, make_item, make_contribution, make_user):
    _two(make_institution, make_collection, make_item, make_contribution, make_user)
    north_licence = 'href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a>'
    site_licence = 'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>'

    for path in ("/items/N-1", "/institutions/north", "/collections/n",
                 "/institutions/north/impact"):
        footer = _footer(client.get(path).get_data(as_text=True))
        assert north_licence in footer and site_licence not in footer, path
    assert site_licence in _footer(client.get("/items/S-1").get_data(as_text=True))
    # A page about all of them names no single licence: they differ.
    for path in ("/", "/browse", "/search?q=mill"):
        footer = _footer(client.get(path).get_data(as_text=True))
        assert "CC BY" not in footer, path
        assert "under the licence of the institution holding the photograph" in footer
    welsh = _footer(client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True))
    assert "under the licence" not in welsh and "CC BY" not in welsh


def test_the_home_page_presents_every_institution(app, client, make_institution,
                                                   make_collection, make_item, make_contribution,
                                                   make_user):
    _two(make_institution, make_collection, make_item, make_contribution, make_user)

    home = client.get("/").get_data(as_text=True)

    assert "The archives sharing this site" in home
    assert 'href="/institutions/north"' in home and 'href="/institutions/south"' in home
    # The open questions come from all of them.
    assert "Which mill is this?" in home and "When did the pier burn?" in home


def test_an_institution_has_its_own_page_with_its_own_records(
        app, client, make_institution, make_collection, make_item, make_contribution, make_user):
    _two(make_institution, make_collection, make_item, make_contribution, make_user)

    page = client.get("/institutions/north")
    html = page.get_data(as_text=True)
    welsh = client.get("/institutions/north", headers={"Accept-Language": "cy"})

    assert page.status_code == 200
    assert "North Library" in html and "Photographs of the north." in html
    assert "Northern streets" in html and "Southern piers" not in html
    assert "Which mill is this?" in html and "When did the pier burn?" not in html
    assert "It is Sunny Bank Mills." in html
    assert 'data-institution="north"' in html
    assert "Llyfrgell y Gogledd" in welsh.get_data(as_text=True)
    assert "Ffotograffau o&#39;r gogledd." in welsh.get_data(as_text=True)
    assert client.get("/institutions/nowhere").status_code == 404
    theme = client.get("/institutions/theme.css")
    assert theme.mimetype == "text/css"
    assert '[data-institution="north"] { --accent: #0b5d3b; }' in theme.get_data(as_text=True)


def test_an_item_page_names_its_holder_and_the_licence_notes_go_under(
        app, client, make_institution, make_collection, make_item, make_contribution, make_user):
    _two(make_institution, make_collection, make_item, make_contribution, make_user)

    html = client.get("/items/N-1").get_data(as_text=True)
    sent = client.post("/items/N-1/contribute", data={
        "body": "The chimney came down in 1971.", "consent": "y"})

    assert 'href="/institutions/north">North Library</a>' in html
    assert "photos@north.example" in html
    assert 'href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a>' in html
    assert sent.status_code in (302, 303)
    with app.app_context():
        note = db.session.scalar(sa.select(Contribution).where(
            Contribution.body == "The chimney came down in 1971."))
        assert note.licence == "CC BY-NC 4.0"
    south = client.get("/items/S-1").get_data(as_text=True)
    assert "CC BY 4.0" in south  # the site's licence, where an institution names none


def test_impact_pages_count_what_the_publics_help_added(
        app, client, make_institution, make_collection, make_item, make_contribution, make_user):
    from archive.models import User, utcnow
    from archive.moderation.services import apply_enrichment

    north, _south = _two(make_institution, make_collection, make_item, make_contribution,
                         make_user)
    north_photos = db_collection(app, "n")
    make_item(collection=north_photos, identifier="N-2", title="Withdrawn one",
              withdrawn_at=utcnow())
    solved = make_item(collection=north_photos, identifier="N-3", title="Solved one",
                       needs_help=True, help_question="Who?", help_solved_at=utcnow())
    archivist = make_user("archivist", institution=north)
    second = make_contribution(solved, status="approved", body="My grandmother.",
                               email="Gran@Example.org", decided_by=archivist)
    make_contribution(solved, status="approved", body="Same person again.",
                      email="gran@example.org", decided_by=archivist)
    make_contribution(solved, status="pending", body="Not yet.")
    with app.app_context():
        apply_enrichment(db.session.get(Item, solved.id), "people", "Ada Smith",
                         db.session.get(User, archivist.id),
                         contribution=db.session.get(Contribution, second.id))
        db.session.commit()

    html = client.get("/institutions/north/impact").get_data(as_text=True)
    platform = client.get("/impact").get_data(as_text=True)

    # Two photographs in view (one withdrawn), three approved notes, two questions asked and
    # one solved, one fact added; contributors: one anonymous, and one address written twice.
    figures = _figures(html)
    assert figures == {"Photographs": "2", "Notes from the public, approved": "3",
                       "Questions solved": "1 of 2", "Facts added to the records": "1",
                       "Contributors": "2"}
    assert _figures(platform)["Photographs"] == "3"
    assert "South Society" in platform and "gran@example.org" not in platform.lower()


def db_collection(app, slug):
    from archive.models import Collection

    with app.app_context():
        found = db.session.scalar(sa.select(Collection).where(Collection.slug == slug))
        db.session.expunge(found)
        return found


def _figures(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))


def test_browsing_covers_every_institution_or_one(app, client, make_institution,
                                                  make_collection, make_item, make_contribution,
                                                  make_user):
    _two(make_institution, make_collection, make_item, make_contribution, make_user)

    everything = client.get("/browse").get_data(as_text=True)
    north = client.get("/browse?institution=north").get_data(as_text=True)

    assert "Mill chimney" in everything and "Pier head" in everything
    assert 'href="/browse?institution=south' in everything
    assert "Mill chimney" in north and "Pier head" not in north
    assert "Northern streets" in north and "Southern piers" not in north
    assert client.get("/browse?institution=nowhere").status_code == 404


def test_a_contributor_account_works_across_the_platform(app, make_institution,
                                                         make_collection, make_item,
                                                         make_contribution, make_user,
                                                         login_client):
    contributor = make_user("contributor")
    for slug, body in (("north", "Note to the north."), ("south", "Note to the south.")):
        institution = make_institution(slug=slug, name=slug.title())
        item = make_item(collection=make_collection(institution=institution, slug=slug),
                         with_image=False)
        make_contribution(item, body=body, submitted_by_id=contributor.id)

    html = login_client(app, contributor).get("/my/contributions").get_data(as_text=True)

    assert "Note to the north." in html and "Note to the south." in html
