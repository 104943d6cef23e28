"""PagerDuty tables: teams, escalation policies, services, users, incidents, log entries, alerts, notes, change events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime


class PdTeam(Base):
    __tablename__ = "pd_team"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    html_url: Mapped[str | None] = mapped_column(Text)


class PdEscalationPolicy(Base):
    __tablename__ = "pd_escalation_policy"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    team_ids: Mapped[list[str] | None] = mapped_column(JSONText)
    html_url: Mapped[str | None] = mapped_column(Text)


class PdService(Base):
    __tablename__ = "pd_service"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    escalation_policy_id: Mapped[str | None] = mapped_column(String(32))
    team_ids: Mapped[list[str] | None] = mapped_column(JSONText)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)


class PdUser(Base):
    __tablename__ = "pd_user"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    html_url: Mapped[str | None] = mapped_column(Text)


class PdIncident(Base):
    __tablename__ = "pd_incident"
    __table_args__ = (Index("ix_pd_incident_service_created", "service_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_number: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(32))
    escalation_policy_id: Mapped[str | None] = mapped_column(String(32))
    team_ids: Mapped[list[str] | None] = mapped_column(JSONText)
    assigned_user_ids: Mapped[list[str] | None] = mapped_column(JSONText)
    incident_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)


class PdLogEntry(Base):
    """Who was paged when, escalations, acknowledgements, manual triggers, annotations."""

    __tablename__ = "pd_log_entry"
    __table_args__ = (Index("ix_pd_log_entry_incident", "incident_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
    agent_type: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(32))
    channel_type: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(32))  # the user notified, on notify entries
    notification_type: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(32))


class PdAlert(Base):
    """Alerts, including low-urgency and suppressed ones that never paged anybody."""

    __tablename__ = "pd_alert"
    __table_args__ = (Index("ix_pd_alert_service_created", "service_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str | None] = mapped_column(String(32))
    service_id: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(32))
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    alert_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONText)


class PdNote(Base):
    __tablename__ = "pd_note"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PdChangeEvent(Base):
    __tablename__ = "pd_change_event"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    summary: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str | None] = mapped_column(Text)
    service_ids: Mapped[list[str] | None] = mapped_column(JSONText)
    links: Mapped[list[Any] | None] = mapped_column(JSONText)
    custom_details: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    html_url: Mapped[str | None] = mapped_column(Text)
