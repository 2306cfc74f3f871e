"""A hypothesis state machine over three replicas sharing one share folder (issue 3, "Tests").

Edits, deletes and syncs in random order; delivery repeated (a cursor forgotten) and crashed
publishes (a segment on the share whose records were never marked published); clocks skewed by
hours, or days ahead (clamped); a clock jumping years ahead (its changes re-dated by the share's
time) or hours back. After settling, every replica's export is identical, and every acknowledged
edit (a value a service call wrote) is the current value of its field, or kept in a conflicts
table, or was knowingly replaced (a later change to the field was made on top of it).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import text

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.codec import encode
from hescb_desktop.storage.database import head_revision
from hescb_desktop.sync.hlc import HybridLogicalClock, pack, wall_ms
from hescb_desktop.sync.round import sync_round
from hescb_desktop.sync.segments import Record, encode_segment, parse_name, segment_name
from hescb_desktop.sync.share import Share, ShareError

pytestmark = pytest.mark.slow

HOUR_MS = 3600 * 1000
REPLICAS = 3
SPECS: dict[str, Any] = {"people": E.PEOPLE, "objectives": E.OBJECTIVES}
FIELDS = {"people": ("name", "role", "email"), "objectives": ("title", "theme", "description")}
WORDS = ("alpha", "bravo", "charlie", "delta")


@dataclass(frozen=True)
class Ack:
    table: str
    row: str
    column: str
    value: str  # as logged (JSON)
    hlc: int
    device: str
    # The edit is found by (device, seq), not by its hlc: a change stamped far ahead of the
    # share's time (a clock that jumped years ahead) is re-dated when it is published, alike on
    # every PC, so the hlc it was written with is not the one it ends with.
    seq: int = 0


def _rows(ctx: ServiceContext, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with ctx.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


CRAFTED = ("tables that never sync", "malformed", "claims a replica")


def crafted_records(kind: str, device: str, first_seq: int, row: str) -> list[Record]:
    """Records a crafted file carries (issue 13): none may reach any replica's tables."""
    ahead = pack(wall_ms() + 100 * HOUR_MS, 0)  # would win every field if taken

    def rec(i: int, table: str, row_id: str, col: str, value: Any, **other: Any) -> Record:
        base = Record(device, first_seq + i, first_seq, ahead, table, row_id, col, value, None, "x")
        return base._replace(**other)

    if kind == "tables that never sync":
        return [
            rec(0, "sync_peers", device, "cursor", "0"),
            rec(1, "local_state", "next_seq", "value", '"1"'),
            rec(2, "conflicts", new_id(), "resolved", '"kept"'),
            rec(3, "change_log", row, "name", '"forged"'),
        ]
    if kind == "malformed":
        return [
            rec(0, "people", row, "name", '["forged"]'),
            rec(1, "people", row, "name", '"forged"', hlc="later"),
            rec(2, "people", row, "name", '"forged"', row=7),
        ]
    return [rec(0, "people", row, "name", '"forged"'), rec(1, "people", row, "role", '"forged"')]


class ThreeReplicas(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory(prefix="hescb-sm-")
        root = Path(self._tmp.name)
        self.share = Share(root / "share")
        self.share.folder.mkdir()
        self.pcs = [open_context(root / f"pc{i}") for i in range(REPLICAS)]
        self.acks: list[Ack] = []
        self.counter = 0
        self.damaged = 0  # segments damaged or deleted (damage_segment)
        for table in sorted(SPECS):  # a record every replica holds, for edits to meet on
            self.create(0, table)
        for i in range(REPLICAS):
            self._sync(i)

    # ------------------------------------------------------------------ helpers
    def _sync(self, i: int) -> None:
        ctx = self.pcs[i]
        sync_round(ctx.engine, self.share, Actor(ctx.device_id, f"user{i}"), ctx.clock)

    def _seq(self, i: int) -> int:
        ctx = self.pcs[i]
        found = _rows(ctx, "SELECT max(seq) FROM change_log WHERE device_id = :d", d=ctx.device_id)
        return int(found[0][0] or 0)

    def _ack(self, i: int, table: str, row: str, values: dict[str, str], after: int) -> None:
        """Remember each field this service call wrote (a no-op write logs nothing)."""
        ctx = self.pcs[i]
        for column, value in values.items():
            found = _rows(
                ctx,
                "SELECT hlc, seq FROM change_log WHERE device_id = :d AND table_name = :t"
                " AND row_id = :r AND column_name = :c AND seq > :after",
                d=ctx.device_id,
                t=table,
                r=row,
                c=column,
                after=after,
            )
            for hlc, seq in found:
                self.acks.append(Ack(table, row, column, encode(value), hlc, ctx.device_id, seq))

    def _live(self, i: int, table: str) -> list[str]:
        return sorted(r.id for r in crud.list_all(self.pcs[i].uow(write=False), SPECS[table]))

    # ------------------------------------------------------------------ rules
    @rule(pc=st.integers(0, REPLICAS - 1), table=st.sampled_from(sorted(SPECS)))
    def create(self, pc: int, table: str) -> None:
        self.counter += 1
        first = FIELDS[table][0]
        values = {first: f"{table} {self.counter}"}
        after = self._seq(pc)
        row = crud.create(self.pcs[pc].uow(), SPECS[table], values).value.id
        self._ack(pc, table, row, values, after)

    @rule(
        pc=st.integers(0, REPLICAS - 1),
        table=st.sampled_from(sorted(SPECS)),
        pick=st.integers(0, 20),
        field=st.integers(0, 2),
        word=st.sampled_from(WORDS),
    )
    def update(self, pc: int, table: str, pick: int, field: int, word: str) -> None:
        live = self._live(pc, table)
        if not live:
            return
        row = live[pick % len(live)]
        values = {FIELDS[table][field]: word}
        after = self._seq(pc)
        crud.update(self.pcs[pc].uow(), SPECS[table], row, values)
        self._ack(pc, table, row, values, after)

    @rule(
        pcs=st.permutations(range(REPLICAS)),
        table=st.sampled_from(sorted(SPECS)),
        pick=st.integers(0, 20),
        field=st.integers(0, 2),
        words=st.permutations(WORDS),
    )
    def concurrent_edit(
        self, pcs: list[int], table: str, pick: int, field: int, words: list[str]
    ) -> None:
        """Two PCs edit the same field of a record both hold, neither having seen the other."""
        both = sorted(set(self._live(pcs[0], table)) & set(self._live(pcs[1], table)))
        if not both:
            return
        row = both[pick % len(both)]
        for pc, word in zip(pcs[:2], words[:2], strict=True):
            values = {FIELDS[table][field]: word}
            after = self._seq(pc)
            crud.update(self.pcs[pc].uow(), SPECS[table], row, values)
            self._ack(pc, table, row, values, after)

    @rule(
        pc=st.integers(0, REPLICAS - 1),
        table=st.sampled_from(sorted(SPECS)),
        pick=st.integers(0, 20),
    )
    def delete(self, pc: int, table: str, pick: int) -> None:
        live = self._live(pc, table)
        if live:
            crud.delete(self.pcs[pc].uow(), SPECS[table], live[pick % len(live)])

    @rule(pc=st.integers(0, REPLICAS - 1))
    def sync(self, pc: int) -> None:
        self._sync(pc)

    @rule(pc=st.integers(0, REPLICAS - 1))
    def redeliver(self, pc: int) -> None:
        """Forget how far this PC has read: every peer segment is read (and merged) again."""
        with self.pcs[pc].engine.begin() as conn:
            conn.execute(text("UPDATE sync_peers SET cursor = 0"))

    @rule(pc=st.integers(0, REPLICAS - 1))
    def crash_publish(self, pc: int) -> None:
        """Publish, then die before marking the newest segment's records published."""
        ctx = self.pcs[pc]
        self._sync(pc)
        segments = [
            rng
            for p in self.share.segments_dir(ctx.device_id).glob("*.jsonl")
            if (rng := parse_name(p.name)) is not None
        ]
        if segments:
            first, last = max(segments)
            with ctx.engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE change_log SET published = 0 WHERE device_id = :d"
                        " AND seq BETWEEN :f AND :l"
                    ),
                    {"d": ctx.device_id, "f": first, "l": last},
                )

    @rule(pc=st.integers(0, REPLICAS - 1), hours=st.sampled_from([-7, -2, 0, 3, 30]))
    def skew(self, pc: int, hours: int) -> None:
        """This PC's wall clock is now hours behind or ahead (30 h: beyond the clamp)."""
        ctx = self.pcs[pc]
        offset = hours * HOUR_MS
        ctx.clock = HybridLogicalClock(last=ctx.clock.last, wall=lambda: wall_ms() + offset)

    @rule(pcs=st.lists(st.integers(0, REPLICAS - 1), min_size=1, max_size=3))
    def share_away(self, pcs: list[int]) -> None:
        """The share disappears for a while: moved away, an empty folder in its place (a mount
        point with nothing mounted). Each round on it (after an edit) fails with ShareError and
        writes nothing into the empty folder; then the share comes back."""
        folder = self.share.folder
        away = folder.with_name("share-away")
        folder.rename(away)
        folder.mkdir()
        try:
            for pc in pcs:
                self.create(pc, "people")
                with pytest.raises(ShareError):
                    self._sync(pc)
                assert list(folder.iterdir()) == []
        finally:
            folder.rmdir()
            away.rename(folder)

    @rule(pick=st.integers(0, 10_000), delete=st.booleans(), at=st.integers(0, 10**6))
    def damage_segment(self, pick: int, delete: bool, at: int) -> None:
        """A segment on the share (any PC's, a healing copy too) has bytes flipped or is deleted:
        readers ask for it, its author republishes it (issue 13)."""
        files = sorted((self.share.root / "devices").glob("*/segments/*.jsonl"))
        if not files:
            return
        path = files[pick % len(files)]
        if delete:
            path.unlink()
        else:
            data = bytearray(path.read_bytes())
            data[at % len(data)] ^= 0x20
            path.write_bytes(bytes(data))
        self.damaged += 1

    def _settle_healing(self) -> None:
        """Each damaged segment takes a round or two to heal (wants -> republish -> merge):
        rounds go on until one changes nothing (nothing healed, the same problems as the round
        before: a crafted file is reported every round, for ever, and that is no healing)."""
        before: list[list[str]] | None = None
        for _ in range(3 * self.damaged + 3):
            reports = []
            for i in range(REPLICAS):
                ctx = self.pcs[i]
                actor = Actor(ctx.device_id, f"user{i}")
                reports.append(sync_round(ctx.engine, self.share, actor, ctx.clock))
            problems = [sorted(r.problems) for r in reports]
            if not any(r.healed for r in reports) and problems == before:
                return
            before = problems
        raise AssertionError(f"the share did not heal: {before}")

    @rule(
        kind=st.sampled_from(CRAFTED),
        pc=st.integers(0, REPLICAS - 1),
        pick=st.integers(0, 20),
    )
    def crafted_file(self, kind: str, pc: int, pick: int) -> None:
        """A crafted segment (valid checksums) appears in a new folder on the share: changes to
        tables that never sync, a malformed change, or changes claiming to be a replica's next
        ones. Each would overwrite a live person's name with a clock far ahead if it were taken."""
        live = self._live(pc, "people")
        row = live[pick % len(live)] if live else new_id()
        claimed = self.pcs[pc].device_id if kind == "claims a replica" else new_id()
        records = crafted_records(kind, claimed, self._seq(pc) + 1, row)
        folder = self.share.segments_dir(new_id())
        folder.mkdir(parents=True)
        name = segment_name(records[0].seq, records[-1].seq)
        (folder / name).write_bytes(encode_segment(records, head_revision()))

    @rule(pc=st.integers(0, REPLICAS - 1), jump=st.sampled_from(["years ahead", "hours back"]))
    def clock_jumps(self, pc: int, jump: str) -> None:
        """This PC's clock jumps 73 years ahead (its changes are then dated by the share's
        time, alike on every PC) or three hours back (it is told; its changes are dated after
        its last ones)."""
        ctx = self.pcs[pc]
        offset = 73 * 365 * 24 * HOUR_MS if jump == "years ahead" else -3 * HOUR_MS
        ctx.clock = HybridLogicalClock(last=ctx.clock.last, wall=lambda: wall_ms() + offset)

    @invariant()
    def nothing_unmerged_is_lost_locally(self) -> None:
        for ack in self.acks[-1:]:
            owner = next(c for c in self.pcs if c.device_id == ack.device)
            logged = _rows(
                owner,
                "SELECT count(*) FROM change_log WHERE device_id = :d AND seq = :s",
                d=ack.device,
                s=ack.seq,
            )
            assert logged[0][0] > 0

    # ------------------------------------------------------------------ the end
    def teardown(self) -> None:
        try:
            self._settle_and_check()
        finally:
            for ctx in self.pcs:
                ctx.close()
            self._tmp.cleanup()

    def _settle_and_check(self) -> None:
        self._settle_healing()
        for _ in range(2):
            for i in range(REPLICAS):
                self._sync(i)
        exports = [export_all(c.uow(write=False))["tables"] for c in self.pcs]
        assert exports[0] == exports[1] == exports[2]
        for ack in self.acks:
            assert self._kept(ack), f"acknowledged edit lost: {ack}"

    def _kept(self, ack: Ack) -> bool:
        ctx = self.pcs[0]
        current = _rows(ctx, f"SELECT {ack.column} FROM {ack.table} WHERE id = :r", r=ack.row)
        if current and encode(current[0][0]) == ack.value:
            return True
        for each in self.pcs:
            in_conflicts = _rows(
                each,
                "SELECT count(*) FROM conflicts WHERE table_name = :t AND row_id = :r"
                " AND column_name = :c AND (lost_value = :v OR kept_value = :v)",
                t=ack.table,
                r=ack.row,
                c=ack.column,
                v=ack.value,
            )
            if in_conflicts[0][0]:
                return True
        replaced = _rows(  # a later change made on top of it (as it is now dated): replaced
            ctx,
            "SELECT count(*) FROM change_log WHERE table_name = :t AND row_id = :r"
            " AND column_name = :c AND prev_hlc = (SELECT hlc FROM change_log"
            " WHERE device_id = :d AND seq = :s)",
            t=ack.table,
            r=ack.row,
            c=ack.column,
            d=ack.device,
            s=ack.seq,
        )
        return bool(replaced[0][0])


ThreeReplicas.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestThreeReplicas = ThreeReplicas.TestCase
