"""What sync may write: the synced tables and the columns a change record may set (issue 13).

An explicit list, not read from the models at merge time: `Base.metadata` also holds this PC's
local tables (change_log, sync_peers, conflicts, local_state, sync_notices), which a record on
the share must never reach. A test checks that this list equals the `Synced` models' tables and
columns (so it cannot drift) and holds no local table. A migration that adds a synced table or
column adds it here too.

`id` is not a column a record sets: it is the row a record names.
"""

from __future__ import annotations

import re

# this PC's own bookkeeping: never written from the share, never copied from a snapshot
LOCAL_ONLY_TABLES = frozenset(
    {
        "alembic_version",
        "change_log",
        "conflicts",
        "content_keys",
        "disposed_rows",
        "kept_digests",
        "local_state",
        "refused_changes",
        "security_findings",
        "signed_ranges",
        "sync_notices",
        "sync_peers",
        "trust_statements",
        "undo_journal",
    }
)

_COMMON = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "deleted", "deleted_at", "deleted_by"}
)

SYNCED_COLUMNS: dict[str, frozenset[str]] = {
    "action_updates": _COMMON | {"action_id", "note", "status"},
    "actions": _COMMON
    | {
        "closed_at_meeting_id",
        "completed_on",
        "description",
        "due_date",
        "latest_update",
        "marking",
        "meeting_id",
        "minute_id",
        "objective_id",
        "organisation_id",
        "owner_id",
        "raised_on",
        "ref_body",
        "ref_number",
        "ref_year",
        "reference",
        "revised_due_date",
        "revision_reason",
        "status",
    },
    "agenda_items": _COMMON
    | {
        "exempt_paragraph",
        "exempt_reason",
        "meeting_id",
        "minutes_allocated",
        "objective_id",
        "paper_id",
        "part",
        "position",
        "presenter_id",
        "public_title",
        "purpose",
        "title",
    },
    "attachment_blobs": _COMMON | {"data_b64", "paper_id", "sha256", "size"},
    "attachments": _COMMON
    | {"filename", "media_type", "page_count", "paper_id", "position", "role", "sha256", "size"},
    "attendance": _COMMON | {"meeting_id", "person_id", "role"},
    "board_packs": _COMMON
    | {
        "distribution",
        "marking",
        "meeting_id",
        "part",
        "published_at",
        "published_by",
        "status",
        "supplements",
    },
    "board_stages": _COMMON | {"name", "position"},
    "conflict_resolutions": _COMMON | {"resolution"},
    "decisions": _COMMON | {"decided_by_id", "meeting_id", "minute_id", "objective_id", "text"},
    "declarations": _COMMON | {"agenda_item_id", "interest", "meeting_id", "person_id"},
    "event_attendees": _COMMON | {"event_id", "person_id"},
    "event_bookings": _COMMON | {"event_id", "resource_id"},
    "events": _COMMON
    | {
        "all_day",
        "calendar",
        "cancelled",
        "description",
        "end_utc",
        "ics_uid",
        "location",
        "long_span",
        "marking",
        "master_id",
        "meeting_id",
        "organisation_id",
        "owner_id",
        "rdates",
        "recurrence_id",
        "rrule",
        "start_utc",
        "summary",
        "timezone",
        "until_utc",
        "visibility",
    },
    "meetings": _COMMON
    | {
        "body",
        "chair_id",
        "clerk_id",
        "end_utc",
        "marking",
        "start_utc",
        "status",
        "title",
        "venue_id",
    },
    "milestones": _COMMON | {"done", "done_on", "due_date", "objective_id", "owner_id", "title"},
    "minutes": _COMMON
    | {
        "agenda_item_id",
        "approved_on",
        "marking",
        "meeting_id",
        "part",
        "ref_number",
        "ref_year",
        "reference",
        "reopen_reason",
        "status",
        "summary",
    },
    "objective_dependencies": _COMMON | {"depends_on_id", "objective_id"},
    "objectives": _COMMON
    | {
        "benefits",
        "description",
        "kind",
        "lead_organisation_id",
        "marking",
        "parent_id",
        "partner_codes",
        "path_to_green",
        "position",
        "rag_cost",
        "rag_overall",
        "rag_override_reason",
        "rag_resources",
        "rag_scope",
        "rag_time",
        "sro_id",
        "stage",
        "start_date",
        "target_date",
        "theme",
        "title",
    },
    "opportunities": _COMMON
    | {
        "assessment",
        "description",
        "marking",
        "objective_id",
        "outcome",
        "outcome_reason",
        "raised_by_id",
        "raised_on",
        "title",
    },
    "organisations": _COMMON | {"code", "colour", "name"},
    "pack_copies": _COMMON
    | {
        "destroyed_at",
        "issued_at",
        "issued_to",
        "issued_to_id",
        "meeting_id",
        "note",
        "number",
        "of_total",
        "part",
        "returned_at",
    },
    "papers": _COMMON
    | {
        "author",
        "body_text",
        "foi_status",
        "marking",
        "meeting_id",
        "pack_issue",
        "part",
        "purpose",
        "recommendations",
        "ref_number",
        "ref_year",
        "reference",
        "report_of",
        "summary",
        "title",
    },
    "pc_box_keys": _COMMON | {"box_public", "pc", "signature"},
    "people": _COMMON | {"email", "name", "organisation_id", "role"},
    "rag_assessments": _COMMON | {"assessed_on", "dimension", "objective_id", "rating", "reason"},
    "readerships": _COMMON | {"handling", "key_check", "key_id", "label", "people", "roles"},
    "resources": _COMMON | {"capacity", "description", "kind", "name", "organisation_id"},
    "restrictions": _COMMON
    | {"handling", "public_title", "readership_id", "record_id", "table_name"},
    "risks": _COMMON
    | {"description", "impact", "likelihood", "marking", "mitigation", "objective_id", "owner_id"},
    "disposals": _COMMON | {"counts", "made_at", "made_by", "reason", "records", "rule"},
    "deadline_rules": _COMMON
    | {
        "body",
        "clear_days_are_working_days",
        "despatch_clear_days",
        "draft_working_days",
        "final_working_days",
    },
    "retention_rules": _COMMON | {"keep_years", "kind"},
    "sealed_keys": _COMMON | {"key_id", "reader_pc", "readership_id", "sealed"},
}

# the column that carries a protective marking (the `Marked` mixin)
MARKING_COLUMN = "marking"
MARKED_TABLES = frozenset(t for t, cols in SYNCED_COLUMNS.items() if MARKING_COLUMN in cols)

# what a table or column name in a record may look like (a newer app's additions included)
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def never_syncs(table: str) -> bool:
    """A table name a record on the share must never name: this PC's bookkeeping, SQLite's own."""
    return table in LOCAL_ONLY_TABLES or table.startswith("sqlite_")


# what the sync reports call a record of a table that carries a marking
MARKED_RECORD_NAMES = {
    "actions": "an action",
    "board_packs": "a board pack",
    "events": "a calendar event",
    "meetings": "a meeting",
    "minutes": "a minute",
    "objectives": "an objective",
    "opportunities": "an opportunity",
    "papers": "a meeting paper",
    "risks": "a risk",
}
