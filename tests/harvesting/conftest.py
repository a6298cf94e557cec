"""Fixtures for the harvesting formats: the standards, a live server, a small archive."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from archive.extensions import db
from archive.models import Contribution, Item, User
from archive.moderation.services import approve_contribution

# The suite's own unchanged copies (tests/standards/README.md); ARCHIVE_STANDARDS_DIR names another.
STANDARDS_DIR = Path(
    os.environ.get("ARCHIVE_STANDARDS_DIR") or Path(__file__).resolve().parents[1] / "standards"
)

IIIF_CONTEXTS = {
    "http://iiif.io/api/presentation/3/context.json": "iiif-presentation-3-context.json",
    "http://iiif.io/api/image/3/context.json": "iiif-image-3-context.json",
    "http://iiif.io/api/image/2/context.json": "iiif-image-2-context.json",
    "http://iiif.io/api/image/1/context.json": "iiif-image-1-context.json",
    "http://iiif.io/api/auth/1/context.json": "iiif-auth-1-context.json",
    "http://iiif.io/api/search/1/context.json": "iiif-search-1-context.json",
    "https://iiif.io/api/registry/selectors/context.json": "iiif-selectors-context.json",
    "http://iiif.io/api/registry/selectors/context.json": "iiif-selectors-context.json",
    "http://www.w3.org/ns/anno.jsonld": "anno.jsonld",
}


def standard(name: str) -> Path:
    """A file of the standards folder. Missing standards fail the test: they are never skipped."""
    path = STANDARDS_DIR / name
    if not path.is_file():
        pytest.fail(f"the standard document {path} is missing (set ARCHIVE_STANDARDS_DIR)",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def oai_schema():
    import xmlschema

    return xmlschema.XMLSchema(
        str(standard("OAI-PMH.xsd")),
        locations=[("http://www.openarchives.org/OAI/2.0/oai_dc/", str(standard("oai_dc.xsd")))],
    )


@pytest.fixture(scope="session")
def jsonld_expand():
    """``expand(document)``: JSON-LD expansion with contexts read from the standards folder."""
    from pyld import jsonld
    from pyld.documentloader.frozen import BUNDLED_CONTEXTS, FrozenDocumentLoader

    documents = dict(BUNDLED_CONTEXTS)
    for url, name in IIIF_CONTEXTS.items():
        documents[url] = json.loads(standard(name).read_text(encoding="utf-8"))
    loader = FrozenDocumentLoader(documents=documents)

    def expand(document: dict) -> list:
        return jsonld.expand(document, {"documentLoader": loader})

    return expand


@pytest.fixture
def live_server(app):
    """The app served over HTTP on 127.0.0.1 (an ephemeral port), in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@dataclass
class Sample:
    market: Item
    mill: Item
    tram: Item
    archivist: User
    curator: User
    named_note: int
    region_note: int


def build_sample(app, make) -> Sample:
    """Two collections, three items (one without an image) and approved notes on the market.

    ``make`` is the factories (``Factories``) of ``app``.
    """
    leeds = make.collection(slug="leeds", title="Leeds")
    bradford = make.collection(slug="bradford", title="Bradford")
    archivist = make.user("archivist", display_name="Ada Archivist")
    curator = make.user("curator", display_name="Cora Curator")
    market = make.item(collection=leeds, identifier="LDS-1", title="Market day",
                       description="Stalls on a market.", date_text="c. 1920", place="Leeds",
                       people="Alice Smith", subjects="markets; trade", creator="J. Walker",
                       rights="CC BY 4.0")
    tram = make.item(collection=leeds, identifier="LDS-2", title="Tram on Briggate")
    mill = make.item(collection=bradford, identifier="BFD-1", title="Mill workers",
                     with_image=False)
    named = make.contribution(market, body="My grandmother ran the fish stall.",
                              suggested_date="1931", suggested_people="Edith Brown",
                              credit_name="Mary Jones", show_name=True,
                              email="mary@example.net", ip_hash="a" * 64)
    region = make.contribution(market, body="The boy on the left is my uncle.",
                               suggested_people="Tom Brown", region_x=0.25, region_y=0.5,
                               region_w=0.25, region_h=0.25, credit_name="Hidden Name",
                               show_name=False, email="hidden@example.net")
    make.contribution(market, body="PENDING note text", email="pending@example.net")
    with app.app_context():
        moderator = db.session.get(User, archivist.id)
        approve_contribution(db.session.get(Contribution, named.id), moderator,
                             apply=("date", "people"))
        note = db.session.get(Contribution, region.id)
        approve_contribution(note, moderator)
        note.edited_body = "The boy on the left is the contributor's uncle."
        db.session.commit()
        market = db.session.get(Item, market.id)
        db.session.expunge_all()
    return Sample(market, mill, tram, archivist, curator, named.id, region.id)


@pytest.fixture
def sample(app, factories) -> Sample:
    """The sample archive on the test's own database, for a test that changes it."""
    return build_sample(app, factories)


@pytest.fixture(scope="module")
def shared_sample(module_app, module_factories) -> Sample:
    """The sample archive made once for a whole module whose tests only read it.

    Such a module overrides ``app`` with ``module_app`` and ``sample`` with this (see
    ``test_oai.py``), so that ``client`` and the rest see it.
    """
    return build_sample(module_app, module_factories)


PRIVATE = ("mary@example.net", "hidden@example.net", "Hidden Name", "PENDING note text",
           "pending@example.net", "a" * 64)
