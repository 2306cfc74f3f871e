"""Rules on merge (issue 15, point 5): each change checked against its writer's role.

A signed change names its person (`user`, the person id its PC is enrolled for); the role that
person held at the change's clock time (`TrustState.role_at`) and their relation to the record
decide, through the one rules table (`domain.permissions`), whether it may be applied. A commit
is judged whole: one field its writer could not change refuses the commit, so nothing half-made
is applied. A refused change is not applied and not logged as a change; it is kept in
`refused_changes` with its reason and reported, never silently dropped.

Every PC decides the same way, whatever order it meets the changes in, because the judgement
reads nothing a PC holds only by the order of its merges:

- **The definition.** A change c (person p, clock (hlc, device)) is allowed iff the rules table
  allows (role_at(p, hlc), operation, kind, relation). Whether the row existed (CREATE or not)
  and the relation (OWN, PRINCIPAL, OTHER) are taken from the row's owner fields (its
  OWNER_COLUMNS, its PARENT_OF column, and through it its parents') **as of c's clock**: the
  latest *applied* value of each with a clock lower than c's (a row created by c's own commit:
  the values c's commit gives it). Applied means in `change_log`, the journal every PC converges
  on, or allowed earlier in this round. Never the row as the table holds it now (`History`).
- **A round** (`judge_round`): every peer's batch together, commit by commit in clock order,
  so an ownership change in one peer's batch counts for another peer's later change, and an
  incoming ownership change that is itself refused does not count.
- **Convergence** (`rejudge`): a change that arrives late with a clock earlier than changes
  already judged can change what they should have been. After the round's merge, the officers'
  changes (applied in change_log, or kept in refused_changes) of every row the round changed,
  and of its children through PARENT_OF, with a clock after the round's change, are judged
  again, in clock order, until nothing flips. Refused -> allowed: out of refused_changes and
  merged through the normal merge (`merger.merge_records`). Allowed -> refused: out of
  change_log into refused_changes with its reason, and each field it changed set back to the
  highest remaining change_log value with its conflicts settled again from that history
  (`merger.rebuild_fields`). This PC's own changes are judged the same way (its local guard
  judged them by what it held when they were made), once published; a person's own words
  refused this way stay in refused_changes, never lost. Only an officer's judgement can depend
  on a record's history (the secretariat may do anything, a viewer nothing), so a board with no
  officer never looks.

Changes up to a PC's `legacy` mark (made before the board was upgraded) are not judged: no one
had a role then, and they are never judged again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, insert

from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
    NAMED_PARENT,
    OWNER_COLUMNS,
    PARENT_OF,
    Operation,
    Relation,
    Role,
    allowed,
    explain,
    operation_of,
    owners_of,
    parent_key,
)
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import RefusedChange
from hescb_desktop.sync.merger import merge_records, rebuild_fields
from hescb_desktop.sync.segments import Record
from hescb_desktop.sync.trust import Statement, TrustState

_CHUNK = 500
_PARENT_DEPTH = 3  # as domain.permissions: attendee -> exception -> series
_ROUNDS = 50  # re-judgements after one merge: each flips only changes later than the last
NOT_ITS_PERSON = "it names another person than the one its PC is enrolled for"
NO_ROLE = "its writer had no role on the board at that time"

Key = tuple[str, str]  # (table, row id)
Clock = tuple[int, str]  # (hlc, device id)
CommitId = tuple[str, int]  # (device id, tx)


@dataclass(frozen=True)
class Refusal:
    record: Record
    reason: str


def _tracked(table: str) -> tuple[str, ...]:
    """The columns of `table` a relation is read from: its owners and its parent."""
    cols = OWNER_COLUMNS.get(table, ())
    if table in PARENT_OF:
        cols = (*cols, PARENT_OF[table][0])
    if table in NAMED_PARENT:
        cols = (*cols, *NAMED_PARENT[table][:2])
    return cols


def _decode(value: str) -> object:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None


@dataclass
class History:
    """The owner-relevant fields of rows as applied (change_log, then what is allowed), by clock:
    what every PC converges on, whatever order it met the changes in."""

    values: dict[Key, dict[str, list[tuple[Clock, object]]]] = field(default_factory=dict)
    clocks: dict[Key, list[Clock]] = field(default_factory=dict)  # every applied change's clock

    def load(self, conn: Connection, keys: Iterable[Key]) -> None:
        """Read the rows' history from change_log (each row once), then their parents'."""
        todo = {k for k in keys if k not in self.clocks and k[0] in KIND_OF_TABLE}
        for _ in range(_PARENT_DEPTH + 1):
            if not todo:
                return
            by_table: dict[str, list[str]] = defaultdict(list)
            for table, row in todo:
                by_table[table].append(row)
                self.clocks[(table, row)] = []
                self.values[(table, row)] = {}
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for table, ids in by_table.items():
                tracked = _tracked(table)
                for start in range(0, len(ids), _CHUNK):
                    chunk = ids[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    for rid, col, hlc, device, value in cur.execute(
                        "SELECT row_id, column_name, hlc, device_id, value FROM change_log"
                        f" WHERE table_name = ? AND row_id IN ({marks})",
                        (table, *chunk),
                    ):
                        self.clocks[(table, rid)].append((hlc, device))
                        if col in tracked:
                            self.values[(table, rid)].setdefault(col, []).append(
                                ((hlc, device), _decode(value))
                            )
            todo = {p for k in todo for p in self.parents(k) if p not in self.clocks}

    def parents(self, key: Key) -> set[Key]:
        """Every row this row's history names as its parent."""
        held = self.values.get(key, {})
        if key[0] in NAMED_PARENT:  # every table and id it has named, paired
            table_column, id_column, _ = NAMED_PARENT[key[0]]
            return {
                k
                for _, t in held.get(table_column, [])
                for _, v in held.get(id_column, [])
                if (k := parent_key(key[0], {table_column: t, id_column: v})) is not None
            }
        if key[0] not in PARENT_OF:
            return set()
        column, parent_table = PARENT_OF[key[0]]
        return {(parent_table, str(v)) for _, v in held.get(column, []) if isinstance(v, str) and v}

    def add(self, records: Iterable[Record]) -> None:
        for rec in records:
            key = (rec.table, rec.row)
            if key not in self.clocks:
                continue
            self.clocks[key].append((rec.hlc, rec.device_id))
            if rec.col in _tracked(rec.table):
                entry = ((rec.hlc, rec.device_id), _decode(rec.value))
                self.values[key].setdefault(rec.col, []).append(entry)

    def remove(self, records: Iterable[Record]) -> None:
        for rec in records:
            key = (rec.table, rec.row)
            if key not in self.clocks:
                continue
            clock = (rec.hlc, rec.device_id)
            if clock in self.clocks[key]:
                self.clocks[key].remove(clock)
            held = self.values[key].get(rec.col)
            if held is not None:
                self.values[key][rec.col] = [e for e in held if e[0] != clock]

    def existed(self, key: Key, clock: Clock) -> bool:
        return any(c < clock for c in self.clocks.get(key, ()))

    def at(self, key: Key, clock: Clock) -> dict[str, object] | None:
        """The row's owner fields as of `clock` (latest applied change before it), None if the
        row did not exist then."""
        if not self.existed(key, clock):
            return None
        found: dict[str, object] = {}
        for col, entries in self.values.get(key, {}).items():
            before = [e for e in entries if e[0] < clock]
            if before:
                found[col] = max(before, key=lambda e: e[0])[1]
        return found


class _Commit:
    """One commit of one PC: judged whole, at its clock."""

    def __init__(self, records: list[Record]) -> None:
        self.records = records
        first = min(records, key=lambda r: r.hlc)
        self.clock: Clock = (first.hlc, first.device_id)
        self.id: CommitId = (first.device_id, first.tx)
        # the owner fields it gives the rows it changes (every row it changes has an entry)
        self.own: dict[Key, dict[str, object]] = defaultdict(dict)
        for rec in records:
            values = self.own[(rec.table, rec.row)]
            if rec.col in _tracked(rec.table):
                values[rec.col] = _decode(rec.value)


class _Judge:
    """The verdict on a commit, from the signed statements and the history."""

    def __init__(self, state: TrustState) -> None:
        self.state = state
        self.officers = frozenset(
            p for p, entries in state.roles.items() if any(e.role is Role.OFFICER for e in entries)
        )

    def legacy(self, device: str) -> int:
        cert = self.state.pc_of_device(device)
        return max(self.state.legacy.get(device, 0), cert.legacy_until if cert else 0)

    def person(self, device: str) -> str:
        cert = self.state.pc_of_device(device)
        return cert.person_id if cert is not None else ""

    def without_history(self, rec: Record, person: str) -> tuple[str, Role | None]:
        """(reason, role): the reason when no history can change it, else the role to ask."""
        if rec.user != person:
            return NOT_ITS_PERSON, None
        role = self.state.role_at(person, rec.hlc)
        if role is None:
            return NO_ROLE, None
        if role is Role.SECRETARIAT:
            return "", None
        if role is Role.VIEWER or rec.table not in KIND_OF_TABLE:  # refused whatever it touches
            kind = KIND_OF_TABLE.get(rec.table)
            if kind is None:
                return f"only the secretariat may change {rec.table}", None
            return explain(role, operation_of(rec.table, rec.col, True), kind, Relation.OTHER), None
        return "", role

    def secretariat_only(self, person: str, records: Sequence[Record]) -> bool:
        """Whether these are the changes of a person who has only ever been secretariat, made
        while they were, in their own name: allowed whatever they touch (no lookups)."""
        entries = self.state.roles.get(person, [])
        return (
            bool(entries)
            and all(e.role is Role.SECRETARIAT for e in entries)
            and min(r.hlc for r in records) >= entries[0].at
            and all(r.user == person for r in records)
        )

    def verdict(self, commit: _Commit, person: str, history: History) -> str:
        """ "" when the commit may be applied, else why not (its first refused field's reason)."""
        for rec in commit.records:
            why, role = self.without_history(rec, person)
            if why:
                return why
            if role is None:
                continue
            why = self._relation_rule(rec, role, person, commit, history)
            if why:
                return why
        return ""

    def _relation_rule(
        self, rec: Record, role: Role, person: str, commit: _Commit, history: History
    ) -> str:
        kind = KIND_OF_TABLE[rec.table]
        clock = (rec.hlc, rec.device_id)

        def values(table: str, row_id: str) -> dict[str, object] | None:
            found = history.at((table, row_id), clock)
            if found is None:  # not there before: as this commit makes it (or not at all)
                return commit.own.get((table, row_id))
            return found

        before = history.at((rec.table, rec.row), clock)
        exists = before is not None
        row = before if before is not None else commit.own[(rec.table, rec.row)]
        operation = operation_of(rec.table, rec.col, exists)
        owners = owners_of(rec.table, row, values)
        acts_for = self.state.acts_for_at(person, rec.hlc)
        relation = (
            Relation.OWN
            if person in owners
            else Relation.PRINCIPAL
            if owners & acts_for
            else Relation.OTHER
        )
        if allowed(role, operation, kind, relation):
            return ""
        return explain(role, operation, kind, relation)


def _wanted(asking: Iterable[_Commit], others: Sequence[_Commit]) -> set[Key]:
    """The rows the commits change, and the parents they or `others` name for them."""
    keys = {k for c in asking for k in c.own}
    frontier = set(keys)
    for _ in range(_PARENT_DEPTH):
        named: set[Key] = set()
        for c in others:
            for key, values in c.own.items():
                if key in frontier and (parent := parent_key(key[0], values)) is not None:
                    named.add(parent)
        frontier = named - keys
        keys |= named
        if not frontier:
            break
    return keys


def _commits(records: Iterable[Record]) -> list[_Commit]:
    by: dict[CommitId, list[Record]] = defaultdict(list)
    for rec in records:
        by[(rec.device_id, rec.tx)].append(rec)
    return sorted((_Commit(recs) for recs in by.values()), key=lambda c: (c.clock, c.id))


def judge_round(
    engine: Engine, state: TrustState, batches: Mapping[str, Sequence[Record]]
) -> tuple[dict[str, list[Record]], dict[str, list[Refusal]]]:
    """Every peer's records of a round judged together, commit by commit in clock order: per
    peer, the records that may be applied and those refused (with the reason)."""
    kept = {d: list(recs) for d, recs in batches.items()}
    refused: dict[str, list[Refusal]] = {d: [] for d in batches}
    if not state.protected:
        return kept, refused
    rules = _Judge(state)
    legacy = {d: rules.legacy(d) for d in batches}
    persons = {d: rules.person(d) for d in batches}
    reasons: dict[CommitId, str] = {}
    asking: set[CommitId] = set()
    for device, recs in batches.items():
        judged = [r for r in recs if r.seq > legacy[device]]
        if not judged or rules.secretariat_only(persons[device], judged):
            continue  # nothing to look up, nothing to refuse
        for rec in judged:
            why, role = rules.without_history(rec, persons[device])
            if why:
                reasons.setdefault((device, rec.tx), why)
            elif role is not None:
                asking.add((device, rec.tx))
    if asking - reasons.keys():  # an officer's changes: their rows' history, in clock order
        incoming = _commits(r for recs in batches.values() for r in recs)
        history = History()
        with engine.connect() as conn:
            history.load(conn, _wanted([c for c in incoming if c.id in asking], incoming))
        for commit in incoming:
            if commit.id in asking and commit.id not in reasons:
                why = rules.verdict(commit, persons[commit.id[0]], history)
                if why:
                    reasons[commit.id] = why
            if commit.id not in reasons:
                history.add(commit.records)
    if not reasons:
        return kept, refused
    for device, recs in batches.items():
        kept[device] = [r for r in recs if r.seq <= legacy[device] or (device, r.tx) not in reasons]
        refused[device] = [
            Refusal(r, reasons[(device, r.tx)])
            for r in recs
            if r.seq > legacy[device] and (device, r.tx) in reasons
        ]
    return kept, refused


@dataclass
class Rejudged:
    """What a re-judgement changed: changes taken back (now refused) and changes now merged."""

    refused: dict[str, list[Refusal]] = field(default_factory=dict)  # device -> taken back
    allowed: list[Record] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)


def rejudge(
    engine: Engine, state: TrustState, own_device: str, changed: Iterable[Record]
) -> Rejudged:
    """After a round's merge: the stored judged changes a change of this round (`changed`) can
    decide otherwise, judged again until nothing flips (see the module's docstring)."""
    if not state.protected or not _Judge(state).officers:
        return Rejudged()
    with writer(engine).begin() as conn:
        return rejudge_in(conn, state, own_device, changed)


def statement_triggers(conn: Connection, statements: Iterable[Statement]) -> dict[Key, Clock]:
    """Rows whose judged changes a role (or an enrolment) first known now can decide otherwise:
    every row its person changed after it, from the statement's time. A role change that
    reaches a PC after the changes it governs (its issuer was offline) is applied to them
    there as everywhere else."""
    found: dict[Key, Clock] = {}
    for st in statements:
        person = st.body.get("person_id") if st.kind in ("role", "enrol") else None
        if not isinstance(person, str) or not person:
            continue
        clock = (st.at, "")
        for source in ("change_log", "refused_changes"):
            for table, row in conn.exec_driver_sql(
                f"SELECT DISTINCT table_name, row_id FROM {source} WHERE user = ? AND hlc > ?",
                (person, st.at),
            ):
                key = (str(table), str(row))
                if table in KIND_OF_TABLE and (key not in found or clock < found[key]):
                    found[key] = clock
    return found


def rejudge_in(
    conn: Connection,
    state: TrustState,
    own_device: str,
    changed: Iterable[Record],
    extra: Mapping[Key, Clock] | None = None,
) -> Rejudged:
    """`rejudge` inside the caller's transaction (the round's merge: merged and judged again
    together, or neither). `extra`: rows to judge again from a clock on for another reason
    (`statement_triggers`)."""
    done = Rejudged()
    if not state.protected:
        return done
    rules = _Judge(state)
    if not rules.officers:  # only an officer's judgement reads a record's history
        return done
    triggers: dict[Key, Clock] = dict(extra or {})
    for rec in changed:
        key, clock = (rec.table, rec.row), (rec.hlc, rec.device_id)
        if rec.table in KIND_OF_TABLE and (key not in triggers or clock < triggers[key]):
            triggers[key] = clock
    for _ in range(_ROUNDS):
        if not triggers:
            break
        flipped = _rejudge_once(conn, rules, own_device, triggers, done)
        triggers = {}
        for commit in flipped:
            for key in commit.own:
                if key not in triggers or commit.clock < triggers[key]:
                    triggers[key] = commit.clock
    return done


def _rejudge_once(
    conn: Connection,
    rules: _Judge,
    own_device: str,
    triggers: dict[Key, Clock],
    done: Rejudged,
) -> list[_Commit]:
    rows = _with_children(conn, triggers)
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    officers = sorted(rules.officers)
    who = ",".join("?" * len(officers))
    applied: set[CommitId] = set()
    refused: set[CommitId] = set()
    by_table: dict[str, list[str]] = defaultdict(list)
    for table, row in rows:
        by_table[table].append(row)
    legacy: dict[str, int] = {}
    for table, ids in by_table.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for source, into, published in (
                ("change_log", applied, "published"),
                ("refused_changes", refused, "1"),
            ):
                for device, seq, tx, hlc, rid, pub in cur.execute(
                    f"SELECT device_id, seq, tx, hlc, row_id, {published} FROM {source}"
                    f" WHERE table_name = ? AND row_id IN ({marks}) AND user IN ({who})",
                    (table, *chunk, *officers),
                ):
                    if device not in legacy:
                        legacy[device] = rules.legacy(device)
                    if (hlc, device) <= rows[(table, rid)] or seq <= legacy[device]:
                        continue
                    if device == own_device and not pub:
                        continue  # judged once published: never taken out of what it sends
                    into.add((device, tx))
    if not applied and not refused:
        return []
    commits: list[tuple[_Commit, bool]] = []  # (commit, whether it is applied now)
    for d, tx in sorted(applied):
        if records := _applied_commit(cur, d, tx):
            commits.append((_Commit(records), True))
    for d, tx in sorted(refused - applied):
        if records := _refused_commit(cur, d, tx):
            commits.append((_Commit(records), False))
    commits.sort(key=lambda ca: (ca[0].clock, ca[0].id))
    history = History()
    history.load(conn, _wanted([c for c, _ in commits], [c for c, _ in commits]))
    to_refuse: list[tuple[_Commit, str]] = []
    to_allow: list[_Commit] = []
    for commit, was_applied in commits:
        if was_applied:  # a commit is judged without itself, as when it arrived
            history.remove(commit.records)
        why = rules.verdict(commit, rules.person(commit.id[0]), history)
        if not why:
            history.add(commit.records)
        if was_applied and why:
            to_refuse.append((commit, why))
        elif not was_applied and not why:
            to_allow.append(commit)
    if to_refuse or to_allow:
        _flip(conn, to_refuse, to_allow, done)
    return [c for c, _ in to_refuse] + to_allow


_RECORD_COLUMNS = "device_id, seq, tx, hlc, table_name, row_id, column_name, value, prev_hlc, user"


def _applied_commit(cur: object, device: str, tx: int) -> list[Record]:
    """A commit's records in change_log: its seqs run on from its tx (one unit of work takes
    them in one go), so the walk stops at the first record of another commit."""
    found: list[Record] = []
    for row in cur.execute(  # type: ignore[attr-defined]
        f"SELECT {_RECORD_COLUMNS} FROM change_log WHERE device_id = ? AND seq >= ? ORDER BY seq",
        (device, tx),
    ):
        if row[2] != tx:
            break
        found.append(Record(*row))
    return found


def _refused_commit(cur: object, device: str, tx: int) -> list[Record]:
    rows = cur.execute(  # type: ignore[attr-defined]
        f"SELECT {_RECORD_COLUMNS} FROM refused_changes WHERE device_id = ? AND tx = ?"
        " ORDER BY seq",
        (device, tx),
    )
    return [Record(*r) for r in rows]


def _with_children(conn: Connection, triggers: dict[Key, Clock]) -> dict[Key, Clock]:
    """The rows, and every row that names one of them as its parent (PARENT_OF) in change_log,
    a child with its parent's clock."""
    rows = dict(triggers)
    frontier = dict(triggers)
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for _ in range(_PARENT_DEPTH):
        found: dict[Key, Clock] = {}
        for child, (column, parent_table) in PARENT_OF.items():
            parents = {row: clock for (t, row), clock in frontier.items() if t == parent_table}
            if not parents:
                continue
            texts = {orjson.dumps(p).decode(): p for p in parents}
            names = list(texts)
            for start in range(0, len(names), _CHUNK):
                chunk = names[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for rid, value in cur.execute(
                    "SELECT DISTINCT row_id, value FROM change_log WHERE table_name = ?"
                    f" AND column_name = ? AND value IN ({marks})",
                    (child, column, *chunk),
                ):
                    clock = parents[texts[value]]
                    key = (child, rid)
                    if key not in rows or clock < rows[key]:
                        found[key] = clock
        if not found:
            break
        rows.update(found)
        frontier = found
    return rows


def _flip(
    conn: Connection,
    to_refuse: list[tuple[_Commit, str]],
    to_allow: list[_Commit],
    done: Rejudged,
) -> None:
    """Take back what is now refused (kept with its reason, its fields set back), merge what is
    now allowed through the normal merge."""
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    taken = [Refusal(r, why) for commit, why in to_refuse for r in commit.records]
    stamps = _stamps(cur, "change_log", [f.record for f in taken])
    if taken:
        cur.executemany(
            "DELETE FROM change_log WHERE device_id = ? AND seq = ?",
            [(f.record.device_id, f.record.seq) for f in taken],
        )
        by_device: dict[str, list[Refusal]] = defaultdict(list)
        for f in taken:
            by_device[f.record.device_id].append(f)
        for device, refusals in by_device.items():
            _keep(conn, device, refusals)
            done.refused.setdefault(device, []).extend(refusals)
        _put_stamps(cur, "refused_changes", stamps)
    allowed_now = [r for commit in to_allow for r in commit.records]
    if allowed_now:
        again = _stamps(cur, "refused_changes", allowed_now)
        cur.executemany(
            "DELETE FROM refused_changes WHERE device_id = ? AND seq = ?",
            [(r.device_id, r.seq) for r in allowed_now],
        )
        stats = merge_records(conn, allowed_now)
        _put_stamps(cur, "change_log", again)
        done.allowed.extend(allowed_now)
        done.tables |= stats.tables
    if taken:
        done.tables |= rebuild_fields(
            conn, {(f.record.table, f.record.row, f.record.col) for f in taken}
        )
    for commit in to_allow:  # allowed again after being taken back in this re-judgement
        for device, refusals in done.refused.items():
            if device == commit.id[0]:
                done.refused[device] = [f for f in refusals if f.record.tx != commit.id[1]]


def _stamps(cur: Any, table: str, records: Sequence[Record]) -> list[tuple[int, str, int]]:
    """The authors' own stamps (`stamped_hlc`: the share's time re-dated the change) of
    `records` as `table` keeps them: (stamp, device, seq)."""
    found: list[tuple[int, str, int]] = []
    for rec in records:
        row = cur.execute(
            f"SELECT stamped_hlc FROM {table} WHERE device_id = ? AND seq = ?"
            " AND stamped_hlc IS NOT NULL",
            (rec.device_id, rec.seq),
        ).fetchone()
        if row is not None:
            found.append((int(row[0]), rec.device_id, rec.seq))
    return found


def _put_stamps(cur: Any, table: str, stamps: list[tuple[int, str, int]]) -> None:
    """A change moved between change_log and refused_changes keeps its author's stamp: the
    digest chaining its author's next segment is taken with it (sync.verify.range_records)."""
    if stamps:
        cur.executemany(
            f"UPDATE {table} SET stamped_hlc = ? WHERE device_id = ? AND seq = ?", stamps
        )


def keep(conn: Connection, device: str, refused: Sequence[Refusal]) -> None:
    """Keep refused changes in `refused_changes` (with their reason), in the caller's
    transaction."""
    if refused:
        _keep(conn, device, refused)


def _keep(conn: Connection, device: str, refused: Sequence[Refusal]) -> None:
    conn.execute(
        insert(RefusedChange).prefix_with("OR REPLACE"),
        [
            {
                "device_id": device,
                "seq": f.record.seq,
                "tx": f.record.tx,
                "hlc": f.record.hlc,
                "table_name": f.record.table,
                "row_id": f.record.row,
                "column_name": f.record.col,
                "value": f.record.value,
                "user": f.record.user,
                "reason": f.reason,
                "prev_hlc": f.record.prev_hlc,
            }
            for f in refused
        ],
    )


def describe(device: str, refused: Sequence[Refusal], names: dict[str, str]) -> list[str]:
    """One line per reason: "PC 1a2b3c4d: 3 changes by J. Patel refused (only the secretariat
    may approve minutes): kept, not applied"."""
    by: dict[tuple[str, str], int] = defaultdict(int)
    for f in refused:
        by[(f.record.user, f.reason)] += 1
    who = f"PC {device.replace('-', '')[-8:]}"
    lines = []
    for (user, reason), count in sorted(by.items()):
        noun = "change" if count == 1 else "changes"
        name = names.get(user) or user or "an unknown person"
        lines.append(f"{who}: {count} {noun} by {name} refused ({reason}): kept, not applied")
    return lines


def describe_allowed(allowed_now: Sequence[Record], names: dict[str, str]) -> list[str]:
    """One line per PC and person whose refused changes are now allowed (an earlier change
    arrived that made them theirs to make)."""
    by: dict[tuple[str, str], int] = defaultdict(int)
    for rec in allowed_now:
        by[(rec.device_id, rec.user)] += 1
    lines = []
    for (device, user), count in sorted(by.items()):
        noun = "change" if count == 1 else "changes"
        name = names.get(user) or user or "an unknown person"
        lines.append(
            f"PC {device.replace('-', '')[-8:]}: {count} {noun} by {name} refused before are "
            "allowed now (an earlier change arrived): merged"
        )
    return lines


__all__ = [
    "Operation",
    "Refusal",
    "Rejudged",
    "describe",
    "describe_allowed",
    "judge_round",
    "keep",
    "rejudge",
    "rejudge_in",
]
