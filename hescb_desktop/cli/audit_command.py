"""`hescb-desktop audit --from DATE --to DATE [--csv] [-o FILE]`: the audit trail (issue 15).

Every change dated (by its clock's wall time, UTC) on the days from --from to --to, in the order
the board decides with: time, person, role, PC, record, field, new value and whether its signed
journal still checks ("verified", "not signed", "unpublished", "FAILED"). A readable table on
standard output; --csv: CSV with a header row (UTF-8 with a BOM, as every CSV of the app);
-o FILE.pdf: the trail as a PDF for the board's auditors, -o FILE.csv: the CSV in a file. Reads
only (the GUI may keep the database open). Bad dates, --from after --to, no database: one line
on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hescb_desktop.cli.base import (
    EXIT_OK,
    PROG,
    CliError,
    database_path,
    has_database,
    refuse_file_as_data_dir,
    write_atomic,
)
from hescb_desktop.domain.audit import AuditEntry
from hescb_desktop.domain.csv_text import excel_csv_bytes

COLUMNS = ("Time (UTC)", "Person", "Role", "PC", "Record", "Field", "New value", "Verified")
WIDTHS = (20, 22, 12, 22, 44, 18, 30, 11)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser(
        "audit", parents=[common], help="every change in a date range: who, role, PC, verified"
    )
    audit.add_argument("--from", dest="start", required=True, metavar="DATE", help="YYYY-MM-DD")
    audit.add_argument("--to", dest="end", required=True, metavar="DATE", help="YYYY-MM-DD")
    audit.add_argument("--csv", action="store_true", help="as CSV with a header row")
    audit.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write FILE.pdf (or FILE.csv)"
    )


def cmd_audit(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import audit

    start = audit.parse_day(args.start, "--from")
    end = audit.parse_day(args.end, "--to")
    audit.check_range_days(start, end)
    output: Path | None = args.output
    if output is not None:
        _check_output(output, args.csv)
    ctx = _open(data_dir)
    try:
        entries = audit.trail_for_days(ctx.engine, start, end)
        if output is not None and output.suffix.lower() == ".pdf":
            data = audit.trail_pdf(ctx.engine, entries, start, end, ctx.user)
            _write(output, data)
            print(f"audit: {output} written, {len(entries)} changes, {_pages(data)} pages")
            return EXIT_OK
    finally:
        ctx.close()
    if output is not None:
        _write(output, excel_csv_bytes(audit.audit_csv(entries)))
        print(f"audit: {output} written, {len(entries)} changes")
    elif args.csv:
        _print(excel_csv_bytes(audit.audit_csv(entries)))
    else:
        _print(table(entries).encode("utf-8"))
    return EXIT_OK


def table(entries: list[AuditEntry]) -> str:
    """Fixed columns, each cut to its width with an ellipsis; a count at the end."""
    lines = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, WIDTHS, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in WIDTHS))
    for e in entries:
        record = f"{e.table} {e.row_id.replace('-', '')[-8:]}"
        record += f" {e.title}" if e.title else ""
        cells = (e.time_text(), e.person, e.role, e.pc, record, e.field, e.value, e.verified)
        lines.append("  ".join(_fit(c, w) for c, w in zip(cells, WIDTHS, strict=True)).rstrip())
    lines.append(f"{len(entries)} change{'s' if len(entries) != 1 else ''}")
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _check_output(output: Path, csv: bool) -> None:
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".csv"):
        raise CliError(f"{output} does not end in .pdf or .csv")
    if csv and suffix == ".pdf":
        raise CliError(f"--csv with {output}: give a .csv file name, or leave out --csv")
    if output.is_dir():
        raise CliError(f"{output} is a folder: give a file name")
    if not output.parent.is_dir():
        raise CliError(f"cannot write {output}: the folder {output.parent} does not exist")


def _open(data_dir: Path) -> Any:
    from hescb_desktop.cli.database import refuse_foreign
    from hescb_desktop.services.context import open_context

    refuse_file_as_data_dir(data_dir)
    path = database_path(data_dir)
    if not has_database(path) or refuse_foreign(path).blank:
        raise CliError(f"no database in {data_dir}: run `{PROG} init` first")
    return open_context(data_dir, create=False)


def _write(output: Path, data: bytes) -> None:
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc


def _pages(data: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(data)).pages)


def _print(data: bytes) -> None:
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
