"""The public edition as accessible HTML (issue 16, point 4).

ReportLab cannot tag a PDF, and a document a public body publishes must be accessible (the Public
Sector Bodies Accessibility Regulations 2018, WCAG 2.2 AA), so the public edition also comes as
one self-contained HTML file: the language declared (`en-GB`), one `h1`, headings in order, a
list of contents with links, tables with a caption and header cells (`th` with `scope`), text
that reflows at any width and zoom, contrast above 4.5:1, no images (nothing needs alternative
text) and no script. A paper's text is written in the small markup of `reports/markup.py`;
the same rules make headings, lists and tables here. Everything typed is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date

from hescb_desktop.domain import labels
from hescb_desktop.domain.enums import AttendanceRole, Part
from hescb_desktop.domain.labels import ATTENDANCE_ROLE as ROLE
from hescb_desktop.reports.agenda import HEADERS as AGENDA_HEADERS
from hescb_desktop.reports.agenda import AgendaLine, AgendaSheet, agenda_title
from hescb_desktop.reports.content import (
    HIGHLIGHT_DIMENSIONS,
    ActionRow,
    HighlightContent,
    MinutesContent,
    PackContent,
    PackItem,
    PaperContent,
)
from hescb_desktop.reports.markup import INLINE_MARKUP, blocks
from hescb_desktop.reports.minutes import DRAFT_NOTICE, minutes_title
from hescb_desktop.reports.pack import PUBLIC_NOTICE, item_heading, pack_title
from hescb_desktop.reports.paper import PURPOSE_TEXT

LANG = "en-GB"
_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; line-height: 1.5; color: #1b1b1b;
  background: #ffffff; max-width: 60rem; margin: 0 auto; padding: 1rem; }
.marking { font-weight: bold; text-align: center; border: 2px solid #1b1b1b; padding: .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #505a5f; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #e8ebed; }
.notice { border-left: 4px solid #1d70b8; padding: .25rem .75rem; background: #f3f7fb; }
.exempt { border-left: 4px solid #6f2f00; padding: .25rem .75rem; background: #fbf5f0; }
a { color: #1d4f91; }
a:focus { outline: 3px solid #ffbf47; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _inline(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in INLINE_MARKUP.finditer(text):
        out.append(_e(text[pos : m.start()]))
        if m.group("b") is not None:
            out.append(f"<strong>{_e(m.group('b'))}</strong>")
        else:
            out.append(f"<em>{_e(m.group('i'))}</em>")
        pos = m.end()
    out.append(_e(text[pos:]))
    return "".join(out)


def markup(text: str, level: int) -> str:
    """A paper's text (reports/markup.py's rules, read by its `blocks`) as HTML; its headings
    at `level`."""
    out: list[str] = []
    for block in blocks(text):
        if block.kind == "bullets":
            out.append("<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in block.items) + "</ul>")
        elif block.kind == "table":
            out.append(_table(None, block.rows[0], block.rows[1:], inline=True))
        elif block.kind == "heading":
            out.append(f"<h{level}>{_inline(block.text)}</h{level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{_inline(block.text)}</p>")
    return "\n".join(out)


def _table(
    caption: str | None,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    inline: bool = False,
    row_headers: bool = False,
) -> str:
    """A table with header cells; `row_headers`: each row's first cell heads its row."""
    cell = _inline if inline else _e
    width = len(head)
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{_e(caption)}</caption>")
    parts.append(
        "<thead><tr>" + "".join(f'<th scope="col">{cell(h)}</th>' for h in head) + "</tr></thead>"
    )
    parts.append("<tbody>")
    for row in rows:
        cells = list(row) + [""] * (width - len(row))
        tds = []
        for i, value in enumerate(cells):
            if i == 0 and row_headers:
                tds.append(f'<th scope="row">{cell(value)}</th>')
            else:
                tds.append(f"<td>{cell(value)}</td>")
        parts.append("<tr>" + "".join(tds) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _key_values(caption: str, pairs: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in pairs)
    return f"<table><caption>{_e(caption)}</caption><tbody>{rows}</tbody></table>"


def _page(
    title: str, marking: str, body: Sequence[str], contents: Sequence[tuple[str, str]]
) -> str:
    nav = ""
    if contents:
        links = "".join(
            f'<li><a href="#{_e(anchor)}">{_e(text)}</a></li>' for anchor, text in contents
        )
        nav = (
            f'<nav aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>{links}</ol></nav>'
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{LANG}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            f'<header><p class="marking">{_e(marking)}</p><h1>{_e(title)}</h1></header>',
            "<main>",
            nav,
            *body,
            "</main>",
            f'<footer><p class="marking">{_e(marking)}</p></footer>',
            "</body>",
            "</html>",
            "",
        ]
    )


def _day(day: date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


# ------------------------------------------------------------------ agenda
def _agenda_rows(lines: Sequence[AgendaLine]) -> list[list[str]]:
    return [[str(x.number), x.start, x.title, x.purpose, x.presenter, x.paper] for x in lines]


def agenda_html(sheet: AgendaSheet) -> str:
    body = [f"<p>{_e(sheet.when)}</p>"]
    if sheet.venue:
        body.append(f"<p>{_e(sheet.venue)}</p>")
    part_one = [x for x in sheet.lines if not x.part_two]
    part_two = [x for x in sheet.lines if x.part_two]
    body.append(
        _table("Part I: items open to the press and public", AGENDA_HEADERS, _agenda_rows(part_one))
    )
    if part_two:
        body.append("<h2>Part II: exempt items (press and public excluded)</h2>")
        body.append(_table("Part II items", AGENDA_HEADERS, _agenda_rows(part_two)))
        body += [f'<p class="exempt">{_e(g)}</p>' for g in sheet.grounds]
    return _page(agenda_title(sheet), sheet.marking.value, body, [])


# ------------------------------------------------------------------ minutes
def _minutes_body(minutes: MinutesContent, level: int) -> list[str]:
    h = f"h{level}"
    body = [f"<p>{_e(minutes.board_name)}</p>"]
    if minutes.approved_on is None:
        body.append(f'<p class="notice">{_e(DRAFT_NOTICE)}</p>')
    else:
        body.append(
            f'<p class="notice">Approved as a correct record on {_e(_day(minutes.approved_on))}</p>'
        )
    body.append(
        _key_values(
            "The meeting",
            [
                ("Meeting", minutes.meeting_title),
                ("Date and time", minutes.when),
                ("Venue", minutes.venue),
                (ROLE[AttendanceRole.PRESENT], "; ".join(minutes.present) or "—"),
                (
                    ROLE[AttendanceRole.IN_ATTENDANCE],
                    "; ".join(minutes.in_attendance) or "—",
                ),
                (
                    ROLE[AttendanceRole.APOLOGIES],
                    "; ".join(minutes.apologies) or "None",
                ),
            ],
        )
    )
    if not minutes.declarations_minuted:
        body.append(f"<{h}>Declarations of interest</{h}>")
        body.append(_lines(minutes.declarations, "There were no declarations of interest."))
    for item in minutes.items:
        body.append(f"<{h}>{_e(item.reference)} {_e(item.title)}</{h}>")
        body.append(markup(item.summary, min(level + 1, 6)))
        if item.is_declarations and (item.declarations or not item.summary.strip()):
            body.append(_lines(item.declarations, "There were no declarations of interest."))
        body += [f"<p><strong>RESOLVED</strong> – {_e(t)}</p>" for t in item.resolutions]
        body += [f"<p><strong>ACTION:</strong> {_e(t)}</p>" for t in item.actions]
    return body


def _lines(lines: Sequence[str], empty: str) -> str:
    if not lines:
        return f"<p>{_e(empty)}</p>"
    return "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>"


def minutes_html(minutes: MinutesContent) -> str:
    return _page(minutes_title(minutes), minutes.marking.value, _minutes_body(minutes, 2), [])


# ------------------------------------------------------------------ pack
def _anchor(index: int) -> str:
    return f"item-{index + 1}"


def _paper(paper: PaperContent) -> list[str]:
    body = [
        _key_values(
            f"Report {paper.reference}",
            [
                ("Report of", paper.report_of),
                ("Author", paper.author),
                ("Purpose", PURPOSE_TEXT[paper.purpose]),
                ("Protective marking", paper.marking.value),
            ],
        )
    ]
    for heading, text in (
        ("Summary", paper.summary),
        ("Recommendations", paper.recommendations),
        ("Report", paper.body_text),
    ):
        if text.strip():
            body += [f"<h3>{heading}</h3>", markup(text, 4)]
    files = ([paper.attached_paper] if paper.attached_paper else []) + list(paper.appendices)
    if files:
        names = "".join(f"<li>{_e(f.label)} (PDF, in the PDF edition)</li>" for f in files)
        body.append(f"<h3>Attached documents</h3><ul>{names}</ul>")
    return body


def _actions(rows: Sequence[ActionRow]) -> str:
    head = ("Reference", "Action", "Owner", "Due", "Status", "Latest update")
    return _table(
        "Open actions",
        head,
        [
            [
                a.reference,
                a.description,
                a.owner,
                _day(a.revised_due or a.due),
                a.status,
                a.latest_update,
            ]
            for a in rows
        ],
        row_headers=True,
    )


def _highlight(content: HighlightContent) -> str:
    head = ("Objective", "Stage", *HIGHLIGHT_DIMENSIONS, "Change", "Next milestone")
    rows = [
        [
            r.title,
            r.stage,
            *[labels.RAG[rag] if rag is not None else "—" for rag in r.rag],
            r.change,
            r.next_milestone,
        ]
        for r in content.rows
    ]
    return _table(
        f"Programme highlight report as of {_day(content.as_of)}", head, rows, row_headers=True
    )


def _item(pack: PackContent, item: PackItem, index: int) -> list[str]:
    body = [f'<section aria-labelledby="{_anchor(index)}">']
    body.append(f'<h2 id="{_anchor(index)}">{_e(item_heading(item))}</h2>')
    who = " · ".join(x for x in (PURPOSE_TEXT[item.purpose], item.presenter) if x)
    if who:
        body.append(f"<p>{_e(who)}</p>")
    if item.kind == "exempt":
        body.append(f'<p class="exempt">{_e(item.note)}</p>')
    elif item.kind == "paper" and item.paper is not None:
        body += _paper(item.paper)
    elif item.kind == "minutes" and pack.previous_minutes is not None:
        body += _minutes_body(pack.previous_minutes, 3)
    elif item.kind == "actions":
        body.append(_actions(pack.actions) if pack.actions else "<p>There are no open actions.</p>")
    elif item.kind == "highlight" and pack.highlight is not None:
        body.append(_highlight(pack.highlight))
        if item.paper is not None:
            body += _paper(item.paper)
    else:
        body.append(f"<p>{_e(item.note or 'There is no paper for this item.')}</p>")
    body.append("</section>")
    return body


def pack_html(pack: PackContent) -> str:
    body = [f"<p>{_e(pack.board_name or pack.board)}</p>", f"<p>{_e(pack.when)}</p>"]
    if pack.venue:
        body.append(f"<p>{_e(pack.venue)}</p>")
    if pack.public:
        body.append(f'<p class="notice">{_e(PUBLIC_NOTICE)}</p>')
    if pack.draft:
        body.append('<p class="notice">DRAFT – not yet published by the secretariat</p>')
    if pack.withheld:
        body.append(f"<p>Issued separately: {_e('; '.join(pack.withheld))}</p>")
    body.append("<h2>Agenda</h2>")
    body.append(
        _table(
            "Agenda",
            ("Item", "Time", "Title", "Purpose", "Presenter", "Part"),
            [
                [
                    i.number,
                    i.start,
                    i.title,
                    PURPOSE_TEXT[i.purpose],
                    i.presenter,
                    "II (exempt)"
                    if i.kind in ("exempt", "part2") or i.part is Part.PART_II
                    else "I",
                ]
                for i in pack.items
            ],
        )
    )
    contents = []
    used = set()
    for index, item in enumerate(pack.items):
        if item.kind == "part2":
            continue
        used.add(item.kind)
        contents.append((_anchor(index), item_heading(item)))
        body += _item(pack, item, index)
    # what the pack carries that no agenda item took, as annexes (as the PDF has them)
    annexes: list[tuple[str, str, list[str]]] = []
    if pack.previous_minutes is not None and "minutes" not in used:
        annexes.append(
            (
                "annex-minutes",
                "Minutes of the previous meeting",
                _minutes_body(pack.previous_minutes, 3),
            )
        )
    if pack.actions and "actions" not in used:
        annexes.append(("annex-actions", "Action log", [_actions(pack.actions)]))
    if pack.highlight is not None and "highlight" not in used:
        annexes.append(
            ("annex-highlight", "Programme highlight report", [_highlight(pack.highlight)])
        )
    for anchor, heading, part in annexes:
        contents.append((anchor, heading))
        body += [
            f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(heading)}</h2>',
            *part,
            "</section>",
        ]
    return _page(pack_title(pack), pack.marking.value, body, contents)
