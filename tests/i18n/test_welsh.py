"""The interface in English and Welsh: every string translated, the switch, the catalogue untouched.

The extraction uses Babel's own API with the repository's ``babel.cfg``, exactly as
``pybabel extract`` does: a string marked for translation anywhere in the templates or the
Python code that has no Welsh translation fails here.
"""

from __future__ import annotations

import re
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


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "",
])
def test_the_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"lang": "cy", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


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
