"""Source-independent tables: people, the unified evidence index, raw landing, bookkeeping, investigations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime


class Person(Base):
    """One human, joined across sources by email or by an explicit mapping in settings."""

    __tablename__ = "person"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower-cased email, or "name:<mapping key>"
    display_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))


class Account(Base):
    """A person's identity on one source (GitHub login, Slack user id, PagerDuty user id)."""

    __tablename__ = "account"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    native_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    handle: Mapped[str | None] = mapped_column(String(256))  # login / @name
    display_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    is_bot: Mapped[bool] = mapped_column(default=False, server_default=false())
    person_key: Mapped[str | None] = mapped_column(String(320), index=True)


class Evidence(Base):
    """Every item pulled from any source, in one shape, for search, correlation and reports."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("source", "native_id"),
        Index("ix_evidence_occurred_at", "occurred_at"),
        Index("ix_evidence_container_occurred", "source", "container", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))  # github | slack | pagerduty
    kind: Mapped[str] = mapped_column(String(32))  # see docs/CONTRACTS.md section 1
    native_id: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(256))  # the account's native id on its source
    actor_name: Mapped[str | None] = mapped_column(Text)
    container: Mapped[str | None] = mapped_column(String(300))  # owner/repo, channel id, service id
    container_name: Mapped[str | None] = mapped_column(Text)
    parent_native_id: Mapped[str | None] = mapped_column(String(300))  # PR of a comment, thread parent, incident
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # small source-specific facts


class EvidenceRef(Base):
    """A reference made by one evidence item: a PR, an issue, an incident, a URL, a mention, a revert."""

    __tablename__ = "evidence_ref"

    from_source: Mapped[str] = mapped_column(String(16), primary_key=True)
    from_native_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    ref_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(512), primary_key=True)
    label: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_evidence_ref_target", "ref_kind", "target"),)


class RawRecord(Base):
    """The last raw payload of each record, so mapper changes can rebuild typed tables offline."""

    __tablename__ = "raw_record"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    native_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON text
    payload_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Quarantine(Base):
    """Payloads that failed mapping, with the error; one bad record never stops a run."""

    __tablename__ = "quarantine"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    native_id: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[str | None] = mapped_column(String(64))


class IngestCursor(Base):
    """One watermark per (source, partition); it only moves forward, with the rows it covers."""

    __tablename__ = "ingest_cursor"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    partition: Mapped[str] = mapped_column(String(300), primary_key=True)  # repo, channel, service or "account"
    value: Mapped[str] = mapped_column(String(64))  # ISO UTC time or Slack ts; fixed width, compares as text
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[str | None] = mapped_column(String(64))


class IngestRun(Base):
    """One flow run: what it was asked, what it stored, what it spent and what failed."""

    __tablename__ = "ingest_run"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(64))  # nightly_ingest | backfill_incident | ...
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | completed | partial | failed
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    rows: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # table -> rows written
    requests: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # api -> requests made
    errors: Mapped[list[Any] | None] = mapped_column(JSONText)  # [{partition, error}], skipped partitions


class Investigation(Base):
    """An incident under investigation and the window its evidence is drawn from."""

    __tablename__ = "investigation"

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # PagerDuty incident id
    incident_number: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(Text)
    impact_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    impact_start_source: Mapped[str | None] = mapped_column(String(16))  # estimated | override | created
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lookback_seconds: Mapped[int | None] = mapped_column(BigInteger)
    correlated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # estimator details, affinity learned


class EvidenceLink(Base):
    """One ranked evidence item of an investigation: score, role, reasons, group and the investigator's label."""

    __tablename__ = "evidence_link"
    __table_args__ = (Index("ix_evidence_link_rank", "incident_id", "rank"),)

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evidence_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    role: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[str]] = mapped_column(JSONText)
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # signal -> contribution
    group_key: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(32))  # relevant | irrelevant | a role
    labeled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvidenceGroup(Base):
    """A storyline: evidence that tells one story, with a one-line summary built from its members."""

    __tablename__ = "evidence_group"

    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
