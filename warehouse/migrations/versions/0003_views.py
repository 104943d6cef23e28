"""SQL views over correlation results: incident_evidence, incident_timeline, incident_groups.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Plain SQL that SQLite and PostgreSQL both accept; times compare correctly on both (ISO text / timestamptz).
VIEWS = {
    "incident_evidence": """
        CREATE VIEW incident_evidence AS
        SELECT l.incident_id, i.incident_number, l.rank, l.score, l.role, l.label, l.group_key,
               e.source, e.kind, e.native_id, e.url, e.occurred_at, e.title, e.actor_name, e.container_name,
               l.reasons, e.id AS evidence_id
        FROM evidence_link l
        JOIN evidence e ON e.id = l.evidence_id
        LEFT JOIN investigation i ON i.incident_id = l.incident_id
    """,
    "incident_timeline": """
        CREATE VIEW incident_timeline AS
        SELECT l.incident_id, i.incident_number, e.occurred_at,
               CASE
                 WHEN e.occurred_at < i.impact_start THEN 'before impact'
                 WHEN e.occurred_at < i.detected_at THEN 'impact, before the page'
                 WHEN i.resolved_at IS NULL OR e.occurred_at <= i.resolved_at THEN 'response'
                 ELSE 'after resolution'
               END AS phase,
               e.source, e.kind, l.role, l.rank, l.score, l.group_key, e.title, e.native_id, e.url, l.label
        FROM evidence_link l
        JOIN evidence e ON e.id = l.evidence_id
        JOIN investigation i ON i.incident_id = l.incident_id
        WHERE l.label IS NULL OR l.label <> 'irrelevant'
    """,
    "incident_groups": """
        CREATE VIEW incident_groups AS
        SELECT g.incident_id, g.rank, g.group_key, g.title, g.summary, g.first_at, g.last_at,
               (SELECT count(*) FROM evidence_link l
                 WHERE l.incident_id = g.incident_id AND l.group_key = g.group_key) AS members,
               (SELECT min(l.rank) FROM evidence_link l
                 WHERE l.incident_id = g.incident_id AND l.group_key = g.group_key) AS best_rank
        FROM evidence_group g
    """,
}


def upgrade() -> None:
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
