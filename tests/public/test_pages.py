"""Public pages, seen without logging in: home, browse, collections and the item page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

PUBLISHED_ON = datetime(2026, 5, 3, 14, 30, tzinfo=UTC)


def text(response) -> str:
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.S
    )
    assert match, f"no section labelled by {heading_id}"
    return match.group(1)


def grid_identifiers(html: str) -> list[str]:
    """The items shown in the browse grid, in the order shown."""
    match = re.search(r'<ul class="grid">(.*?)</ul>', html, re.S)
    assert match, "no grid on the page"
    return re.findall(r'href="/items/([^"]+)"', match.group(1))


def squash(html: str) -> str:
    return " ".join(html.split())


# --- home --------------------------------------------------------------------------------------


def test_home_shows_open_questions_recent_notes_and_collections(
    client, make_collection, make_item, make_contribution
):
    streets = make_collection(
        slug="street-scenes", title="Street scenes", description="Shops, trams and traffic."
    )
    asking = make_item(
        collection=streets,
        title="Tram in the rain",
        needs_help=True,
        help_question="Which street is this tram on?",
    )
    make_item(
        collection=streets,
        title="Town hall, 1930",
        needs_help=False,
        help_question="An old question that is closed now",
    )
    make_contribution(
        asking,
        status="approved",
        body="That is Briggate, by the arcade.",
        credit_name="Jane Smith",
        show_name=True,
        decided_at=PUBLISHED_ON,
    )
    make_contribution(asking, body="Pending note nobody has checked")
    make_contribution(asking, status="rejected", body="Rejected note that was wrong")
    make_contribution(asking, status="spam", body="Spam note selling watches")

    response = client.get("/")

    assert response.status_code == 200
    html = text(response)
    questions = section(html, "questions-heading")
    assert "Tram in the rain" in questions
    assert "Which street is this tram on?" in questions
    assert f'href="/items/{asking.identifier}"' in questions
    assert f'src="/media/{asking.images[0].thumb_path}"' in questions
    assert "Town hall, 1930" not in questions
    assert "An old question" not in html

    notes = squash(section(html, "notes-heading"))
    assert "That is Briggate, by the arcade." in notes
    assert "Jane Smith, 3 May 2026" in notes
    assert f'href="/items/{asking.identifier}"' in notes
    for hidden in ("Pending note", "Rejected note", "Spam note"):
        assert hidden not in html

    collections = squash(section(html, "collections-heading"))
    assert '<a href="/collections/street-scenes">Street scenes</a>' in collections
    assert "2 photographs" in collections
    assert "Shops, trams and traffic." in collections


def test_home_of_an_empty_archive_still_invites_people_in(client):
    response = client.get("/")

    assert response.status_code == 200
    html = text(response)
    assert "No open questions right now." in html
    assert 'href="/browse"' in html


# --- browse ------------------------------------------------------------------------------------


@pytest.fixture
def dated_items(make_item):
    """Five photographs added in one order, taken in another; two undated."""

    def item(identifier, added, earliest, latest):
        return make_item(
            identifier=identifier,
            created_at=datetime(*added, tzinfo=UTC),
            date_earliest=earliest,
            date_latest=latest,
            date_text=f"{earliest}-{latest}" if earliest else "",
        )

    item("A-1950s", (2024, 1, 1), 1950, 1955)
    item("B-1900", (2024, 3, 1), 1900, 1900)
    item("C-undated", (2024, 2, 1), None, None)
    item("D-1930s", (2024, 4, 1), 1930, 1939)
    item("E-undated", (2024, 5, 1), None, None)


@pytest.mark.parametrize("query", ["", "?sort=added", "?sort=no-such-order"])
def test_browse_shows_the_most_recently_added_first(client, dated_items, query):
    response = client.get(f"/browse{query}")

    assert response.status_code == 200
    assert grid_identifiers(text(response)) == [
        "E-undated",
        "D-1930s",
        "B-1900",
        "C-undated",
        "A-1950s",
    ]


@pytest.mark.parametrize(
    ("sort", "dated_order"),
    [("oldest", ["B-1900", "D-1930s", "A-1950s"]), ("newest", ["A-1950s", "D-1930s", "B-1900"])],
)
def test_browse_by_photograph_date_puts_undated_last(client, dated_items, sort, dated_order):
    response = client.get(f"/browse?sort={sort}")

    assert response.status_code == 200
    shown = grid_identifiers(text(response))
    assert shown[:3] == dated_order
    assert sorted(shown[3:]) == ["C-undated", "E-undated"]
    assert f'<option value="{sort}" selected>' in text(response)


def test_browse_is_paginated(make_app, make_item):
    for n in range(5):
        make_item(identifier=f"P-{n}", created_at=datetime(2024, 1, 1 + n, tzinfo=UTC))
    client = make_app(ITEMS_PER_PAGE=2).test_client()

    pages = [client.get(f"/browse?page={n}") for n in (1, 2, 3)]

    assert [r.status_code for r in pages] == [200, 200, 200]
    assert [grid_identifiers(text(r)) for r in pages] == [["P-4", "P-3"], ["P-2", "P-1"], ["P-0"]]
    first = text(pages[0])
    assert "5 photographs, page 1 of 3" in first
    assert 'rel="next" href="/browse?page=2&amp;sort=added"' in first
    assert 'rel="prev"' not in first
    last = text(pages[2])
    assert 'rel="prev" href="/browse?page=2&amp;sort=added"' in last
    assert 'rel="next"' not in last


def test_pagination_keeps_the_chosen_order(make_app, dated_items):
    client = make_app(ITEMS_PER_PAGE=2).test_client()

    first = text(client.get("/browse?sort=oldest"))
    second = text(client.get("/browse?sort=oldest&page=2"))

    assert grid_identifiers(first) == ["B-1900", "D-1930s"]
    assert 'rel="next" href="/browse?page=2&amp;sort=oldest"' in first
    assert grid_identifiers(second)[0] == "A-1950s"


@pytest.mark.parametrize("page", ["0", "-3", "first"])
def test_a_nonsense_page_number_shows_the_first_page(make_app, make_item, page):
    for n in range(3):
        make_item(identifier=f"P-{n}", created_at=datetime(2024, 1, 1 + n, tzinfo=UTC))
    client = make_app(ITEMS_PER_PAGE=2).test_client()

    response = client.get(f"/browse?page={page}")

    assert response.status_code == 200
    assert grid_identifiers(text(response)) == ["P-2", "P-1"]


@pytest.mark.parametrize(
    "url",
    [
        "/browse?page=3",
        "/browse?page=3&sort=oldest",
        "/collections/default?page=3",
        "/browse?page=9223372036854775807",  # would overflow the database's OFFSET
        "/browse?page=99999999999999999999999",
    ],
)
def test_a_page_past_the_end_is_not_found(make_app, make_item, url):
    for n in range(3):
        make_item(identifier=f"P-{n}")
    client = make_app(ITEMS_PER_PAGE=2).test_client()

    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_browse_an_empty_archive(client):
    response = client.get("/browse")

    assert response.status_code == 200
    assert "0 photographs" in text(response)
    assert grid_identifiers(text(response)) == []


def test_collection_page_shows_only_its_own_photographs(client, make_collection, make_item):
    trams = make_collection(slug="trams", title="Trams", description="Every tram we have.")
    mills = make_collection(slug="mills", title="Mills")
    make_item(collection=trams, identifier="T-1", date_earliest=1920, date_latest=1920)
    make_item(collection=trams, identifier="T-2", date_earliest=1910, date_latest=1910)
    make_item(collection=mills, identifier="M-1", date_earliest=1900, date_latest=1900)

    response = client.get("/collections/trams?sort=oldest")

    assert response.status_code == 200
    html = text(response)
    assert grid_identifiers(html) == ["T-2", "T-1"]
    assert "<h1>Trams</h1>" in html
    assert "Every tram we have." in html
    assert "2 photographs" in html
    assert grid_identifiers(text(client.get("/collections/mills"))) == ["M-1"]


def test_unknown_collection_is_not_found(client):
    response = client.get("/collections/no-such-collection")

    assert response.status_code == 404
    assert "Page not found" in text(response)


# --- item page ---------------------------------------------------------------------------------


def test_item_page_shows_the_photograph_and_its_catalogue_record(
    client, make_collection, make_item
):
    streets = make_collection(slug="streets", title="Street scenes")
    item = make_item(
        collection=streets,
        identifier="LS-1935-042",
        title="Briggate tram stop",
        description="A tram waits outside the arcade.",
        date_text="about 1935",
        place="Briggate, Leeds",
        people="Alice Jones; Bob Jones",
        subjects="trams\nshops",
        creator="Studio Photo Co.",
        rights="Public domain",
        needs_help=True,
        help_question="Do you know who is standing by the tram?",
    )
    image = item.images[0]

    response = client.get("/items/LS-1935-042")

    assert response.status_code == 200
    html = squash(text(response))
    # The display-size picture, linking to the public full-size copy (not the original).
    full = f"derivatives/{image.sha256[:2]}/{image.sha256[2:4]}/{image.sha256}-full.jpg"
    assert re.search(
        rf'<a [^>]*href="/media/{full}"[^>]*> <img src="/media/'
        rf'{image.display_path}"',
        html,
    )
    assert image.original_path not in html
    assert f"({image.width} \u00d7 {image.height} pixels)" in html
    for shown in (
        "Briggate tram stop",
        "A tram waits outside the arcade.",
        "about 1935",
        "Briggate, Leeds",
        "Alice Jones; Bob Jones",
        "trams; shops",
        "Studio Photo Co.",
        "Public domain",
        "LS-1935-042",
        "Do you know who is standing by the tram?",
    ):
        assert shown in html
    assert '<a href="/collections/streets">Street scenes</a>' in html
    assert 'action="/items/LS-1935-042/contribute#contribute"' in html


def test_item_page_shows_approved_notes_with_their_credit(client, make_item, make_contribution):
    item = make_item()
    make_contribution(
        item,
        status="approved",
        body="My grandmother ran the shop.",
        suggested_place="Kirkgate",
        credit_name="Jane Smith",
        show_name=True,
        email="jane@example.org",
        decided_at=PUBLISHED_ON,
    )
    make_contribution(
        item,
        status="approved",
        body="The tram is a number 12.",
        credit_name="Private Person",
        show_name=False,
        email="private@example.org",
        decided_at=datetime(2026, 5, 4, tzinfo=UTC),
    )
    make_contribution(
        item,
        status="approved",
        body="Taken from the church tower.",
        credit_name="   ",
        show_name=True,
        decided_at=datetime(2026, 5, 5, tzinfo=UTC),
    )

    html = squash(text(client.get(f"/items/{item.identifier}")))

    notes = section(html, "notes-heading")
    assert notes.index("My grandmother ran the shop.") < notes.index("The tram is a number 12.")
    assert "Jane Smith, 3 May 2026" in notes
    assert "Kirkgate" in notes
    assert "Anonymous contributor, 4 May 2026" in notes
    assert "Anonymous contributor, 5 May 2026" in notes
    assert "Private Person" not in html  # they asked not to be named
    assert "@example.org" not in html  # emails are never shown


def test_item_page_never_shows_undecided_or_refused_notes(
    client, make_item, make_contribution, make_user
):
    item, other = make_item(), make_item()
    archivist = make_user("archivist")
    make_contribution(item, body="Pending: not checked yet", email="pending@example.org")
    make_contribution(item, status="rejected", body="Rejected: wrong town", decided_by=archivist)
    make_contribution(item, status="spam", body="Spam: cheap watches", decided_by=archivist)
    make_contribution(other, status="approved", body="About another photograph")

    response = client.get(f"/items/{item.identifier}")

    assert response.status_code == 200
    html = text(response)
    for hidden in (
        "Pending:",
        "Rejected:",
        "Spam:",
        "About another photograph",
        "pending@example.org",
    ):
        assert hidden not in html
    assert "Nobody has told us anything about this photograph yet." in html


def test_unknown_item_shows_the_not_found_page(client, make_item):
    make_item(identifier="REAL-1")

    response = client.get("/items/NOT-REAL-1")

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert response.mimetype == "text/html"


def test_item_without_an_image_still_has_a_page(client, make_item):
    item = make_item(with_image=False, title="Lost negative")

    response = client.get(f"/items/{item.identifier}")

    assert response.status_code == 200
    assert "No image yet." in text(response)


def test_provenance_is_shown_only_where_a_note_gave_the_current_value(
    app, client, make_item, make_contribution, make_user
):
    from archive.extensions import db
    from archive.models import Enrichment

    archivist = make_user("archivist")
    item = make_item(date_text="1936", place="Boar Lane")
    note = make_contribution(
        item,
        status="approved",
        body="It was 1936, on Briggate.",
        credit_name="Jane Smith",
        show_name=True,
        decided_by=archivist,
        decided_at=PUBLISHED_ON,
    )
    with app.app_context():
        db.session.add_all(
            [
                # A note gave both the date and the place...
                Enrichment(
                    item_id=item.id,
                    field="date_text",
                    old_value="",
                    new_value="1936",
                    contribution_id=note.id,
                    applied_by_id=archivist.id,
                    applied_at=datetime(2026, 5, 4, tzinfo=UTC),
                ),
                Enrichment(
                    item_id=item.id,
                    field="place",
                    old_value="",
                    new_value="Briggate",
                    contribution_id=note.id,
                    applied_by_id=archivist.id,
                    applied_at=datetime(2026, 5, 4, tzinfo=UTC),
                ),
                # ...then the archive corrected the place itself.
                Enrichment(
                    item_id=item.id,
                    field="place",
                    old_value="Briggate",
                    new_value="Boar Lane",
                    contribution_id=None,
                    applied_by_id=archivist.id,
                    applied_at=datetime(2026, 5, 6, tzinfo=UTC),
                ),
            ]
        )
        db.session.commit()

    html = squash(text(client.get(f"/items/{item.identifier}")))

    record = re.search(r'<dl class="record">(.*?)</dl>', html).group(1)
    date_row = re.search(r"<dt>Date</dt> <dd>(.*?)</dd>", record).group(1)
    place_row = re.search(r"<dt>Place</dt> <dd>(.*?)</dd>", record).group(1)
    assert "1936" in date_row
    assert "Identified by a member of the public" in date_row
    assert "Boar Lane" in place_row
    assert "Identified by a member of the public" not in place_row
    history = section(html, "history-heading")
    assert "a note by Jane Smith" in history
    assert "changed from “Briggate” to “Boar Lane”" in history


# --- escaping ----------------------------------------------------------------------------------

SCRIPT = "<script>alert('owned')</script>"


def test_markup_in_titles_and_notes_is_shown_as_text(
    client, make_collection, make_item, make_contribution
):
    collection = make_collection(slug="x", title=f"Collection {SCRIPT}")
    item = make_item(
        collection=collection,
        identifier="XSS-1",
        title=f"Title {SCRIPT}",
        needs_help=True,
        help_question='Question <img src=x onerror="alert(1)">',
    )
    make_contribution(
        item,
        status="approved",
        body=f"Note {SCRIPT}",
        credit_name=f"Name {SCRIPT}",
        show_name=True,
        decided_at=PUBLISHED_ON,
    )

    for url in ("/", "/browse", "/collections/x", "/items/XSS-1"):
        html = text(client.get(url))
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html, url
    item_page = text(client.get("/items/XSS-1"))
    assert "Note &lt;script&gt;" in item_page
    assert "Name &lt;script&gt;" in item_page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in item_page


# --- withdrawn items, solved questions, edited notes ------------------------------------------


def test_a_withdrawn_item_leaves_public_view(client, make_collection, make_item):
    collection = make_collection(slug="streets", title="Streets")
    kept = make_item(collection=collection, title="Kept on view", needs_help=True,
                     help_question="Which mill is this?")
    gone = make_item(collection=collection, title="Taken down", needs_help=True,
                     help_question="Who is the man at the gate?",
                     withdrawn_at=datetime(2026, 6, 1, tzinfo=UTC))

    page = client.get(f"/items/{gone.identifier}")
    assert page.status_code == 410
    assert "withdrawn" in text(page)
    assert "Taken down" not in text(page)
    # Nobody can send a note about it either.
    posted = client.post(f"/items/{gone.identifier}/contribute",
                         data={"body": "I know this", "consent": "y"})
    assert posted.status_code == 410

    home = text(client.get("/"))
    assert "Which mill is this?" in home and "Who is the man at the gate?" not in home
    assert "1 photograph" in home  # the collection counts only what is on view
    assert grid_identifiers(text(client.get("/browse"))) == [kept.identifier]
    assert grid_identifiers(text(client.get("/collections/streets"))) == [kept.identifier]


def test_a_solved_question_is_no_longer_asked_on_the_home_page(client, make_item):
    make_item(title="Still a mystery", needs_help=True, help_question="When was the fire?")
    make_item(title="Answered", needs_help=True, help_question="Who drove the tram?",
              help_solved_at=datetime(2026, 6, 1, tzinfo=UTC))
    home = section(text(client.get("/")), "questions-heading")
    assert "When was the fire?" in home
    assert "Who drove the tram?" not in home


def test_the_public_reads_the_archivists_edit_of_a_note(client, make_item, make_contribution):
    item = make_item()
    make_contribution(item, status="approved", body="My nan Elsie, phone 0113 496 0000.",
                      edited_body="My nan Elsie.", decided_at=PUBLISHED_ON)
    page = text(client.get(f"/items/{item.identifier}"))
    assert "My nan Elsie." in page
    assert "0113 496 0000" not in page
