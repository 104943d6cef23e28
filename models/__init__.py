"""SQLAlchemy tables of the lookback warehouse: tables only, no logic and no I/O."""

from models import github, pagerduty, slack
from models.base import Base
from models.core import (
    Account,
    Evidence,
    EvidenceGroup,
    EvidenceLink,
    EvidenceRef,
    IngestCursor,
    IngestRun,
    Investigation,
    Person,
    Quarantine,
    RawRecord,
)

__all__ = [
    "Account",
    "Base",
    "Evidence",
    "EvidenceGroup",
    "EvidenceLink",
    "EvidenceRef",
    "IngestCursor",
    "IngestRun",
    "Investigation",
    "Person",
    "Quarantine",
    "RawRecord",
    "github",
    "pagerduty",
    "slack",
]
