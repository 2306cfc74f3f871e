"""Trust on the share, in the sync (issue 15, points 3-5): real PCs, keys, files and databases.

What a forger with write access to the share can do, and what every PC does about it: a segment
signed by a key the board never enrolled, a signed segment edited (its checksums made good
again), a revoked PC's key used after the revocation; and what a writer beyond their role
(a modified app, writing through the storage layer under the services' checks) gets: refused
on every PC, kept with the reason, while honest changes keep merging.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from trusted_office import TrustedOffice

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services import papers
from hescb_desktop.services import trust as trust_service
from hescb_desktop.storage.models import Action, Person
from hescb_desktop.sync.hlc import pack, wall_ms
from hescb_desktop.sync.publisher import unpublished
from hescb_desktop.sync.segments import Record, Signer, encode_segment, segment_name
from hescb_desktop.sync.signing import fingerprint, new_key, public_bytes
from hescb_desktop.sync.verify import ALTERED, NOT_ENROLLED, NOT_SIGNED


@pytest.fixture
def office(tmp_path: Path) -> TrustedOffice:
    o = TrustedOffice(tmp_path)
    o.add("officer", "Olu Officer", "officer")
    o.add("viewer", "Vic Viewer", "viewer")
    o.settle()
    yield o
    o.close()


def add_action(office: TrustedOffice, pc: str, owner: str, text: str) -> str:
    """An action raised through the storage layer (the secretariat's right: raising it)."""
    ctx = office.pc(pc)
    with ctx.uow() as uow:
        action = Action(
            reference=f"HESCB/2026/{abs(hash(text)) % 900 + 100}",
            ref_year=2026,
            ref_number=abs(hash(text)) % 900 + 100,
            description=text,
            owner_id=office.people[owner],
            raised_on=date(2026, 12, 2),
        )
        uow.session.add(action)
        uow.commit()
    return action.id


def set_status(office: TrustedOffice, pc: str, action_id: str, status: ActionStatus) -> None:
    """What a modified app would write: the services' checks are not in the way."""
    with office.modified_app(pc) as uow:
        uow.session.get(Action, action_id).status = status  # type: ignore[union-attr]
        uow.commit()


def status_on(office: TrustedOffice, pc: str, action_id: str) -> str:
    return office.rows(pc, f"SELECT status FROM actions WHERE id = '{action_id}'")[0][0]


def test_changes_travel_signed_and_every_pc_knows_who_made_them(office: TrustedOffice) -> None:
    action = add_action(office, "root", "officer", "Joint drone rota")
    office.settle()
    assert status_on(office, "viewer", action) == "open"
    header = json.loads(
        sorted(office.share.segments_dir(office.pc("root").device_id).glob("*.jsonl"))[-1]
        .read_bytes()
        .splitlines()[0]
    )
    assert header["signer"] == office.root_fp and header["format"] == 2 and header["prev"]
    users = office.rows("viewer", f"SELECT DISTINCT user FROM change_log WHERE row_id = '{action}'")
    assert users == [(office.people["root"],)]
    assert office.findings("viewer") == {} and office.refused("viewer") == []


def test_an_officer_may_progress_their_own_action_but_not_anothers(
    office: TrustedOffice,
) -> None:
    mine = add_action(office, "root", "officer", "Officer's own action")
    theirs = add_action(office, "root", "root", "The secretariat's action")
    office.settle()
    set_status(office, "officer", mine, ActionStatus.COMPLETE)
    set_status(office, "officer", theirs, ActionStatus.CLOSED)
    office.settle()
    for pc in ("root", "viewer"):
        assert status_on(office, pc, mine) == "complete"  # honest: merged
        assert status_on(office, pc, theirs) == "open"  # beyond the role: refused
        refused = office.refused(pc)
        assert refused and {r[0] for r in refused} == {"actions"}
        assert all("actions that they or their principal own" in r[2] for r in refused)
    report = office.sync("viewer")
    assert not report.problems  # said once, when refused; kept in refused_changes


def test_a_viewer_reads_only_and_the_officer_may_not_approve_minutes(
    office: TrustedOffice,
) -> None:
    action = add_action(office, "root", "viewer", "Viewer-owned action")
    office.settle()
    set_status(office, "viewer", action, ActionStatus.COMPLETE)
    report = office.sync("viewer")
    assert report.pending == 0  # sent (signed): the others decide
    office.settle()
    assert status_on(office, "root", action) == "open"
    assert status_on(office, "officer", action) == "open"
    assert any("a viewer reads only" in r[2] for r in office.refused("root"))


def forger_records(office: TrustedOffice, device: str, first: int) -> list[Record]:
    """Real records (a person named "Chief Constable"), renumbered as `device`'s."""
    ctx = office.pc("viewer")
    with office.modified_app("viewer") as uow:
        uow.session.add(Person(name="Chief Constable", role=""))
        uow.commit()
    recs = unpublished(ctx.engine, ctx.device_id)
    with ctx.engine.begin() as conn:  # the viewer never sends these: the forger took them
        conn.exec_driver_sql(
            "DELETE FROM change_log WHERE published = 0 AND device_id = ?", (ctx.device_id,)
        )
        conn.exec_driver_sql("DELETE FROM people WHERE name = 'Chief Constable'")
    return [r._replace(device_id=device, seq=first + i, tx=first) for i, r in enumerate(recs)]


def put(office: TrustedOffice, device: str, data: bytes, first: int, last: int) -> Path:
    path = office.share.segments_dir(device) / segment_name(first, last)
    path.write_bytes(data)
    return path


def chief_constables(office: TrustedOffice, pc: str) -> int:
    return len(office.rows(pc, "SELECT id FROM people WHERE name = 'Chief Constable'"))


def next_seq(office: TrustedOffice, device: str) -> int:
    folder = office.share.segments_dir(device)
    folder.mkdir(parents=True, exist_ok=True)
    return max((int(p.name.split("-")[1][:12]) for p in folder.glob("*.jsonl")), default=0) + 1


def test_a_segment_signed_by_a_key_the_board_never_enrolled_is_refused(
    office: TrustedOffice,
) -> None:
    officer = office.pc("officer").device_id
    first = next_seq(office, officer)
    records = forger_records(office, officer, first)
    key = new_key()
    signer = Signer(key, fingerprint(public_bytes(key)), lambda seq: "")
    path = put(office, officer, encode_segment(records, "0011", signer), first, records[-1].seq)
    for pc in ("root", "viewer"):
        office.sync(pc)
        assert chief_constables(office, pc) == 0
        assert office.findings(pc)[path.name] == NOT_ENROLLED
    # the officer's own PC moves the file aside and carries on: its honest change still merges
    action = add_action(office, "root", "officer", "After the forgery")
    office.settle()
    set_status(office, "officer", action, ActionStatus.COMPLETE)
    office.settle()
    assert status_on(office, "viewer", action) == "complete"
    assert chief_constables(office, "viewer") == 0


def test_an_unsigned_segment_on_a_protected_board_is_refused(office: TrustedOffice) -> None:
    officer = office.pc("officer").device_id
    first = next_seq(office, officer)
    records = forger_records(office, officer, first)
    path = put(office, officer, encode_segment(records, "0011"), first, records[-1].seq)
    office.sync("root")
    assert chief_constables(office, "root") == 0
    assert office.findings("root")[path.name] == NOT_SIGNED


def test_an_edited_signed_segment_is_refused_and_its_author_heals_it(
    office: TrustedOffice,
) -> None:
    action = add_action(office, "root", "officer", "Original text")
    office.sync("root")
    path = sorted(office.share.segments_dir(office.pc("root").device_id).glob("*.jsonl"))[-1]
    lines = path.read_bytes().splitlines(keepends=True)
    edited = []
    for line in lines[1:-1]:
        obj = json.loads(line)
        if obj["col"] == "description":
            obj["value"] = json.dumps("Edited on the share")
            body = {k: v for k, v in obj.items() if k != "sum"}
            text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            obj["sum"] = hashlib.sha256((text + "\n").encode()).hexdigest()[:16]
        edited.append(
            (
                json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
            ).encode()
        )
    out = lines[0] + b"".join(edited)
    trailer = json.loads(lines[-1])
    trailer["sha256"] = hashlib.sha256(out).hexdigest()
    out += (json.dumps(trailer, sort_keys=True, separators=(",", ":")) + "\n").encode()
    path.write_bytes(out)
    office.sync("viewer")
    assert office.rows("viewer", f"SELECT id FROM actions WHERE id = '{action}'") == []
    assert office.findings("viewer")[path.name] == ALTERED
    office.sync("root")  # its author sees it wanted and writes it again (a healing copy)
    office.sync("viewer")
    description = office.rows("viewer", f"SELECT description FROM actions WHERE id = '{action}'")
    assert description == [("Original text",)]


def test_a_revoked_pcs_key_is_refused_after_the_revocation(office: TrustedOffice) -> None:
    action = add_action(office, "root", "officer", "Before the laptop was lost")
    office.settle()
    set_status(office, "officer", action, ActionStatus.COMPLETE)
    office.sync("officer")
    office.sync("root")
    officer = office.pc("officer")
    trust_service.revoke(office.pc("root"), office.share.folder, officer.fingerprint)
    office.sync("viewer")
    assert status_on(office, "viewer", action) == "complete"  # sent before: kept
    # the thief writes with the lost laptop's key
    first = next_seq(office, officer.device_id)
    records = forger_records(office, officer.device_id, first)
    signer = Signer(officer.pc_key, officer.fingerprint, lambda seq: "")
    path = put(
        office, officer.device_id, encode_segment(records, "0011", signer), first, records[-1].seq
    )
    for pc in ("root", "viewer"):
        office.sync(pc)
        assert chief_constables(office, pc) == 0
        assert office.findings(pc)[path.name].startswith("PC revoked on ")
    # the revoked PC itself sends nothing more, and says why
    set_status(office, "officer", action, ActionStatus.OPEN)
    report = office.sync("officer")
    assert report.published == 0 and "revoked" in report.waiting


def test_a_pc_not_yet_approved_keeps_its_changes_until_it_is(tmp_path: Path) -> None:
    office = TrustedOffice(tmp_path)
    try:
        from hescb_desktop.services import sync as sync_service

        ctx = office._open("new")
        sync_service.run_sync(ctx, office.share.folder, office.root_fp)
        assert ctx.identity.person_id == "" and ctx.identity.protected
        with office.modified_app("new") as uow:  # typed before it was enrolled (a modified app)
            uow.session.add(Person(name="Typed before approval", role=""))
            uow.commit()
        report = sync_service.run_sync(ctx, office.share.folder)
        assert report.published == 0 and report.pending > 0 and report.waiting
        assert list(office.share.segments_dir(ctx.device_id).glob("*.jsonl")) == []
        fp = trust_service.request_enrolment(ctx, office.share.folder)
        trust_service.approve(office.pc("root"), office.share.folder, fp, "Nia New", "officer")
        report = sync_service.run_sync(ctx, office.share.folder)
        assert report.published > 0 and report.pending == 0
        office.sync("root")
        # made before it was enrolled (up to its request): taken as before the rules
        names = {n for (n,) in office.rows("root", "SELECT name FROM people")}
        assert "Typed before approval" in names
    finally:
        office.close()


def test_a_revocation_by_a_pc_whose_clock_jumped_back_still_holds(office: TrustedOffice) -> None:
    """The secretariat's PC restarts with its clock three hours slow: a statement it issues is
    still dated after every statement it knows (it was dated before the board's root statement
    and rejected by every PC: the lost laptop stayed enrolled)."""
    from hescb_desktop.sync.hlc import HybridLogicalClock

    root = office.pc("root")
    root.clock = HybridLogicalClock(last=0, wall=lambda: wall_ms() - 3 * 3600 * 1000)
    officer = office.pc("officer")
    trust_service.revoke(root, office.share.folder, officer.fingerprint)
    state = trust_service.trust_state(root)
    assert state.rejected == []
    assert state.pcs[officer.fingerprint].revoked_at is not None
    office.sync("viewer")
    assert trust_service.trust_state(office.pc("viewer")).pcs[officer.fingerprint].revoked_at


def test_the_chain_finds_a_replaced_segment(office: TrustedOffice) -> None:
    """A PC whose records were taken, then that PC's next segment names another predecessor
    (its history rewritten under the same numbers): refused as replaced."""
    action = add_action(office, "root", "officer", "Taken before the rewrite")
    office.settle()
    set_status(office, "officer", action, ActionStatus.IN_PROGRESS)
    office.settle()
    officer = office.pc("officer")
    first = next_seq(office, officer.device_id)
    records = forger_records(office, officer.device_id, first)
    signer = Signer(officer.pc_key, officer.fingerprint, lambda seq: "0" * 64)
    path = put(
        office, officer.device_id, encode_segment(records, "0011", signer), first, records[-1].seq
    )
    office.sync("root")
    assert chief_constables(office, "root") == 0
    assert office.findings("root")[path.name].startswith("segment replaced")


def test_pack_hlc_is_usable() -> None:
    assert pack(wall_ms(), 0) > 0


def test_people_roles_sync_and_only_the_secretariat_sets_them(office: TrustedOffice) -> None:
    trust_service.set_role(office.pc("root"), "Vic Viewer", "officer", office.share.folder)
    office.settle()
    assert office.pc("viewer").identity.role.value == "officer"
    from hescb_desktop.domain.permissions import NotAllowedError

    with pytest.raises(NotAllowedError):
        trust_service.set_role(office.pc("officer"), "Olu Officer", "secretariat")
    with office.pc("root").uow(write=False) as uow:
        assert uow.session.scalar(select(Person.name).where(Person.name == "Vic Viewer"))


def test_only_a_snapshot_the_secretariat_signed_is_restored_on_a_join(
    office: TrustedOffice,
) -> None:
    from dataclasses import replace

    from hescb_desktop.services import sync as sync_service
    from hescb_desktop.sync.snapshot import newest_snapshot
    from hescb_desktop.sync.trust_round import TrustSeal, reading_seal

    add_action(office, "root", "officer", "In the snapshot")
    office.settle()
    folder = office.share.snapshots_dir
    made = sorted(folder.glob("*.json"))
    assert made and all(p.name.startswith(office.pc("root").device_id) for p in made)
    real = json.loads(made[-1].read_text())
    assert real["signer"] == office.root_fp
    # an officer's PC (a modified app) and a forger offer newer snapshots of their own
    officer = office.pc("officer")
    forged_db = made[-1].with_suffix(".sqlite").read_bytes()
    for name, manifest in (
        (
            "officer",
            TrustSeal(load(office), officer.pc_key, officer.device_id).seal(
                "snapshot manifest",
                {
                    **{k: v for k, v in real.items() if k not in ("signer", "sig")},
                    "device_id": officer.device_id,
                    "hlc": real["hlc"] + 10,
                },
            ),
        ),
        ("forger", {**real, "hlc": real["hlc"] + 20}),  # its signature no longer matches
    ):
        stem = f"{officer.device_id}-{manifest['hlc']:020d}-{name}"
        (folder / f"{stem}.sqlite").write_bytes(forged_db)
        (folder / f"{stem}.json").write_text(json.dumps(manifest))
    sealed = replace(office.share, seal=reading_seal(office.share, office.root_fp))
    chosen = newest_snapshot(sealed)
    assert chosen is not None and chosen.hlc == real["hlc"]
    assert newest_snapshot(office.share).hlc == real["hlc"] + 20  # unprotected reading: fooled
    # a new PC joins: the secretariat's snapshot, its data, and the board's root pinned
    ctx = office._open("joiner")
    joined = sync_service.join_share(
        ctx, office.share.folder, discard_demo=False, trust_root=office.root_fp
    )
    office.pcs["joiner"] = joined
    sync_service.run_sync(joined, office.share.folder, office.root_fp)
    rows = office.rows("joiner", "SELECT description FROM actions")
    assert ("In the snapshot",) in rows


def load(office: TrustedOffice):  # type: ignore[no-untyped-def]
    from hescb_desktop.sync.trust import load_trust

    return load_trust(office.pc("root").engine)


def test_an_ack_not_signed_by_its_pc_acknowledges_nothing(office: TrustedOffice) -> None:
    from dataclasses import replace

    from hescb_desktop.sync.retention import read_acks
    from hescb_desktop.sync.trust_round import TrustSeal

    office.settle()
    viewer = office.pc("viewer").device_id
    sealed = replace(office.share, seal=TrustSeal(load(office)))
    acks = read_acks(sealed, viewer)
    assert acks is not None and acks.get(office.pc("root").device_id, 0) > 0
    path = office.share.device_dir(viewer) / "ack.json"
    forged = json.loads(path.read_text())
    forged["cursors"][office.pc("root").device_id] = 10**9  # "everything merged: prune it"
    path.write_text(json.dumps(forged))
    assert read_acks(sealed, viewer) is None


def test_an_old_board_upgrades_without_loss(tmp_path: Path) -> None:
    """A board made before issue 15: the secretariat upgrades it on one PC (the root); another
    PC is asked to confirm the root and to be approved, keeps working offline meanwhile, and
    nothing already merged or typed is lost."""
    import os

    from hescb_desktop.services import sync as sync_service
    from hescb_desktop.services.context import open_context
    from hescb_desktop.sync.trust import RootNotPinnedError

    share = tmp_path / "share"
    share.mkdir()
    pcs = {}
    for name in ("a", "b"):
        os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"
        pcs[name] = open_context(tmp_path / name)
    try:
        a, b = pcs["a"], pcs["b"]
        for ctx, who in ((a, "Made on A"), (b, "Made on B")):
            with ctx.uow() as uow:
                uow.session.add(Person(name=who, role=""))
                uow.commit()
        for _ in range(2):
            for ctx in (a, b):
                sync_service.run_sync(ctx, share)
        assert not a.identity.protected
        with b.uow() as uow:  # typed on B, not sent yet, when the board is upgraded
            uow.session.add(Person(name="Typed on B before the upgrade", role=""))
            uow.commit()
        identity = trust_service.upgrade_board(a, share, "Made on A")
        assert identity.role.value == "secretariat" and a.identity.protected
        sync_service.run_sync(a, share)  # the root's first protected round: a signed snapshot
        with pytest.raises(RootNotPinnedError):
            sync_service.run_sync(b, share)
        root = a.fingerprint
        report = sync_service.run_sync(b, share, root)
        assert report.waiting and report.pending > 0  # kept on B until it is approved
        fp = trust_service.request_enrolment(b, share)
        trust_service.approve(a, share, fp, "Made on B", "officer")
        report = sync_service.run_sync(b, share)
        assert report.pending == 0 and not report.waiting
        sync_service.run_sync(a, share)
        names = {n for (n,) in a.engine.connect().exec_driver_sql("SELECT name FROM people")}
        assert {"Made on A", "Made on B", "Typed on B before the upgrade"} <= names
        # an app that cannot check signatures is told to update: FORMAT says 2
        assert json.loads((share / "hescb-sync" / "FORMAT").read_text())["format"] == 2
        # a new PC joins from the root's signed snapshot, with the root confirmed
        os.environ["HESCB_TEST_ACCOUNT"] = "acct-c"
        c = pcs["c"] = open_context(tmp_path / "c")
        c = pcs["c"] = sync_service.join_share(c, share, discard_demo=False, trust_root=root)
        sync_service.run_sync(c, share, root)
        joined = {n for (n,) in c.engine.connect().exec_driver_sql("SELECT name FROM people")}
        assert names <= joined
    finally:
        for ctx in pcs.values():
            ctx.close()


def clock_ahead(office: TrustedOffice, pc: str, hours: int) -> None:
    """`pc`'s wall clock runs `hours` ahead from now on (its own clock and offset kept)."""
    from hescb_desktop.storage.device import last_hlc
    from hescb_desktop.sync.clockguard import load_offset
    from hescb_desktop.sync.hlc import HybridLogicalClock

    ctx = office.pc(pc)
    ctx.clock = HybridLogicalClock(
        last=last_hlc(ctx.engine),
        wall=lambda: wall_ms() + hours * 3600 * 1000,
        offset_ms=load_offset(ctx.engine),
    )


def test_a_pc_whose_clock_is_far_ahead_still_chains(office: TrustedOffice) -> None:
    """Its changes are re-dated by every reader (clockguard): the chain is checked against the
    stamps its author signed, so its next segment is not taken for a replaced one."""
    action = add_action(office, "root", "officer", "Rota")
    office.settle()
    clock_ahead(office, "officer", hours=6)
    for status in (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS):
        set_status(office, "officer", action, status)
        office.sync("officer")
        office.sync("root")
        assert status_on(office, "root", action) == status.value
    assert office.findings("root") == {}
    assert office.refused("root") == []


def test_a_refused_change_from_a_pc_whose_clock_is_far_ahead_does_not_cut_it_off(
    office: TrustedOffice,
) -> None:
    """Its change beyond its role is re-dated by the reader and refused; kept with its
    author's stamp, so the digest that chains its next segment is the one its author signed:
    the officer's next, honest change still merges (it once read as "segment replaced", and
    every later change of that PC was refused with it)."""
    mine = add_action(office, "root", "officer", "Rota")
    theirs = add_action(office, "root", "root", "Budget")
    office.settle()
    clock_ahead(office, "officer", hours=6)
    set_status(office, "officer", theirs, ActionStatus.CLOSED)  # beyond the role
    office.sync("officer")
    office.sync("root")
    assert status_on(office, "root", theirs) == "open"
    stamps = office.rows("root", "SELECT hlc, stamped_hlc FROM refused_changes")
    assert stamps and all(own is not None and own > hlc for hlc, own in stamps)
    set_status(office, "officer", mine, ActionStatus.COMPLETE)  # honest, next segment
    office.sync("officer")
    office.sync("root")
    assert office.findings("root") == {}
    assert status_on(office, "root", mine) == "complete"


def test_the_only_secretariat_member_cannot_leave_the_board_without_one(
    office: TrustedOffice,
) -> None:
    from hescb_desktop.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="only secretariat member"):
        trust_service.set_role(office.pc("root"), "Sally Secretariat", "viewer")
    trust_service.set_role(office.pc("root"), "Olu Officer", "secretariat")
    trust_service.set_role(office.pc("root"), "Sally Secretariat", "officer")  # now allowed
    assert office.pc("root").identity.role.value == "officer"


def test_a_reference_two_officers_took_is_renumbered_by_the_secretariat_alone(
    tmp_path: Path,
) -> None:
    """Two officers propose a paper offline and both take the next number. The first officer's
    PC to meet the clash does not renumber the other's (later) paper (its change would be refused
    everywhere as an officer editing another's paper); the secretariat's PC does, and every PC
    ends with the same distinct numbers and nothing refused."""
    o = TrustedOffice(tmp_path)
    try:
        o.add("first", "Fay First", "officer")
        o.add("second", "Sid Second", "officer")
        o.settle()
        for pc, title in (("second", "Drone unit report"), ("first", "Joint estates review")):
            os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{pc}"
            papers.create_paper(o.pc(pc).uow(), {"title": title, "author": pc})
        o.sync("first")
        clash = o.sync("second")  # meets the first officer's (later) paper: the same number
        assert clash.renumbered == []  # not the second officer's to renumber
        o.settle()
        refs = {pc: sorted(o.rows(pc, "SELECT reference FROM papers")) for pc in o.pcs}
        assert len(set(refs["root"])) == 2
        assert refs["first"] == refs["second"] == refs["root"]
        assert all(o.refused(pc) == [] for pc in o.pcs)
    finally:
        o.close()
