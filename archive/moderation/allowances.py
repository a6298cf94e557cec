"""Event allowances: an archivist lets one address or network send more notes for a while.

A library's "memory day" puts everyone behind one connection: the ordinary limit on notes
(``CONTRIBUTION_RATE_LIMIT``, counted per address, or per /64 for IPv6) would pause the room
within minutes. An allowance gives that address or network a higher notes-an-hour limit, for
notes to its institution's photographs, until it ends (seven days at most) or is closed early.
Everyone behind the network shares the allowance's limit.

The network is kept only as a keyed hash (``archive.extensions.network_hash``, with the
IP-hash salt) and its prefix length: a request is matched by hashing its address cut to each
prefix length in use. Opening and closing are written to the audit log; the retention period
erases the hash of an allowance that ended longer ago than it.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

import sqlalchemy as sa

from archive.extensions import IPV6_VISITOR_PREFIX, IPNetwork, db, network_hash
from archive.i18n_words import N_
from archive.models import EventAllowance, Institution, User, utcnow
from archive.moderation.lifecycle import Action, record_allowance_event
from archive.scope import EVERYTHING, Scope

MAX_HOURS = 7 * 24
# The widest networks an allowance may cover.
WIDEST_IPV4_PREFIX = 16
WIDEST_IPV6_PREFIX = 48
MAX_NOTES_PER_HOUR = 1000


class AllowanceError(ValueError):
    """Why an allowance cannot be opened or closed: English, marked for translation."""


def parse_network(text: str) -> IPNetwork:
    """The network an archivist typed: an address (``203.0.113.7``, ``2001:db8::1``) or a
    network (``203.0.113.0/24``, ``2001:db8:5::/48``). An IPv6 address, or a network narrower
    than a /64, means its /64, the unit visitors are counted by."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise AllowanceError(N_("Type an address such as 203.0.113.7, or a network such as "
                                "203.0.113.0/24 or 2001:db8:5::/48.")) from None
    if isinstance(network, ipaddress.IPv6Network):
        if network.prefixlen > IPV6_VISITOR_PREFIX:
            network = network.supernet(new_prefix=IPV6_VISITOR_PREFIX)
        if network.prefixlen < WIDEST_IPV6_PREFIX:
            raise AllowanceError(N_("An IPv6 network may be a /48 at the widest."))
    elif network.prefixlen < WIDEST_IPV4_PREFIX:
        raise AllowanceError(N_("An IPv4 network may be a /16 at the widest."))
    return network


def open_allowance(institution: Institution, actor: User, *, label: str, network: str,
                   notes_per_hour: int, hours: int, salt: str,
                   now: datetime | None = None) -> EventAllowance:
    """Open an allowance from now for ``hours``; written to the log. Flushes."""
    now = now or utcnow()
    parsed = parse_network(network)
    if not 1 <= hours <= MAX_HOURS:
        raise AllowanceError(N_("An allowance lasts from 1 hour to 168 hours (seven days)."))
    if not 1 <= notes_per_hour <= MAX_NOTES_PER_HOUR:
        raise AllowanceError(N_("Allow from 1 to 1000 notes an hour."))
    label = " ".join(label.split())
    if not label:
        raise AllowanceError(N_("Say what the allowance is for, such as the event's name."))
    allowance = EventAllowance(
        institution_id=institution.id, label=label[:200],
        network_hash=network_hash(parsed, salt), ip_version=parsed.version,
        prefix_length=parsed.prefixlen, notes_per_hour=notes_per_hour,
        starts_at=now, ends_at=now + timedelta(hours=hours),
        created_by_id=actor.id, created_at=now)
    db.session.add(allowance)
    db.session.flush()
    record_allowance_event(allowance, Action.ALLOWANCE_OPENED, actor=actor, at=now)
    return allowance


def close_allowance(allowance: EventAllowance, actor: User,
                    *, now: datetime | None = None) -> None:
    """Close an open allowance early; written to the log. Flushes."""
    now = now or utcnow()
    if not allowance.is_open(now):
        raise AllowanceError(N_("That allowance has already ended."))
    allowance.closed_at = now
    allowance.closed_by_id = actor.id
    db.session.flush()
    record_allowance_event(allowance, Action.ALLOWANCE_CLOSED, actor=actor, at=now)


def _open_now(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(EventAllowance.closed_at.is_(None), EventAllowance.starts_at <= now,
                   EventAllowance.ends_at > now)


def allowances_for(scope: Scope = EVERYTHING, *, now: datetime | None = None,
                   ended_limit: int = 20) -> tuple[list[EventAllowance], list[EventAllowance]]:
    """The allowances open now, and the most recently ended, of the institutions in ``scope``."""
    now = now or utcnow()
    open_now = list(db.session.scalars(
        sa.select(EventAllowance).where(scope.allowances(), _open_now(now))
        .order_by(EventAllowance.ends_at, EventAllowance.id)))
    ended = list(db.session.scalars(
        sa.select(EventAllowance).where(scope.allowances(), sa.not_(_open_now(now)))
        .order_by(EventAllowance.id.desc()).limit(ended_limit)))
    return open_now, ended


def allowance_for(address: str | None, institution_id: int, salt: str,
                  *, now: datetime | None = None) -> EventAllowance | None:
    """The open allowance covering ``address`` for notes to ``institution_id``'s photographs
    (the most generous, if several do), or None."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    now = now or utcnow()
    candidates = sa.and_(_open_now(now), EventAllowance.institution_id == institution_id,
                         EventAllowance.ip_version == ip.version)
    prefixes = db.session.scalars(
        sa.select(EventAllowance.prefix_length).where(candidates).distinct()).all()
    if not prefixes:
        return None
    hashes = [network_hash(ipaddress.ip_network((ip, prefix), strict=False), salt)
              for prefix in prefixes]
    return db.session.scalars(
        sa.select(EventAllowance).where(candidates, EventAllowance.network_hash.in_(hashes))
        .order_by(EventAllowance.notes_per_hour.desc(), EventAllowance.id)).first()


def erase_ended_allowances(cutoff: datetime) -> int:
    """The retention period: an allowance that ended before ``cutoff`` keeps no hash of its
    network (it stays, for the log's sake, with its label and times)."""
    ended = sa.case((EventAllowance.closed_at.is_not(None), EventAllowance.closed_at),
                    else_=EventAllowance.ends_at)
    result = db.session.execute(
        sa.update(EventAllowance)
        .where(EventAllowance.network_hash.is_not(None), ended < cutoff)
        .values(network_hash=None)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
