"""Slack tables: channels, users and messages (ts kept as the exact string Slack sent)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class SlackChannel(Base):
    __tablename__ = "slack_channel"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(256))
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_member: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    topic: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)


class SlackUser(Base):
    __tablename__ = "slack_user"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(256))
    real_name: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tz: Mapped[str | None] = mapped_column(String(64))


class SlackMessage(Base):
    __tablename__ = "slack_message"
    __table_args__ = (
        Index("ix_slack_message_thread", "channel_id", "thread_ts"),
        Index("ix_slack_message_posted_at", "posted_at"),
    )

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32), primary_key=True)  # never a float
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    is_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    user_id: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    subtype: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)  # raw mrkdwn
    edited_ts: Mapped[str | None] = mapped_column(String(32))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_count: Mapped[int | None] = mapped_column(Integer)
    reply_users_count: Mapped[int | None] = mapped_column(Integer)
    latest_reply: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
