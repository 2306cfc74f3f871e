"""`copies`: numbered copies of a pack with restricted items and the copies register (issue 16,
point 3), scriptable. A contract other tools script against; keep it stable:

- `copies [MEETING_REF]` prints the register (all meetings, or one), one line a copy, fields
  separated by tabs: the copy's reference (`HESCB/2026-10-15 II #3`), `3 of 7`, the name
  printed on it, its state (`issued`, `returned` or `destroyed`), and when it was issued,
  returned and destroyed (ISO 8601 UTC, "...Z"; empty when not). Nothing when there are none.
- `copies [MEETING_REF] --json` prints a JSON list, one object a copy, with the keys `id`,
  `meeting` (HESCB/2026-10-15), `part` ("I" or "II"), `number`, `of_total`, `issued_to`,
  `issued_at`, `returned_at`, `destroyed_at` (ISO 8601 UTC or null) and `state`. `[]` when none.
- `copies issue MEETING_REF --part 1|2 --to "NAME, NAME" -o DIR` issues one numbered copy to
  each name (a board person's name links the copy to them), numbered on from the pack's copies
  so far, and writes each copy's PDF into DIR (which must exist), named like
  `HESCB-2026-10-15-Part-II-copy-03-of-07-ACC-R-Shah.pdf`; one line a file:
  `copy 3 of 7 (ACC R. Shah): DIR/HESCB-...pdf (N pages)`. Every PDF is built before any copy
  is recorded, so a refusal records nothing and writes nothing.
- `copies return COPY` and `copies destroy COPY` (`--at WHEN`, default now) record what became
  of a copy: one line, `copies: HESCB/2026-10-15 II #3 (ACC R. Shah) returned`.
- `copies register [MEETING_REF] -o FILE` writes the register as a PDF:
  `copies register: FILE (N pages)`.

A refusal (a pack with no restricted items, a name given twice, someone who still holds a copy
of the pack, a copy returned or destroyed twice, a destroyed copy returned, an option the verb
does not take, a viewer or officer at the keyboard) is one line on stderr and exit status 2,
and changes nothing. COPY and WHEN are explained by `copies --help`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import EXIT_OK, CliError, json_text, quoted
from hescb_desktop.cli.copies_args import VERBS
from hescb_desktop.cli.document_commands import _check_output, _context, _write
from hescb_desktop.domain.enums import Part
from hescb_desktop.domain.timezones import LONDON

if TYPE_CHECKING:
    from hescb_desktop.domain.dto import PackCopyDTO
    from hescb_desktop.services.copies import CopyRow

# the options each verb takes ("list": no verb)
_TAKES = {
    "list": {"json"},
    "issue": {"part", "to", "output"},
    "return": {"at"},
    "destroy": {"at"},
    "register": {"output"},
}
_OPTION = {"json": "--json", "part": "--part", "to": "--to", "output": "-o", "at": "--at"}


def cmd_copies(args: argparse.Namespace, data_dir: Path) -> int:
    words: list[str] = list(args.words)
    verb = words.pop(0) if words and words[0] in VERBS else "list"
    args.verb = verb  # a write verb syncs at once with --share (cli._writes)
    for name, flag in _OPTION.items():
        if getattr(args, name) not in (None, False) and name not in _TAKES[verb]:
            what = "copies" if verb == "list" else f"copies {verb}"
            raise CliError(f"{what} does not take {flag}: see `copies --help`")
    if verb == "list":
        return _list(args, data_dir, _one_meeting(words, "copies"))
    if verb == "register":
        return _register(args, data_dir, _one_meeting(words, "copies register"))
    if verb == "issue":
        meeting = _one_meeting(words, "copies issue")
        if meeting is None:
            raise CliError("copies issue needs a MEETING_REF: see `copies --help`")
        return _issue(args, data_dir, meeting)
    if not words:
        raise CliError(f"copies {verb} needs a COPY (as `copies` prints it): see `copies --help`")
    return _mark(args, data_dir, verb, " ".join(words))


def _one_meeting(words: list[str], what: str) -> str | None:
    if len(words) > 1:
        raise CliError(f"{what} takes one MEETING_REF, not {quoted(' '.join(words))}")
    return words[0] if words else None


# ------------------------------------------------------------------ the register
def _stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _item(row: CopyRow) -> dict[str, Any]:
    c = row.copy
    return {
        "id": c.id,
        "meeting": row.meeting,
        "part": c.part.value,
        "number": c.number,
        "of_total": c.of_total,
        "issued_to": c.issued_to,
        "issued_at": _stamp(c.issued_at),
        "returned_at": _stamp(c.returned_at),
        "destroyed_at": _stamp(c.destroyed_at),
        "state": row.state,
    }


def _rows(data_dir: Path, meeting: str | None) -> tuple[CopyRow, ...]:
    from hescb_desktop.services import boardpacks, copies

    with _context(data_dir) as ctx:
        meeting_id = (
            boardpacks.resolve_meeting(ctx.uow(write=False), meeting).id if meeting else None
        )
        return copies.register(ctx.uow(write=False), meeting_id)


def _list(args: argparse.Namespace, data_dir: Path, meeting: str | None) -> int:
    rows = _rows(data_dir, meeting)
    if args.json:
        print(json_text([_item(r) for r in rows], indent=2))
        return EXIT_OK
    for r in rows:
        item = _item(r)
        fields = (
            r.reference,
            f"{r.copy.number} of {r.copy.of_total}",
            " ".join(r.copy.issued_to.split()),
            r.state,
            item["issued_at"],
            item["returned_at"] or "",
            item["destroyed_at"] or "",
        )
        print("\t".join(fields))
    return EXIT_OK


def _register(args: argparse.Namespace, data_dir: Path, meeting: str | None) -> int:
    from hescb_desktop.services import boardpacks, documents

    if args.output is None:
        raise CliError("copies register needs -o FILE: the PDF to write")
    _check_output(args.output, data_dir)
    with _context(data_dir) as ctx:
        meeting_id = (
            boardpacks.resolve_meeting(ctx.uow(write=False), meeting).id if meeting else None
        )
        document = documents.copies_register(ctx, meeting_id)
    return _write(args.output, document.data, document.what)


# ------------------------------------------------------------------ issuing
def _names(given: list[str] | None) -> list[str]:
    names = [n.strip() for text in given or () for n in text.split(",")]
    if not names:
        raise CliError('copies issue needs --to "NAME, NAME": who receives a copy')
    if any(not n for n in names):
        raise CliError(f"--to {quoted(', '.join(given or ()))} has an empty name")
    return names


def _issue(args: argparse.Namespace, data_dir: Path, meeting: str) -> int:
    from hescb_desktop.services import boardpacks, copies

    if args.part is None:
        raise CliError("copies issue needs --part 1 or --part 2 (the Part II pack)")
    names = _names(args.to)
    folder: Path | None = args.output
    if folder is None:
        raise CliError("copies issue needs -o DIR: the folder for the copies' PDFs")
    if not folder.is_dir():
        state = "is not a folder" if folder.exists() else "does not exist"
        raise CliError(f"cannot write the copies: {folder} {state}")
    part = Part.PART_II if args.part == "2" else Part.PART_I
    with _context(data_dir, write=True) as ctx:
        meeting_id = boardpacks.resolve_meeting(ctx.uow(write=False), meeting).id
        built = copies.build_copies(ctx.uow(write=False), meeting_id, part, names, author=ctx.user)
        for b in built:
            _check_output(folder / b.file_name, data_dir)
        staged = _stage(folder, built)
        try:
            issued = copies.issue_copies(
                ctx.uow(), meeting_id, part, names, expect=[b.planned for b in built]
            ).value
        except BaseException:
            for tmp in staged:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            raise
    for b, tmp, copy in zip(built, staged, issued, strict=True):
        path = folder / b.file_name
        os.replace(tmp, path)
        print(f"{_copy_text(copy)}: {path} ({_pages(b.data)} pages)")
    return EXIT_OK


def _stage(folder: Path, built: Any) -> list[Path]:
    """Each PDF written whole beside its final name (renamed once the copies are recorded)."""
    staged: list[Path] = []
    try:
        for b in built:
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{b.file_name}.", suffix=".tmp")
            staged.append(Path(name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(b.data)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        for tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise CliError(f"cannot write the copies in {folder}: {exc.strerror or exc}") from exc
    return staged


def _copy_text(copy: PackCopyDTO) -> str:
    return f"copy {copy.number} of {copy.of_total} ({' '.join(copy.issued_to.split())})"


def _pages(data: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(data)).pages)


# ------------------------------------------------------------------ returned, destroyed
def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CliError(
            f"--at {quoted(text)} is not a date like 2026-10-20 or 2026-10-20 14:30"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)


def _mark(args: argparse.Namespace, data_dir: Path, verb: str, ref: str) -> int:
    from hescb_desktop.services import copies

    when = _when(args.at)
    mark = copies.mark_returned if verb == "return" else copies.mark_destroyed
    with _context(data_dir, write=True) as ctx:
        found = copies.find_copy(ctx.uow(write=False), ref)
        mark(ctx.uow(), found.id, when)
        row = copies.copy_row(ctx.uow(write=False), found.id)
    done = "returned" if verb == "return" else "destroyed"
    print(f"copies: {row.reference} ({' '.join(row.copy.issued_to.split())}) {done}")
    return EXIT_OK
