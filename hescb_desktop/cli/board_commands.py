"""`hescb-desktop board [--json | --csv]` and `board-pdf -o FILE`: the planning board headless.

Both read the database only (the GUI may keep it open). `board` lists each objective with its
stage, overall RAG and next milestone, in board order; `board-pdf` writes the board and the
roadmap as a landscape PDF with the marking on every page.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    json_text,
    quoted,
    refuse_file_as_data_dir,
    write_atomic,
)
from hescb_desktop.domain.board import BoardCard, BoardFilter
from hescb_desktop.domain.csv_text import excel_csv_bytes

if TYPE_CHECKING:  # the database layers load when a command runs, not with the parser: the
    # GUI starts through the same entry point and must show its window before they load
    from hescb_desktop.services.context import ServiceContext


def add_board_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the sub-commands (called from cli/__init__.py)."""
    board = sub.add_parser("board", parents=[common], help="the planning board: stage, RAG, next")
    form = board.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="as JSON")
    form.add_argument("--csv", action="store_true", help="as CSV (every column of the export)")
    board.add_argument("--stage", metavar="NAME", help="only this stage")
    pdf = sub.add_parser("board-pdf", parents=[common], help="the board and roadmap as PDF")
    pdf.add_argument("-o", "--output", type=Path, metavar="FILE", required=True)
    pdf.add_argument("--stage", metavar="NAME", help="only this stage")


def cmd_board(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import board

    ctx = _open(data_dir)
    try:
        loaded = board.load_board(ctx.uow(write=False), date.today())
    finally:
        ctx.close()
    cards = _chosen(loaded.cards, loaded.stage_names, args.stage)
    order = {s: n for n, s in enumerate(loaded.stage_names)}
    cards.sort(key=lambda c: (order.get(c.stage, len(order)), c.stage, c.sort_key()))
    if args.json:
        text = json_text([_json(c) for c in cards], indent=2) + "\n"
    elif args.csv:  # UTF-8 with a BOM for Excel, as `actions list --csv`
        _print(excel_csv_bytes(board.board_csv(cards, loaded.stage_names)))
        return EXIT_OK
    else:
        text = _table(cards)
    _print(text)
    return EXIT_OK


def cmd_board_pdf(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import documents

    output: Path = args.output
    if output.is_dir():
        raise CliError(f"{output} is a folder: give a file name")
    if output.suffix.lower() != ".pdf":
        raise CliError(f"{output} does not end in .pdf")
    ctx = _open(data_dir)
    try:
        stages = [s.name for s in _stage_names(ctx)]
        chosen = BoardFilter(stage=_stage(args.stage, stages)) if args.stage else None
        note = f"Stage: {args.stage}" if args.stage else ""
        document = documents.board(ctx, date.today(), chosen, note=note)
    finally:
        ctx.close()
    try:
        write_atomic(output, document.data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    marking = document.marking.value if document.marking else ""
    print(
        f"board-pdf: {output} written, {document.pages} pages, {document.items} objectives, "
        f"marked {marking}"
    )
    return EXIT_OK


# ---------------------------------------------------------------- helpers
def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import refuse_foreign
    from hescb_desktop.services.context import open_context

    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def _stage_names(ctx: ServiceContext) -> tuple[Any, ...]:
    from hescb_desktop.services import board

    return board.list_stages(ctx.uow(write=False))


def _stage(name: str, stages: list[str]) -> str:
    for stage in stages:
        if stage.casefold() == name.strip().casefold():
            return stage
    raise CliError(f"no stage {quoted(name)} on the board (stages: {', '.join(stages)})")


def _chosen(
    cards: tuple[BoardCard, ...], stages: tuple[str, ...], name: str | None
) -> list[BoardCard]:
    if not name:
        return list(cards)
    stage = _stage(name, list(stages) + sorted({c.stage for c in cards} - set(stages)))
    return [c for c in cards if c.stage == stage]


def _json(c: BoardCard) -> dict[str, object]:
    def rag(value: Any) -> str | None:
        return value.value if value is not None else None

    return {
        "id": c.id,
        "title": c.title,
        "kind": "workstream" if c.is_workstream else "objective",
        "workstream_of": c.workstream_of or None,
        "stage": c.stage,
        "position": c.position,
        "theme": c.theme,
        "lead": c.lead_code,
        "partners": list(c.partner_codes),
        "sro": c.sro,
        "rag": {
            "overall": rag(c.rag),
            "time": rag(c.rag_time),
            "cost": rag(c.rag_cost),
            "scope": rag(c.rag_scope),
            "resources": rag(c.rag_resources),
            "overridden": c.overridden,
        },
        "path_to_green": c.path_to_green,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "target_date": c.target_date.isoformat() if c.target_date else None,
        "next_milestone": (
            {
                "title": c.next_milestone,
                "date": c.next_milestone_date.isoformat() if c.next_milestone_date else None,
            }
            if c.next_milestone
            else None
        ),
        "open_actions": c.open_actions,
        "overdue_actions": c.overdue_actions,
        "marking": c.marking.value,
    }


def _table(cards: list[BoardCard]) -> str:
    rows = [("STAGE", "RAG", "OBJECTIVE", "NEXT MILESTONE")]
    for c in cards:
        rag = (c.rag.value.upper() if c.rag else "-") + ("*" if c.overridden else "")
        when = f"{c.next_milestone_date:%d %b %Y} " if c.next_milestone_date else ""
        nxt = f"{when}{c.next_milestone}" if c.next_milestone else "-"
        rows.append((c.stage, rag, f"↳ {c.title}" if c.is_workstream else c.title, nxt))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
    if not cards:
        lines.append("(no objectives)")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _print(text: str | bytes) -> None:
    import sys

    try:
        sys.stdout.buffer.write(text.encode("utf-8") if isinstance(text, str) else text)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
