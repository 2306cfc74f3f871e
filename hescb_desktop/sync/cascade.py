"""Changes that name a refused row (issue 15, point 5: honest changes keep merging).

A refused change that made a row (an officer's event, put in her diary after a role change she
had not seen) leaves that row on no PC. A later change that names it through a reference
(another PC's attendee of that event, added while the event was applied there) could then be
applied nowhere: on a PC that refused the row its PC's batch would wait for the row for ever,
and on a PC taking the row back the database would refuse the whole merge. So such a change is
refused too, "it names a calendar item that was refused", kept in `refused_changes` like every
refusal (never lost, listed with its reason), and allowed again, through the normal merge, when
the row it names is. A row is *refused* when `refused_changes` holds its creation, `change_log`
nothing of it, and its table does not show it: the same on every PC, in any order.

- `refuse_in_round`: after `judge.judge_round`, the round's commits in clock order: one naming a
  refused row (held refused, or refused earlier in this round) is refused.
- `settle_in`: in the merge's transaction, after the round's merge: the re-judgement by role
  (`judge.rejudge_in`), then applied commits naming a refused row taken back and commits refused
  for naming one allowed when it no longer is, again until nothing flips.

This PC's own changes not yet published are left alone, as `judge` leaves them (taking one out
would leave a hole in what it sends): a row it still names is hidden, not deleted
(`merger.rebuild_fields`), and removed by `sweep` once nothing names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import orjson
from sqlalchemy import Connection, Engine

from hescb_desktop.domain.permissions import KIND_OF_TABLE
from hescb_desktop.storage.synced_columns import SYNCED_COLUMNS
from hescb_desktop.sync import judge
from hescb_desktop.sync.judge import Clock, Key, Refusal, Rejudged, _decode
from hescb_desktop.sync.merger import is_named, references
from hescb_desktop.sync.segments import Record, Segment
from hescb_desktop.sync.trust import TrustState
from hescb_desktop.sync.verify import revoked_text

NAMES_REFUSED = "it names a {kind} that was refused"
_PREFIX = "it names a"
_ROUNDS = 50
_CHUNK = 500


def named_rows(records: Iterable[Record]) -> set[Key]:
    """The rows these records name through a reference."""
    refs = references()
    found: set[Key] = set()
    for rec in records:
        for col, target in refs.get(rec.table, ()):
            if rec.col == col:
                value = _decode(rec.value)
                if isinstance(value, str) and value:
                    found.add((target, value))
    return found


def _reason(key: Key) -> str:
    kind = KIND_OF_TABLE.get(key[0])
    return NAMES_REFUSED.format(kind=kind.value if kind else key[0].replace("_", " "))


def refused_rows(conn: Connection) -> set[Key]:
    """Rows made by a refused change and never applied: refused_changes holds their creation
    (every creation sets `created_at`), change_log nothing of them, and their table does not
    show them (absent, or hidden while something still names them). A row the database holds
    without a journal (a stage a migration put in) is never one, whatever is refused of it."""
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    made = cur.execute(
        "SELECT DISTINCT r.table_name, r.row_id FROM refused_changes r"
        " WHERE r.column_name = 'created_at' AND NOT EXISTS"
        " (SELECT 1 FROM change_log c WHERE c.table_name = r.table_name"
        " AND c.row_id = r.row_id)"
    ).fetchall()
    found: set[Key] = set()
    for table, row in made:
        if table not in SYNCED_COLUMNS:
            continue
        shown = cur.execute(
            f'SELECT 1 FROM "{table}" WHERE id = ? AND NOT deleted', (row,)
        ).fetchone()
        if not shown:
            found.add((str(table), str(row)))
    return found


def _applied(conn: Connection, keys: Iterable[Key]) -> set[Key]:
    """Which of these rows change_log holds a change of."""
    found: set[Key] = set()
    for key in keys:
        if conn.exec_driver_sql(
            "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? LIMIT 1", key
        ).first():
            found.add(key)
    return found


def _shown(conn: Connection, keys: Iterable[Key]) -> set[Key]:
    """Which of these rows their table shows (present and not deleted)."""
    return {
        (table, row)
        for table, row in keys
        if conn.exec_driver_sql(
            f'SELECT 1 FROM "{table}" WHERE id = ? AND NOT deleted', (row,)
        ).first()
    }


def refuse_in_round(
    engine: Engine,
    kept: dict[str, list[Record]],
    refused: dict[str, list[Refusal]],
) -> None:
    """After the round's judgement (in place): each kept commit, in clock order, that names a
    row refused (held so, or by a commit refused in this round) is refused too."""
    this_round = {
        (f.record.table, f.record.row)
        for fs in refused.values()
        for f in fs
        if f.record.col == "created_at" and f.record.table in SYNCED_COLUMNS
    }
    with engine.connect() as conn:
        held = conn.exec_driver_sql("SELECT 1 FROM refused_changes LIMIT 1").first()
        if not held and not this_round:
            return
        refused_now = refused_rows(conn) if held else set()
        candidates = this_round - refused_now
        refused_now |= candidates - _applied(conn, candidates) - _shown(conn, candidates)
    if not refused_now:
        return
    commits = judge._commits(r for recs in kept.values() for r in recs)
    made: set[Key] = set()  # rows an applied commit of this round changes
    out: dict[judge.CommitId, str] = {}
    for commit in commits:
        bad = sorted(k for k in named_rows(commit.records) if k in refused_now and k not in made)
        if bad:
            out[commit.id] = _reason(bad[0])
            refused_now |= set(commit.own) - made
        else:
            made |= set(commit.own)
    if not out:
        return
    for device, recs in kept.items():
        refused.setdefault(device, []).extend(
            Refusal(r, out[(device, r.tx)]) for r in recs if (device, r.tx) in out
        )
        kept[device] = [r for r in recs if (device, r.tx) not in out]


def revoked_records(
    engine: Engine, revoked: Sequence[tuple[str, Segment, str]]
) -> dict[str, list[Refusal]]:
    """The records of segments signed by a PC's key after its revocation (verified, refused),
    not kept before: to keep as refused, so that every PC knows the rows they alone made."""
    found: dict[str, list[Refusal]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    with engine.connect() as conn:
        for device, segment, reason in revoked:
            held = {
                int(s)
                for (s,) in conn.exec_driver_sql(
                    "SELECT seq FROM refused_changes WHERE device_id = ? AND seq BETWEEN ? AND ?"
                    " UNION SELECT seq FROM change_log WHERE device_id = ?"
                    " AND seq BETWEEN ? AND ?",
                    (device, segment.first_seq, segment.last_seq) * 2,
                )
            }
            for rec in segment.records:
                new = rec.device_id == device and rec.seq not in held
                if new and (device, rec.seq) not in seen:
                    seen.add((device, rec.seq))
                    found[device].append(Refusal(rec, reason))
    return dict(found)


def _take_back_revoked(
    conn: Connection, state: TrustState, own_device: str, done: Rejudged
) -> list[judge._Commit]:
    """Changes of a revoked PC's key after its revocation's cut that this PC merged before it
    knew of the revocation (signed ranges by that key): taken back, as every PC that met the
    revocation first refused them."""
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    commits: list[tuple[judge._Commit, str]] = []
    for cert in state.pcs.values():
        if cert.revoked_after is None or cert.revoked_at is None or cert.device_id == own_device:
            continue
        spans = cur.execute(
            "SELECT first_seq, last_seq FROM signed_ranges WHERE device_id = ? AND signer = ?"
            " AND last_seq > ?",
            (cert.device_id, cert.fingerprint, cert.revoked_after),
        ).fetchall()
        by_tx: dict[int, list[Record]] = defaultdict(list)
        for first, last in spans:
            for row in cur.execute(
                f"SELECT {judge._RECORD_COLUMNS} FROM change_log WHERE device_id = ?"
                " AND seq BETWEEN ? AND ? ORDER BY seq",
                (cert.device_id, max(int(first), cert.revoked_after + 1), int(last)),
            ):
                rec = Record(*row)
                by_tx[rec.tx].append(rec)
        reason = revoked_text(cert.revoked_at)
        commits += [(judge._Commit(recs), reason) for _, recs in sorted(by_tx.items())]
    if commits:
        judge._flip(conn, commits, [], done)
    return [c for c, _ in commits]


def settle_in(
    conn: Connection,
    state: TrustState,
    own_device: str,
    changed: Sequence[Record],
    extra: Mapping[Key, Clock] | None = None,
) -> Rejudged:
    """In the merge's transaction: what the round's changes decide otherwise, by role and by the
    rows changes name, judged again until nothing flips."""
    done = judge.rejudge_in(conn, state, own_device, changed, extra)
    if not state.protected:
        return done
    late = _take_back_revoked(conn, state, own_device, done)
    if late:
        _merge_into(done, judge.rejudge_in(conn, state, own_device, _records(late)))
    for _ in range(_ROUNDS):
        flipped = _take_back(conn, own_device, done) + _allow(conn, done)
        if not flipped:
            break
        more = judge.rejudge_in(conn, state, own_device, _records(flipped))
        _merge_into(done, more)
    sweep(conn)
    return done


def _records(commits: Iterable[judge._Commit]) -> list[Record]:
    return [r for commit in commits for r in commit.records]


def _merge_into(done: Rejudged, more: Rejudged) -> None:
    for device, refusals in more.refused.items():
        done.refused.setdefault(device, []).extend(refusals)
    done.allowed.extend(more.allowed)
    done.tables |= more.tables


def _take_back(conn: Connection, own_device: str, done: Rejudged) -> list[judge._Commit]:
    """Applied commits that name a refused row: taken back, with that reason."""
    refused_now = refused_rows(conn)
    if not refused_now:
        return []
    by_target: dict[str, list[str]] = defaultdict(list)
    for table, row in refused_now:
        by_target[table].append(orjson.dumps(row).decode())
    found: dict[judge.CommitId, Key] = {}
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for child, refs in references().items():
        for col, target in refs:
            names = sorted(by_target.get(target, ()))
            for start in range(0, len(names), _CHUNK):
                chunk = names[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for device, tx, value, published in cur.execute(
                    "SELECT device_id, tx, value, published FROM change_log WHERE table_name = ?"
                    f" AND column_name = ? AND value IN ({marks})",
                    (child, col, *chunk),
                ):
                    if device == own_device and not published:
                        continue  # judged once published (sync.judge): a hole in what it sends
                    found.setdefault((device, tx), (target, str(_decode(value))))
    commits = []
    for (device, tx), key in sorted(found.items()):
        if records := judge._applied_commit(cur, device, tx):
            commits.append((judge._Commit(records), _reason(key)))
    if commits:
        judge._flip(conn, commits, [], done)
    return [c for c, _ in commits]


def _allow(conn: Connection, done: Rejudged) -> list[judge._Commit]:
    """Commits refused for naming a refused row whose rows are all applied now: merged."""
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    ids = cur.execute(
        "SELECT DISTINCT device_id, tx FROM refused_changes WHERE substr(reason, 1, ?) = ?",
        (len(_PREFIX), _PREFIX),
    ).fetchall()
    if not ids:
        return []
    refused_now = refused_rows(conn)
    commits = []
    for device, tx in sorted(ids):
        records = judge._refused_commit(cur, device, tx)
        named = named_rows(records) - {(r.table, r.row) for r in records}
        if records and not named & refused_now and len(_applied(conn, named)) == len(named):
            commits.append(judge._Commit(records))
    if commits:
        judge._flip(conn, [], commits, done)
    return commits


def sweep(conn: Connection) -> None:
    """A refused row still in its table (hidden while an unpublished change of this PC named it,
    `merger.rebuild_fields`) is removed once nothing names it."""
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for table, row in sorted(refused_rows(conn)):
        if (
            table not in SYNCED_COLUMNS
            or not cur.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (row,)).fetchone()
        ):
            continue
        if not is_named(cur, table, row):
            cur.execute(f'DELETE FROM "{table}" WHERE id = ?', (row,))
            cur.execute("DELETE FROM conflicts WHERE table_name = ? AND row_id = ?", (table, row))


__all__ = ["NAMES_REFUSED", "refuse_in_round", "settle_in", "sweep"]
