"""A week or a month of the calendar printed as a paper diary (A4, DejaVu Sans, the marking at
top and bottom): a week-to-view with one band per day, and a month-to-view grid.

The document takes the highest marking of the events on it (DOMAIN.md). Times are Europe/London.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from hescb_desktop.domain.calendar import Occurrence, month_grid
from hescb_desktop.domain.colours import PARTNER_COLOURS
from hescb_desktop.domain.enums import Marking
from hescb_desktop.reports.document import MarkedDocument
from hescb_desktop.reports.fonts import BOLD, REGULAR
from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, fit_line, para_text

# the list after the grid of what a box had no room for, and how a box points to it
OVERFLOW_NOTE = "events the boxes had no room for"
OVERFLOW_MARK = "more: see list"
PARTNER = PARTNER_COLOURS
GRID = colors.HexColor("#9aa3ad")
SHADE = colors.HexColor("#f1f3f5")


def _marking(occurrences: Sequence[Occurrence]) -> Marking:
    return max((o.marking for o in occurrences), key=lambda m: m.rank, default=Marking.OFFICIAL)


def _colour(occ: Occurrence) -> str:
    return PARTNER.get(occ.organisation_code.upper()) or occ.colour or "#5f6b7a"


def _entry(occ: Occurrence, day: date, style: ParagraphStyle, *, short: bool = False) -> Paragraph:
    if occ.all_day:
        when = "All day"
    elif occ.first_day == day:
        when = f"{occ.start:%H:%M}" if short else f"{occ.start:%H:%M}–{occ.end:%H:%M}"
    else:
        when = f"(cont.) –{occ.end:%H:%M}" if occ.last_day == day else "(cont.)"
    title = para_text(occ.summary)
    where = (
        ""
        if short or not occ.location
        else f' <font color="#5f6b7a">· {para_text(occ.location)}</font>'
    )
    repeat = " ↻" if occ.recurring and not short else ""
    # left to right whatever the title: square, time, title (Arabic or Hebrew words reordered)
    return Paragraph(
        f'<font color="{_colour(occ)}">■</font> <b>{para_text(when)}</b> {title}{where}{repeat}',
        style,
        direction="LTR",
    )


def _line(occ: Occurrence, day: date, style: ParagraphStyle, width: float) -> Paragraph:
    """One month-box line: a colour square, the start time and as much of the title as fits."""
    when = "" if occ.all_day or occ.first_day != day else f"{occ.start:%H:%M} "
    room = width - stringWidth("■ " + when, BOLD, style.fontSize)
    title = fit_line(occ.summary.replace("\n", " "), room, REGULAR, style.fontSize)
    return Paragraph(
        f'<font color="{_colour(occ)}">■</font> <b>{when}</b>{para_text(title)}',
        style,
        direction="LTR",
    )


def _on(occurrences: Sequence[Occurrence], day: date) -> list[Occurrence]:
    items = [o for o in occurrences if day in o.days()]
    return sorted(items, key=lambda o: (not o.all_day, o.start, o.summary))


def _week_heading(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    week_no = monday.isocalendar()[1]
    return f"Week {week_no} · {monday.day} {monday:%B} – {sunday.day} {sunday:%B %Y}"


def week_title(monday: date) -> str:
    """The week's PDF title: "Calendar: Week 10 · 4 March – 10 March 2030"."""
    return f"Calendar: {_week_heading(monday)}"


def month_title(anchor: date) -> str:
    """The month's PDF title: "Calendar: March 2030"."""
    return f"Calendar: {anchor:%B %Y}"


def print_week(
    target: Path | IO[bytes],
    monday: date,
    occurrences: Sequence[Occurrence],
    *,
    invariant: bool | None = None,
) -> int:
    """A week to view: Monday to Friday in full bands, the weekend in half bands. Returns pages."""
    sheet = stylesheet()
    entry = ParagraphStyle(
        "CalEntry", parent=sheet["Normal"], fontName=REGULAR, fontSize=8.5, leading=10.5
    )
    day_style = ParagraphStyle(
        "CalDay", parent=sheet["Normal"], fontName=BOLD, fontSize=8.5, leading=10
    )
    big = ParagraphStyle("CalBig", parent=day_style, fontSize=20, leading=24)
    title = _week_heading(monday)
    doc = MarkedDocument(
        target, marking=_marking(occurrences), title=week_title(monday), invariant=invariant
    )
    heading = ParagraphStyle(
        "CalTitle", parent=sheet["Title"], fontName=BOLD, fontSize=16, leading=20, alignment=0
    )
    rows = []
    heights = []
    for n in range(7):
        day = monday + timedelta(days=n)
        items = _on(occurrences, day)
        label = [
            Paragraph(f"{day:%A}", day_style),
            Paragraph(str(day.day), big),
            Paragraph(f"{day:%B}", day_style),
        ]
        cell = [_entry(o, day, entry) for o in items] or [
            Paragraph('<font color="#9aa3ad">—</font>', entry)
        ]
        rows.append([label, cell])
        weekend = day.weekday() >= 5
        needed = 6 * mm + len(items) * 11
        heights.append(max(needed, (17 if weekend else 31) * mm))
    width = doc.width
    table = Table(rows, colWidths=[28 * mm, width - 28 * mm], rowHeights=heights, splitByRow=True)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 5), (-1, 6), SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]
    table.setStyle(TableStyle(style))
    notes = Paragraph(
        '<font color="#5f6b7a">Times are UK time (Europe/London). ↻ repeats. '
        "■ colour: organisation.</font>",
        entry,
    )
    return doc.render(
        [Paragraph(para_text(title), heading), Spacer(1, 3 * mm), table, Spacer(1, 3 * mm), notes]
    )


def print_month(
    target: Path | IO[bytes],
    anchor: date,
    occurrences: Sequence[Occurrence],
    *,
    invariant: bool | None = None,
) -> int:
    """A month to view: six weeks of boxes, Monday first, as many entries as fit each box."""
    sheet = stylesheet()
    entry = ParagraphStyle(
        "CalMonth", parent=sheet["Normal"], fontName=REGULAR, fontSize=6.5, leading=8
    )
    number = ParagraphStyle(
        "CalNum", parent=sheet["Normal"], fontName=BOLD, fontSize=9, leading=11, alignment=2
    )
    heading = ParagraphStyle(
        "CalTitle", parent=sheet["Title"], fontName=BOLD, fontSize=16, leading=20, alignment=0
    )
    head = ParagraphStyle("CalHead", parent=sheet["Normal"], fontName=BOLD, fontSize=8, alignment=1)
    title = f"{anchor:%B %Y}"
    days = month_grid(anchor)
    month_occs = [o for o in occurrences if any(d.month == anchor.month for d in o.days())]
    doc = MarkedDocument(
        target, marking=_marking(month_occs), title=month_title(anchor), invariant=invariant
    )
    width = doc.width / 7
    box = (doc.height - 30 * mm) / 6
    fits = int((box - 16) // entry.leading)
    rows: list[list[object]] = [
        [Paragraph(name, head) for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (5, 1), (6, -1), SHADE),
    ]
    overflow: list[tuple[date, list[Occurrence]]] = []
    for week in range(6):
        row: list[object] = []
        for n in range(7):
            day = days[week * 7 + n]
            items = _on(occurrences, day)
            shown = items if len(items) <= fits else items[: max(fits - 1, 0)]
            colour = "#1f2933" if day.month == anchor.month else "#9aa3ad"
            cell: list[Paragraph] = [Paragraph(f'<font color="{colour}">{day.day}</font>', number)]
            cell += [_line(o, day, entry, width - 4) for o in shown]
            if len(shown) < len(items):
                overflow.append((day, items[len(shown) :]))
                cell.append(
                    Paragraph(
                        f'<font color="#5f6b7a">+{len(items) - len(shown)} {OVERFLOW_MARK}</font>',
                        entry,
                    )
                )
            row.append(cell)
            if day.month != anchor.month:
                style.append(
                    ("BACKGROUND", (n, week + 1), (n, week + 1), colors.HexColor("#fafafa"))
                )
        rows.append(row)
    table = Table(rows, colWidths=[width] * 7, rowHeights=[7 * mm] + [box] * 6)
    table.setStyle(TableStyle(style))
    story = [Paragraph(para_text(title), heading), Spacer(1, 2 * mm), table]
    return doc.render(story + _overflow_list(overflow, title, sheet))


def _overflow_list(
    overflow: Sequence[tuple[date, Sequence[Occurrence]]], title: str, sheet: StyleSheet1
) -> list[Flowable]:
    """The events a day's box had no room for, in full, after the grid (paper has nothing to
    click on to show the rest)."""
    if not overflow:
        return []
    entry = ParagraphStyle(
        "CalMore", parent=sheet["Normal"], fontName=REGULAR, fontSize=8.5, leading=10.5
    )
    day_style = ParagraphStyle(
        "CalMoreDay", parent=entry, fontName=BOLD, spaceBefore=5, spaceAfter=1, keepWithNext=1
    )
    heading = ParagraphStyle(
        "CalMoreTitle", parent=sheet["Heading2"], fontName=BOLD, keepWithNext=1
    )
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        Paragraph(para_text(f"{title}: {OVERFLOW_NOTE}"), heading),
    ]
    for day, items in overflow:
        story.append(Paragraph(f"{day:%A} {day.day} {day:%B}", day_style))
        story += [_entry(o, day, entry) for o in items]
    return story
