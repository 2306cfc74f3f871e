"""A board with a meeting ready for its pack, built through the services on a real SQLite file.

Used by the pack tests (reports, CLI, the Board packs page). Every text that could be read as
markup is hostile on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from hescb_desktop.domain.enums import (
    ActionStatus,
    AttendanceRole,
    FoiStatus,
    Marking,
    MinutesStatus,
    Part,
    Purpose,
    Rag,
    RagDimension,
    ResourceKind,
)
from hescb_desktop.services import crud, papers
from hescb_desktop.services import entities as E
from hescb_desktop.services.actions import raise_action
from hescb_desktop.services.context import ServiceContext

HOSTILE = "Costs <b> & AT&T <3 &nbsp; 😀 مرحبا Zażółć gęślą jaźń"
LONG_WORD = "W" * 5000
MEETING_DAY = date(2026, 3, 12)
PREVIOUS_DAY = date(2026, 1, 15)


def attached_pdf(marker: str, pages: int, *, wide: bool = False) -> bytes:
    """A PDF made elsewhere: each page says `marker page N`."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=landscape(A4) if wide else A4, invariant=1)
    for n in range(1, pages + 1):
        canvas.setFont("Helvetica", 24)
        canvas.drawString(72, 400, f"{marker} page {n}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


CORRUPT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"\x00garbage" * 40


@dataclass
class Board:
    meeting_id: str
    previous_id: str
    papers: dict[str, str] = field(default_factory=dict)  # name -> paper id
    items: dict[str, str] = field(default_factory=dict)  # name -> agenda item id


def _dt(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def build_board(ctx: ServiceContext, *, hostile: bool = True) -> Board:
    def add(spec: crud.EntitySpec, values: dict) -> str:  # type: ignore[type-arg]
        return str(crud.create(ctx.uow(), spec, values).value.id)

    hc = add(E.ORGANISATIONS, {"code": "HC", "name": "Hertfordshire Constabulary"})
    hfrs = add(E.ORGANISATIONS, {"code": "HFRS", "name": "Hertfordshire Fire and Rescue"})
    chair = add(E.PEOPLE, {"name": "Alex Chair", "organisation_id": hc})
    sro = add(E.PEOPLE, {"name": "Sam Officer", "organisation_id": hfrs})
    room = add(E.RESOURCES, {"name": "Executive Boardroom", "kind": ResourceKind.ROOM})
    previous = add(
        E.MEETINGS,
        {
            "title": "Board meeting",
            "start_utc": _dt(PREVIOUS_DAY, 10),
            "end_utc": _dt(PREVIOUS_DAY, 12),
            "venue_id": room,
        },
    )
    meeting = add(
        E.MEETINGS,
        {
            "title": "Board meeting",
            "start_utc": _dt(MEETING_DAY, 10),
            "end_utc": _dt(MEETING_DAY, 12),
            "venue_id": room,
            "chair_id": chair,
        },
    )
    board = Board(meeting, previous)
    for person, role in ((chair, AttendanceRole.PRESENT), (sro, AttendanceRole.APOLOGIES)):
        for m in (previous, meeting):
            add(E.ATTENDANCE, {"meeting_id": m, "person_id": person, "role": role})
    # the previous meeting's minutes, approved, with a decision and an action
    prev_item = add(E.AGENDA_ITEMS, {"meeting_id": previous, "position": 1, "title": "Drone unit"})
    minute = add(
        E.MINUTES,
        {
            "meeting_id": previous,
            "agenda_item_id": prev_item,
            "reference": "3/26",
            "ref_year": 2026,
            "ref_number": 3,
            "summary": "The Board discussed the drone unit " + (HOSTILE if hostile else ""),
            "status": MinutesStatus.APPROVED,
            "approved_on": MEETING_DAY,
        },
    )
    add(E.DECISIONS, {"minute_id": minute, "meeting_id": previous, "text": "That the Board agrees"})
    raise_action(
        ctx.uow(),
        {
            "description": "Report drone costs " + (HOSTILE if hostile else ""),
            "owner_id": sro,
            "organisation_id": hfrs,
            "raised_on": PREVIOUS_DAY,
            "meeting_id": previous,
            "minute_id": minute,
            "due_date": date(2026, 3, 1),
        },
    )
    raise_action(
        ctx.uow(),
        {
            "description": "Closed already",
            "raised_on": PREVIOUS_DAY,
            "status": ActionStatus.CLOSED,
        },
    )
    # the programme
    objective = add(
        E.OBJECTIVES,
        {
            "title": "Joint headquarters " + (HOSTILE if hostile else ""),
            "stage": "Delivery",
            "rag_overall": Rag.RED,
            "rag_time": Rag.RED,
            "rag_cost": Rag.AMBER,
            "rag_scope": Rag.GREEN,
            "path_to_green": "Recruit a project manager",
        },
    )
    add(
        E.RAG_ASSESSMENTS,
        {
            "objective_id": objective,
            "dimension": RagDimension.TIME,
            "rating": Rag.AMBER,
            "assessed_on": date(2026, 1, 2),
        },
    )
    add(
        E.MILESTONES,
        {
            "objective_id": objective,
            "title": "Outline business case",
            "due_date": date(2026, 4, 30),
        },
    )
    add(
        E.OBJECTIVES,
        {
            "title": "Sensitive objective",
            "marking": Marking.OFFICIAL_SENSITIVE,
            "rag_overall": Rag.GREEN,
        },
    )
    # papers
    title = "Drone unit: options " + (HOSTILE if hostile else "")
    body = (
        "1. Background\n1.1 The drone unit **is shared** and _busy_ <b> unclosed & &nbsp;\n"
        "- first point <i>\n- second point 😀\n| Option | Cost |\n| Do nothing | £0 & <none> |\n"
        + ("2. Long word\n" + LONG_WORD if hostile else "")
    )
    board.papers["authored"] = _paper(
        ctx, meeting, title, Marking.OFFICIAL, Part.PART_I, body=body, purpose=Purpose.DECISION
    )
    papers.attach_file(
        ctx.uow(),
        board.papers["authored"],
        "costs.pdf",
        attached_pdf("COSTS-APPENDIX", 3, wide=True),
    )
    board.papers["word"] = _paper(ctx, meeting, "Training facility", Marking.OFFICIAL, Part.PART_I)
    papers.attach_file(
        ctx.uow(), board.papers["word"], "training.pdf", attached_pdf("WORD-PAPER", 2), role="paper"
    )
    board.papers["sensitive"] = _paper(
        ctx,
        meeting,
        "Missing persons data",
        Marking.OFFICIAL_SENSITIVE,
        Part.PART_I,
        body="SENSITIVE-BODY-TEXT",
    )
    board.papers["part2"] = _paper(
        ctx,
        meeting,
        "Commercial negotiation",
        Marking.OFFICIAL_SENSITIVE,
        Part.PART_II,
        body="PART-TWO-BODY-TEXT",
    )
    agenda = [
        ("welcome", "Welcome and introductions", None),
        ("minutes", "Minutes of the previous meeting", None),
        ("actions", "Action log", None),
        ("highlight", "Collaboration programme highlight report", None),
        ("authored", "Drone unit options", "authored"),
        ("word", "Training facility", "word"),
        ("sensitive", "Missing persons", "sensitive"),
        ("aob", "Any other business " + (HOSTILE if hostile else ""), None),
        ("part2", "Commercial negotiation", "part2"),
        ("next", "Date of next meeting", None),
    ]
    for position, (name, item_title, paper) in enumerate(agenda, 1):
        board.items[name] = add(
            E.AGENDA_ITEMS,
            {
                "meeting_id": meeting,
                "position": position,
                "title": item_title,
                "presenter_id": chair,
                "part": Part.PART_II if name == "part2" else Part.PART_I,
                "paper_id": board.papers[paper] if paper else None,
            },
        )
    return board


def _paper(
    ctx: ServiceContext,
    meeting: str,
    title: str,
    marking: Marking,
    part: Part,
    *,
    body: str = "",
    purpose: Purpose = Purpose.NOTING,
) -> str:
    return papers.create_paper(
        ctx.uow(),
        {
            "title": title,
            "meeting_id": meeting,
            "report_of": "Deputy Chief Constable",
            "author": "Programme manager",
            "purpose": purpose,
            "part": part,
            "foi_status": FoiStatus.EXEMPT if part is Part.PART_II else FoiStatus.OPEN,
            "summary": "Summary & <b>" if body else "",
            "recommendations": "That the Board agrees" if body else "",
            "body_text": body,
            "marking": marking,
        },
    ).value.id


def outline(reader: PdfReader) -> list[tuple[str, int, int]]:
    """(title, page index, level) of every bookmark, in order."""
    out: list[tuple[str, int, int]] = []

    def walk(items: list, level: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((str(item.title), reader.get_destination_page_number(item), level))

    walk(reader.outline, 0)
    return out
