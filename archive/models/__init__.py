"""All models, imported here so that Alembic sees every table."""

from archive.models.allowance import EventAllowance
from archive.models.catalogue import (
    ITEMS_CHANGED,
    Collection,
    Image,
    Item,
    mark_items_changed,
    merge_names,
    split_list,
)
from archive.models.contribution import (
    ANONYMOUS_CREDIT,
    AppendOnlyError,
    Block,
    BlockKind,
    Contribution,
    ContributionStatus,
    EventReason,
    ModerationEvent,
)
from archive.models.enrichment import Enrichment
from archive.models.institution import Institution, Membership
from archive.models.outbox import (
    AccountEmail,
    AttemptOutcome,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
)
from archive.models.types import utcnow
from archive.models.user import Role, User

__all__ = [
    "ANONYMOUS_CREDIT",
    "ITEMS_CHANGED",
    "AccountEmail",
    "AppendOnlyError",
    "AttemptOutcome",
    "Block",
    "BlockKind",
    "Collection",
    "Contribution",
    "ContributionStatus",
    "Enrichment",
    "EventAllowance",
    "EventReason",
    "Image",
    "Institution",
    "Item",
    "Membership",
    "ModerationEvent",
    "OutboxAttempt",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "User",
    "mark_items_changed",
    "merge_names",
    "split_list",
    "utcnow",
]
