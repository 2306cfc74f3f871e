"""Publishing: this PC's unpublished change records become new segments in its share folder."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, select, update

from hescb_desktop.storage.database import current_revision
from hescb_desktop.storage.journal import ChangeLog
from hescb_desktop.sync.healing import write_copy
from hescb_desktop.sync.segments import (
    ReadBackError,
    Record,
    SegmentError,
    Signer,
    generation,
    parse_name,
    read_segment,
    write_segment,
)
from hescb_desktop.sync.share import Share
from hescb_desktop.sync.verify import remember_signed

# per segment; a single larger commit still goes in one segment. The variable is for tests that
# need many small segments from a real process (the kill -9 test).
MAX_RECORDS = int(os.environ.get("HESCB_SYNC_SEGMENT_RECORDS", "") or 20_000)


class OnWritten(Protocol):
    """Told of each segment written (or adopted), in the transaction that marks it published
    (`sync.clockguard.OwnCheck`: the author re-dates its own rows as every reader will)."""

    def own_segment(self, conn: Connection, path: Path, chunk: Sequence[Record]) -> None: ...

    def as_stored(self, path: Path, records: Sequence[Record]) -> Sequence[Record]: ...


def unpublished(engine: Engine, device_id: str) -> list[Record]:
    stmt = (
        select(ChangeLog)
        .where(ChangeLog.device_id == device_id, ChangeLog.published.is_(False))
        .order_by(ChangeLog.seq)
    )
    with engine.connect() as conn:
        return [
            Record(
                r.device_id,
                r.seq,
                r.tx,
                r.hlc,
                r.table_name,
                r.row_id,
                r.column_name,
                r.value,
                r.prev_hlc,
                r.user,
            )
            for r in conn.execute(stmt)
        ]


def pending_count(engine: Engine, device_id: str) -> int:
    from sqlalchemy import func

    stmt = (
        select(func.count())
        .select_from(ChangeLog)
        .where(ChangeLog.device_id == device_id, ChangeLog.published.is_(False))
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def chunks(records: list[Record], limit: int = MAX_RECORDS) -> Iterator[list[Record]]:
    """Split at commit (tx) boundaries, at most `limit` records unless one commit is bigger, and
    wherever the numbers skip: a segment holds consecutive numbers (its header's range), and
    this PC's numbers may skip one it never held (a file not its own sat there: healing.py)
    while records before it wait to be sent again (a crash before they were marked sent)."""
    chunk: list[Record] = []
    for rec in records:
        if chunk and rec.seq != chunk[-1].seq + 1:
            yield chunk
            chunk = []
        if len(chunk) >= limit and rec.tx != chunk[-1].tx:
            yield chunk
            chunk = []
        chunk.append(rec)
    if chunk:
        yield chunk


def publish(
    engine: Engine,
    share: Share,
    device_id: str,
    limit: int = MAX_RECORDS,
    notes: list[str] | None = None,
    on_written: OnWritten | None = None,
    signer: Signer | None = None,
) -> int:
    """Write every unpublished record; returns how many were published this time.

    A segment already on the share at the next seq (we crashed after writing it, before marking
    it published) is verified against the local records and adopted instead of written again.
    A segment that does not read back as written is written again as a healing segment (the
    damaged file stays; readers take the healing copy), and said in `notes`.
    """
    records = unpublished(engine, device_id)
    if not records:
        return 0
    folder = share.own_segments_dir(device_id)  # never creates the folders above it
    existing = _existing(folder)
    schema = current_revision(engine) or ""
    done = 0
    while done < len(records):
        first = records[done].seq
        if first in existing:
            path = existing.pop(first)
            chunk = _adopt(path, records[done:], on_written)
        else:
            chunk = next(chunks(records[done:], limit))
            _check_no_overlap(existing, chunk)
            share.check_board()  # before each write: a share moved away stops here
            path = _write(folder, chunk, schema, notes, signer)
            if signer is not None:  # kept, so that change_log can be checked against it
                remember_signed(engine, [(device_id, read_segment(path))])
        _mark_published(engine, device_id, chunk, path, on_written)
        done += len(chunk)
    _check_no_overlap(existing, records)
    return done


def _write(
    folder: Path,
    chunk: list[Record],
    schema: str,
    notes: list[str] | None,
    signer: Signer | None = None,
) -> Path:
    """The segment written, or the healing copy written in its place; returns its path."""
    try:
        return write_segment(folder, chunk, schema, signer)
    except ReadBackError as exc:
        first, last = chunk[0].seq, chunk[-1].seq
        for gen in (1, 2, 3):
            try:
                path = write_copy(
                    folder, chunk[0].device_id, (first, last, chunk), gen, schema, signer
                )
            except ReadBackError:
                continue
            if notes is not None:
                notes.append(
                    f"republished changes {first}-{last}: {exc}; the copy was written again"
                )
            return path
        raise


def _existing(folder: Path) -> dict[int, Path]:
    found = {}
    for path in folder.iterdir():
        rng = parse_name(path.name)
        if rng is not None and generation(path.name) == 0:  # healing copies: published ranges
            found[rng[0]] = path
    return found


def _adopt(path: Path, local: list[Record], on_written: OnWritten | None = None) -> list[Record]:
    seg = read_segment(path)
    mine = local[: len(seg.records)]
    if list(seg.records) != mine and (
        on_written is None or list(on_written.as_stored(path, seg.records)) != mine
    ):
        raise SegmentError(
            f"{path.name} on the share differs from this PC's own changes: "
            "is a copy of this database in use on another PC?"
        )
    return mine


def _check_no_overlap(existing: dict[int, Path], chunk: list[Record]) -> None:
    """A segment of ours beyond what we are writing means another PC writes as this device."""
    for first, path in existing.items():
        if first >= chunk[0].seq:
            raise SegmentError(
                f"the share holds {path.name} for this device beyond what this PC "
                "has written: is a copy of this database in use on another PC?"
            )


def _mark_published(
    engine: Engine,
    device_id: str,
    chunk: list[Record],
    path: Path,
    on_written: OnWritten | None = None,
) -> None:
    first, last = chunk[0].seq, chunk[-1].seq
    with engine.begin() as conn:
        conn.execute(
            update(ChangeLog)
            .where(ChangeLog.device_id == device_id, ChangeLog.seq.between(first, last))
            .values(published=True)
        )
        if on_written is not None:
            on_written.own_segment(conn, path, chunk)
