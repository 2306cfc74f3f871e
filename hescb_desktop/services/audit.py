"""The audit trail (issue 15, point 6): every change with its person, role, PC and whether it is
verified, and the checks that the database still agrees with its signed journal.

Two checks, both read only:
- the synced tables against the change log replayed with the merge's rule
  (`storage.replay.disagreements`): a field edited in the SQLite file without a journal entry;
- each signed range (`signed_ranges`: a segment's header and signature as it was verified or
  written) against the change-log rows it covers: those rows are encoded again exactly as
  `sync.segments.encode` writes record lines and their SHA-256 compared with the header's
  `body_sha256` (`check_range`), so a change-log row rewritten after signing (a change's author
  made "Chief Constable") is found, and the header's signature is verified with the signer's
  key from the board's trust state (`sync.trust`).

A change is "verified" when a signed range that checks covers it, "FAILED" when the range
covering it does not check, "unpublished" when it is this PC's own and not yet sent, and "not
signed" otherwise (sent before the board was upgraded, or a peer's from then).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Engine, select, text

from hescb_desktop.domain.audit import (
    CSV_HEADER,
    FAILED,
    NOT_SIGNED,
    UNPUBLISHED,
    VERIFIED,
    AuditEntry,
)
from hescb_desktop.domain.csv_text import excel_text
from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.domain.printable import shorten
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import BY_TABLE
from hescb_desktop.services.sync import HistoryRow, _record_name, device_names, short_id
from hescb_desktop.storage.disposed_values import SHOWN, is_disposed
from hescb_desktop.storage.journal import LocalState, SignedRange
from hescb_desktop.storage.models import Person
from hescb_desktop.storage.replay import Disagreement, disagreements
from hescb_desktop.storage.restricted import opened
from hescb_desktop.storage.sealed_values import is_sealed
from hescb_desktop.sync.hlc import COUNTER_MAX, pack, to_datetime
from hescb_desktop.sync.segments import encode_records
from hescb_desktop.sync.signing import Purpose, canonical, digest, verify
from hescb_desktop.sync.trust import TrustState, load_trust
from hescb_desktop.sync.verify import range_records

VALUE_LENGTH = 60
CHUNK = 500


@dataclass(frozen=True)
class RangeProblem:
    """A signed range whose change-log rows no longer match what was signed."""

    device_id: str
    first_seq: int
    last_seq: int
    reason: str

    def line(self) -> str:
        return (
            f"change log of PC {short_id(self.device_id)}, changes {self.first_seq}-"
            f"{self.last_seq}: {self.reason}"
        )


# ---------------------------------------------------------------------- the board's trust
@dataclass(frozen=True)
class Board:
    """What the board's trust state (`sync.trust`) says about people and PCs, read once."""

    keys: dict[str, bytes]  # signer fingerprint -> public key
    pc_names: dict[str, str]  # device id -> the name its enrolment gave it
    state: TrustState

    def role(self, person: str, hlc: int) -> str:
        """The role `person` (an id) held at that clock time; "" for a name or an unknown id."""
        found = self.state.role_at(person, hlc)
        return "" if found is None else str(found.value)


def load_board(engine: Engine) -> Board:
    state = load_trust(engine)
    keys = {fp: cert.key for fp, cert in state.pcs.items()}
    names = {cert.device_id: cert.pc_name for cert in state.pcs.values() if cert.pc_name}
    for device in list(names):
        current = state.pc_of_device(device)
        if current is not None and current.pc_name:
            names[device] = current.pc_name
    return Board(keys, names, state)


# ---------------------------------------------------------------------- the signed ranges
def check_range(conn: Connection, signed: SignedRange, keys: dict[str, bytes]) -> str:
    """ "" when the range's change-log rows are what was signed and (when the board knows the
    signer's key) the signature over its header verifies; else the reason in words. The same
    check as `sync.verify.range_intact`, with re-dated records put back as they were signed."""
    try:
        header = json.loads(signed.header)
    except ValueError:
        return "its stored header is not JSON"
    if not isinstance(header, dict):
        return "its stored header is not a JSON object"
    if (header.get("device_id"), header.get("first_seq"), header.get("last_seq")) != (
        signed.device_id,
        signed.first_seq,
        signed.last_seq,
    ) or header.get("signer") != signed.signer:
        return "its stored header names another range or signer"
    records = range_records(conn, signed.device_id, signed.first_seq, signed.last_seq)
    expected = 0 if header.get("void") is True else signed.last_seq - signed.first_seq + 1
    if len(records) != expected:
        return f"{expected - len(records)} of its {expected} changes are missing from the log"
    if digest(encode_records(records)) != header.get("body_sha256"):
        return "the change log was rewritten after signing (its digest does not match)"
    key = keys.get(signed.signer)
    if key is not None:
        try:
            signature = base64.b64decode(signed.signature, validate=True)
        except (binascii.Error, ValueError):
            return "its signature is malformed"
        if not verify(key, Purpose.SEGMENT, canonical(header), signature):
            return "its signature does not match its PC's key"
    return ""


def range_problems(engine: Engine, board: Board | None = None) -> list[RangeProblem]:
    """Every signed range checked against the change log (for `selftest`)."""
    keys = (board or load_board(engine)).keys
    problems = []
    with engine.connect() as conn:
        for signed in _ranges(conn):
            reason = check_range(conn, signed, keys)
            if reason:
                problems.append(
                    RangeProblem(signed.device_id, signed.first_seq, signed.last_seq, reason)
                )
    return problems


def _ranges(conn: Connection) -> list[SignedRange]:
    rows = conn.execute(select(SignedRange.__table__)).all()
    return [SignedRange(**row._mapping) for row in rows]


# ---------------------------------------------------------------------- the whole check
def journal_problems(
    engine: Engine, limit: int = 0
) -> tuple[list[Disagreement], list[RangeProblem]]:
    """What `selftest` reports: tables that disagree with the journal, ranges rewritten."""
    return disagreements(engine, limit), range_problems(engine)


# ---------------------------------------------------------------------- the audit trail
class _Verifier:
    """Each change's "verified" status; a range is checked once."""

    def __init__(self, conn: Connection, me: str, keys: dict[str, bytes]) -> None:
        self.conn = conn
        self.me = me
        self.keys = keys
        self.by_device: dict[str, list[SignedRange]] = {}
        for signed in _ranges(conn):
            self.by_device.setdefault(signed.device_id, []).append(signed)
        self.results: dict[tuple[str, int], bool] = {}

    def status(self, device: str, seq: int, published: bool) -> str:
        for signed in self.by_device.get(device, ()):
            if signed.first_seq <= seq <= signed.last_seq:
                key = (device, signed.first_seq)
                if key not in self.results:
                    self.results[key] = check_range(self.conn, signed, self.keys) == ""
                return VERIFIED if self.results[key] else FAILED
        if device == self.me and not published:
            return UNPUBLISHED
        return NOT_SIGNED


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, UTC."""
    lo = datetime.combine(start, time(), UTC)
    return lo, datetime.combine(end, time(), UTC) + timedelta(days=1)


def audit_trail(engine: Engine, start: datetime, end: datetime) -> list[AuditEntry]:
    """Every change dated (by its hlc's wall time) from `start` up to, not including, `end`, in
    the order the board decides with (hlc, PC, seq)."""
    lo = pack(int(start.timestamp() * 1000), 0)
    hi = pack(int(end.timestamp() * 1000) - 1, COUNTER_MAX)
    with engine.connect() as conn:
        me = _state(conn, "device_id")
        rows = conn.execute(
            text(
                "SELECT device_id, seq, hlc, table_name, row_id, column_name, value, user,"
                " published FROM change_log WHERE hlc BETWEEN :lo AND :hi"
                " ORDER BY hlc, device_id, seq"
            ),
            {"lo": lo, "hi": hi},
        ).all()
        people = _people(conn)
        records = _records(conn, {(r[3], r[4]) for r in rows})
        board = load_board(engine)
        verifier = _Verifier(conn, me, board.keys)
        return [
            AuditEntry(
                at=to_datetime(r[2]),
                person=people.get(r[7]) or r[7],
                role=board.role(r[7], r[2]),
                pc=_pc(r[0], me, board),
                table=r[3],
                row_id=r[4],
                title=records.get((r[3], r[4]), _UNNAMED)[0],
                field=r[5],
                value=short_value(r[6]),
                verified=verifier.status(r[0], r[1], bool(r[8])),
                marking=records.get((r[3], r[4]), _UNNAMED)[1],
                device_id=r[0],
                seq=r[1],
            )
            for r in rows
        ]


def _state(conn: Connection, key: str) -> str:
    found = conn.execute(select(LocalState.value).where(LocalState.key == key)).scalar()
    return str(found or "")


def _pc(device: str, me: str, board: Board) -> str:
    """The PC's short id and, when known, its name: "1a2b3c4d (Reception PC)"."""
    name = "this PC" if device == me else board.pc_names.get(device, "")
    return f"{short_id(device)} ({name})" if name else short_id(device)


def short_value(value: str) -> str:
    """A change's new value as one short line: the JSON's text, "" for null; a restricted
    record's text is never shown here (the trail goes to auditors, readers or not)."""
    if is_sealed(value):
        return "(restricted)"
    if is_disposed(value):
        return SHOWN
    try:
        decoded = json.loads(value)
    except ValueError:
        decoded = value
    if decoded is None:
        return ""
    shown = decoded if isinstance(decoded, str) else json.dumps(decoded, ensure_ascii=False)
    return shorten(shown, VALUE_LENGTH)


_UNNAMED = ("", Marking.OFFICIAL)


def _records(
    conn: Connection, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, Marking]]:
    """Each record's name as the History view names it (reference and title) and its marking,
    read in batches."""
    from sqlalchemy.orm import Session

    by_table: dict[str, list[str]] = {}
    for table, rid in keys:
        by_table.setdefault(table, []).append(rid)
    found: dict[tuple[str, str], tuple[str, Marking]] = {}
    with Session(conn) as session:
        for table, ids in by_table.items():
            spec = BY_TABLE.get(table)
            if spec is None:
                continue
            model = spec.model
            for chunk in _chunks(sorted(ids)):
                for obj in session.scalars(select(model).where(model.id.in_(chunk))):
                    marking = getattr(obj, "marking", None)
                    found[(table, obj.id)] = (
                        _record_name(obj),
                        marking if isinstance(marking, Marking) else Marking.OFFICIAL,
                    )
    return found


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def audit_csv(entries: list[AuditEntry]) -> str:
    """The trail as CSV (the csv module), a header row first; user text guarded for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in entries:
        row = entry.csv_row()
        writer.writerow([row[0], *(excel_text(cell) for cell in row[1:])])
    return out.getvalue()


def counts(entries: list[AuditEntry]) -> dict[str, int]:
    """How many changes are verified, not signed, unpublished, FAILED (in that order)."""
    found = {VERIFIED: 0, NOT_SIGNED: 0, UNPUBLISHED: 0, FAILED: 0}
    for entry in entries:
        found[entry.verified] = found.get(entry.verified, 0) + 1
    return found


# ---------------------------------------------------------------------- for the command and the GUI
class RangeError(DomainError):
    """A date range a user typed that cannot be used (shown as it is: one line)."""


def parse_day(text_: str, option: str) -> date:
    try:
        return date.fromisoformat(text_.strip())
    except ValueError as exc:
        raise RangeError(f"{option} {text_!r} is not a date like 2026-12-01") from exc


def check_range_days(start: date, end: date) -> None:
    if start > end:
        raise RangeError(f"--from {start.isoformat()} is after --to {end.isoformat()}")


def trail_for_days(engine: Engine, start: date, end: date) -> list[AuditEntry]:
    """Every change dated on the days `start` to `end` (UTC), in the board's order."""
    check_range_days(start, end)
    return audit_trail(engine, *day_bounds(start, end))


def trail_pdf(
    engine: Engine, entries: list[AuditEntry], start: date, end: date, author: str
) -> bytes:
    """The trail as a PDF for the board's auditors (`reports.audit_trail`)."""
    from hescb_desktop.reports.audit_trail import build_audit_pdf

    with engine.connect() as conn:
        me = _state(conn, "device_id")
    return build_audit_pdf(
        entries,
        board="HESCB",
        start=start,
        end=end,
        produced=datetime.now(UTC),
        pc=f"PC {short_id(me)}" if me else "this PC",
        author=author,
    )


# ---------------------------------------------------------------------- the History view
def record_history(ctx: ServiceContext, table: str, row_id: str) -> list[HistoryRow]:
    """One record's changes for the History view, as `services.sync.history` gives them, with
    the person's name (when the record names a person id), their role and "verified"."""
    names = device_names(ctx)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT device_id, seq, hlc, column_name, value, user, published, stamped_hlc"
                " FROM change_log WHERE table_name = :t AND row_id = :r"
                " ORDER BY hlc, device_id, seq"
            ),
            {"t": table, "r": row_id},
        ).all()
        people = _people(conn)
        board = load_board(ctx.engine)
        verifier = _Verifier(conn, ctx.device_id, board.keys)
        return [
            HistoryRow(
                to_datetime(r[2]),
                people.get(r[5]) or r[5],
                _history_pc(r[0], names, board),
                r[3],
                json.loads(opened(conn, table, row_id, r[3], r[4])),
                to_datetime(r[7]) if r[7] not in (None, r[2]) else None,
                board.role(r[5], r[2]),
                verifier.status(r[0], r[1], bool(r[6])),
            )
            for r in rows
        ]


def _history_pc(device: str, names: dict[str, str], board: Board) -> str:
    """ "this PC", or "PC 1a2b3c4d" with the name its enrolment gave it when known."""
    shown = names.get(device, f"PC {short_id(device)}")
    name = board.pc_names.get(device, "")
    return f"{shown} ({name})" if name and shown != "this PC" else shown


def _people(conn: Connection) -> dict[str, str]:
    """Person id -> name, for records whose user is a person of the board."""
    return {str(pid): str(name) for pid, name in conn.execute(select(Person.id, Person.name))}
