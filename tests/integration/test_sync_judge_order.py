"""Rules on merge judged alike whatever order the PCs meet the changes in (issue 15, point 5).

A change is judged by its writer's role at its clock and by the record's owners *as of its
clock* (the applied history every PC converges on), never by the row as one PC holds it now;
a change that arrives late with an earlier clock has the later changes it decides judged again
(sync.judge.rejudge). Real SQLite files, a real share folder, real keys, the real sync round.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text
from trust_office import board, protected_sync

from hescb_desktop.services import audit, crud, trust
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.export import export_all
from hescb_desktop.storage.replay import disagreements
from hescb_desktop.sync.share import Share


def _share(tmp_path: Path) -> Share:
    share = Share(tmp_path / "share")
    share.folder.mkdir()
    return share


def _office(tmp_path: Path) -> tuple[Share, list[ServiceContext]]:
    """The share and three PCs: Sam (secretariat), Olive (officer), Sue (secretariat)."""
    share = _share(tmp_path)
    people = [("Sam", "secretariat"), ("Olive", "officer"), ("Sue", "secretariat")]
    return share, board(tmp_path, share, people)


def _action(ctx: ServiceContext, owner: str) -> str:
    values = {"description": "a", "reference": "A1/27", "ref_year": 2027, "ref_number": 1}
    values |= {"raised_on": "2027-03-01", "owner_id": owner}
    return str(crud.create(ctx.uow(), E.ACTIONS, values).value.id)


def _event(ctx: ServiceContext, summary: str) -> str:
    """An event in this PC's person's diary."""
    values = {"summary": summary, "owner_id": ctx.user}
    values |= {"start_utc": "2027-03-02T10:00:00Z", "end_utc": "2027-03-02T11:00:00Z"}
    return str(crud.create(ctx.uow(), E.EVENTS, values).value.id)


def _attend(ctx: ServiceContext, event: str, person: str) -> str:
    values = {"event_id": event, "person_id": person}
    return str(crud.create(ctx.uow(), E.EVENT_ATTENDEES, values).value.id)


def _refused(ctx: ServiceContext) -> set[tuple[str, str, str]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT row_id, column_name, value FROM refused_changes"))
        return {(str(r), str(c), str(v)) for r, c, v in rows}


def _logged(ctx: ServiceContext, row: str, col: str) -> list[str]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT value FROM change_log WHERE row_id = :r AND column_name = :c"),
            {"r": row, "c": col},
        )
        return sorted(str(v) for (v,) in rows)


def _same(*pcs: ServiceContext) -> None:
    """Every PC holds the same data, its tables are what its journal says, and its signed
    ranges still check (a change taken back is read from refused_changes)."""
    tables = [export_all(ctx.uow(write=False))["tables"] for ctx in pcs]
    for other in tables[1:]:
        assert other == tables[0]
    for ctx in pcs:
        assert disagreements(ctx.engine) == []
        assert audit.range_problems(ctx.engine) == []


def _settle(share: Share, *pcs: ServiceContext) -> None:
    for _ in range(2):
        for ctx in pcs:
            protected_sync(ctx, share)


def _tick() -> None:
    time.sleep(0.01)  # the next change's clock is later (the wall clock moves on)


def test_an_officers_progress_made_after_a_reassignment_she_had_not_seen_is_refused_everywhere(
    tmp_path: Path,
) -> None:
    """The reverse order: Sam (secretariat) takes Olive's action, then Olive, not having seen it,
    records progress on it. As of her change's clock the action was Sam's: refused. Sue's PC
    merged Olive's progress before Sam's change arrived (applied, the action still hers there):
    when Sam's earlier change arrives it is taken back, the field set back. Olive's own PC takes
    her change back the same way, her words kept in refused_changes. Every PC ends alike."""
    share, (sam, olive, sue) = _office(tmp_path)
    action = _action(sam, olive.user)
    _settle(share, sam, olive, sue)
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": sam.user})
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)
    protected_sync(sue, share)  # Olive's progress, the action still hers here: applied
    assert crud.get(sue.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
    protected_sync(sam, share)  # refused on arrival: the action was Sam's at its clock
    report = protected_sync(sue, share)  # Sam's earlier change arrives: Olive's taken back
    assert any("refused" in p for p in report.problems), report.problems
    _settle(share, sam, olive, sue)
    for ctx in (sam, olive, sue):
        held = crud.get(ctx.uow(write=False), E.ACTIONS, action)
        assert held.latest_update in (None, "")
        assert held.owner_id == sam.user
        assert (action, "latest_update", '"done by Olive"') in _refused(ctx)
        assert '"done by Olive"' not in _logged(ctx, action, "latest_update")
    _same(sam, olive, sue)


def test_an_officers_own_change_taken_back_keeps_her_words_and_is_not_recovered_from_the_share(
    tmp_path: Path,
) -> None:
    """Olive's PC applied (and published) her progress; then it merges Sam's reassignment,
    made earlier. Her change is taken back on her own PC too: the field shows what it held, her
    words stay in refused_changes (never lost), and later rounds do not take her published
    segment as changes her PC lost (healing recovering them would apply them again)."""
    share = _share(tmp_path)
    sam, olive = board(tmp_path, share, [("Sam", "secretariat"), ("Olive", "officer")])
    action = _action(sam, olive.user)
    _settle(share, sam, olive)
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": sam.user})
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)  # published; the action hers here
    assert crud.get(olive.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
    protected_sync(sam, share)
    protected_sync(olive, share)  # Sam's earlier reassignment: her change taken back
    held = crud.get(olive.uow(write=False), E.ACTIONS, action)
    assert held.latest_update in (None, "")
    assert held.owner_id == sam.user
    assert (action, "latest_update", '"done by Olive"') in _refused(olive)
    for _ in range(3):
        report = protected_sync(olive, share)
        assert not any("recovered" in p for p in report.problems + report.healed)
        protected_sync(sam, share)
    assert crud.get(olive.uow(write=False), E.ACTIONS, action).latest_update in (None, "")
    assert (action, "latest_update", '"done by Olive"') in _refused(olive)
    crud.update(sam.uow(), E.ACTIONS, action, {"description": "b"})
    _settle(share, sam, olive)
    _same(sam, olive)


def test_a_reassignment_to_the_officer_arriving_late_turns_her_refused_progress_into_applied(
    tmp_path: Path,
) -> None:
    """Sam gives his action to Olive; Olive sees it and records progress. Sue's PC reads Olive's
    progress before Sam's reassignment reaches it (the share has not delivered his segment yet):
    as Sue's PC knows the history, the action is Sam's, so it is refused. When Sam's earlier
    change arrives, Olive's progress is judged again: allowed, merged, out of refused_changes.
    It was refused on Sue's PC for ever, applied everywhere else."""
    share, (sam, olive, sue) = _office(tmp_path)
    action = _action(sam, sam.user)
    _settle(share, sam, olive, sue)
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": olive.user})
    protected_sync(sam, share)
    protected_sync(olive, share)  # the action is hers now
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)
    hidden = max(share.segments_dir(sam.device_id).glob("*.jsonl"))
    aside = hidden.with_name(hidden.name + ".late")
    hidden.rename(aside)  # not delivered to Sue's copy of the share yet
    report = protected_sync(sue, share)
    assert any("refused" in p for p in report.problems), report.problems
    assert (action, "latest_update", '"done by Olive"') in _refused(sue)
    aside.rename(hidden)
    report = protected_sync(sue, share)
    assert any("allowed now" in p for p in report.problems), report.problems
    assert crud.get(sue.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
    assert _refused(sue) == set()
    _settle(share, sam, olive, sue)
    for ctx in (sam, olive, sue):
        assert crud.get(ctx.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
        assert _refused(ctx) == set()
    _same(sam, olive, sue)


def test_a_refused_handover_refuses_the_change_it_enabled_on_every_pc(tmp_path: Path) -> None:
    """A cascade. Sam takes Olive's calendar item; Olive, not having seen it, hands it to Oscar
    (an officer may give away her own item), and Oscar, having seen the handover, edits it.
    As of their clocks the item was Sam's: Olive's handover is refused, so Oscar never owned it
    and his edit is refused too. Sue's PC had applied both before Sam's change arrived: both
    are taken back there, the item Sam's with its old summary, as on every PC."""
    share = _share(tmp_path)
    sam, olive, oscar, sue = board(
        tmp_path,
        share,
        [
            ("Sam", "secretariat"),
            ("Olive", "officer"),
            ("Oscar", "officer"),
            ("Sue", "secretariat"),
        ],
    )
    values = {"summary": "Gold", "start_utc": "2027-03-02T10:00:00Z"}
    values |= {"end_utc": "2027-03-02T11:00:00Z", "owner_id": olive.user}
    event = str(crud.create(sam.uow(), E.EVENTS, values).value.id)
    _settle(share, sam, olive, oscar, sue)
    crud.update(sam.uow(), E.EVENTS, event, {"owner_id": sam.user})
    _tick()
    crud.update(olive.uow(), E.EVENTS, event, {"owner_id": oscar.user})
    protected_sync(olive, share)
    protected_sync(oscar, share)  # the item is his here
    _tick()
    crud.update(oscar.uow(), E.EVENTS, event, {"summary": "Silver"})
    protected_sync(oscar, share)
    protected_sync(sue, share)  # both applied: Sam's change has not arrived
    held = crud.get(sue.uow(write=False), E.EVENTS, event)
    assert (held.owner_id, held.summary) == (oscar.user, "Silver")
    protected_sync(sam, share)
    protected_sync(sue, share)  # Sam's earlier change: the handover, then the edit, taken back
    held = crud.get(sue.uow(write=False), E.EVENTS, event)
    assert (held.owner_id, held.summary) == (sam.user, "Gold")
    _settle(share, sam, olive, oscar, sue)
    for ctx in (sam, olive, oscar, sue):
        held = crud.get(ctx.uow(write=False), E.EVENTS, event)
        assert (held.owner_id, held.summary) == (sam.user, "Gold")
        refused = _refused(ctx)
        assert (event, "owner_id", f'"{oscar.user}"') in refused
        assert (event, "summary", '"Silver"') in refused
    _same(sam, olive, oscar, sue)


def test_a_reassignment_in_one_peers_batch_counts_for_another_peers_change_in_the_same_round(
    tmp_path: Path,
) -> None:
    """Sam gives his action to Olive; Olive sees it and records progress. Sue's PC reads both in
    one round: Olive's progress is judged after Sam's earlier change, not against the table as
    it was before the round (where the action was still Sam's): applied, as everywhere."""
    share, (sam, olive, sue) = _office(tmp_path)
    action = _action(sam, sam.user)
    _settle(share, sam, olive, sue)
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": olive.user})
    protected_sync(sam, share)
    protected_sync(olive, share)
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)
    report = protected_sync(sue, share)  # Sam's and Olive's changes in the same round
    assert not any("refused" in p for p in report.problems), report.problems
    assert crud.get(sue.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
    assert _refused(sue) == set()
    _settle(share, sam, olive, sue)
    _same(sam, olive, sue)


def _conflicts(ctx: ServiceContext) -> list[tuple[str, ...]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, table_name, row_id, column_name, kept_value, lost_value FROM conflicts"
                " ORDER BY id"
            )
        )
        return [tuple(str(v) for v in r) for r in rows]


def test_a_change_taken_back_takes_its_conflicts_with_it(tmp_path: Path) -> None:
    """Sam takes Olive's action and writes its latest update himself; Olive, not having seen it,
    writes hers (a later clock: it won the field where it was applied, and Sam's lost to it, a
    conflict). Taken back on Sue's PC, the field holds Sam's words and the conflict Olive's
    change made is gone: Sue's PC holds what Sam's (which refused Olive's on arrival) holds."""
    share, (sam, olive, sue) = _office(tmp_path)
    action = _action(sam, olive.user)
    _settle(share, sam, olive, sue)
    crud.update(sam.uow(), E.ACTIONS, action, {"owner_id": sam.user, "latest_update": "by Sam"})
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)
    protected_sync(sue, share)
    protected_sync(sam, share)
    protected_sync(sue, share)  # Sam's arrives, loses the field to Olive's, which is taken back
    _settle(share, sam, olive, sue)
    for ctx in (sam, olive, sue):
        assert crud.get(ctx.uow(write=False), E.ACTIONS, action).latest_update == "by Sam"
        assert _conflicts(ctx) == _conflicts(sam)
    assert not any(c[3] == "latest_update" for c in _conflicts(sam))
    _same(sam, olive, sue)


def test_a_role_change_that_arrives_after_the_changes_it_governs_is_applied_to_them(
    tmp_path: Path,
) -> None:
    """Sam (secretariat) makes Olive a viewer while his PC is off the share; Olive, not knowing,
    records progress on her action. Sue's PC applies it (Olive is an officer as far as it
    knows). When Sam's statement reaches Sue's PC, Olive's change, made after it, is judged
    again there and taken back, as Sam's PC refused it on arrival: every PC ends alike."""
    share, (sam, olive, sue) = _office(tmp_path)
    action = _action(sam, olive.user)
    _settle(share, sam, olive, sue)
    trust.set_role(sam, olive.user, "viewer")  # kept on Sam's PC: sent with its next round
    _tick()
    crud.update(olive.uow(), E.ACTIONS, action, {"latest_update": "done by Olive"})
    protected_sync(olive, share)
    protected_sync(sue, share)
    assert crud.get(sue.uow(write=False), E.ACTIONS, action).latest_update == "done by Olive"
    protected_sync(sam, share)  # its statement out; Olive's change refused here on arrival
    protected_sync(sue, share)  # the statement arrives after the change it governs
    _settle(share, sam, olive, sue)
    for ctx in (sam, sue):
        held = crud.get(ctx.uow(write=False), E.ACTIONS, action)
        assert held.latest_update in (None, "")
        assert (action, "latest_update", '"done by Olive"') in _refused(ctx)
    _same(sam, olive, sue)


def test_a_row_taken_back_that_another_pcs_change_names_leaves_every_pc_syncing(
    tmp_path: Path,
) -> None:
    """Sam makes Olive a viewer while his PC is off the share; Olive, not knowing, puts an
    event in her diary, and Sue (secretariat) adds Sam to it as an attendee. When Sam's
    statement reaches Sue's PC, Olive's event is taken back there, while Sue's attendee still
    names it; Sam's PC refused the event on arrival and then meets Sue's attendee naming a row
    it never held. Every PC keeps syncing (no round refused, Sue's later changes merge
    everywhere) and every PC ends alike, Olive's words kept in refused_changes."""
    share, (sam, olive, sue) = _office(tmp_path)
    _settle(share, sam, olive, sue)
    trust.set_role(sam, olive.user, "viewer")  # kept on Sam's PC: sent with its next round
    _tick()
    event = _event(olive, "Gold group")
    protected_sync(olive, share)
    protected_sync(sue, share)
    attendee = _attend(sue, event, sam.user)
    protected_sync(sue, share)
    protected_sync(sam, share)  # its statement out; Olive's event refused here on arrival
    protected_sync(sue, share)  # the statement arrives: Olive's event taken back
    action = _action(sue, sue.user)  # Sue's later work must reach every PC
    _settle(share, sam, olive, sue)
    for ctx in (sam, olive, sue):
        assert crud.get(ctx.uow(write=False), E.ACTIONS, action).description == "a"
        assert (event, "summary", '"Gold group"') in _refused(ctx)
        assert (attendee, "event_id", f'"{event}"') in _refused(ctx)
        events = crud.list_all(ctx.uow(write=False), E.EVENTS, include_deleted=True)
        assert event not in [e.id for e in events]
        attendees = crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES, include_deleted=True)
        assert attendee not in [a.id for a in attendees]
    with sue.engine.connect() as conn:
        reasons = {r for (r,) in conn.execute(text("SELECT DISTINCT reason FROM refused_changes"))}
    assert "it names a calendar item that was refused" in reasons
    _same(sam, olive, sue)


def test_a_change_refused_for_naming_a_refused_row_is_merged_when_that_row_is_allowed(
    tmp_path: Path,
) -> None:
    """Olive, a viewer, is made an officer by Sam; she puts an event in her diary and Sam adds
    himself to it. Sue's PC meets both changes while the share's listing does not yet show Sam's
    statement (a folder listing that lags): Olive's event is refused there (a viewer's), and so
    is Sam's attendee, which names it. When the statement shows, Olive's event is judged again
    and merged, and Sam's attendee with it: every PC ends alike, nothing left refused."""
    share, (sam, olive, sue) = _office(tmp_path)
    trust.set_role(sam, olive.user, "viewer")
    _settle(share, sam, olive, sue)
    _tick()
    trust.set_role(sam, olive.user, "officer")
    protected_sync(sam, share)  # the statement sent
    statements = share.folder / "hescb-sync" / "devices" / sam.device_id / "trust"
    promoted = max(statements.glob("*-role-*.json"))
    protected_sync(olive, share)  # Olive's PC knows she is an officer
    _tick()
    event = _event(olive, "Gold group")
    protected_sync(olive, share)
    protected_sync(sam, share)
    attendee = _attend(sam, event, sam.user)
    protected_sync(sam, share)
    hidden = tmp_path / promoted.name
    promoted.rename(hidden)  # the listing Sue's PC reads does not show it yet
    report = protected_sync(sue, share)
    assert any("names a calendar item that was refused" in p for p in report.problems), (
        report.problems
    )
    assert (attendee, "event_id", f'"{event}"') in _refused(sue)
    hidden.rename(promoted)
    report = protected_sync(sue, share)
    assert any("allowed now" in p for p in report.problems), report.problems
    _settle(share, sam, olive, sue)
    for ctx in (sam, olive, sue):
        assert _refused(ctx) == set()
        attendees = crud.list_all(ctx.uow(write=False), E.EVENT_ATTENDEES)
        assert [(a.id, a.event_id) for a in attendees] == [(attendee, event)]
    _same(sam, olive, sue)


def test_a_revocation_met_after_the_stolen_pcs_changes_takes_them_back_and_what_names_them(
    tmp_path: Path,
) -> None:
    """Olive's laptop is stolen. The thief puts an event in her diary; Sue's PC merges it and Sue
    adds herself to it, but Sue's acknowledgement is not yet in the listing Sam's PC reads when
    he revokes the laptop, so the revocation cuts before the thief's change. Sam's PC refuses
    the thief's segment (and Sue's attendee, which names its event); Sue's PC, meeting the
    revocation after it merged the thief's change, takes it back, and her attendee with it,
    kept with the reason. Sue's later work reaches every PC, and every PC ends alike."""
    share, (sam, olive, sue) = _office(tmp_path)
    _settle(share, sam, olive, sue)
    event = _event(olive, "Thief's meeting")
    protected_sync(olive, share)
    protected_sync(sue, share)  # the thief's event applied here
    attendee = _attend(sue, event, sue.user)
    protected_sync(sue, share)
    ack = share.folder / "hescb-sync" / "devices" / sue.device_id / "ack.json"
    aside = tmp_path / "ack.json"
    ack.rename(aside)  # not in the listing Sam's PC reads
    trust.revoke(sam, share.folder, olive.fingerprint)
    aside.rename(ack)
    protected_sync(sam, share)  # the thief's segment refused, Sue's attendee with it
    assert (attendee, "event_id", f'"{event}"') in _refused(sam)
    report = protected_sync(sue, share)  # the revocation arrives: both taken back
    assert any("PC revoked on" in p for p in report.problems), report.problems
    action = _action(sue, sue.user)
    _settle(share, sam, sue)
    for ctx in (sam, sue):
        assert crud.get(ctx.uow(write=False), E.ACTIONS, action).description == "a"
        assert (event, "summary", '"Thief\'s meeting"') in _refused(ctx)
        assert (attendee, "event_id", f'"{event}"') in _refused(ctx)
        events = crud.list_all(ctx.uow(write=False), E.EVENTS, include_deleted=True)
        assert event not in [e.id for e in events]
    _same(sam, sue)
