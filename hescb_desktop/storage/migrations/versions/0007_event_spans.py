"""events: fill in long_span and until_utc for the rows written before 0004

Migration 0004 added the two columns as NULL for every existing event, and NULL counts as a
long event: correct, but every calendar window and the Home page then read every such event
(0.3 s on the Home page of a five-year board). They are derived from the event's own times and
rule (`domain.recurrence.span_of`, as the model's validator does on every write), so every PC
computes the same values: no change is logged, nothing needs to sync.

Migrations import no app code, with one exception here: the span is the calendar's own rule
(`span_of`, in the pure `domain` layer), and a second copy of it could disagree with the one
the app writes with.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:45:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from hescb_desktop.domain.recurrence import span_of

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

events = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("start_utc", sa.DateTime()),
    sa.column("end_utc", sa.DateTime()),
    sa.column("rrule", sa.Text),
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
            events.c.timezone,
            events.c.all_day,
        ).where(events.c.long_span.is_(None))
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
    """Nothing to undo: the values are what the app writes for these rows anyway."""
