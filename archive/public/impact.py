"""What the public's help has added up to: the figures an institution reports to its funders.

Counted from the records as they are now, for one institution or for the whole platform; only
what is in public view counts, and no figure names or reveals a contributor.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from archive.extensions import db
from archive.models import Contribution, ContributionStatus, Enrichment, Item
from archive.queries import IN_PUBLIC_VIEW
from archive.scope import EVERYTHING, Scope


@dataclass(frozen=True)
class Impact:
    photographs: int
    notes_approved: int
    questions_asked: int
    questions_solved: int
    facts_added: int
    contributors: int


def impact(scope: Scope = EVERYTHING) -> Impact:
    def count(query) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    public_items = sa.select(Item.id).where(IN_PUBLIC_VIEW, scope.items())
    approved = sa.select(Contribution.id).where(
        Contribution.status == ContributionStatus.APPROVED, Contribution.item_id.in_(public_items))
    # A contributor is an account, else an email address, else a published name: told apart,
    # never shown.
    who = sa.func.coalesce(sa.cast(Contribution.submitted_by_id, sa.String),
                           sa.func.lower(Contribution.email),
                           sa.func.nullif(Contribution.credit_name, ""))
    contributors = sa.select(who.label("who")).where(
        Contribution.id.in_(approved), who.is_not(None)).distinct()
    anonymous = count(sa.select(Contribution.id).where(
        Contribution.id.in_(approved), who.is_(None)).limit(1))
    return Impact(
        photographs=count(public_items),
        notes_approved=count(approved),
        questions_asked=count(public_items.where(Item.needs_help.is_(True))),
        questions_solved=count(public_items.where(Item.help_solved_at.is_not(None))),
        # Facts a note put on a record, still there (not reverted).
        facts_added=count(sa.select(Enrichment.id).where(
            Enrichment.contribution_id.in_(approved), Enrichment.reverted_at.is_(None),
            Enrichment.reverts_id.is_(None))),
        # Notes sent with no name, address or account count as one anonymous contributor.
        contributors=count(contributors) + anonymous,
    )
