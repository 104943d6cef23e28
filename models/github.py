"""GitHub tables: repositories, pull requests, their files, reviews and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime


class GhRepository(Base):
    __tablename__ = "gh_repository"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    full_name: Mapped[str] = mapped_column(String(300), unique=True)
    owner: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    default_branch: Mapped[str | None] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(Text)
    html_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GhPullRequest(Base):
    __tablename__ = "gh_pull_request"

    repo_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[int | None] = mapped_column(BigInteger)
    node_id: Mapped[str | None] = mapped_column(String(64))
    repo_full_name: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # open | closed
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    author_login: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    merged_by_login: Mapped[str | None] = mapped_column(String(128))
    merge_commit_sha: Mapped[str | None] = mapped_column(String(40))
    base_ref: Mapped[str | None] = mapped_column(String(256))
    head_ref: Mapped[str | None] = mapped_column(String(256))
    head_sha: Mapped[str | None] = mapped_column(String(40))
    labels: Mapped[list[str] | None] = mapped_column(JSONText)
    additions: Mapped[int | None] = mapped_column(Integer)
    deletions: Mapped[int | None] = mapped_column(Integer)
    changed_files: Mapped[int | None] = mapped_column(Integer)
    html_url: Mapped[str | None] = mapped_column(Text)


class GhPrFile(Base):
    __tablename__ = "gh_pr_file"

    repo_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pr_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    status: Mapped[str | None] = mapped_column(String(16))
    previous_path: Mapped[str | None] = mapped_column(Text)
    additions: Mapped[int | None] = mapped_column(Integer)
    deletions: Mapped[int | None] = mapped_column(Integer)
    patch_excerpt: Mapped[str | None] = mapped_column(Text)  # bounded; see warehouse.map_github
    patch_truncated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class GhReview(Base):
    __tablename__ = "gh_review"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    repo_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pr_number: Mapped[int] = mapped_column(Integer)
    author_login: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commit_id: Mapped[str | None] = mapped_column(String(40))
    html_url: Mapped[str | None] = mapped_column(Text)


class GhReviewComment(Base):
    __tablename__ = "gh_review_comment"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    repo_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pr_number: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[int | None] = mapped_column(BigInteger)
    in_reply_to_id: Mapped[int | None] = mapped_column(BigInteger)
    author_login: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    diff_hunk: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)


class GhIssueComment(Base):
    """Conversation comments on a pull request (GitHub serves them as issue comments)."""

    __tablename__ = "gh_issue_comment"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    repo_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pr_number: Mapped[int] = mapped_column(Integer)
    author_login: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html_url: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
