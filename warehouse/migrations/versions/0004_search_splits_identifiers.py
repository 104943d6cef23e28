"""PostgreSQL's search column splits identifiers as SQLite's FTS5 does.

PostgreSQL's parser reads `orders_feed.load_daily` as a file name token, so a phrase search for
`orders <-> feed <-> load <-> daily` missed it where FTS5 (unicode61, which splits on punctuation)
found it. Punctuation now becomes a space before stemming, on both backends alike. SQLite: nothing to do.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DOC = "coalesce(title, '') || ' ' || coalesce(left(text, 100000), '')"
NEW = f"to_tsvector('english', regexp_replace({_DOC}, '[[:punct:]]+', ' ', 'g'))"
OLD = f"to_tsvector('english', {_DOC})"


def _rebuild(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_evidence_search")
    op.execute("ALTER TABLE evidence DROP COLUMN IF EXISTS search")
    op.execute(f"ALTER TABLE evidence ADD COLUMN search tsvector GENERATED ALWAYS AS ({expression}) STORED")
    op.execute("CREATE INDEX ix_evidence_search ON evidence USING GIN (search)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(NEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(OLD)
