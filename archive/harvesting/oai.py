"""OAI-PMH 2.0: the six verbs, ``oai_dc`` records, collections as sets, persistent deletions.

:func:`respond` turns the arguments of one request into the XML response. Every protocol
error is an ``<error>`` element in a normal response (HTTP 200), as the protocol requires.

Datestamps are ``Item.record_changed_at`` at seconds granularity. Lists are paged by keyset
on (datestamp, id): a resumption token carries the last position sent and the request's
filters, signed so it cannot be forged, so it stays valid while records are added or changed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict

from archive.extensions import db
from archive.harvesting.dublin_core import dublin_core
from archive.harvesting.links import Links
from archive.models import Collection, Institution, Item, utcnow
from archive.queries import approved_notes, approved_notes_of

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

for _prefix, _uri in (("", OAI_NS), ("oai_dc", OAI_DC_NS), ("dc", DC_NS), ("xsi", XSI_NS)):
    ET.register_namespace(_prefix, _uri)

METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
DEFAULT_PAGE_SIZE = 100
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# Arguments of each verb: required, optional, exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}),
                        "resumptionToken"),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}),
                    "resumptionToken"),
}

# What the response schema accepts for these arguments (it echoes them in <request>).
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Repository:
    """What a response needs to know about the repository and the request."""

    links: Links
    name: str
    admin_email: str
    secret_key: str
    page_size: int = DEFAULT_PAGE_SIZE


def datestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str) -> str:
    """Text that XML 1.0 can carry: characters it forbids are dropped."""
    return _XML_ILLEGAL.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _text(text)
    return element


def _oai(tag: str) -> str:
    return f"{{{OAI_NS}}}{tag}"


# --- the request -------------------------------------------------------------------------------


def _single_arguments(args: MultiDict) -> dict[str, str]:
    """The arguments, each given once. badVerb/badArgument otherwise."""
    verbs = args.getlist("verb")
    if len(verbs) != 1:
        raise OAIError("badVerb", "The verb argument must be given exactly once."
                       if verbs else "The verb argument is missing.")
    if verbs[0] not in VERBS:
        raise OAIError("badVerb", "The verb is not one OAI-PMH defines.")
    for key in args:
        if len(args.getlist(key)) > 1:
            raise OAIError("badArgument", f"The argument {key} is given more than once.")
        # The response echoes the arguments in <request>: a character XML 1.0 cannot carry
        # (a control character, say) would make it malformed. No valid argument holds one.
        if _XML_ILLEGAL.search(key) or _XML_ILLEGAL.search(args[key]):
            raise OAIError("badArgument", f"The argument {key} holds characters that are not "
                           "allowed (control characters).")
    return {key: args[key] for key in args}


def _check_arguments(verb: str, given: dict[str, str]) -> None:
    required, optional, exclusive = VERBS[verb]
    names = set(given) - {"verb"}
    if exclusive and exclusive in names:
        if names != {exclusive}:
            raise OAIError("badArgument", f"{exclusive} must be the only argument besides verb.")
        return
    unknown = names - required - optional
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}.")
    missing = required - names
    if missing:
        raise OAIError("badArgument", f"{verb} needs {', '.join(sorted(missing))}.")
    if "metadataPrefix" in given and not _PREFIX.fullmatch(given["metadataPrefix"]):
        raise OAIError("badArgument", "The metadataPrefix is not well formed.")
    if "set" in given and not _SET_SPEC.fullmatch(given["set"]):
        raise OAIError("badArgument", "The set is not a well-formed setSpec.")
    if "identifier" in given and (not given["identifier"] or any(
            c.isspace() for c in given["identifier"])):
        raise OAIError("badArgument", "The identifier is not well formed.")


def _parse_bounds(given: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """``from`` (inclusive) and ``until`` (exclusive, at the end of its second or day)."""
    bounds: dict[str, tuple[datetime, str]] = {}
    for name in ("from", "until"):
        raw = given.get(name)
        if raw is None:
            continue
        try:
            if _SECOND.fullmatch(raw):
                stamp = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                bounds[name] = (stamp, "second")
            elif _DAY.fullmatch(raw):
                stamp = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
                bounds[name] = (stamp, "day")
            else:
                raise ValueError(raw)
        except ValueError as error:
            raise OAIError("badArgument", f"{name} is not a valid UTC datestamp "
                           "(YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).") from error
    if len(bounds) == 2 and bounds["from"][1] != bounds["until"][1]:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    start = bounds["from"][0] if "from" in bounds else None
    end = None
    if "until" in bounds:
        stamp, granularity = bounds["until"]
        try:
            end = stamp + (timedelta(seconds=1) if granularity == "second" else timedelta(days=1))
        except OverflowError:  # the last day of year 9999: no later instant can be written
            raise OAIError("badArgument", "until is past the last date this repository can "
                           "compare; leave it out to harvest up to now.") from None
    if start is not None and end is not None and start >= end:
        raise OAIError("badArgument", "from is later than until.")
    return start, end


# --- resumption tokens -------------------------------------------------------------------------


def _serializer(repository: Repository) -> URLSafeSerializer:
    return URLSafeSerializer(repository.secret_key, salt="oai-pmh-resumption-token")


@dataclass(frozen=True)
class ListState:
    verb: str
    prefix: str
    set_spec: str | None
    start: datetime | None
    end: datetime | None
    after: tuple[datetime, int] | None = None
    cursor: int = 0
    total: int = 0

    def to_token(self, repository: Repository) -> str:
        return _serializer(repository).dumps([
            self.verb, self.prefix, self.set_spec,
            self.start.isoformat() if self.start else None,
            self.end.isoformat() if self.end else None,
            self.after[0].isoformat() if self.after else None,
            self.after[1] if self.after else None,
            self.cursor,
            self.total,
        ])

    @classmethod
    def from_token(cls, token: str, verb: str, repository: Repository) -> ListState:
        try:
            (token_verb, prefix, set_spec, start, end, after_stamp, after_id,
             cursor, total) = _serializer(repository).loads(token)
            if token_verb != verb:
                raise ValueError("the token belongs to another verb")
            return cls(
                verb, str(prefix), set_spec,
                datetime.fromisoformat(start) if start else None,
                datetime.fromisoformat(end) if end else None,
                (datetime.fromisoformat(after_stamp), int(after_id)) if after_stamp else None,
                int(cursor),
                int(total),
            )
        except (BadSignature, ValueError, TypeError) as error:
            raise OAIError("badResumptionToken",
                           "The resumption token is invalid or has expired.") from error


# --- responses ---------------------------------------------------------------------------------


def respond(args: MultiDict | Mapping, repository: Repository) -> bytes:
    """The complete XML response to one OAI-PMH request."""
    if not isinstance(args, MultiDict):
        args = MultiDict(args)
    root = ET.Element(_oai("OAI-PMH"), {
        f"{{{XSI_NS}}}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}",
    })
    _sub(root, _oai("responseDate"), datestamp(utcnow()))
    request_element = _sub(root, _oai("request"), repository.links.oai())
    try:
        given = _single_arguments(args)
        verb = given["verb"]
        _check_arguments(verb, given)
        start, end = _parse_bounds(given)
    except OAIError as error:
        # After badVerb or badArgument the request element carries no attributes.
        _sub(root, _oai("error"), error.message, code=error.code)
        return _serialise(root)
    for key, value in given.items():
        request_element.set(key, value)
    handler = _HANDLERS[verb]
    try:
        handler(root, given, start, end, repository)
    except OAIError as error:
        for child in list(root)[2:]:
            root.remove(child)
        _sub(root, _oai("error"), error.message, code=error.code)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _identify(root, given, start, end, repository: Repository) -> None:
    earliest = db.session.scalar(sa.select(sa.func.min(Item.record_changed_at)))
    identify = _sub(root, _oai("Identify"))
    _sub(identify, _oai("repositoryName"), repository.name)
    _sub(identify, _oai("baseURL"), repository.links.oai())
    _sub(identify, _oai("protocolVersion"), "2.0")
    _sub(identify, _oai("adminEmail"), repository.admin_email)
    _sub(identify, _oai("earliestDatestamp"), datestamp(earliest or utcnow()))
    _sub(identify, _oai("deletedRecord"), "persistent")
    _sub(identify, _oai("granularity"), GRANULARITY)


def _item_for(oai_identifier: str, repository: Repository) -> Item:
    identifier = repository.links.item_identifier_from_oai(oai_identifier)
    item = None
    if identifier is not None:
        item = db.session.scalar(sa.select(Item).where(Item.identifier == identifier))
    if item is None:
        raise OAIError("idDoesNotExist", "No record has this identifier in this repository.")
    return item


def _list_metadata_formats(root, given, start, end, repository: Repository) -> None:
    if "identifier" in given:
        item = _item_for(given["identifier"], repository)
        if item.is_withdrawn:
            raise OAIError("noMetadataFormats",
                           "This record is deleted: no metadata is disseminated for it.")
    formats = _sub(root, _oai("ListMetadataFormats"))
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        element = _sub(formats, _oai("metadataFormat"))
        _sub(element, _oai("metadataPrefix"), prefix)
        _sub(element, _oai("schema"), schema)
        _sub(element, _oai("metadataNamespace"), namespace)


def _list_sets(root, given, start, end, repository: Repository) -> None:
    if "resumptionToken" in given:
        # Every set is sent in one response: this repository never issues a ListSets token.
        raise OAIError("badResumptionToken", "ListSets is never split: the token is invalid.")
    collections = list(db.session.scalars(
        sa.select(Collection).join(Institution)
        .order_by(Institution.slug, Collection.slug)))
    if not collections:
        raise OAIError("noSetHierarchy", "This repository has no sets (no collections yet).")
    # Each institution is a set, with its collections as sets beneath it (inst:collection).
    sets = _sub(root, _oai("ListSets"))
    listed: set[str] = set()
    for collection in collections:
        institution = collection.institution
        for spec, name in ((institution.slug, institution.name),
                           (f"{institution.slug}:{collection.slug}", collection.title)):
            if spec not in listed and _SET_SPEC.fullmatch(spec):
                listed.add(spec)
                element = _sub(sets, _oai("set"))
                _sub(element, _oai("setSpec"), spec)
                _sub(element, _oai("setName"), name)


def item_set_specs(item: Item) -> list[str]:
    """The sets a record is in: its institution's, and its collection's beneath that."""
    institution = item.collection.institution.slug
    specs = [institution, f"{institution}:{item.collection.slug}"]
    return [spec for spec in specs if _SET_SPEC.fullmatch(spec)]


def _set_members(spec: str) -> list[int]:
    """The collections a setSpec selects: ``inst`` (all of an institution's), ``inst:coll``,
    or a collection's slug alone, as sets were named before institutions (still honoured, so
    that a harvester set up then goes on working)."""
    query = sa.select(Collection.id).join(Institution)
    institution, _sep, collection = spec.partition(":")
    if collection:
        found = db.session.scalars(query.where(Institution.slug == institution,
                                               Collection.slug == collection)).all()
    else:
        found = db.session.scalars(query.where(Institution.slug == spec)).all()
        if not found:
            found = db.session.scalars(query.where(Collection.slug == spec)).all()
    return list(found)


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat",
                       f"This repository does not disseminate {prefix}; use oai_dc.")


def _header(parent: ET.Element, item: Item, repository: Repository) -> None:
    attrs = {"status": "deleted"} if item.is_withdrawn else {}
    header = _sub(parent, _oai("header"), **attrs)
    _sub(header, _oai("identifier"), repository.links.oai_identifier(item.identifier))
    _sub(header, _oai("datestamp"), datestamp(item.record_changed_at))
    for spec in item_set_specs(item):
        _sub(header, _oai("setSpec"), spec)


def _record(parent: ET.Element, item: Item, notes, repository: Repository) -> None:
    record = _sub(parent, _oai("record"))
    _header(record, item, repository)
    if item.is_withdrawn:
        return
    metadata = _sub(record, _oai("metadata"))
    dc = _sub(metadata, f"{{{OAI_DC_NS}}}dc", **{
        f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"})
    for name, value in dublin_core(item, notes, repository.links):
        _sub(dc, f"{{{DC_NS}}}{name}", value)


def _get_record(root, given, start, end, repository: Repository) -> None:
    _check_prefix(given["metadataPrefix"])
    item = _item_for(given["identifier"], repository)
    notes = [] if item.is_withdrawn else approved_notes_of(item)
    _record(_sub(root, _oai("GetRecord")), item, notes, repository)


def _list(root, given, start, end, repository: Repository) -> None:
    verb = given["verb"]
    if "resumptionToken" in given:
        state = ListState.from_token(given["resumptionToken"], verb, repository)
    else:
        _check_prefix(given["metadataPrefix"])
        state = ListState(verb, given["metadataPrefix"], given.get("set"), start, end)

    conditions: list[sa.ColumnElement[bool]] = []
    if state.set_spec is not None:
        collection_ids = _set_members(state.set_spec)
        if not collection_ids:
            if db.session.scalar(sa.select(sa.func.count(Collection.id))) == 0:
                raise OAIError("noSetHierarchy", "This repository has no sets.")
            raise OAIError("noRecordsMatch", "No set has this setSpec.")
        conditions.append(Item.collection_id.in_(collection_ids))
    if state.start is not None:
        conditions.append(Item.record_changed_at >= state.start)
    if state.end is not None:
        conditions.append(Item.record_changed_at < state.end)

    query = sa.select(Item).where(*conditions)
    if state.after is not None:
        stamp, last_id = state.after
        # Written so that the index on the datestamp bounds the scan.
        query = query.where(Item.record_changed_at >= stamp, sa.or_(
            Item.record_changed_at > stamp, Item.id > last_id))
    size = repository.page_size
    items = list(db.session.scalars(
        query.order_by(Item.record_changed_at, Item.id).limit(size + 1)))
    if not items:
        if state.after is not None:
            # The last page was full and nothing came after it: close the list.
            container = _sub(root, _oai(verb))
            _sub(container, _oai("resumptionToken"), completeListSize=str(state.cursor),
                 cursor=str(state.cursor))
            return
        raise OAIError("noRecordsMatch", "No record matches these arguments.")
    more = len(items) > size
    items = items[:size]

    container = _sub(root, _oai(verb))
    if verb == "ListRecords":
        notes = approved_notes([i.id for i in items if not i.is_withdrawn])
        for item in items:
            _record(container, item, notes.get(item.id, []), repository)
    else:
        for item in items:
            _header(container, item, repository)

    if more or state.after is not None:
        if more and state.after is None:
            # Counted once, on the first page, and carried in the token; the last page
            # reports the exact number sent.
            total = db.session.execute(
                sa.select(sa.func.count(Item.id)).where(*conditions)).scalar_one()
        elif more:
            total = max(state.total, state.cursor + len(items) + 1)
        else:
            total = state.cursor + len(items)
        attrs = {"completeListSize": str(total), "cursor": str(state.cursor)}
        token = None
        if more:
            last = items[-1]
            token = ListState(state.verb, state.prefix, state.set_spec, state.start, state.end,
                              (last.record_changed_at, last.id),
                              state.cursor + len(items), total).to_token(repository)
        _sub(container, _oai("resumptionToken"), token or "", **attrs)


_HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list,
    "ListRecords": _list,
}
