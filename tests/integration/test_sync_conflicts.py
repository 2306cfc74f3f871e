"""Conflicts belong to the board (issue 13, point 5): every PC names a conflict alike, lists the
same open ones, and a conflict resolved on one PC is resolved on every PC.

Real PCs (real SQLite files) on a real share folder; the command line as real subprocesses.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.settings import UserSettings, save_settings
from hescb_desktop.sync.snapshot import make_snapshot

SECOND_MS = 1000


def open_ids(ctx: ServiceContext) -> set[str]:
    return {c.id for c in sync_service.list_conflicts(ctx)}


def stored_ids(office: Office, name: str) -> set[str]:
    return {str(r[0]) for r in office.rows(name, "SELECT id FROM conflicts")}


def role(ctx: ServiceContext, person_id: str) -> str:
    return str(crud.get(ctx.uow(write=False), E.PEOPLE, person_id).role)


def open_count(ctx: ServiceContext, office: Office) -> int:
    return sync_service.sync_status(ctx, str(office.share.folder)).open_conflicts


# ---------------------------------------------------------------------- the case
def test_resolved_on_one_pc_is_resolved_on_every_pc(office: Office) -> None:
    """Two PCs edit one field; BRAVO wins; PC A uses the other value (ALPHA). Before, B and C
    kept listing the conflict as open, "kept: BRAVO", after ALPHA had won everywhere."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam Okafor", "role": "CFO"}).value
    office.settle()
    office.skew("b", 60 * SECOND_MS)  # B's edit is the later one: BRAVO wins the merge
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ALPHA"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "BRAVO"})
    office.settle()
    listed = [sync_service.list_conflicts(ctx) for ctx in (a, b, c)]
    assert all(len(rows) == 1 for rows in listed)
    assert listed[0][0].id == listed[1][0].id == listed[2][0].id  # the same id on every PC
    assert {(r[0].kept_value, r[0].lost_value) for r in listed} == {("BRAVO", "ALPHA")}
    assert [open_count(ctx, office) for ctx in (a, b, c)] == [1, 1, 1]

    sync_service.resolve_conflict(a, listed[0][0].id, use_other=True)
    office.settle()
    for ctx in (a, b, c):
        assert role(ctx, person.id) == "ALPHA"
        assert sync_service.list_conflicts(ctx) == []  # not "kept: BRAVO" any more
        (settled,) = sync_service.list_conflicts(ctx, include_resolved=True)
        assert settled.id == listed[0][0].id and settled.resolution == "restored"
    assert [open_count(ctx, office) for ctx in (a, b, c)] == [0, 0, 0]
    assert content(a) == content(b) == content(c)


def test_keep_on_one_pc_closes_the_conflict_everywhere_and_changes_no_value(
    office: Office,
) -> None:
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"email": "a@herts.example"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "b@herts.example"})
    office.settle()
    (conflict,) = sync_service.list_conflicts(c)
    sync_service.resolve_conflict(c, conflict.id, use_other=False)  # C met it only from afar
    office.settle()
    for ctx in (a, b, c):
        assert sync_service.list_conflicts(ctx) == []
        person_now = crud.get(ctx.uow(write=False), E.PEOPLE, person.id)
        assert person_now.email == conflict.kept_value
    assert content(a) == content(b) == content(c)


def test_two_pcs_resolving_one_conflict_differently_while_apart(office: Office) -> None:
    """The later resolution wins (last writer wins on the resolution record); the field follows
    the ordinary merge: the value brought back is a newer edit of the field, so it stays."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    office.skew("b", 60 * SECOND_MS)
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ALPHA"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "BRAVO"})
    office.settle()
    (conflict,) = sync_service.list_conflicts(a)
    sync_service.resolve_conflict(a, conflict.id, use_other=True)  # A: use ALPHA
    sync_service.resolve_conflict(b, conflict.id, use_other=False)  # B (clock ahead): keep
    office.settle()
    for ctx in (a, b, c):
        assert sync_service.list_conflicts(ctx) == []
        (settled,) = sync_service.list_conflicts(ctx, include_resolved=True)
        assert settled.resolution == "kept"  # B's resolution is the later one
        assert role(ctx, person.id) == "ALPHA"  # A's edit of the field is the newer change
    resolutions = office.rows("c", "SELECT id, resolution FROM conflict_resolutions")
    assert resolutions == [(conflict.id, "kept")]
    assert office.rows("c", "SELECT count(*) FROM conflicts WHERE table_name LIKE 'conflict%'")[
        0
    ] == (0,)  # two resolutions of one conflict are not a conflict themselves
    assert content(a) == content(b) == content(c)


def test_a_conflict_met_after_its_resolution_arrived_is_born_closed(office: Office) -> None:
    """C meets the conflict only after A's resolution of it has reached C."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ALPHA"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "BRAVO"})
    office.sync("a")
    office.sync("b")
    office.sync("a")  # A meets the conflict; C has seen neither edit
    (conflict,) = sync_service.list_conflicts(a)
    sync_service.resolve_conflict(a, conflict.id, use_other=False)
    office.sync("a")
    office.sync("c")  # C gets both edits and the resolution in one round
    assert conflict.id in stored_ids(office, "c")
    assert sync_service.list_conflicts(c) == []
    office.settle()
    assert [open_count(ctx, office) for ctx in (a, b, c)] == [0, 0, 0]


# ---------------------------------------------------------------------- order of arrival
def _edits_in_three_orders(office: Office) -> str:
    """B edits, A edits, B edits again (on top of its own first edit), and each PC meets them in
    another order: A gets B's two edits in one merge on top of its own, B gets A's edit on top
    of its two, C gets B's first, then B's second with A's, D (a fourth PC) all at once. Also a
    three-way conflict on another field, met in different orders too."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    office.pc("d")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "b1"})
    office.sync("b")
    office.sync("c")  # C holds b1
    time.sleep(0.01)
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "a1"})
    crud.update(c.uow(), E.PEOPLE, person.id, {"email": "c@herts.example"})
    time.sleep(0.01)
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "b2"})  # B had not seen a1
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "b@herts.example"})
    time.sleep(0.01)
    crud.update(a.uow(), E.PEOPLE, person.id, {"email": "a@herts.example"})
    for name in ("b", "c", "a", "c", "b", "d"):
        office.sync(name)
    office.settle()
    return person.id


def test_every_pc_names_the_same_conflicts_whatever_the_order_of_arrival(office: Office) -> None:
    person_id = _edits_in_three_orders(office)
    names = ("a", "b", "c", "d")
    stored = [stored_ids(office, n) for n in names]
    assert stored[0] and all(ids == stored[0] for ids in stored)
    listed = [sync_service.list_conflicts(office.pc(n)) for n in names]
    assert all(rows == listed[0] for rows in listed)
    # b1 was knowingly replaced by B's own b2: only a1 lost on the role, not b1 too
    roles = [r for r in listed[0] if r.column == "role"]
    assert [(r.kept_value, r.lost_value) for r in roles] == [("b2", "a1")]
    assert {r.lost_value for r in listed[0] if r.column == "email"} == {
        "b@herts.example",
        "c@herts.example",
    }
    assert all(r.kept_value == "a@herts.example" for r in listed[0] if r.column == "email")
    assert role(office.pc("a"), person_id) == "b2"
    counts = [open_count(office.pc(n), office) for n in names]
    assert counts == [3, 3, 3, 3]


# ---------------------------------------------------------------------- joining
def test_a_pc_joining_from_a_snapshot_has_the_open_conflicts_and_the_resolutions(
    office: Office,
) -> None:
    a, b = office.pc("a"), office.pc("b")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ALPHA", "email": "a@herts.example"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "BRAVO"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "b@herts.example"})
    office.settle()
    conflicts = {c.column: c for c in sync_service.list_conflicts(a)}
    assert set(conflicts) == {"role", "email"}
    sync_service.resolve_conflict(a, conflicts["email"].id, use_other=False)
    office.settle()
    make_snapshot(office.root / "a" / "hescb.sqlite", office.share, a.device_id, a.clock.now(), "")

    joiner = open_context(office.root / "new")
    joined = sync_service.join_share(joiner, office.share.folder, discard_demo=False)
    office.pcs["new"] = joined
    try:
        before_any_round = sync_service.list_conflicts(joined)
        assert [c.id for c in before_any_round] == [conflicts["role"].id]
        everything = sync_service.list_conflicts(joined, include_resolved=True)
        assert {c.id: c.resolution for c in everything} == {
            conflicts["role"].id: "",
            conflicts["email"].id: "kept",
        }
        office.sync("new")
        assert sync_service.list_conflicts(joined) == sync_service.list_conflicts(a)
        assert open_count(joined, office) == open_count(b, office) == 1
    finally:
        office.pcs.pop("new")
        joined.close()


# ---------------------------------------------------------------------- the command line
def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env={**_env(), "PYTHONIOENCODING": "utf-8", "QT_QPA_PLATFORM": "offscreen"},
        timeout=180,
        check=False,
    )


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}


def _conflicting_pcs(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """Two PCs (set up in-process, then closed) holding one conflict on a person's role."""
    share = tmp_path / "share"
    share.mkdir()
    a = open_context(tmp_path / "a")
    b = open_context(tmp_path / "b")
    save_settings(a.uow(), UserSettings(display_name="Alice (HC)"))
    save_settings(b.uow(), UserSettings(display_name="Bob (HFRS)"))
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam Okafor"}).value
    for ctx in (a, b):
        sync_service.run_sync(ctx, share)
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "ALPHA"})
    time.sleep(0.01)
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "BRAVO"})
    for ctx in (a, b, a):
        sync_service.run_sync(ctx, share)
    a.close()
    b.close()
    return tmp_path / "a", tmp_path / "b", share, person.id


@pytest.mark.slow
def test_cli_lists_resolves_and_the_resolution_reaches_the_other_pc(tmp_path: Path) -> None:
    pc_a, pc_b, share, _person = _conflicting_pcs(tmp_path)
    listed = _cli("--data-dir", pc_a, "conflicts", "--json")
    assert listed.returncode == 0, listed.stderr
    (item,) = json.loads(listed.stdout)
    assert set(item) == {
        "id", "kind", "table", "row_id", "column", "record", "field", "kept", "other",
    }  # fmt: skip
    for side in ("kept", "other"):
        assert set(item[side]) == {"value", "text", "user", "at", "device"}
        assert item[side]["at"].endswith("Z")
    assert (item["kind"], item["table"], item["column"]) == ("field", "people", "role")
    assert item["record"] == "Person: Sam Okafor"
    assert (item["kept"]["value"], item["other"]["value"]) == ("BRAVO", "ALPHA")
    assert (item["kept"]["user"], item["other"]["user"]) == ("Bob (HFRS)", "Alice (HC)")
    on_b = json.loads(_cli("--data-dir", pc_b, "conflicts", "--json").stdout)
    assert [c["id"] for c in on_b] == [item["id"]]  # the same id on the other PC

    text = _cli("--data-dir", pc_b, "conflicts")
    assert text.returncode == 0
    (line,) = text.stdout.splitlines()
    assert line.startswith(item["id"] + '  Person: Sam Okafor · Role: kept "BRAVO" (Bob (HFRS), ')
    assert "this PC);" in line and 'other "ALPHA" (Alice (HC), ' in line and " UTC, PC " in line

    done = _cli("--data-dir", pc_a, "conflicts", "resolve", item["id"], "other")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f'resolved {item["id"]}: Person: Sam Okafor · Role is now "ALPHA"\n'
    assert _cli("--data-dir", pc_a, "conflicts", "--json").stdout.strip() == "[]"
    for pc in (pc_a, pc_b):
        assert _cli("--data-dir", pc, "--share", share, "sync").returncode == 0
    assert json.loads(_cli("--data-dir", pc_b, "conflicts", "--json").stdout) == []
    assert _cli("--data-dir", pc_b, "conflicts").stdout == ""
    status = _cli("--data-dir", pc_b, "sync-status").stdout
    assert "open conflicts: 0" in status
    people = [json.loads(_cli("--data-dir", pc, "export-json").stdout) for pc in (pc_a, pc_b)]
    roles = [[p["role"] for p in data["tables"]["people"]] for data in people]
    assert roles == [["ALPHA"], ["ALPHA"]]


@pytest.mark.slow
def test_cli_refuses_an_unknown_or_settled_id_and_a_bad_choice_changing_nothing(
    tmp_path: Path,
) -> None:
    pc_a, _pc_b, share, _person = _conflicting_pcs(tmp_path)
    (item,) = json.loads(_cli("--data-dir", pc_a, "conflicts", "--json").stdout)
    db = pc_a / "hescb.sqlite"

    def journal() -> list[tuple[object, ...]]:
        import sqlite3

        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT * FROM change_log ORDER BY device_id, seq").fetchall()

    before = journal()
    unknown = _cli("--data-dir", pc_a, "conflicts", "resolve", "not-a-conflict", "keep")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert len(unknown.stderr.splitlines()) == 1 and "no open conflict not-a-conflict" in (
        unknown.stderr
    )
    assert "Traceback" not in unknown.stderr
    bad = _cli("--data-dir", pc_a, "conflicts", "resolve", item["id"], "mine")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert "invalid choice: 'mine'" in bad.stderr
    assert journal() == before  # nothing changed
    assert json.loads(_cli("--data-dir", pc_a, "conflicts", "--json").stdout) == [item]

    kept = _cli("--data-dir", pc_a, "--share", share, "conflicts", "resolve", item["id"], "keep")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout == f'resolved {item["id"]}: kept "BRAVO" for Person: Sam Okafor · Role\n'
    assert "sync: published" in kept.stderr  # --share: the resolution is sent at once
    after = journal()
    again = _cli("--data-dir", pc_a, "conflicts", "resolve", item["id"], "other")
    assert again.returncode == 2 and len(again.stderr.splitlines()) == 1
    assert journal() == after


def test_an_edit_and_a_deletion_made_apart_are_one_conflict_on_every_pc(office: Office) -> None:
    """The edit is stamped BEFORE the deletion, but neither PC saw the other's change. Before,
    only the deleting PC (and a PC that met the deletion first) listed it: the editing PC took
    the later deletion for one made after seeing its edit."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    office.pc("d")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "sam@herts.example"})
    time.sleep(0.01)
    crud.delete(a.uow(), E.PEOPLE, person.id)  # A had not seen B's edit
    office.sync("a")
    office.sync("c")  # C meets the deletion first ...
    office.sync("b")  # ... B meets it on top of its edit ...
    office.sync("c")  # ... C meets the edit later; D meets both at once
    office.settle()
    stored = [stored_ids(office, n) for n in ("a", "b", "c", "d")]
    assert len(stored[0]) == 1 and all(ids == stored[0] for ids in stored)
    for ctx in (a, b, c, office.pc("d")):
        (conflict,) = sync_service.list_conflicts(ctx)
        assert (conflict.kind, conflict.column, conflict.lost_value) == (
            "deleted",
            "email",
            "sam@herts.example",
        )
    (conflict,) = sync_service.list_conflicts(b)
    sync_service.resolve_conflict(b, conflict.id, use_other=True)  # B restores the record
    office.settle()
    for ctx in (a, b, c, office.pc("d")):
        assert sync_service.list_conflicts(ctx) == []
        restored = crud.get(ctx.uow(write=False), E.PEOPLE, person.id)
        assert not restored.deleted and restored.email == "sam@herts.example"
    assert office.rows("a", "SELECT count(*) FROM conflicts") == [(1,)]  # the restore is none


def test_a_deletion_made_after_seeing_an_edit_is_no_conflict_anywhere(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    office.pc("c")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    office.settle()
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "sam@herts.example"})
    office.sync("b")
    office.sync("a")  # A sees the edit, then deletes
    crud.delete(a.uow(), E.PEOPLE, person.id)
    office.settle()
    for name in ("a", "b", "c"):
        assert office.rows(name, "SELECT count(*) FROM conflicts") == [(0,)]


def test_three_edits_made_apart_two_alike_are_the_same_conflicts_on_every_pc(
    office: Office,
) -> None:
    """A and B set the same value, C (clock ahead) another; D meets A, then B, then C; F meets C
    first, then A and B together; E all at once. Before, D stored only B's loss (A's equal value
    made no conflict with B, and C's arrival saw only B) while F stored both: the PCs listed
    one and two open conflicts for the same history. Then C's value is replaced by an edit made
    on top of it (a later edit that knew it): still the same everywhere."""
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    for name in ("d", "e", "f"):
        office.pc(name)
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "Deputy"})
    time.sleep(0.01)
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Deputy"})
    office.skew("c", 60 * SECOND_MS)
    crud.update(c.uow(), E.PEOPLE, person.id, {"role": "Chief"})
    office.sync("c")
    office.sync("f")  # F: C's edit first
    office.sync("a")
    office.sync("d")  # D: A's edit ...
    office.sync("b")
    office.sync("d")  # ... then B's (the same value) ...
    office.sync("f")  # F: A's and B's together, on top of C's
    office.settle()  # D: C's last; E: all at once
    names = ("a", "b", "c", "d", "e", "f")
    listed = [sync_service.list_conflicts(office.pc(n)) for n in names]
    assert all(rows == listed[0] for rows in listed), [len(r) for r in listed]
    assert sorted((r.kept_value, r.lost_value) for r in listed[0]) == [
        ("Chief", "Deputy"),
        ("Chief", "Deputy"),
    ]
    assert [open_count(office.pc(n), office) for n in names] == [2] * 6

    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "Deputy Chief"})  # A has seen Chief
    office.settle()
    listed = [sync_service.list_conflicts(office.pc(n)) for n in names]
    assert all(rows == listed[0] for rows in listed)
    assert {r.kept_value for r in listed[0]} == {"Deputy Chief"}
    assert all(role(office.pc(n), person.id) == "Deputy Chief" for n in names)
    stored = [stored_ids(office, n) for n in names]
    assert all(ids == stored[0] for ids in stored)


def test_a_deletion_and_two_edits_made_apart_are_the_same_conflicts_on_every_pc(
    office: Office,
) -> None:
    a, b, c = office.pc("a"), office.pc("b"), office.pc("c")
    for name in ("d", "e"):
        office.pc(name)
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam", "role": "CFO"}).value
    office.settle()
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "Deputy"})
    time.sleep(0.01)
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Chief"})
    time.sleep(0.01)
    crud.delete(c.uow(), E.PEOPLE, person.id)
    office.sync("c")
    office.sync("d")  # D: the deletion first
    office.sync("b")
    office.sync("a")
    office.sync("e")  # E: the edits, then ...
    office.settle()  # ... the deletion is already in; D the edits later
    names = ("a", "b", "c", "d", "e")
    listed = [sync_service.list_conflicts(office.pc(n)) for n in names]
    assert all(rows == listed[0] for rows in listed), [len(r) for r in listed]
    assert listed[0]
    stored = [stored_ids(office, n) for n in names]
    assert all(ids == stored[0] for ids in stored)
    assert content(a) == content(b) == content(c) == content(office.pc("d"))
