"""Several PCs of one protected board on one share, set up through the real command line
(issue 15), as an office would:

- the first PC `init`s (it founds the board: its key is the root, its account the first
  secretariat member) and syncs, which puts the board and its root on the share;
- each other PC `init`s, pins that root on its first sync (`sync --trust-root FP`: the
  fingerprint read out by phone, here taken from the root PC's own key), publishes its join
  request (`enrol-request`), is approved on the first PC (`enrol-approve FP --person NAME
  --role ROLE`) and syncs, after which it publishes, signed, as that person.

Each PC runs under its own OS account name (HESCB_TEST_ACCOUNT = the data folder's name unless
given), as two people at two PCs would. A PC that never publishes need not be enrolled: use
`init` and `pin` alone. Steps that touch different PCs run at the same time (`run_all`), so a
board of N PCs costs about 4 + N command rounds, not 5N.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app_process import env

from hescb_desktop.sync.pc_key import load
from hescb_desktop.sync.signing import fingerprint, public_bytes

Result = subprocess.CompletedProcess[str]


def account(data: Path) -> str:
    """The OS account a test PC's user has: its data folder's name."""
    return data.name


def argv(data: Path, *args: str | Path, share: Path | None = None) -> list[str]:
    where = ["--share", str(share)] if share is not None else []
    return [sys.executable, "-m", "hescb_desktop", "--data-dir", str(data), *where, *map(str, args)]


def run(
    data: Path,
    *args: str | Path,
    share: Path | None = None,
    user: str | None = None,
    timeout: float = 180,
    **extra_env: str,
) -> Result:
    """`python -m hescb_desktop --data-dir DATA [--share SHARE] ARGS` as this PC's user."""
    return subprocess.run(
        argv(data, *args, share=share),
        capture_output=True,
        text=True,
        env=env(HESCB_TEST_ACCOUNT=user or account(data), **extra_env),
        timeout=timeout,
        check=False,
    )


def run_all(commands: Iterable[tuple[Path, Sequence[str | Path], Path | None]]) -> list[Result]:
    """Several PCs' commands (data, args, share) at the same time; their results in order."""
    procs = [
        (
            argv(data, *args, share=share),
            subprocess.Popen(
                argv(data, *args, share=share),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env(HESCB_TEST_ACCOUNT=account(data)),
            ),
        )
        for data, args, share in commands
    ]
    results = []
    for cmd, proc in procs:
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return results


def ok(result: Result) -> Result:
    assert result.returncode == 0, (result.args[3:], result.stdout, result.stderr)
    return result


def pc_fingerprint(data: Path) -> str:
    """The fingerprint of the PC whose data folder this is, as `whoami` shows it (its key)."""
    key = load(data, "")
    assert key is not None, f"no key in {data}"
    return fingerprint(public_bytes(key))


def root_of(share: Path) -> str:
    """The root fingerprint the share points to (what a new PC is shown on its first sync)."""
    return str(json.loads((share / "hescb-sync" / "ROOT").read_text())["root"])


def init(*pcs: Path) -> None:
    """`init` on each PC (each founds a board of its own until it pins another's root)."""
    for result in run_all((data, ["init"], None) for data in pcs):
        ok(result)


def pin(data: Path, share: Path, root: str) -> Result:
    """The PC's first sync on the share, confirming its root: it gives up its own founding."""
    return run(data, "sync", "--trust-root", root, share=share)


def request(data: Path, share: Path) -> str:
    """`enrol-request`: publishes the request; its last line is the PC's fingerprint."""
    done = ok(run(data, "enrol-request", share=share))
    return done.stdout.strip().splitlines()[-1]


def approve(
    by: Path, share: Path, fp: str, person: str, role: str = "secretariat", *extra: str
) -> Result:
    return ok(run(by, "enrol-approve", fp, "--person", person, "--role", role, *extra, share=share))


@dataclass
class Board:
    """A protected board's PCs on one share, the first being its root."""

    share: Path
    root_pc: Path
    pcs: list[Path] = field(default_factory=list)
    fingerprints: dict[Path, str] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return self.fingerprints[self.root_pc]

    def enrol(self, *pcs: Path, role: str = "secretariat", init_first: bool = True) -> None:
        """Each PC (initialised here unless `init_first` is False) pins the root, asks, is
        approved as `role` for a person named after it, and syncs."""
        if init_first:
            init(*pcs)
        for result in run_all((d, ["sync", "--trust-root", self.root], self.share) for d in pcs):
            ok(result)
        asked = run_all((d, ["enrol-request"], self.share) for d in pcs)
        for data, result in zip(pcs, asked, strict=True):
            self.fingerprints[data] = ok(result).stdout.strip().splitlines()[-1]
            approve(self.root_pc, self.share, self.fingerprints[data], person(data), role)
        ok(run(self.root_pc, "sync", share=self.share))  # the people it made, on the share
        for result in run_all((d, ["sync"], self.share) for d in pcs):
            ok(result)
        self.pcs.extend(pcs)

    def sync(self, *pcs: Path) -> list[Result]:
        """One `sync` on each PC given (all of them if none), one after another."""
        return [run(d, "sync", share=self.share) for d in (pcs or self.pcs)]


def person(data: Path) -> str:
    """The board's name for the person at a test PC."""
    return f"Person at {data.name}"


def found(share: Path, data: Path, synced: bool = True) -> Board:
    """`data` inits (if it has no board yet) and founds the board on `share` (made if missing);
    its first sync puts the board and its root there unless `synced` is False."""
    share.mkdir(exist_ok=True)
    if not (data / "hescb.sqlite").exists():
        init(data)
    fp = pc_fingerprint(data)
    if synced:
        ok(run(data, "sync", share=share))
    return Board(share, data, [data], {data: fp})


def board(share: Path, *pcs: Path, role: str = "secretariat") -> Board:
    """A board on `share`: the first PC its root, every other enrolled as `role`, all synced.
    The PCs are initialised here, at the same time."""
    first, *others = pcs
    share.mkdir(exist_ok=True)
    init(*pcs)
    made = found(share, first)
    if others:
        made.enrol(*others, role=role, init_first=False)
    return made
