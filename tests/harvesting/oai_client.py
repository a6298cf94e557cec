"""Talking OAI-PMH to the app in the harvesting tests: requests checked against the schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import sqlalchemy as sa

from archive.curation.withdrawal import withdraw_item
from archive.extensions import db
from archive.models import Item, User

NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}


def oai(client, oai_schema, method="get", **args):
    """Send one request, check the response against the OAI-PMH schema, return its tree."""
    if method == "post":
        response = client.post("/oai", data=args)
    else:
        response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    oai_schema.validate(response.data)
    return ET.fromstring(response.data)  # noqa: S314 - our own response, just validated


def error_code(tree) -> str | None:
    element = tree.find("o:error", NS)
    return element.get("code") if element is not None else None


def identifiers(tree) -> list[str]:
    return [e.text for e in tree.iterfind(".//o:header/o:identifier", NS)]


def oai_id(identifier: str) -> str:
    return f"oai:localhost:{identifier}"


def set_changed(app, identifier: str, when: datetime) -> None:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        item.mark_changed(when)
        db.session.commit()


def stamp_of(app, identifier: str) -> datetime:
    with app.app_context():
        return db.session.scalar(
            sa.select(Item.record_changed_at).where(Item.identifier == identifier))


def withdraw(app, sample, identifier: str) -> None:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
        withdraw_item(item, db.session.get(User, sample.curator.id), reason="Copyright query")
        db.session.commit()
