"""What a staff member may reach: the one filter every staff list, count and look-up goes through.

A platform administrator reaches every institution. An archivist or a curator reaches the
institutions where they hold the role a page needs (or a higher one): a curator at one
institution and an archivist at another exports only the first, and moderates both.

Lists and counts add a ``Scope`` condition to their query; look-ups by id (a note, a record, a
block, an enrichment) go through ``require``, which answers 404 for anything outside the scope,
so a guessed id in a URL or a form field tells nothing about another institution's records.

With a single institution, or when a staff member works for every institution, the scope adds
no condition at all: a one-archive installation runs the very queries it ran before.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user

from archive.extensions import db
from archive.models import (
    Block,
    Collection,
    Contribution,
    Enrichment,
    EventAllowance,
    Institution,
    Item,
    Membership,
    ModerationEvent,
    Role,
    User,
)


def institution_ids_for(user: User, role: Role = Role.ARCHIVIST) -> set[int] | None:
    """The institutions whose records ``user`` may work on with ``role``; None means all.

    A platform administrator works on every institution. Anyone else works on the institutions
    where they hold ``role`` or a higher one.
    """
    if user.role is Role.ADMIN:
        return None
    rows = db.session.execute(sa.select(Membership.institution_id, Membership.role)
                              .where(Membership.user_id == user.id))
    return {institution_id for institution_id, held in rows if held.includes(role)}


@dataclass(frozen=True)
class Scope:
    """The institutions one staff member works on with one role; ``None`` means all of them."""

    institution_ids: frozenset[int] | None

    @classmethod
    def of(cls, *institutions: Institution) -> Scope:
        """The records of these institutions (a public page's, or a command's)."""
        return cls(frozenset(i.id for i in institutions))

    @property
    def everything(self) -> bool:
        return self.institution_ids is None

    def covers(self, institution_id: int | None) -> bool:
        return self.institution_ids is None or institution_id in self.institution_ids

    def _ids(self) -> list[int]:
        return sorted(self.institution_ids or ())

    def collections(self) -> sa.ColumnElement[bool]:
        if self.institution_ids is None:
            return sa.true()
        return Collection.institution_id.in_(self._ids())

    def _collection_ids(self) -> sa.Select:
        return sa.select(Collection.id).where(self.collections())

    def items(self) -> sa.ColumnElement[bool]:
        if self.institution_ids is None:
            return sa.true()
        return Item.collection_id.in_(self._collection_ids())

    def _item_ids(self) -> sa.Select:
        return sa.select(Item.id).where(self.items())

    def contributions(self) -> sa.ColumnElement[bool]:
        if self.institution_ids is None:
            return sa.true()
        return Contribution.item_id.in_(self._item_ids())

    def enrichments(self) -> sa.ColumnElement[bool]:
        if self.institution_ids is None:
            return sa.true()
        return Enrichment.item_id.in_(self._item_ids())

    def events(self) -> sa.ColumnElement[bool]:
        if self.institution_ids is None:
            return sa.true()
        return sa.or_(
            ModerationEvent.contribution_id.in_(
                sa.select(Contribution.id).where(self.contributions())),
            ModerationEvent.allowance_id.in_(
                sa.select(EventAllowance.id).where(self.allowances())))

    def institutions(self) -> sa.ColumnElement[bool]:
        """These institutions themselves."""
        if self.institution_ids is None:
            return sa.true()
        return Institution.id.in_(self._ids())

    def allowances(self) -> sa.ColumnElement[bool]:
        """Event allowances opened for these institutions."""
        if self.institution_ids is None:
            return sa.true()
        return EventAllowance.institution_id.in_(self._ids())

    def blocks(self) -> sa.ColumnElement[bool]:
        """Blocks made for these institutions (a platform-wide block is the administrators')."""
        if self.institution_ids is None:
            return sa.true()
        return Block.institution_id.in_(self._ids())

    def staff(self) -> sa.ColumnElement[bool]:
        """Staff of these institutions (and the platform administrators, who act on all)."""
        if self.institution_ids is None:
            return sa.true()
        return sa.or_(User.role == Role.ADMIN, User.id.in_(
            sa.select(Membership.user_id).where(Membership.institution_id.in_(self._ids()))))

    def require(self, institution_id: int | None) -> None:
        """404 unless the scope covers this institution: the record is not there for them."""
        if not self.covers(institution_id):
            abort(404)

    def require_item(self, item: Item) -> Item:
        self.require(item.collection.institution_id)
        return item

    def require_contribution(self, contribution: Contribution) -> Contribution:
        self.require(contribution.item.collection.institution_id)
        return contribution


EVERYTHING = Scope(None)


def scope_for(user: User, role: Role = Role.ARCHIVIST) -> Scope:
    """The institutions ``user`` works on as ``role``; all of them when that is every one."""
    ids = institution_ids_for(user, role)
    if ids is None:
        return EVERYTHING
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Institution)) or 0
    if ids and len(ids) >= total:
        return EVERYTHING  # a member of every institution: no condition to add
    return Scope(frozenset(ids))


def works_on(item: Item, role: Role = Role.ARCHIVIST) -> bool:
    """Whether the signed-in user acts on ``item`` as ``role``: pages show their tools then."""
    if not current_user.is_authenticated or not current_user.has_role(role):
        return False
    return staff_scope(role).covers(item.collection.institution_id)


def staff_scope(role: Role = Role.ARCHIVIST) -> Scope:
    """The signed-in staff member's scope for ``role``, worked out once per request."""
    cache = g.setdefault("_staff_scopes", {})
    if role not in cache:
        if not current_user.is_authenticated:
            cache[role] = Scope(frozenset())
        else:
            cache[role] = scope_for(current_user._get_current_object(), role)
    return cache[role]
