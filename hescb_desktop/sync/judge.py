"""Rules on merge (issue 15, point 5): each incoming change checked against its writer's role.

A peer's signed change names its person (`user`, the person id its PC is enrolled for); the
role that person held at the change's clock time (`TrustState.role_at`) and their relation to
the record (its owners before the change, or as the change creates it; a principal they act for)
decide, through the one rules table (`domain.permissions`), whether it may be applied. A commit
is judged whole: one field its writer could not change refuses the commit, so nothing half-made
is applied. A refused change is not applied and not logged as a change; it is kept in
`refused_changes` with its reason and reported, never silently dropped.

Changes up to a PC's `legacy` mark (made before the board was upgraded) are not judged: no one
had a role then. Every PC decides the same way: the judgement depends on the signed statements,
the change and the rows it touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, Engine, insert

from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
    OWNER_COLUMNS,
    PARENT_OF,
    Operation,
    Relation,
    Role,
    allowed,
    explain,
    operation_of,
    owners_of,
)
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import RefusedChange
from hescb_desktop.sync.segments import Record
from hescb_desktop.sync.trust import TrustState

_CHUNK = 500
NOT_ITS_PERSON = "it names another person than the one its PC is enrolled for"
NO_ROLE = "its writer had no role on the board at that time"


@dataclass(frozen=True)
class Refusal:
    record: Record
    reason: str


def judge(
    engine: Engine, state: TrustState, device: str, records: Sequence[Record]
) -> tuple[list[Record], list[Refusal]]:
    """The records of one peer that may be applied, and those refused (with the reason)."""
    if not state.protected or not records:
        return list(records), []
    cert = state.pc_of_device(device)
    legacy = max(state.legacy.get(device, 0), cert.legacy_until if cert else 0)
    judged = [r for r in records if r.seq > legacy]
    if not judged:
        return list(records), []
    person = cert.person_id if cert is not None else ""
    entries = state.roles.get(person, [])
    if (
        entries
        and all(e.role is Role.SECRETARIAT for e in entries)
        and min(r.hlc for r in judged) >= entries[0].at
        and {r.user for r in judged} == {person}
    ):  # the secretariat's own changes, made while secretariat: nothing to look up
        return list(records), []
    reasons: dict[int, str] = {}  # tx -> why refused
    needs_rows: list[tuple[Record, Role]] = []
    for rec in judged:
        if rec.user != person:
            reasons.setdefault(rec.tx, NOT_ITS_PERSON)
            continue
        role = state.role_at(person, rec.hlc)
        if role is None:
            reasons.setdefault(rec.tx, NO_ROLE)
        elif role is not Role.SECRETARIAT:  # the secretariat may do anything: no lookups
            needs_rows.append((rec, role))
    if needs_rows:
        with engine.connect() as conn:
            rows = _Rows(conn, [r for r, _ in needs_rows], judged)
            for rec, role in needs_rows:
                if rec.tx in reasons:
                    continue
                why = _why_not(rec, role, state.acts_for_at(person, rec.hlc), person, rows)
                if why:
                    reasons[rec.tx] = why
    if not reasons:
        return list(records), []
    kept = [r for r in records if r.seq <= legacy or r.tx not in reasons]
    refused = [Refusal(r, reasons[r.tx]) for r in judged if r.tx in reasons]
    return kept, refused


def _why_not(rec: Record, role: Role, acts_for: frozenset[str], person: str, rows: _Rows) -> str:
    kind = KIND_OF_TABLE.get(rec.table)
    if kind is None:  # a table this version does not know: the secretariat's alone
        return f"only the secretariat may change {rec.table}"
    exists = rows.existed(rec.table, rec.row)
    operation = operation_of(rec.table, rec.col, exists)
    owners = rows.owners(rec.table, rec.row)
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


class _Rows:
    """The rows the judged changes touch, as they were before the batch (read in chunks), and
    as the batch's own records create them."""

    def __init__(self, conn: Connection, records: Iterable[Record], batch: Sequence[Record]):
        self.conn = conn
        self.before: dict[tuple[str, str], dict[str, object]] = {}
        self.incoming: dict[tuple[str, str], dict[str, object]] = defaultdict(dict)
        for rec in batch:
            try:
                self.incoming[(rec.table, rec.row)][rec.col] = orjson.loads(rec.value)
            except orjson.JSONDecodeError:
                continue
        wanted: dict[str, set[str]] = defaultdict(set)
        for rec in records:
            wanted[rec.table].add(rec.row)
        self._load(wanted)
        parents: dict[str, set[str]] = defaultdict(set)
        for (table, _row), values in [*self.before.items(), *self.incoming.items()]:
            if table in PARENT_OF:
                column, parent_table = PARENT_OF[table]
                parent_id = values.get(column)
                if isinstance(parent_id, str):
                    parents[parent_table].add(parent_id)
        self._load(parents)

    def _load(self, wanted: dict[str, set[str]]) -> None:
        for table, ids in wanted.items():
            model = Base.metadata.tables.get(table)
            todo = [i for i in ids if (table, i) not in self.before]
            if model is None or not todo:
                continue
            columns = ["id", *OWNER_COLUMNS.get(table, ())]
            if table in PARENT_OF:
                columns.append(PARENT_OF[table][0])
            cols = [model.c[c] for c in columns if c in model.c]
            for start in range(0, len(todo), _CHUNK):
                chunk = todo[start : start + _CHUNK]
                for row in self.conn.execute(
                    model.select().with_only_columns(*cols).where(model.c.id.in_(chunk))
                ):
                    self.before[(table, str(row.id))] = dict(row._mapping)

    def existed(self, table: str, row_id: str) -> bool:
        return (table, row_id) in self.before

    def _values(self, table: str, row_id: str) -> dict[str, object] | None:
        if (table, row_id) in self.before:
            return self.before[(table, row_id)]
        return self.incoming.get((table, row_id))

    def owners(self, table: str, row_id: str) -> frozenset[str]:
        values = self._values(table, row_id)
        if values is None:
            return frozenset()
        return owners_of(table, values, self._values)


def keep_refused(engine: Engine, device: str, refused: Sequence[Refusal]) -> None:
    if not refused:
        return
    with writer(engine).begin() as conn:
        _keep(conn, device, refused)


def _keep(conn: Connection, device: str, refused: Sequence[Refusal]) -> None:
    conn.execute(
        insert(RefusedChange).prefix_with("OR IGNORE"),
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


__all__ = ["Operation", "Refusal", "describe", "judge", "keep_refused"]
