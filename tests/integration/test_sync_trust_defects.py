"""Defects the protected board's state machine found (issue 15), each as a plain test."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import text
from trust_office import board, found, protected_sync

from hescb_desktop.services import crud, trust
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.sync.hlc import HybridLogicalClock, wall_ms
from hescb_desktop.sync.segments import encode_records, parse_name, read_segment, segment_name
from hescb_desktop.sync.share import Share
from hescb_desktop.sync.verify import COPIED


def _share(tmp_path: Path) -> Share:
    share = Share(tmp_path / "share")
    share.folder.mkdir()
    return share


def test_a_segment_damaged_past_parsing_is_asked_for_and_healed_on_a_protected_board(
    tmp_path: Path,
) -> None:
    """A byte flipped in a signed segment's header line (it is no longer JSON) is damage like
    any other: the reader asks its author for it again, the author republishes it, and the
    change merges. It was taken as a refusal no author can heal: never asked for, the change
    never merged, the replicas differed for ever."""
    share = _share(tmp_path)
    sec, officer = board(tmp_path, share, [("Sam", "secretariat"), ("Sue", "secretariat")])
    crud.create(officer.uow(), E.PEOPLE, {"name": "made by Sue"})
    protected_sync(officer, share)
    (path,) = share.segments_dir(officer.device_id).glob("*.jsonl")
    data = bytearray(path.read_bytes())
    data[0] ^= 0x20  # '{' -> '[': the header line is not JSON
    path.write_bytes(bytes(data))
    first = protected_sync(sec, share)
    assert any("not JSON" in p for p in first.problems)
    for _ in range(2):
        protected_sync(officer, share)
        report = protected_sync(sec, share)
    assert report.problems == []
    names = {p.name for p in crud.list_all(sec.uow(write=False), E.PEOPLE)}
    assert "made by Sue" in names
    assert (
        export_all(sec.uow(write=False))["tables"] == export_all(officer.uow(write=False))["tables"]
    )


def test_a_segment_replayed_into_another_pcs_folder_is_on_the_security_list(
    tmp_path: Path,
) -> None:
    """A PC's signed segment copied into another PC's folder, under the numbers a reader takes
    next there: refused (its header names the first PC), and listed on the Security tab with
    why, on every PC that read it. It was only a sync problem, never on the Security list."""
    share = _share(tmp_path)
    sec, sue, sid = board(
        tmp_path, share, [("Sam", "secretariat"), ("Sue", "secretariat"), ("Sid", "secretariat")]
    )
    crud.create(sue.uow(), E.PEOPLE, {"name": "made by Sue"})
    protected_sync(sue, share)
    (original,) = share.segments_dir(sue.device_id).glob("*.jsonl")
    lines = original.read_bytes().splitlines()
    count = len(lines) - 2
    replay = share.segments_dir(sid.device_id) / segment_name(1, count)
    replay.write_bytes(original.read_bytes())
    report = protected_sync(sec, share)
    assert any("names another PC" in p for p in report.problems)
    with sec.engine.connect() as conn:
        listed = conn.execute(
            text("SELECT reason FROM security_findings WHERE device_id = :d AND item = :n"),
            {"d": sid.device_id, "n": replay.name},
        ).all()
    assert listed == [(COPIED,)]
    names = {p.name for p in crud.list_all(sec.uow(write=False), E.PEOPLE)}
    assert "made by Sue" in names  # Sue's own copy merged; the replay changed nothing else


def test_a_pc_whose_clock_is_behind_has_its_changes_after_enrolment_taken(
    tmp_path: Path,
) -> None:
    """A new PC's wall clock 10 minutes behind the secretariat's: once its round has read its
    enrolment, its changes are dated after it and merge everywhere. They were dated before the
    enrolment (its clock had seen nothing later), refused on every other PC ("its writer had no
    role on the board at that time") and kept on its own: the replicas differed for ever."""
    share = _share(tmp_path)
    sam = found(tmp_path / "pc0", share, "Sam")
    sue = open_context(tmp_path / "pc1")
    sue.clock = HybridLogicalClock(last=sue.clock.last, wall=lambda: wall_ms() - 10 * 60_000)
    protected_sync(sue, share, trust_root=sam.fingerprint)
    fingerprint = trust.request_enrolment(sue, share.folder)
    trust.approve(sam, share.folder, fingerprint, "Sue", "secretariat")
    protected_sync(sue, share)  # reads its enrolment
    crud.create(sue.uow(), E.PEOPLE, {"name": "made by Sue"})
    protected_sync(sue, share)
    report = protected_sync(sam, share)
    assert report.problems == []
    names = {p.name for p in crud.list_all(sam.uow(write=False), E.PEOPLE)}
    assert "made by Sue" in names


def test_an_officers_progress_is_judged_alike_whatever_order_the_pcs_merge_in(
    tmp_path: Path,
) -> None:
    """Olive (officer) records progress on her action; then, not having seen it, the secretary
    Sam reassigns the action to himself. Sue's PC merges Olive's progress first (the action is
    hers there: applied), Sam's PC after his reassignment (the action is his there: refused).
    Every PC should decide alike (the issue: "all PCs decide identically"); they do not, and
    the replicas differ for ever."""
    share = _share(tmp_path)
    sam, olive, sue = board(
        tmp_path, share, [("Sam", "secretariat"), ("Olive", "officer"), ("Sue", "secretariat")]
    )
    values = {"description": "a", "reference": "A1/27", "ref_year": 2027, "ref_number": 1}
    values |= {"raised_on": "2027-03-01", "owner_id": olive.user}
    action = crud.create(sam.uow(), E.ACTIONS, values).value.id
    for ctx in (sam, olive, sue):
        protected_sync(ctx, share)
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": sam.user})
    protected_sync(olive, share)
    protected_sync(sue, share)  # Olive's progress, the action still hers here
    protected_sync(sam, share)  # Olive's progress, the action already Sam's here
    for _ in range(2):
        for ctx in (sam, olive, sue):
            protected_sync(ctx, share)
    on_sam = crud.get(sam.uow(write=False), E.ACTIONS, action).latest_update
    on_sue = crud.get(sue.uow(write=False), E.ACTIONS, action).latest_update
    assert on_sam == on_sue


def _altered(path: Path) -> bytes:
    """The signed segment at `path` with its first record's value changed, the record's sum and
    the file's checksum recomputed: only the signature can tell."""
    segment = read_segment(path)
    first = segment.records[0]._replace(value=json.dumps("forged"))
    body = encode_records([first, *segment.records[1:]])

    def line(obj: dict[str, object]) -> bytes:
        return (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode()

    out = line(segment.header) + body
    trailer = {"kind": "trailer", "count": len(segment.records), "sig": segment.signature}
    return out + line({**trailer, "sha256": hashlib.sha256(out).hexdigest()})


def test_a_pcs_segment_altered_before_it_recorded_it_as_sent_does_not_cut_it_off(
    tmp_path: Path,
) -> None:
    """Sue's PC writes a segment and stops before recording it as sent; Sam takes it. Then the
    file is altered on the share (checksums recomputed). Sue's PC, on its next round, writes its
    own changes there again (a healing copy, the same numbers) and carries on: Sam takes what
    follows. It moved the file aside and renumbered those changes as new ones, so the next
    segment no longer followed what Sam held: refused as "segment replaced", and every later
    change of Sue's PC with it, for ever."""
    share = _share(tmp_path)
    sam, sue = board(tmp_path, share, [("Sam", "secretariat"), ("Sue", "secretariat")])
    crud.create(sue.uow(), E.PEOPLE, {"name": "first by Sue"})
    protected_sync(sue, share)
    protected_sync(sam, share)
    newest = max(share.segments_dir(sue.device_id).glob("*.jsonl"))
    first, last = parse_name(newest.name) or (0, 0)
    with sue.engine.begin() as conn:  # the crash: written, never recorded as sent
        conn.execute(
            text(
                "UPDATE change_log SET published = 0 WHERE device_id = :d AND seq BETWEEN :f AND :l"
            ),
            {"d": sue.device_id, "f": first, "l": last},
        )
    newest.write_bytes(_altered(newest))
    protected_sync(sue, share)
    crud.create(sue.uow(), E.PEOPLE, {"name": "then by Sue"})
    protected_sync(sue, share)
    report = protected_sync(sam, share)
    assert not any("replaced" in p for p in report.problems), report.problems
    names = {p.name for p in crud.list_all(sam.uow(write=False), E.PEOPLE)}
    assert {"first by Sue", "then by Sue"} <= names
    assert export_all(sam.uow(write=False))["tables"] == export_all(sue.uow(write=False))["tables"]
