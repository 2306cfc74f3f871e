"""A subject access bundle as a PDF (issue 16, point 6): landscape A4 in the board's marked frame
(marked with the highest marking of what it holds); who it is about, when and by whom it was
made, then one section per kind of record (a bookmark each): each record's title, why it is
about the person, when it was made and every field the board holds; then what was withheld
(restricted records this PC does not read), by public title and readership."""

from __future__ import annotations

from itertools import groupby

from reportlab.lib.styles import StyleSheet1
from reportlab.platypus import Flowable, Spacer

from hescb_desktop.domain.subject_access import SubjectAccess
from hescb_desktop.reports.action_log import landscape_report
from hescb_desktop.reports.columns import WholeRowsTable
from hescb_desktop.reports.frame import anchor_heading, grid_style, key_value_table
from hescb_desktop.reports.text import Paragraph, para_text

HEADERS = ("Record", "Why it is about them", "Made", "What the board holds")
SHARES = (0.22, 0.15, 0.09, 0.54)
FIELD_LIMIT = 600
# references printed by name (the service puts the person's name there); others are ids
PERSON_FIELDS = frozenset(
    {"owner_id", "presenter_id", "person_id", "sro_id", "raised_by_id", "chair_id", "clerk_id"}
)  # characters of one field printed (the JSON holds it whole)


def subject_title(found: SubjectAccess) -> str:
    return f"Subject access: {found.name}"


def build_subject_access_pdf(found: SubjectAccess, *, invariant: bool | None = None) -> bytes:
    title = subject_title(found)
    return landscape_report(
        title=title,
        subject=f"Everything the board holds about {found.name}, made {found.made_at[:10]}",
        board="HESCB",
        marking=found.marking,
        author=found.made_by,
        invariant=invariant,
        story=lambda styles, width: _story(found, styles, width),
    )


def _story(found: SubjectAccess, styles: StyleSheet1, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        key_value_table(
            [
                ("Person", found.name),
                ("Email", found.email or "—"),
                ("Role", found.role or "—"),
                ("Made", f"{found.made_at} (UTC) by {found.made_by}"),
                ("Records", f"{len(found.records)} ({len(found.withheld)} withheld)"),
                ("Changes they made", f"{found.changes} field changes in the change log"),
            ],
            styles,
            width,
        ),
        Spacer(0, 8),
    ]
    cell = styles["Cell"]
    for kind, group in groupby(found.records, key=lambda r: r.kind):
        records = list(group)
        story.append(anchor_heading(f"{kind.capitalize()} ({len(records)})", styles["Heading3"]))
        rows: list[list[Flowable]] = [[Paragraph(h, styles["CellBold"]) for h in HEADERS]]
        for r in records:
            title = r.title + (" (deleted)" if r.deleted else "")
            held = "; ".join(
                f"{k.removesuffix('_id').replace('_', ' ')}: {v[:FIELD_LIMIT]}"
                for k, v in sorted(r.fields.items())
                if k in PERSON_FIELDS or not k.endswith("_id")  # other links: in the JSON
            )
            rows.append(
                [
                    Paragraph(para_text(title), cell),
                    Paragraph(para_text(", ".join(r.why)), cell),
                    Paragraph(para_text(r.when), cell),
                    Paragraph(para_text(held), cell),
                ]
            )
        table = WholeRowsTable(rows, colWidths=[s * width for s in SHARES], repeatRows=1)
        table.setStyle(grid_style())
        story += [table, Spacer(0, 6)]
    if not found.records:
        story.append(Paragraph("The board holds no record about them.", styles["Body"]))
    if found.withheld:
        story.append(anchor_heading("Withheld: restricted records", styles["Heading3"]))
        story.append(
            Paragraph(
                para_text(
                    "These records are restricted to readers this PC's person is not among (or"
                    " is not secretariat): ask one of their readers to complete the request."
                ),
                styles["Body"],
            )
        )
        for w in found.withheld:
            story.append(
                Paragraph(
                    para_text(
                        f"{w.kind}: {w.public_title or '(no public title)'}; readership: "
                        f"{w.readership} ({w.why})"
                    ),
                    styles["Body"],
                )
            )
    return story
