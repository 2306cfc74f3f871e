"""The multi-replica state machine on a protected board (issue 15, "Tests").

`ThreeReplicas` (test_sync_statemachine.py) with every rule and invariant it has, run on a
protected board: its three replicas are enrolled secretariat PCs, every segment is signed, and
every round verifies and judges what it reads. Three more PCs take part: an officer's and a
viewer's, each running a modified app (it writes beyond its role through the storage layer,
bypassing the services' checks; the officer also records honest progress on their own action),
and a secretariat member's laptop that is lost (revoked) at some step. A forger with write
access to the whole share writes segments in its own folder and in the replicas' folders
(unsigned, or signed by its own key), replays a replica's segment into another folder, edits a
signed segment (checksums made right: only the signature can tell), deletes segments, and writes
with the lost laptop's key after it is revoked.

After settling: every honest replica holds the same exported data; no forged or disallowed
change is in any honest replica's tables or change log; every forged, replayed, altered or
revoked file is on the Security list (`security_findings`) of every replica that read it (the
PC whose folder it was in says it moved the file aside), every disallowed change is in
`refused_changes` of every honest replica; every honest change merged (as in ThreeReplicas).

The modified apps' own databases keep what they wrote (nothing can stop that), so they are not
compared. Honest replicas share one clock (skews aside), and roles do not change after
enrolment: the known limit (a role change reaching a PC after it merged a later change) is not
met here.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule
from test_sync_statemachine import SPECS, ThreeReplicas, _rows
from trust_office import board, protected_sync

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import NotAllowedError
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud, retention, trust
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.database import head_revision
from hescb_desktop.storage.device import fingerprint as device_fingerprint
from hescb_desktop.storage.disposed_values import MARKER_JSON_PREFIX
from hescb_desktop.storage.models import Person
from hescb_desktop.storage.uow import UnitOfWork
from hescb_desktop.sync import healing
from hescb_desktop.sync.hlc import pack, wall_ms
from hescb_desktop.sync.round import SyncReport
from hescb_desktop.sync.segments import (
    Record,
    SegmentError,
    Signer,
    encode_records,
    encode_segment,
    read_segment,
    segment_name,
)
from hescb_desktop.sync.share import Share
from hescb_desktop.sync.signing import fingerprint, new_key, public_bytes
from hescb_desktop.sync.verify import (
    ALTERED,
    BAD_SIGNATURE,
    NOT_ENROLLED,
    NOT_SIGNED,
    own_digest,
    revoked_text,
)

HOUR_MS = 3600 * 1000
SECRETARIAT = (0, 1, 2)  # ThreeReplicas' replicas: every rule of theirs is within their role
OFFICER, VIEWER, LAPTOP = 3, 4, 5
PEOPLE = (
    ("Sam Secretary", "secretariat"),
    ("Sue Secretary", "secretariat"),
    ("Sid Secretary", "secretariat"),
    ("Olive Officer", "officer"),
    ("Vic Viewer", "viewer"),
    ("Lee Laptop", "secretariat"),
)
pytestmark = pytest.mark.slow
USED = re.compile(r"^\d{12}-(\d{12})")

ROGUE = (
    "a viewer edits minutes",
    "an officer closes another person's action",
    "an officer approves minutes",
)
MARKS = ("forged-", "stolen-", "rogue-")  # in every value a forger or a modified app writes


# ------------------------------------------------------------------ the board, made once
@functools.cache
def _template() -> Path:
    """A protected board of six PCs with a meeting, two draft minutes, an action of the
    officer's and one of the first secretary's, a person and an objective; all synced. Made
    once (creating six databases takes seconds); each example works on a copy."""
    keep = tempfile.TemporaryDirectory(prefix="hescb-trust-sm-template-")
    _KEEP.append(keep)
    root = Path(keep.name)
    share = Share(root / "share")
    share.folder.mkdir()
    pcs = board(root, share, PEOPLE)
    sec, officer = pcs[0], pcs[OFFICER]
    meeting = _create(
        sec,
        E.MEETINGS,
        title="Board",
        start_utc="2027-03-01T10:00:00+00:00",
        end_utc="2027-03-01T12:00:00+00:00",
    )
    for n in (1, 2):
        _create(
            sec,
            E.MINUTES,
            meeting_id=meeting,
            reference=f"{n}/27",
            ref_year=2027,
            ref_number=n,
            summary=f"minute {n}",
        )
    for n, owner in ((1, officer.user), (2, sec.user)):
        _create(
            sec,
            E.ACTIONS,
            description=f"action {n}",
            reference=f"A{n}/27",
            ref_year=2027,
            ref_number=n,
            raised_on="2027-03-01",
            owner_id=owner,
            meeting_id=meeting,
        )
    _create(sec, E.PEOPLE, name="people 0")
    _create(sec, E.OBJECTIVES, title="objectives 0")
    for _ in range(2):
        for ctx in pcs:
            protected_sync(ctx, share)
    for ctx in pcs:
        ctx.close()
    return root


_KEEP: list[tempfile.TemporaryDirectory[str]] = []


def _moved(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE local_state SET value = ? WHERE key = 'device_fingerprint'",
            (device_fingerprint(db),),
        )
    conn.close()


def _create(ctx: Any, spec: Any, **values: Any) -> str:
    return str(crud.create(ctx.uow(), spec, values).value.id)


# ------------------------------------------------------------------ what the forger leaves
@dataclass(frozen=True)
class Forged:
    path: Path
    data: bytes
    what: str
    reasons: frozenset[str]  # the Security list's reason for it ({} : any reason)


@dataclass(frozen=True)
class Disallowed:
    device: str
    seq: int
    what: str


def _line(obj: dict[str, Any]) -> bytes:
    return (
        json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


class ProtectedBoard(ThreeReplicas):
    def __init__(self) -> None:
        RuleBasedStateMachine.__init__(self)
        self._tmp = tempfile.TemporaryDirectory(prefix="hescb-trust-sm-")
        root = Path(self._tmp.name) / "board"
        shutil.copytree(_template(), root)
        for i in range(len(PEOPLE)):  # the same PCs, moved: not copies that need new ids
            _moved(root / f"pc{i}" / DB_FILENAME)
        self.share = Share(root / "share")
        self.pcs = [open_context(root / f"pc{i}") for i in range(len(PEOPLE))]
        self.acks = []
        self.counter = 0
        self.damaged = 0
        self.revoked_after: int | None = None
        self.forger_key = new_key()
        self.forger_fp = fingerprint(public_bytes(self.forger_key))
        self.forger_device = new_id()
        self.forger_seq = 0
        self.forged: dict[Path, Forged] = {}
        self.read: set[tuple[int, Path]] = set()  # (replica, forged file) read in a round
        self.disallowed: list[Disallowed] = []
        self.syncing: int | None = None
        self.demoted = False  # the officer made a viewer by a secretary's PC off the share
        self.events: list[str] = []  # the officer's events (their rows)
        self.honest_events: set[str] = set()  # made before the demotion: merge everywhere
        self.attendees: dict[str, str] = {}  # attendee row -> the officer's event
        self.disposed: set[tuple[str, str]] = set()  # (table, row) disposed of (dispose)
        self._real_read = healing.read_segment
        healing.read_segment = self._reading  # which replica reads which forged file
        with self.pcs[0].uow(write=False) as uow:
            self.minutes = sorted(m.id for m in crud.list_all(uow, E.MINUTES))
            actions = {a.owner_id: a.id for a in crud.list_all(uow, E.ACTIONS)}
        self.own_action = actions[self.pcs[OFFICER].user]
        self.others_action = actions[self.pcs[0].user]

    # ------------------------------------------------------------------ rounds
    def _reading(self, path: Path, device: str | None = None) -> Any:
        known = self.forged.get(path)
        if self.syncing is not None and known is not None:
            try:
                if path.read_bytes() == known.data:
                    self.read.add((self.syncing, path))
            except OSError:
                pass
        return self._real_read(path, device)

    def _round(self, i: int) -> SyncReport:
        self.syncing = i
        try:
            return protected_sync(self.pcs[i], self.share)
        finally:
            self.syncing = None
            self._follow_renumbering(i)

    def _sync(self, i: int) -> None:
        self._round(i)

    def _follow_renumbering(self, i: int) -> None:
        """A file the forger put in this PC's folder beyond what it had sent moves its unsent
        changes past it (healing.reconcile_own): its acknowledged edits are found again."""
        ctx = self.pcs[i]
        for n, ack in enumerate(self.acks):
            if ack.device != ctx.device_id:
                continue
            here = _rows(
                ctx,
                "SELECT count(*) FROM change_log WHERE device_id = :d AND seq = :s"
                " AND table_name = :t AND row_id = :r AND column_name = :c AND value = :v",
                d=ack.device,
                s=ack.seq,
                t=ack.table,
                r=ack.row,
                c=ack.column,
                v=ack.value,
            )
            if here[0][0]:
                continue
            moved = _rows(
                ctx,
                "SELECT seq FROM change_log WHERE device_id = :d AND table_name = :t"
                " AND row_id = :r AND column_name = :c AND value = :v"
                " AND coalesce(stamped_hlc, hlc) = :h",
                d=ack.device,
                t=ack.table,
                r=ack.row,
                c=ack.column,
                v=ack.value,
                h=ack.hlc,
            )
            if moved:
                self.acks[n] = dataclasses.replace(ack, seq=int(moved[0][0]))

    def _active(self) -> list[int]:
        """The PCs that sync: all but a lost laptop (its thief does not run the app)."""
        return [i for i in range(len(self.pcs)) if i != LAPTOP or self.revoked_after is None]

    def _honest(self) -> list[int]:
        return [i for i in self._active() if i not in (OFFICER, VIEWER)]

    # ------------------------------------------------------------------ the forger
    def _records(self, device: str, first: int, user: str, pc: int, n: int) -> list[Record]:
        """Changes that would win every field they touch (a clock far ahead) if taken."""
        live = self._live(pc, "people") or [new_id()]
        ahead = pack(wall_ms() + 100 * HOUR_MS, 0)
        return [
            Record(
                device,
                first + k,
                first,
                ahead,
                "people",
                live[k % len(live)],
                "name",
                json.dumps(f"forged-{self.counter}-{k}"),
                None,
                user,
            )
            for k in range(n)
        ]

    def _next_free(self, pc: int) -> int:
        """The first number past this replica's changes and every file ever in its folder
        (a file moved aside keeps its numbers: a name is never planted twice)."""
        folder = self.share.segments_dir(self.pcs[pc].device_id)
        used = [int(m.group(1)) for p in folder.iterdir() if (m := USED.match(p.name))]
        return max([self._seq(pc), *used]) + 1

    def _plant(self, path: Path, data: bytes, what: str, reasons: set[str]) -> None:
        if path.exists() or path in self.forged:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.forged[path] = Forged(path, data, what, frozenset(reasons))

    def _signer(self) -> Signer:
        return Signer(self.forger_key, self.forger_fp, lambda seq: "")

    @rule(signed=st.booleans(), n=st.integers(1, 3), pc=st.sampled_from(SECRETARIAT))
    def forge_in_own_folder(self, signed: bool, n: int, pc: int) -> None:
        """The forger's own PC (never enrolled) writes changes to a replica's people."""
        self.counter += 1
        records = self._records(self.forger_device, self.forger_seq + 1, "", pc, n)
        self.forger_seq += n
        data = encode_segment(records, head_revision(), self._signer() if signed else None)
        path = self.share.segments_dir(self.forger_device) / segment_name(
            records[0].seq, records[-1].seq
        )
        self._plant(path, data, "forger's own folder", {NOT_ENROLLED if signed else NOT_SIGNED})

    @rule(pc=st.sampled_from(SECRETARIAT), signed=st.booleans(), n=st.integers(1, 2))
    def forge_in_replica_folder(self, pc: int, signed: bool, n: int) -> None:
        """Changes claiming to be a replica's next ones, in its folder, right after it sent
        everything (unsigned, or signed by the forger's key)."""
        self._sync(pc)
        ctx = self.pcs[pc]
        self.counter += 1
        first = self._next_free(pc)
        records = self._records(ctx.device_id, first, ctx.user, pc, n)
        data = encode_segment(records, head_revision(), self._signer() if signed else None)
        path = self.share.segments_dir(ctx.device_id) / segment_name(first, first + n - 1)
        self._plant(path, data, "a replica's folder", {NOT_ENROLLED if signed else NOT_SIGNED})

    def _segments(self, pc: int) -> list[Path]:
        folder = self.share.segments_dir(self.pcs[pc].device_id)
        return sorted(p for p in folder.glob("*.jsonl") if p not in self.forged)

    @rule(src=st.sampled_from(SECRETARIAT), dst=st.integers(0, 3), pick=st.integers(0, 50))
    def replay(self, src: int, dst: int, pick: int) -> None:
        """A replica's earlier segment copied into another replica's folder (dst 3: a new
        folder), under the name a reader there reads next."""
        files = self._segments(src)
        if not files:
            return
        source = files[pick % len(files)]
        try:  # a copy of a file another rule damaged reads as damage, not as a replay
            read_segment(source)
        except SegmentError:
            return
        data = source.read_bytes()
        header = json.loads(data.splitlines()[0])
        if dst == 3:
            device, first = new_id(), 1
        else:
            if dst == src:
                return
            self._sync(dst)
            device, first = self.pcs[dst].device_id, self._next_free(dst)
        count = header["last_seq"] - header["first_seq"]
        name = segment_name(first, first + count)
        self._plant(self.share.segments_dir(device) / name, data, "a replayed segment", set())

    @rule(pc=st.sampled_from(SECRETARIAT), header_too=st.booleans())
    def alter_signed_segment(self, pc: int, header_too: bool) -> None:
        """A replica's newest segment edited in place: a value changed, the record's sum and
        the file's checksum recomputed (and, header_too, the header's body hash: then the
        signature no longer matches the header)."""
        files = self._segments(pc)
        if not files:
            return
        path = files[-1]
        try:
            segment = read_segment(path)
        except SegmentError:  # damaged by another rule: nothing to edit
            return
        if not segment.signed or not segment.records:
            return
        self.counter += 1
        first = segment.records[0]._replace(value=json.dumps(f"forged-{self.counter}"))
        body = encode_records([first, *segment.records[1:]])
        header = dict(segment.header)
        if header_too:
            header["body_sha256"] = hashlib.sha256(body).hexdigest()
        out = _line(header) + body
        trailer = {"kind": "trailer", "count": len(segment.records), "sig": segment.signature}
        trailer["sha256"] = hashlib.sha256(out).hexdigest()
        data = out + _line(trailer)
        path.write_bytes(data)
        self.forged[path] = Forged(
            path, data, "an altered segment", frozenset({BAD_SIGNATURE if header_too else ALTERED})
        )

    @rule(pick=st.integers(0, 10_000))
    def delete_segment(self, pick: int) -> None:
        """The forger deletes a segment (any PC's): its author sends it again (healing)."""
        files = sorted((self.share.root / "devices").glob("*/segments/*.jsonl"))
        if files:
            files[pick % len(files)].unlink()
            self.damaged += 1

    @rule(pick=st.integers(0, 10_000), delete=st.booleans(), at=st.integers(0, 10**6))
    def damage_segment(self, pick: int, delete: bool, at: int) -> None:
        """ThreeReplicas' damage (bytes flipped, or deleted), to honest files only: a forged
        file keeps the content whose refusal is checked."""
        files = sorted((self.share.root / "devices").glob("*/segments/*.jsonl"))
        files = [f for f in files if f not in self.forged]
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

    # ------------------------------------------------------------------ the lost laptop
    @precondition(lambda self: self.revoked_after is None)
    @rule(word=st.sampled_from(("alpha", "bravo")))
    def laptop_edit(self, word: str) -> None:
        """The laptop's person (secretariat) edits, and it syncs, before it is lost."""
        self.counter += 1
        self._edit(LAPTOP, "people", {"name": f"{word} {self.counter}"})
        self._sync(LAPTOP)

    @precondition(lambda self: self.revoked_after is None)
    @rule(by=st.sampled_from(SECRETARIAT), pc=st.sampled_from(SECRETARIAT))
    def laptop_lost(self, by: int, pc: int) -> None:
        """The laptop is lost: every PC reads what it sent, a secretary revokes it; then the
        thief writes, with its key, a correctly signed segment chained to its last one."""
        for i in self._active():
            self._sync(i)
        laptop = self.pcs[LAPTOP]
        trust.revoke(self.pcs[by], self.share.folder, laptop.fingerprint)
        cert = trust.trust_state(self.pcs[by]).pcs[laptop.fingerprint]
        assert cert.revoked_after is not None and cert.revoked_at is not None
        self.revoked_after = cert.revoked_after
        self.acks = [
            a for a in self.acks if a.device != laptop.device_id or a.seq <= cert.revoked_after
        ]
        self.counter += 1
        first = self._seq(LAPTOP) + 1
        live = self._live(pc, "people") or [new_id()]  # every other person may be deleted
        record = Record(
            laptop.device_id,
            first,
            first,
            self.pcs[by].clock.now(),
            "people",
            live[0],
            "name",
            json.dumps(f"stolen-{self.counter}"),
            None,
            laptop.user,
        )
        signer = Signer(
            laptop.pc_key,
            laptop.fingerprint,
            lambda seq: own_digest(laptop.engine, laptop.device_id, seq),
        )
        self._plant(
            self.share.segments_dir(laptop.device_id) / segment_name(first, first),
            encode_segment([record], head_revision(), signer),
            "the revoked laptop's key",
            {revoked_text(cert.revoked_at)},
        )

    # ------------------------------------------------------------------ the modified apps
    def _edit(self, pc: int, table: str, values: dict[str, str]) -> None:
        """A new row made by this PC's person, acknowledged."""
        after = self._seq(pc)
        row = crud.create(self.pcs[pc].uow(), SPECS[table], values).value.id
        self._ack(pc, table, row, values, after)

    @rule(kind=st.sampled_from(ROGUE), pick=st.integers(0, 1))
    def beyond_role(self, kind: str, pick: int) -> None:
        """A modified app writes what its person may not (no service checks it), and sends it."""
        self.counter += 1
        if kind == "a viewer edits minutes":
            pc, spec, row = VIEWER, E.MINUTES, self.minutes[pick]
            values = {"summary": f"rogue-{self.counter}"}
        elif kind == "an officer closes another person's action":
            pc, spec, row = OFFICER, E.ACTIONS, self.others_action
            values = {"status": "closed", "latest_update": f"rogue-{self.counter}"}
        else:
            pc, spec, row = OFFICER, E.MINUTES, self.minutes[pick]
            values = {"status": "approved", "approved_on": "2027-03-02"}
        seqs = self._raw(pc, spec, row, values)
        self.disallowed += [Disallowed(self.pcs[pc].device_id, s, kind) for s in seqs]
        self._sync(pc)

    def _raw(self, pc: int, spec: Any, row: str, values: dict[str, Any]) -> list[int]:
        """As a modified app writes it: the PC's person on every change, no rules checked here
        (a bare unit of work: ctx.uow() has the storage backstop refuse it)."""
        after = self._seq(pc)
        ctx = self.pcs[pc]
        crud.update(
            UnitOfWork(ctx.engine, Actor(ctx.device_id, ctx.user), ctx.clock), spec, row, values
        )
        return list(range(after + 1, self._seq(pc) + 1))

    @rule(word=st.sampled_from(("alpha", "bravo", "charlie")), sync=st.booleans())
    def officer_progress(self, word: str, sync: bool) -> None:
        """Honest: the officer records progress on their own action (must merge). After the
        demotion it is refused everywhere (or by her own PC once it knows)."""
        self.counter += 1
        values = {"latest_update": f"{word} {self.counter}", "status": "in_progress"}
        after = self._seq(OFFICER)
        try:
            crud.update(self.pcs[OFFICER].uow(), E.ACTIONS, self.own_action, values)
        except NotAllowedError:
            assert self.demoted
            return
        if not self.demoted:
            self._ack(OFFICER, "actions", self.own_action, values, after)
        if sync:
            self._sync(OFFICER)

    # ------------------------------------------------------------------ rows built on rows
    @rule(sync=st.booleans())
    def officer_event(self, sync: bool) -> None:
        """The officer puts an event in her diary: honest before the demotion, refused on
        every PC after it (whatever a PC that had not heard of it yet did with it)."""
        self.counter += 1
        values = {
            "summary": f"event {self.counter}",
            "start_utc": "2027-03-02T10:00:00Z",
            "end_utc": "2027-03-02T11:00:00Z",
            "owner_id": self.pcs[OFFICER].user,
        }
        after = self._seq(OFFICER)
        with self.pcs[OFFICER].uow(write=False) as uow:
            me = uow.session.get(Person, self.pcs[OFFICER].user)
            gone = me is None or me.deleted
        if gone:  # a secretary deleted the officer's own person row (`delete`, people)
            with pytest.raises((ValidationError, NotAllowedError)):
                crud.create(self.pcs[OFFICER].uow(), E.EVENTS, values)
            assert self._seq(OFFICER) == after  # refused, nothing written
            return
        try:
            row = crud.create(self.pcs[OFFICER].uow(), E.EVENTS, values).value.id
        except NotAllowedError:
            assert self.demoted
            return
        self.events.append(row)
        if not self.demoted:
            self.honest_events.add(row)
            self._ack(OFFICER, "events", row, {"summary": values["summary"]}, after)
        if sync:
            self._sync(OFFICER)

    @precondition(lambda self: self.events)
    @rule(pc=st.sampled_from(SECRETARIAT), pick=st.integers(0, 100))
    def attend(self, pc: int, pick: int) -> None:
        """A secretary adds herself to one of the officer's events her PC holds: it merges
        everywhere when the event does, and is refused with it when it is taken back."""
        self._sync(pc)
        event = self.events[pick % len(self.events)]
        ctx = self.pcs[pc]
        if event not in {e.id for e in crud.list_all(ctx.uow(write=False), E.EVENTS)}:
            return
        after = self._seq(pc)
        values = {"event_id": event, "person_id": ctx.user}
        row = crud.create(ctx.uow(), E.EVENT_ATTENDEES, values).value.id
        self.attendees[row] = event
        if event in self.honest_events:
            self._ack(pc, "event_attendees", row, values, after)
        self._sync(pc)

    @precondition(lambda self: not self.demoted)
    @rule(by=st.sampled_from(SECRETARIAT), pick=st.integers(0, 20))
    def dispose(self, by: int, pick: int) -> None:
        """A secretary disposes of an objective (issue 16, point 5): its text goes from every
        PC as they sync, edits of it made meanwhile elsewhere included, and from the share."""
        live = self._live(by, "objectives")
        if not live:
            return
        row = live[pick % len(live)]
        retention.dispose_record(self.pcs[by], row, "entered in error")
        self.disposed.add(("objectives", row))

    @rule(by=st.sampled_from(SECRETARIAT))
    def demote_officer(self, by: int) -> None:
        """A secretary makes the officer a viewer on a PC that then stays off the share for a
        while (the statement is sent with its next round). Her PC and the secretary's have
        met first, so everything she did before is dated before the statement."""
        self._sync(OFFICER)
        self._sync(by)
        trust.set_role(self.pcs[by], self.pcs[OFFICER].user, "viewer")
        self.demoted = True

    def _live(self, i: int, table: str) -> list[str]:
        """The rows the inherited rules pick from: never an enrolled person's own row (the
        rules here act as those people; deleting one is the secretariat's to do by hand, and
        the officer's rules would then meet a person who no longer exists)."""
        rows = super()._live(i, table)
        if table == "people":
            enrolled = {ctx.user for ctx in self.pcs}
            rows = [r for r in rows if r not in enrolled]
        return rows

    # ------------------------------------------------------------------ the end
    def teardown(self) -> None:
        healing.read_segment = self._real_read
        super().teardown()

    def _settle_healing(self) -> None:
        before: list[list[str]] | None = None
        for _ in range(3 * self.damaged + 5):
            reports = [self._round(i) for i in self._active()]
            problems = [sorted(r.problems) for r in reports]
            if not any(r.healed for r in reports) and problems == before:
                return
            before = problems
        raise AssertionError(f"the share did not heal: {before}")

    def _dated_after_the_demotion(self) -> None:
        """The rules judge by the clock: an officer's change stamped after the statement making
        her a viewer is refused everywhere, even when the secretary's PC had met it first (its
        clock behind: the statement is dated by it). Those, and attendees of such an event,
        are not owed to anyone."""
        if not self.demoted:
            return
        officer = self.pcs[OFFICER]
        entries = trust.trust_state(self.pcs[0]).roles.get(officer.user, [])
        at = max((e.at for e in entries if e.role.value == "viewer"), default=None)
        if at is None:
            return
        late = {a.row for a in self.acks if a.device == officer.device_id and a.hlc > at} & set(
            self.events
        )
        self.acks = [
            a
            for a in self.acks
            if not (a.device == officer.device_id and a.hlc > at)
            and self.attendees.get(a.row) not in late
        ]

    def _settle_and_check(self) -> None:
        self._settle_healing()
        for _ in range(2):
            for i in self._active():
                self._sync(i)
        self._dated_after_the_demotion()
        honest = self._honest()
        exports = {i: export_all(self.pcs[i].uow(write=False))["tables"] for i in honest}
        for i in honest[1:]:
            assert exports[i] == exports[honest[0]], f"replica {i} differs from {honest[0]}"
        for ack in self.acks:
            assert self._kept(ack), f"acknowledged edit lost: {ack}"
        failures: list[str] = []
        for i in honest:
            failures += self._nothing_forged_applied(i, exports[i])
            failures += self._disallowed_refused(i)
            failures += self._disposed_gone(i)
        failures += self._forged_listed()
        assert not failures, "\n".join(failures)

    def _kept(self, ack: Any) -> bool:
        """An edit of a record disposed of is gone by design: its value is the certificate's
        marker on every PC, in no table."""
        if (ack.table, ack.row) in self.disposed:
            return True
        return super()._kept(ack)

    def _disposed_gone(self, i: int) -> list[str]:
        """Every disposed record's text is gone from the replica's change log and its table."""
        out = []
        ctx = self.pcs[i]
        for table, row in sorted(self.disposed):
            texts = _rows(
                ctx,
                "SELECT device_id, seq, value FROM change_log WHERE table_name = :t"
                " AND row_id = :r AND column_name IN ('title', 'description')"
                " AND substr(value, 1, :n) != :p",
                t=table,
                r=row,
                n=len(MARKER_JSON_PREFIX),
                p=MARKER_JSON_PREFIX,
            )
            shown = _rows(
                ctx, f"SELECT title, description, deleted FROM {table} WHERE id = :r", r=row
            )
            if shown and tuple(shown[0]) != ("", "", 1):
                out.append(f"replica {i}: {table} {row[-8:]} still shows {shown[0]}")
            out += [
                f"replica {i}: {table} {row[-8:]} still logs {v} ({d[-8:]} {q})"
                for d, q, v in texts
            ]
        return out

    def _nothing_forged_applied(self, i: int, export: dict[str, Any]) -> list[str]:
        out = []
        dumped = json.dumps(export)
        out += [f"replica {i}: a value {m!r} is in its tables" for m in MARKS if m in dumped]
        ctx = self.pcs[i]
        for mark in MARKS:
            found = _rows(
                ctx, "SELECT device_id, seq FROM change_log WHERE value LIKE :m", m=f'"{mark}%'
            )
            out += [f"replica {i}: change_log holds {mark} change {d} {s}" for d, s in found]
        if self.revoked_after is not None:
            laptop = self.pcs[LAPTOP].device_id
            late = _rows(
                ctx,
                "SELECT count(*) FROM change_log WHERE device_id = :d AND seq > :s",
                d=laptop,
                s=self.revoked_after,
            )
            if late[0][0] and i != LAPTOP:
                out.append(f"replica {i}: holds the revoked laptop's changes after revocation")
        actions = {a.id: a for a in crud.list_all(ctx.uow(write=False), E.ACTIONS)}
        if str(actions[self.others_action].status) in ("closed", "ActionStatus.CLOSED"):
            out.append(f"replica {i}: another person's action was closed by the officer")
        for m in crud.list_all(ctx.uow(write=False), E.MINUTES):
            if "approved" in str(m.status).lower():
                out.append(f"replica {i}: minutes {m.reference} approved by the officer")
        return out

    def _disallowed_refused(self, i: int) -> list[str]:
        ctx = self.pcs[i]
        out = []
        for d in self.disallowed:
            logged = _rows(
                ctx,
                "SELECT count(*) FROM change_log WHERE device_id = :d AND seq = :s",
                d=d.device,
                s=d.seq,
            )
            if logged[0][0]:
                out.append(f"replica {i}: {d.what}: change {d.seq} applied")
            kept = _rows(
                ctx,
                "SELECT reason FROM refused_changes WHERE device_id = :d AND seq = :s",
                d=d.device,
                s=d.seq,
            )
            if not kept:
                out.append(f"replica {i}: {d.what}: change {d.seq} not in refused_changes")
        return out

    def _forged_listed(self) -> list[str]:
        out = []
        for i, path in sorted(self.read):
            forged = self.forged[path]
            ctx = self.pcs[i]
            device = path.parent.parent.name
            if device == ctx.device_id and path.exists():
                # still there: taken for its own write, damaged before it was recorded as sent
                # (healing._classify: a file that does not read, at its unsent numbers), and
                # superseded by its healing copy; no one reads it again
                continue
            if device == ctx.device_id:  # in its own folder: moved aside, and said so
                said = _rows(
                    ctx,
                    "SELECT count(*) FROM sync_notices WHERE message LIKE :n",
                    n=f"%{path.name}%",
                )
                if not said[0][0]:
                    out.append(
                        f"replica {i}: {forged.what} {path.name} in its own folder: not reported"
                    )
                continue
            found = _rows(
                ctx,
                "SELECT reason FROM security_findings WHERE device_id = :d AND item = :n",
                d=device,
                n=path.name,
            )
            if not found:
                out.append(
                    f"replica {i}: {forged.what} {device[-8:]}/{path.name} read, "
                    "not on the Security list"
                )
            elif forged.reasons and found[0][0] not in forged.reasons:
                out.append(
                    f"replica {i}: {forged.what} {path.name}: listed as {found[0][0]!r},"
                    f" expected {sorted(forged.reasons)}"
                )
        return out


ProtectedBoard.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestProtectedBoard = ProtectedBoard.TestCase
