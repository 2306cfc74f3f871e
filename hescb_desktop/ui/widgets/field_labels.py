"""The names people know a record's fields by: the words of the forms that edit them (the
action, event, meeting, paper and objective dialogs) and of the tables that list them. History
and the Conflicts page name a changed field with these, never with the database's column name
("Ref body", "Ref year")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

# table -> column -> the form's (or the table's) label; "*" holds what any table shares
_LABELS: dict[str, dict[str, str]] = {
    "*": {
        "title": "Title",
        "description": "Description",
        "marking": "Marking",
        "status": "Status",
        "meeting_id": "Meeting",
        "objective_id": "Objective",
        "organisation_id": "Organisation",
        "owner_id": "Owner",
        "person_id": "Person",
        "position": "Order",
        "deleted": "Deleted",
        "start_utc": "Start",
        "end_utc": "End",
        "timezone": "Time zone",
    },
    "actions": {
        "reference": "Reference",
        "ref_body": "Reference (board or sub-board)",
        "ref_year": "Reference (year)",
        "ref_number": "Reference (number)",
        "description": "Action",
        "raised_on": "Raised",
        "meeting_id": "Raised at",
        "minute_id": "Minute",
        "due_date": "Agreed due date",
        "revised_due_date": "Revised due date",
        "revision_reason": "Reason for the new due date",
        "completed_on": "Completed",
        "closed_at_meeting_id": "Closure agreed at",
        "latest_update": "Latest update",
    },
    "action_updates": {"action_id": "Action", "note": "Update"},
    "events": {
        "summary": "Title",
        "location": "Location",
        "calendar": "Calendar",
        "description": "Notes",
        "visibility": "Visibility",
        "all_day": "All day",
        "rrule": "Repeats",
        "rdates": "Extra dates",
        "until_utc": "Repeats until",
        "cancelled": "Cancelled",
        "master_id": "Series",
        "recurrence_id": "Occurrence of the series",
        "ics_uid": "Calendar file ID",
        "long_span": "Spans several days",
    },
    "meetings": {
        "body": "Board or sub-board",
        "venue_id": "Venue",
        "chair_id": "Chair",
        "clerk_id": "Clerk",
        "start_utc": "Starts",
        "end_utc": "Ends",
    },
    "agenda_items": {
        "title": "Item",
        "purpose": "Purpose",
        "part": "Part",
        "minutes_allocated": "Time allowed",
        "presenter_id": "Presenter",
        "paper_id": "Paper",
    },
    "minutes": {
        "reference": "Minute",
        "ref_year": "Minute (year)",
        "ref_number": "Minute (number)",
        "summary": "Summary of discussion",
        "approved_on": "Approved on",
        "reopen_reason": "Reason for re-opening",
        "agenda_item_id": "Agenda item",
    },
    "papers": {
        "report_of": "Report of",
        "author": "Author / contact",
        "purpose": "Purpose",
        "part": "Part",
        "foi_status": "FOI status",
        "summary": "Executive summary",
        "recommendations": "Recommendations",
        "body_text": "Body of the paper",
    },
    "objectives": {
        "theme": "Theme",
        "benefits": "Benefits",
        "lead_organisation_id": "Lead organisation",
        "partner_codes": "Partners",
        "sro_id": "Senior responsible officer",
        "start_date": "Start date",
        "target_date": "Target date",
        "stage": "Stage",
        "kind": "Kind (objective or workstream)",
        "rag_overall": "Overall RAG",
        "rag_override_reason": "Reason for the change",
        "path_to_green": "Path to green",
        "rag_time": "RAG: time",
        "rag_cost": "RAG: cost",
        "rag_scope": "RAG: scope",
        "rag_resources": "RAG: resources",
        "parent_id": "Part of",
    },
    "milestones": {"due_date": "Due", "done": "Done", "done_on": "Done on"},
    "decisions": {"text": "RESOLVED", "decided_by_id": "Decided by"},
    "declarations": {"interest": "Interest declared", "agenda_item_id": "Agenda item"},
    "attendance": {"role": "Attendance"},
    "people": {"name": "Name", "role": "Role", "email": "Email"},
    "organisations": {"code": "Code", "name": "Name", "colour": "Colour"},
    "resources": {"name": "Name", "kind": "Kind"},
}


def field_label(column: str, table: str = "") -> str:
    """The label for `column` of `table`: the form's word, else the column in plain words
    (owner_id -> Owner, revised_due_date -> Revised due date)."""
    label = _LABELS.get(table, {}).get(column) or _LABELS["*"].get(column)
    if label is None:
        words = column.removesuffix("_id").removesuffix("_utc").replace("_", " ").strip()
        label = words[:1].upper() + words[1:]
    return QCoreApplication.translate("FieldLabels", label)
