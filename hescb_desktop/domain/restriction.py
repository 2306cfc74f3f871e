"""Which records can be restricted to a readership, and which of their fields are content (issue
16, points 1 and 2).

A restricted record's *content* (its title, text, notes: what a person wrote) leaves a PC only
encrypted for its readership; everything the rules and the merge must read stays in clear text:
owners, dates, references, links between records, the marking, the Part. So the board still
sees that the record exists, when and whose it is, and every PC still judges who may change it.
A child record (a minute's resolutions, an action's updates) is restricted with its parent.
"""

from __future__ import annotations

# table -> the content columns encrypted when one of its records is restricted
CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "papers": ("title", "summary", "recommendations", "body_text"),
    "agenda_items": ("title",),
    "minutes": ("summary", "reopen_reason"),
    "decisions": ("text",),
    "actions": ("description", "latest_update", "revision_reason"),
    "action_updates": ("note",),
    "events": ("summary", "description", "location"),
    "objectives": ("title", "description", "path_to_green", "rag_override_reason"),
    "attachments": ("filename",),
    "attachment_blobs": ("data_b64",),
}

# a child table whose rows are restricted with their parent: table -> (column, parent table)
RESTRICTED_WITH: dict[str, tuple[str, str]] = {
    "decisions": ("minute_id", "minutes"),
    "action_updates": ("action_id", "actions"),
    "attachments": ("paper_id", "papers"),
    # a restricted paper's file is kept in a blob of its own, naming the paper
    # (services.papers): the bytes of a blob shared by content hash are never sealed
    "attachment_blobs": ("paper_id", "papers"),
}

# the records a user restricts, in words
RESTRICTABLE: dict[str, str] = {
    "papers": "paper",
    "agenda_items": "agenda item",
    "minutes": "minute",
    "actions": "action",
    "events": "calendar item",
    "objectives": "objective",
}

PLACEHOLDER = "Restricted item"
MAX_LABEL = 300
MAX_HANDLING = 500


def placeholder(readership: str, public_title: str) -> str:
    """What a PC whose person is not a reader shows in place of the record's title."""
    text = f"{PLACEHOLDER} - readership: {readership or 'not known here yet'}"
    return f"{text}: {public_title}" if public_title.strip() else text


def content_columns(table: str) -> tuple[str, ...]:
    return CONTENT_COLUMNS.get(table, ())
