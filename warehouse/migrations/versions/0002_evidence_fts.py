"""Full-text index over evidence: FTS5 on SQLite, a tsvector GIN index on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE VIRTUAL TABLE evidence_fts USING fts5(
           title, text, content='evidence', content_rowid='id', tokenize='porter unicode61')""",
    """CREATE TRIGGER evidence_fts_ai AFTER INSERT ON evidence BEGIN
           INSERT INTO evidence_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
       END""",
    """CREATE TRIGGER evidence_fts_ad AFTER DELETE ON evidence BEGIN
           INSERT INTO evidence_fts(evidence_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
       END""",
    """CREATE TRIGGER evidence_fts_au AFTER UPDATE OF title, text ON evidence BEGIN
           INSERT INTO evidence_fts(evidence_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
           INSERT INTO evidence_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
       END""",
]

POSTGRES = [
    "ALTER TABLE evidence ADD COLUMN search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(left(text, 100000), ''))) STORED",
    "CREATE INDEX ix_evidence_search ON evidence USING GIN (search)",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("evidence_fts_ai", "evidence_fts_ad", "evidence_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS evidence_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_evidence_search")
        op.execute("ALTER TABLE evidence DROP COLUMN IF EXISTS search")
