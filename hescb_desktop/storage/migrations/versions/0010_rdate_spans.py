"""events: long_span and until_utc count a series' RDATEs (issue 14)

Before this revision the span ignored `rdates`: an imported event with RDATEs and no RRULE was
a short single event, and a series' RDATE after its rule's last occurrence fell outside
until_utc, so the calendar's window query never found those occurrences. The span is derived
(`domain.recurrence.span_of`, as the model's validator now computes it with the RDATEs), so every
PC computes the same values: no change is logged, nothing needs to sync. Only rows with RDATEs
change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:45:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from hescb_desktop.domain.recurrence import span_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

events = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("start_utc", sa.DateTime()),
    sa.column("end_utc", sa.DateTime()),
    sa.column("rrule", sa.Text),
    sa.column("rdates", sa.Text),
    sa.column("timezone", sa.String),
    sa.column("all_day", sa.Boolean),
    sa.column("long_span", sa.Boolean),
    sa.column("until_utc", sa.DateTime()),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            events.c.id,
            events.c.start_utc,
            events.c.end_utc,
            events.c.rrule,
            events.c.rdates,
            events.c.timezone,
            events.c.all_day,
        ).where(events.c.rdates != "")
    ).all()
    updates = []
    for row in rows:
        if row.start_utc is None or row.end_utc is None:
            continue
        long_span, until = span_of(
            _aware(row.start_utc),
            _aware(row.end_utc),
            row.rrule or "",
            row.timezone or "",
            bool(row.all_day),
            row.rdates or "",
        )
        naive = None if until is None else until.astimezone(UTC).replace(tzinfo=None)
        updates.append({"row_id": row.id, "long_span": long_span, "until_utc": naive})
    if updates:
        conn.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(long_span=sa.bindparam("long_span"), until_utc=sa.bindparam("until_utc")),
            updates,
        )


def _aware(stored: datetime) -> datetime:
    """The app stores UTC without a zone (storage.base.UTCDateTime)."""
    return stored.replace(tzinfo=UTC)


def downgrade() -> None:
    """Nothing to undo: the older app reads these values as it reads any long event."""
