"""Full-text search, facets, highlighting, pot luck and most viewed, on both databases."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, Item
from archive.moderation.services import approve_contribution


def titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>',
                                                          html)]


def test_words_in_title_description_place_and_people_are_found(app, client, make_item):
    make_item(title="Trams on Briggate", description="Crowds outside the market.")
    make_item(title="A street party", place="Kirkstall Road", people="Edna Wood")
    make_item(title="Unrelated", description="Nothing here.")

    assert titles(client.get("/search?q=briggate")) == ["Trams on Briggate"]
    assert titles(client.get("/search?q=kirkstall")) == ["A street party"]
    assert titles(client.get("/search?q=edna+wood")) == ["A street party"]
    assert titles(client.get("/search?q=market")) == ["Trams on Briggate"]
    # Word forms and prefixes: "tram" finds "Trams".
    assert titles(client.get("/search?q=tram")) == ["Trams on Briggate"]
    assert titles(client.get("/search?q=nowhere")) == []


def test_a_title_match_ranks_above_a_passing_mention(app, client, make_item):
    make_item(title="Mill workers", description="Taken near the old canal, among other places.")
    make_item(title="The canal at Armley", description="Barges on the canal. The canal basin.")

    assert titles(client.get("/search?q=canal")) == ["The canal at Armley", "Mill workers"]


def test_matches_are_highlighted_after_escaping(app, client, make_item):
    make_item(title="<script>alert(1)</script> tram depot",
              description="The <b>tram</b> depot at Swinegate.")

    html = client.get("/search?q=tram").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>tram</mark> depot" in html
    assert "&lt;b&gt;<mark>tram</mark>&lt;/b&gt;" in html


def test_query_syntax_is_not_passed_to_the_engine(app, client, make_item):
    make_item(title="Quarry Hill flats")
    for query in ['"', "quarry AND", "NEAR(", "hill*:", "flats -", "'; DROP TABLE items; --",
                  "a" * 200]:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
    assert titles(client.get("/search", query_string={"q": '"quarry" (hill)'})) == [
        "Quarry Hill flats"]


def test_facets_count_and_narrow_by_collection_decade_and_help(
        app, client, make_item, make_collection):
    leeds = make_collection(slug="leeds", title="Leeds")
    york = make_collection(slug="york", title="York")
    make_item(collection=leeds, title="Station 1930s", date_text="1934", date_earliest=1934,
              date_latest=1934)
    make_item(collection=leeds, title="Station 1950s", date_text="1952", date_earliest=1952,
              date_latest=1952, needs_help=True, help_question="Who is this?")
    make_item(collection=york, title="Station York", date_text="1938", date_earliest=1938,
              date_latest=1938)

    html = client.get("/search?q=station").get_data(as_text=True)
    assert "Leeds (2)" in html and "York (1)" in html
    assert "1930s (2)" in html and "1950s (1)" in html
    assert "Can you help? (1)" in html

    assert sorted(titles(client.get("/search?q=station&collection=leeds"))) == [
        "Station 1930s", "Station 1950s"]
    assert sorted(titles(client.get("/search?q=station&decade=1930"))) == [
        "Station 1930s", "Station York"]
    assert titles(client.get("/search?q=station&help=1")) == ["Station 1950s"]
    assert titles(client.get("/search?q=station&decade=1930&collection=york")) == [
        "Station York"]


def test_search_covers_every_institution_with_an_institution_facet(
        app, client, make_item, make_collection, make_institution):
    north = make_institution(slug="north", name="North Library")
    south = make_institution(slug="south", name="South Society")
    mills = make_collection(institution=north, slug="mills", title="Mills")
    streets = make_collection(institution=north, slug="streets", title="Streets")
    piers = make_collection(institution=south, slug="piers", title="Piers")
    make_item(collection=mills, title="Station mill", date_earliest=1934, date_latest=1934)
    make_item(collection=streets, title="Station street", date_earliest=1952, date_latest=1952)
    make_item(collection=piers, title="Station pier", date_earliest=1938, date_latest=1938)

    everywhere = client.get("/search?q=station").get_data(as_text=True)
    north_only = client.get("/search?q=station&institution=north")
    html = north_only.get_data(as_text=True)

    assert "North Library (2)" in everywhere and "South Society (1)" in everywhere
    assert sorted(titles(north_only)) == ["Station mill", "Station street"]
    # The chosen institution's collections are offered; the other institutions stay countable.
    assert "Mills (1)" in html and "Streets (1)" in html and "Piers (1)" not in html
    assert "South Society (1)" in html
    assert titles(client.get("/search?q=station&institution=north&decade=1950")) == [
        "Station street"]
    assert titles(client.get("/search?q=station&institution=nowhere")) == []
    one = client.get("/search?q=station&collection=piers").get_data(as_text=True)
    assert ">Institution<" in one  # two institutions: the facet is shown


def test_with_one_institution_no_institution_facet_is_shown(app, client, make_item):
    make_item(title="Station")

    assert ">Institution<" not in client.get("/search?q=station").get_data(as_text=True)


def test_withdrawn_items_never_appear(app, client, make_item):
    from archive.models import utcnow

    make_item(title="Withdrawn chapel", withdrawn_at=utcnow(), withdrawal_reason="rights")
    make_item(title="Open chapel")

    assert titles(client.get("/search?q=chapel")) == ["Open chapel"]
    assert "Withdrawn" not in client.get("/search?q=chapel").get_data(as_text=True)


def test_an_approved_note_becomes_searchable_and_a_pending_one_does_not(
        app, client, make_item, make_contribution, make_user):
    item = make_item(title="Street scene")
    moderator = make_user("archivist")
    note = make_contribution(item, body="That is my grandfather's bakery on Kirkgate.")
    assert titles(client.get("/search?q=bakery")) == []

    with app.app_context():
        approve_contribution(db.session.get(Contribution, note.id),
                             db.session.get(type(moderator), moderator.id))
        db.session.commit()

    assert titles(client.get("/search?q=bakery")) == ["Street scene"]
    html = client.get("/search?q=bakery").get_data(as_text=True)
    assert "grandfather&#39;s <mark>bakery</mark>" in html


def test_an_edited_record_is_reindexed_through_mark_changed(app, client, make_item):
    item = make_item(title="Old name")
    with app.app_context():
        row = db.session.get(Item, item.id)
        row.place = "Hunslet"
        row.mark_changed()
        db.session.commit()
        assert "Hunslet" in db.session.get(Item, item.id).search_document

    assert titles(client.get("/search?q=hunslet")) == ["Old name"]


def test_empty_search_lists_everything_and_bad_parameters_are_explained(
        app, client, make_item):
    make_item(title="One")
    make_item(title="Two")
    assert sorted(titles(client.get("/search"))) == ["One", "Two"]
    response = client.get("/search?decade=abc")
    assert response.status_code == 200
    assert "Please check your search" in response.get_data(as_text=True)


def test_viewing_an_item_counts_and_most_viewed_lists_by_views(app, client, make_item):
    a = make_item(title="Seen once")
    b = make_item(title="Seen three times")
    make_item(title="Never seen")
    client.get(f"/items/{a.identifier}")
    for _ in range(3):
        client.get(f"/items/{b.identifier}")

    with app.app_context():
        counts = dict(db.session.execute(sa.select(Item.title, Item.view_count)).all())
    assert counts == {"Seen once": 1, "Seen three times": 3, "Never seen": 0}

    html = client.get("/most-viewed").get_data(as_text=True)
    assert html.index("Seen three times") < html.index("Seen once")
    assert "Never seen" not in html


def test_pot_luck_sends_to_a_public_item(app, client, make_item):
    from archive.models import utcnow

    assert client.get("/pot-luck").status_code == 404
    make_item(title="Hidden", withdrawn_at=utcnow())
    shown = make_item(title="Shown")
    for _ in range(5):
        response = client.get("/pot-luck")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/items/{shown.identifier}")


def test_the_header_has_a_search_box(app, client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'name="q"' in html


def test_search_rebuild_recomputes_documents_changed_behind_the_apps_back(
        app, client, runner, make_item):
    make_item(title="Leeds Town Hall", description="The clock tower")
    with app.app_context():
        db.session.execute(sa.update(Item).values(search_document=""))
        db.session.commit()
    assert titles(client.get("/search?q=clock")) == []

    result = runner.invoke(args=["search", "rebuild"])

    assert result.exit_code == 0 and "1 item." in result.output
    assert titles(client.get("/search?q=clock")) == ["Leeds Town Hall"]


def test_past_the_counted_best_matches_facets_say_so_and_every_page_is_reachable(
        app, client, make_item, make_collection, monkeypatch):
    from archive.search import services

    monkeypatch.setattr(services, "FACET_LIMIT", 2)
    app.config["ITEMS_PER_PAGE"] = 1
    leeds = make_collection(slug="leeds", title="Leeds")
    for n in range(3):
        make_item(collection=leeds, title=f"Canal basin {n}")

    html = client.get("/search?q=canal").get_data(as_text=True)
    assert "Leeds (2+)" in html  # counted over the first two matches only
    found = []
    for page in (1, 2, 3):
        found += titles(client.get(f"/search?q=canal&page={page}"))
    assert sorted(found) == ["Canal basin 0", "Canal basin 1", "Canal basin 2"]
    assert 'rel="next"' in client.get("/search?q=canal&page=2").get_data(as_text=True)
    assert 'rel="next"' not in client.get("/search?q=canal&page=3").get_data(as_text=True)


def test_titles_holding_every_word_come_first_and_pages_agree_whatever_their_size(
        app, client, make_item):
    """Items whose title holds every word come first, then the rest, each by relevance. SQLite
    ranks only those titles when there are enough of them for the page; every page size must
    give the same order as ranking every match, with no result skipped or shown twice."""
    filler = " ".join(["the old town seen from the hill"] * 20)
    make_item(title="Mill street", description=f"Looking down. {filler}")
    make_item(title="Mill street west", description=f"Shops. {filler}")
    # Without the tiers, SQLite's BM25 would put this one first: "street" eight times in a
    # short text.
    make_item(title="Mill chimney", description="Street, street, street, street, street, "
                                                "street, street and street.")
    make_item(title="Corner shop", description="On the corner of Mill Street.")
    make_item(title="Kirkgate", description="A street of shops near the mill.")

    def ranked(per_page: int) -> list[str]:
        app.config["ITEMS_PER_PAGE"] = per_page
        found = []
        for page in range(1, 7):
            found += titles(client.get(f"/search?q=mill+street&page={page}"))
        return found

    everything = ranked(10)  # more than the two titles holding both words: all ranked
    assert sorted(everything[:2]) == ["Mill street", "Mill street west"]
    assert sorted(everything[2:]) == ["Corner shop", "Kirkgate", "Mill chimney"]
    for per_page in (1, 2, 3, 4):
        assert ranked(per_page) == everything, per_page


# --- what one query may cost --------------------------------------------------------------------


def test_the_query_builder_caps_terms_and_keeps_prefixes_for_long_words():
    from archive.search.backends import (
        MAX_TERMS,
        MIN_PREFIX,
        PostgresBackend,
        SQLiteBackend,
        query_terms,
    )

    many = " ".join("abcdefghijklmnopqrstuvwxyz")  # 26 one-letter words
    assert len(query_terms(many)) == MAX_TERMS == 8
    assert MIN_PREFIX == 4

    # Only the last word, as a visitor types it, is a prefix, and only from 4 letters.
    terms = query_terms("a st mil mill Briggate")
    assert SQLiteBackend().params(terms) == {
        "expression": '"a" "st" "mil" "mill" "briggate"*',
        "titles": 'title : "a" title : "st" title : "mil" title : "mill" title : "briggate"*',
        "ranking": '"a" OR "st" OR "mil" OR "mill" OR "briggate"*'}
    assert PostgresBackend().params(terms) == {
        "expression": "a & st & mil & mill & briggate:*",
        "titles": "a:A & st:A & mil:A & mill:A & briggate:*A"}
    assert SQLiteBackend().params(query_terms("briggate mil"))["expression"] == (
        '"briggate" "mil"')
    # One-letter words are never prefixes: no query can ask for every word starting with a.
    for backend in (SQLiteBackend(), PostgresBackend()):
        assert "*" not in backend.params(query_terms(many))["expression"]


def test_a_common_word_is_searched_whole_and_left_out_of_the_ranking():
    """A word of at least MAX_RESULTS items already finds more than a search shows: as a prefix
    the index would first gather every match of every word it starts, and FTS5's BM25 would
    read every match of it to weigh it (nearly nil)."""
    from archive.search.backends import PostgresBackend, SQLiteBackend, query_terms

    terms = query_terms("briggate mill")
    assert SQLiteBackend().params(terms, {"mill"}) == {
        "expression": '"briggate" "mill"',
        "titles": 'title : "briggate" title : "mill"',
        "ranking": '"briggate"'}
    assert PostgresBackend().params(terms, {"mill"}) == {
        "expression": "briggate & mill", "titles": "briggate:A & mill:A"}
    # Only common words: nothing is ranked ('""' finds nothing), titles still come first.
    assert SQLiteBackend().params(["mill"], {"mill"})["ranking"] == '""'


def test_short_words_match_whole_words_and_long_ones_also_find_longer_words(client, make_item):
    make_item(title="Mill street", description="Mi and Ma by the mil.")
    make_item(title="Millgate Road", description="A terrace.")
    make_item(title="Minster Yard", description="Choir.")

    assert sorted(titles(client.get("/search?q=mill"))) == ["Mill street", "Millgate Road"]
    # Only the last word is a prefix: the word being typed.
    assert titles(client.get("/search?q=road+millg")) == ["Millgate Road"]
    assert titles(client.get("/search?q=millg+road")) == []
    assert titles(client.get("/search?q=mil")) == ["Mill street"]  # the word "mil" alone
    assert titles(client.get("/search?q=mi")) == ["Mill street"]  # the word "Mi" alone
    html = client.get("/search?q=mi").get_data(as_text=True)
    assert "<mark>Mi</mark> and Ma" in html and "<mark>Mill" not in html


def test_a_word_found_in_many_items_finds_only_itself(app, client, make_item, monkeypatch):
    from archive.search import services

    monkeypatch.setattr(services, "MAX_RESULTS", 3)
    for n in range(3):
        make_item(title=f"Mill street {n}")
    make_item(title="Millgate Road")
    make_item(title="Millers Arms", description="Beside the mill.")

    # "mill" is a word of 4 items, at least MAX_RESULTS: it no longer finds "Millgate".
    found = titles(client.get("/search?q=mill"))
    assert len(found) == 3 and "Millgate Road" not in found
    html = client.get("/search?q=mill").get_data(as_text=True)
    assert "<mark>Millers" not in html
    assert ("“mill” was searched as a whole word: so many photographs hold words starting with "
            "it that a search cannot look for them all.") in html
    welsh = client.get("/search?q=mill", headers={"Accept-Language": "cy"})
    assert "Chwiliwyd am “mill” fel gair cyfan" in welsh.get_data(as_text=True)
    # A rarer word is still a prefix, and says nothing.
    html = client.get("/search?q=millg").get_data(as_text=True)
    assert titles_in(html) == ["Millgate Road"] and "as a whole word" not in html


def test_a_query_of_many_one_letter_words_asks_no_prefix_of_the_index(app, client, make_item,
                                                                       monkeypatch):
    from archive.search import services

    make_item(title="A b c d")
    seen = []
    real = services._values
    monkeypatch.setattr(services, "_values",
                        lambda terms, filters, **more: seen.append(terms) or real(
                            terms, filters, **more))

    response = client.get("/search", query_string={"q": " ".join("abcdefghijklmnopqrstuvwxyz")})

    assert response.status_code == 200
    assert seen and all(len(terms) <= 8 for terms in seen)
    assert all(len(term) == 1 for terms in seen for term in terms)


@pytest.fixture
def limited_search(make_app):
    """An app with rate limits on. (Flask-Limiter's enabled flag is shared by every app of the
    process: make it after every other app of the test; its in-memory counts are emptied.)"""
    from archive.extensions import limiter

    def factory():
        app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       SEARCH_RATE_LIMIT="3 per minute")
        limiter.reset()
        return app

    return factory


def test_searching_too_fast_is_paused_with_a_kind_page(make_item, limited_search):
    make_item(title="Mill street")
    client = limited_search().test_client()

    answers = [client.get("/search?q=mill", environ_base={"REMOTE_ADDR": "203.0.113.8"})
               for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    page = answers[-1].get_data(as_text=True)
    assert "Please slow down" in page and "searched a lot in a short time" in page
    assert int(answers[-1].headers["Retry-After"]) > 0
    # Another visitor, and the rest of the site, are not held up.
    other = client.get("/search?q=mill", environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert other.status_code == 200
    assert client.get("/browse", environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 200


# --- how deep a search goes ------------------------------------------------------------------


def test_a_search_ranks_and_shows_at_most_max_results_matches(app, client, make_item,
                                                                monkeypatch):
    from archive.search import services

    monkeypatch.setattr(services, "MAX_RESULTS", 4)
    monkeypatch.setattr(services, "FACET_LIMIT", 4)
    app.config["ITEMS_PER_PAGE"] = 2
    for n in range(7):
        make_item(title=f"Canal basin {n}")

    pages = [client.get(f"/search?q=canal&page={page}").get_data(as_text=True)
             for page in (1, 2)]
    found = [title for html in pages for title in titles_in(html)]
    assert len(found) == len(set(found)) == 4
    assert "At least 4 photographs" in pages[0] and "page 1 of 2" in pages[0]
    # The last page says why no more are shown, and offers no next page.
    assert 'rel="next"' not in pages[1]
    assert "A search shows its first 4 results. To find others, add a word" in pages[1]
    assert "A search shows its first" not in pages[0]


def titles_in(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t)
            for t in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', html)]


def test_a_page_deeper_than_a_search_goes_is_refused_kindly(app, client, make_item):
    from archive.search.services import MAX_RESULTS

    make_item(title="Canal basin")
    app.config["ITEMS_PER_PAGE"] = 24
    last = -(-MAX_RESULTS // 24)

    assert titles(client.get(f"/search?q=canal&page={last}")) == []  # allowed, if empty
    response = client.get(f"/search?q=canal&page={last + 1}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert titles(response) == []
    assert (f"A search shows its first {MAX_RESULTS} results, up to page {last}. To find "
            "others, add a word or choose a filter.") in html
    assert 'value="canal"' in html  # what the visitor typed is kept
    for page in (10_000, 10**30):
        assert "A search shows its first" in client.get(
            f"/search?q=canal&page={page}").get_data(as_text=True)

    welsh = client.get(f"/search?q=canal&page={last + 1}", headers={"Accept-Language": "cy"})
    assert (f"Mae chwiliad yn dangos ei {MAX_RESULTS} canlyniad cyntaf, hyd at dudalen {last}"
            in welsh.get_data(as_text=True))


def test_the_last_page_says_so_in_welsh(app, client, make_item, monkeypatch):
    from archive.search import services

    monkeypatch.setattr(services, "MAX_RESULTS", 2)
    monkeypatch.setattr(services, "FACET_LIMIT", 2)
    app.config["ITEMS_PER_PAGE"] = 2
    for n in range(3):
        make_item(title=f"Canal basin {n}")

    html = client.get("/search?q=canal", headers={"Accept-Language": "cy"}).get_data(
        as_text=True)
    assert "Mae chwiliad yn dangos ei 2 canlyniad cyntaf. I ddod o hyd i eraill" in html
