"""The interface in English and Welsh: every string translated, the switch, the catalogue untouched.

The extraction uses Babel's own API with the repository's ``babel.cfg``, exactly as
``pybabel extract`` does: a string marked for translation anywhere in the templates or the
Python code that has no Welsh translation fails here.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
CATALOGUE_DIR = ROOT / "archive" / "translations" / "cy" / "LC_MESSAGES"
# The same keywords as `pybabel extract -k lazy_gettext -k _l` (see the README).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


def _mapping():
    from babel.messages import frontend

    with BABEL_CFG.open() as fileobj:
        if hasattr(frontend, "parse_mapping_cfg"):
            return frontend.parse_mapping_cfg(fileobj, filename=str(BABEL_CFG))
        return frontend.parse_mapping(fileobj, filename=str(BABEL_CFG))


def _extracted() -> dict[str, list[str]]:
    method_map, options_map = _mapping()
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _welsh_po():
    with (CATALOGUE_DIR / "messages.po").open("rb") as fileobj:
        return read_po(fileobj, locale="cy")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


def test_every_interface_string_has_a_welsh_translation():
    extracted = _extracted()
    assert len(extracted) > 150, "the extraction found too little: is babel.cfg right?"
    catalogue = _welsh_po()
    problems = []
    for msgid, places in sorted(extracted.items()):
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"not in the Welsh catalogue: {msgid!r} ({places[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({places[0]})")
        elif not _translated(message):
            problems.append(f"empty translation: {msgid!r} ({places[0]})")
    assert not problems, (
        "untranslated interface strings; run `pybabel extract` and `pybabel update`, "
        "translate, then `pybabel compile` (see the README):\n" + "\n".join(problems)
    )
    assert not catalogue.fuzzy, "the Welsh catalogue's header is marked fuzzy"


def test_placeholders_are_kept_in_every_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in _welsh_po():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) == wanted, message.id


def _entries(catalogue) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalogue if m.id}


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    po = _entries(_welsh_po())
    with (CATALOGUE_DIR / "messages.mo").open("rb") as fileobj:
        mo = _entries(read_mo(fileobj))
    assert mo == po, "messages.mo is stale: run `pybabel compile -d archive/translations`"


# --- the interface, through HTTP -----------------------------------------------------------------

TITLE = "Whit Walk on Mill Lane"
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"  # the apostrophe Welsh text uses
NOTE = "That's my grandmother, Annie Hughes, third from the left."


@pytest.fixture
def world(app, make_item, make_contribution, make_user):
    archivist = make_user("archivist")
    item = make_item(title=TITLE, description="Children in white, banners.",
                     needs_help=True, help_question="Which chapel's walk is this?")
    make_contribution(item, status="approved", decided_by=archivist, body=NOTE,
                      credit_name="Gwen", show_name=True)
    return item


def _csrf_token(html: str) -> str:
    form = re.search(r'<form class="language-switch".*?</form>', html, re.S)
    assert form, "no language switch on the page"
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0))
    assert match, "the language switch has no CSRF token"
    return match.group(1)


def test_switching_to_welsh_translates_the_interface_and_keeps_the_catalogue(make_app, world):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    item_path = f"/items/{world.identifier}"

    english = client.get(item_path).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Can you help? Tell us what you know" in english

    # Without the token, the switch refuses (like every form that changes something).
    assert client.post("/language", data={"lang": "cy", "next": item_path}).status_code == 400

    response = client.post("/language", data={
        "lang": "cy", "next": item_path, "csrf_token": _csrf_token(english)})
    assert response.status_code == 303
    assert response.headers["Location"] == item_path
    assert "lang=cy" in response.headers["Set-Cookie"]

    welsh = client.get(item_path).get_data(as_text=True)
    assert '<html lang="cy">' in welsh
    assert "Allwch chi helpu? Dywedwch wrthym beth rydych yn ei wybod" in welsh
    assert "Anfon fy nodyn" in welsh
    assert f"Beth ydych chi{APOSTROPHE}n ei wybod am y ffotograff hwn?" in welsh  # a label
    assert "Send my note" not in welsh
    # The catalogue and the public's notes, exactly as stored.
    assert f"<h1>{TITLE}</h1>" in welsh
    assert "That&#39;s my grandmother, Annie Hughes, third from the left." in welsh
    assert "Which chapel&#39;s walk is this?" in welsh

    home = client.get("/").get_data(as_text=True)
    assert '<html lang="cy">' in home
    assert f"Pori{APOSTROPHE}r ffotograffau" in home
    assert "Ychwanegwyd yn ddiweddar gan y cyhoedd" in home
    assert TITLE in home

    # And back to English.
    response = client.post("/language", data={
        "lang": "en", "next": "/", "csrf_token": _csrf_token(home)})
    assert response.status_code == 303
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_dates_follow_the_language(client, world):
    client.set_cookie("lang", "cy")
    html = client.get(f"/items/{world.identifier}").get_data(as_text=True)
    months = ("Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|"
              "Tachwedd|Rhagfyr")
    assert re.search(rf'class="credit">Gwen, \d{{1,2}} ({months}) \d{{4}}<', html)


def test_accept_language_picks_welsh_without_a_cookie(client, world):
    html = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).get_data(
        as_text=True)
    assert '<html lang="cy">' in html
    assert "Allwch chi helpu?" in html

    html = client.get("/", headers={"Accept-Language": "fr,de;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html  # no match: English

    # The cookie wins over the browser's preference.
    client.set_cookie("lang", "en")
    html = client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_pages_say_they_vary_by_language(client, world):
    response = client.get("/")
    assert "Accept-Language" in response.headers.get("Vary", "")


@pytest.mark.database_independent
@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "",
])
def test_the_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"lang": "cy", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.database_independent
def test_the_switch_refuses_an_unknown_language(client):
    response = client.post("/language", data={"lang": "fr", "next": "/"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_machine_formats_are_not_translated(client, world):
    client.set_cookie("lang", "cy")
    english = {"Accept-Language": "en"}
    for path in (f"/iiif/{world.identifier}/manifest", "/annotations/page/1"):
        welsh_body = client.get(path).get_data()
        client.set_cookie("lang", "en")
        assert welsh_body == client.get(path, headers=english).get_data(), path
        client.set_cookie("lang", "cy")
    assert TITLE in client.get(f"/iiif/{world.identifier}/manifest").get_data(as_text=True)


# --- messages built in Python: flashes, form errors, figures -------------------------------------

DECIDED_AT = datetime(2024, 3, 1, 9, 5, tzinfo=UTC)


def _cy(text: str) -> str:
    """Welsh as the catalogue writes it: with the typographic apostrophe."""
    return text.replace("'", APOSTROPHE)


def _client(app, user=None, *, lang: str):
    client = app.test_client(user=user)
    client.set_cookie("lang", lang)
    return client


@pytest.fixture
def ada(make_user):
    return make_user("archivist", display_name="Ada Archivist")


@pytest.mark.parametrize(("lang", "wanted", "unwanted"), [
    ("en", "This note was already rejected by Ada Archivist at 09:05 on 01 Mar 2024 (UTC).",
     "Roedd y nodyn"),
    ("cy", _cy("Roedd y nodyn hwn eisoes wedi'i wrthod gan Ada Archivist am 09:05 ar 01 Maw "
               "2024 (UTC)."), "already rejected"),
])
def test_a_decision_on_a_decided_note_is_refused_in_the_page_language(
        app, ada, make_user, make_item, make_contribution, lang, wanted, unwanted):
    note = make_contribution(make_item(with_image=False), status="rejected", decided_by=ada,
                             decided_at=DECIDED_AT)
    client = _client(app, make_user("archivist"), lang=lang)

    response = client.post(f"/moderation/contributions/{note.id}/decide",
                           data={"action": "approve"}, follow_redirects=True)

    assert response.status_code == 200
    assert wanted in response.text
    assert unwanted not in response.text


@pytest.mark.parametrize(("lang", "wanted", "unwanted"), [
    ("en", "The edited text is empty: approve the note as written, or reject it.",
     _cy("Mae'r testun")),
    ("cy", _cy("Mae'r testun wedi'i olygu yn wag: cymeradwywch y nodyn fel y'i hysgrifennwyd, "
               "neu gwrthodwch ef."), "The edited text is empty"),
])
def test_an_emptied_text_is_refused_in_the_page_language(app, ada, make_item, make_contribution,
                                                         lang, wanted, unwanted):
    note = make_contribution(make_item(with_image=False), body="Kirkgate in 1931.")
    client = _client(app, ada, lang=lang)

    response = client.post(f"/moderation/contributions/{note.id}/decide", data={
        "action": "approve", "edited_text": "  \n ", "from": "contribution"})

    assert response.status_code == 409
    assert wanted in response.text
    assert unwanted not in response.text


@pytest.mark.parametrize(("lang", "wanted"), [
    ("en", "The oldest was sent 3 days ago"),
    ("cy", "Anfonwyd yr hynaf 3 diwrnod yn ôl"),
])
def test_the_queue_says_how_long_the_oldest_note_has_waited(app, ada, make_item,
                                                            make_contribution, lang, wanted):
    make_contribution(make_item(with_image=False),
                      created_at=datetime.now(UTC) - timedelta(days=3, hours=2))

    html = _client(app, ada, lang=lang).get("/moderation/").text

    assert wanted in html
    assert ("3 days" in html) is (lang == "en")


@pytest.mark.database_independent
@pytest.mark.parametrize(("lang", "ages"), [
    ("en", ["1 day", "2 hours", "1 minute", "5 minutes", "less than a minute"]),
    ("cy", ["1 diwrnod", "2 awr", "1 munud", "5 munud", "llai na munud"]),
])
def test_waiting_times_are_said_with_the_language_plurals(app, lang, ages):
    from archive.moderation.routes import describe_age

    now = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    waits = [timedelta(days=1, hours=5), timedelta(hours=2, minutes=59), timedelta(minutes=1),
             timedelta(minutes=5, seconds=30), timedelta(seconds=20)]
    with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
        assert [describe_age(now - wait, now) for wait in waits] == ages


PASSWORD_CASES = [
    ("en", "short1!x", "The password must be at least 10 characters long."),
    ("cy", "short1!x", _cy("Rhaid i'r cyfrinair fod o leiaf 10 nod o hyd.")),
    ("en", "password123", "The password is too easy to guess (this is a very common password); "
                          "try a few unrelated words."),
    ("cy", "password123", _cy("Mae'r cyfrinair yn rhy hawdd ei ddyfalu (mae hwn yn gyfrinair "
                              "cyffredin iawn); rhowch gynnig ar ychydig o eiriau digyswllt.")),
]


@pytest.mark.parametrize(("lang", "password", "wanted"), PASSWORD_CASES)
def test_the_password_rules_are_told_in_the_page_language(app, lang, password, wanted):
    client = _client(app, lang=lang)

    response = client.post("/register", data={
        "display_name": "Kim Lee", "email": "kim@example.net", "password": password,
        "confirm": password})

    assert response.status_code == 400
    assert wanted in response.text
    if lang == "cy":  # neither our English nor zxcvbn's
        for english in ("The password", "too easy", "very common", "at least"):
            assert english not in response.text


@pytest.mark.parametrize(("lang", "password", "wanted"), PASSWORD_CASES)
def test_an_administrator_reads_the_password_rules_in_the_page_language(
        app, make_user, lang, password, wanted):
    client = _client(app, make_user("admin"), lang=lang)

    response = client.post("/admin/users", data={
        "email": "new@example.org", "display_name": "New", "role": "archivist",
        "password": password})

    assert response.status_code == 400
    assert wanted in response.text


@pytest.mark.database_independent
def test_a_password_hint_we_cannot_translate_is_kept_for_english_only(app):
    from archive.auth.services import _password_hint

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert _password_hint("A brand new warning.") == "a brand new warning"
        assert _password_hint("This is a top-10 common password.") == (
            "this is a top-10 common password")
    with app.test_request_context(headers={"Cookie": "lang=cy"}):
        assert _password_hint("A brand new warning.") == ""
        assert _password_hint("This is a top-10 common password.") == (
            "mae hwn ymhlith y 10 cyfrinair mwyaf cyffredin")
    with app.app_context():  # a command: no request, English
        assert _password_hint("A brand new warning.") == "a brand new warning"


@pytest.mark.parametrize(("lang", "wanted"), [
    ("en", "You cannot remove your own administrator rights or deactivate yourself"),
    ("cy", "Ni allwch ddileu eich hawliau gweinyddwr eich hun"),
])
def test_account_rules_are_told_in_the_page_language(app, make_user, lang, wanted):
    admin = make_user("admin")
    response = _client(app, admin, lang=lang).post(f"/admin/users/{admin.id}", data={
        f"u{admin.id}-display_name": admin.display_name, f"u{admin.id}-role": "curator",
        f"u{admin.id}-active": "y"}, follow_redirects=True)

    assert wanted in response.text


@pytest.mark.parametrize(("lang", "wanted"), [
    ("en", "This file cannot be used: not an image. Nothing was saved; choose another file."),
    ("cy", _cy("Ni ellir defnyddio'r ffeil hon: nid yw'n ddelwedd. Ni chadwyd dim; dewiswch "
               "ffeil arall.")),
])
def test_an_upload_refused_on_the_curator_page_is_explained_in_the_page_language(
        app, make_user, make_collection, lang, wanted):
    make_collection(slug="streets", title="Streets")
    client = _client(app, make_user("curator"), lang=lang)

    response = client.post("/catalogue/items/new", data={
        "identifier": "NEW-1", "collection": "streets", "title": "A new photograph",
        "image": (io.BytesIO(b"just some text, named like a picture"), "photo.jpg")},
        content_type="multipart/form-data")

    assert response.status_code == 422
    assert wanted in response.text


@pytest.mark.parametrize(("lang", "wanted"), [
    ("en", '<option value="duplicate">Someone had already told us the same thing.</option>'),
    ("cy", '<option value="duplicate">Roedd rhywun eisoes wedi dweud yr un peth wrthym.</option>'),
])
def test_the_default_rejection_reasons_are_translated(app, ada, make_item, make_contribution,
                                                      lang, wanted):
    make_contribution(make_item(with_image=False))

    assert wanted in _client(app, ada, lang=lang).get("/moderation/").text


def test_a_rejection_reason_of_the_archive_s_own_is_shown_as_written(make_app, make_user,
                                                                     make_item,
                                                                     make_contribution):
    app = make_app(REJECTION_REASONS={"blurry": "We cannot tell from the photograph."})
    make_contribution(make_item(with_image=False))
    client = _client(app, make_user("archivist"), lang="cy")

    assert "We cannot tell from the photograph." in client.get("/moderation/").text


@pytest.mark.parametrize(("lang", "wanted", "unwanted"), [
    # Two counted, but the page shows all three: never "at least" fewer than that.
    ("en", "At least 3 photographs", "O leiaf"),
    ("cy", "O leiaf 3 ffotograff", "At least"),
])
def test_a_capped_result_count_says_at_least(app, make_item, make_collection, monkeypatch,
                                             lang, wanted, unwanted):
    from archive.search import services

    monkeypatch.setattr(services, "FACET_LIMIT", 2)
    leeds = make_collection(slug="leeds", title="Leeds")
    for n in range(3):
        make_item(collection=leeds, title=f"Canal basin {n}", with_image=False)
    client = _client(app, lang=lang)

    html = client.get("/search?q=canal").text
    heading = re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', html, re.S).group(1)

    assert wanted in heading and unwanted not in heading
    # Below the cap the count is exact, as before.
    monkeypatch.setattr(services, "FACET_LIMIT", 10)
    heading = re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>',
                        client.get("/search?q=canal").text, re.S).group(1)
    assert ("3 photographs" if lang == "en" else "3 ffotograff") in heading
    assert unwanted not in heading and wanted.split()[0] not in heading
