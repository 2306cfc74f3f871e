"""Several PCs, each a separate process with its own data dir, syncing through one share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import board_pcs as pcs_
import pytest
from app_process import cli, env

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import open_context
from hescb_desktop.storage.identity import os_account

pytestmark = pytest.mark.slow

ADD_PEOPLE = """
import sys
from pathlib import Path
from hescb_desktop.services import crud, entities as E
from hescb_desktop.services.context import open_context
ctx = open_context(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    crud.create(ctx.uow(), E.PEOPLE, {"name": f"{sys.argv[2]} {i}"})
ctx.close()
"""


def add_people(data: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", ADD_PEOPLE, str(data), prefix, str(count)], env=env(), text=True
    )


def export(data: Path) -> dict[str, object]:
    result = cli("--data-dir", data, "export-json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tables"]  # type: ignore[no-any-return]


def test_three_pcs_converge_through_the_share(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    pcs = [tmp_path / name for name in ("pc1", "pc2", "pc3")]
    pcs_.board(share, *pcs)  # pc1 founds the board; pc2 and pc3 are enrolled, secretariat
    writers = [add_people(data, data.name, 15) for data in pcs]
    assert [w.wait(timeout=180) for w in writers] == [0, 0, 0]
    # all three sync at the same time, twice round
    for _ in range(2):
        rounds = pcs_.run_all((d, ["sync"], share) for d in pcs)
        assert [r.returncode for r in rounds] == [0, 0, 0], rounds
        assert all(r.stdout.startswith("sync: published ") for r in rounds)
    exports = [export(d) for d in pcs]
    assert exports[0] == exports[1] == exports[2]
    people = exports[0]["people"]
    assert isinstance(people, list)
    # the 45 added, and the board's three people enrolled at its PCs (its founder and two)
    assert len(people) == 45 + 3


def test_sync_line_and_status(tmp_path: Path) -> None:
    share, a, b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    share.mkdir()
    pcs_.init(a, b)
    ctx = open_context(a)
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam"}).value
    ctx.close()
    first = cli("--data-dir", a, "--share", share, "sync")  # a founds the share
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sync: published ")
    assert "peers 0" in first.stdout
    second = pcs_.pin(b, share, pcs_.pc_fingerprint(a))  # b only reads: not enrolled
    assert second.returncode == 0, second.stderr
    assert "peers 1" in second.stdout
    assert "merged 0" not in second.stdout
    ctx = open_context(b)
    assert crud.get(ctx.uow(write=False), E.PEOPLE, person.id).name == "Sam"
    ctx.close()
    status = cli("--data-dir", b, "--share", share, "sync-status")
    assert status.returncode == 0
    assert "to send: 0" in status.stdout
    assert "PCs seen: 1" in status.stdout


def test_share_unavailable_exits_1_with_a_reason_and_keeps_working(tmp_path: Path) -> None:
    data = tmp_path / "a"
    assert cli("--data-dir", data, "init").returncode == 0
    result = cli("--data-dir", data, "--share", tmp_path / "gone", "sync")
    assert result.returncode == 1
    assert "working offline" in result.stderr
    assert "Traceback" not in result.stderr
    no_share = cli("--data-dir", data, "sync")
    assert no_share.returncode == 2
    assert "no share folder" in no_share.stderr


def test_join_discards_the_demo_and_takes_the_share(tmp_path: Path) -> None:
    share, real, demo = tmp_path / "share", tmp_path / "real", tmp_path / "demo"
    share.mkdir()
    assert cli("--data-dir", real, "init").returncode == 0
    ctx = open_context(real)
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Real person"})
    ctx.close()
    assert cli("--data-dir", real, "--share", share, "sync").returncode == 0
    assert cli("--data-dir", demo, "init", "--demo").returncode == 0
    root = pcs_.pc_fingerprint(real)
    refused = cli("--data-dir", demo, "--share", share, "sync", "--trust-root", root)
    assert refused.returncode == 2
    assert "demo board" in refused.stderr
    joined = cli(
        "--data-dir", demo, "--share", share, "join", "--discard-demo", "--trust-root", root
    )
    assert joined.returncode == 0, joined.stderr
    names = sorted(p["name"] for p in export(demo)["people"])  # type: ignore[union-attr]
    # the real board's people: the one added and its founder (the account that ran `init`)
    assert names == sorted(["Real person", os_account()])


def test_a_new_pc_joins_without_init(tmp_path: Path) -> None:
    """A PC with no database yet joins with `join --share`: it starts from the share's board.
    Without --share it is refused (exit 2) and no folder is made; a share that is not there
    fails (exit 1) and leaves no database behind."""
    share, office, new_pc = tmp_path / "share", tmp_path / "office", tmp_path / "new"
    share.mkdir()
    assert cli("--data-dir", office, "init").returncode == 0
    ctx = open_context(office)
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Priya Shah"})
    ctx.close()
    assert cli("--data-dir", office, "--share", share, "sync").returncode == 0

    no_share = cli("--data-dir", new_pc, "join")
    assert no_share.returncode == 2 and "--share" in no_share.stderr
    assert not new_pc.exists()
    gone = cli("--data-dir", new_pc, "--share", tmp_path / "unplugged", "join")
    assert gone.returncode == 1 and "not available" in gone.stderr
    assert not list(new_pc.glob("hescb.sqlite*"))

    unconfirmed = cli("--data-dir", new_pc, "--share", share, "join")
    assert unconfirmed.returncode == 1  # shown the board's root fingerprint, to confirm
    assert unconfirmed.stdout.strip() == pcs_.pc_fingerprint(office)
    assert not list(new_pc.glob("hescb.sqlite*"))
    root = unconfirmed.stdout.strip()
    joined = cli("--data-dir", new_pc, "--share", share, "join", "--trust-root", root)
    assert joined.returncode == 0, joined.stderr
    assert export(new_pc) == export(office)
    status = cli("--data-dir", new_pc, "sync-status")
    assert f"share: {share}" in status.stdout, status.stdout


def test_a_write_command_given_a_share_sends_its_change_at_once(tmp_path: Path) -> None:
    """Issue 3: every write command works with --share: `actions add` on one PC, then the other
    PC's `sync` brings the action in; its stdout stays the command's own (the reference)."""
    share = tmp_path / "share"
    share.mkdir()
    a, b = tmp_path / "a", tmp_path / "b"
    pcs_.init(a, b)
    ctx = open_context(a)
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel"})
    ctx.close()
    due = "2099-01-31"
    added = cli(
        "--data-dir", a, "--share", share, "actions", "add",
        "--description", "Joint drone rota", "--owner", "Sam Patel", "--due", due,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().startswith("HESCB/")
    assert added.stderr.startswith("sync: published"), added.stderr
    pinned = pcs_.pin(b, share, pcs_.pc_fingerprint(a))  # b only reads: not enrolled
    assert pinned.returncode == 0, pinned.stderr
    listed = cli("--data-dir", b, "actions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert (row["reference"], row["description"]) == (added.stdout.strip(), "Joint drone rota")


def test_a_write_command_keeps_its_change_when_the_share_fails(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    data = tmp_path / "a"
    assert cli("--data-dir", data, "init").returncode == 0
    ctx = open_context(data)
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel"})
    ctx.close()
    (share / "hescb-sync").write_text("not a folder")  # the share cannot hold the journal
    added = cli(
        "--data-dir", data, "--share", share, "actions", "add",
        "--description", "Kept", "--owner", "Sam Patel", "--due", "2099-01-31",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "sync: not sent, saved on this PC for the next sync" in added.stderr
    listed = cli("--data-dir", data, "actions", "list", "--json")
    assert [row["description"] for row in json.loads(listed.stdout)] == ["Kept"]
