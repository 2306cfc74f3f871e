"""The app as a real process, for the tests that run it as a user or a script would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# a script adding `count` people in commits of `per_commit` (argv: data dir, prefix, count,
# per_commit): many small segments from a real process
ADD_PEOPLE = """
import sys
from pathlib import Path
from hescb_desktop.services import crud, entities as E
from hescb_desktop.services.context import open_context
ctx = open_context(Path(sys.argv[1]))
prefix, count, per_commit = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for start in range(0, count, per_commit):
    with ctx.uow() as uow:
        for i in range(start, min(start + per_commit, count)):
            crud.add(uow, E.PEOPLE, {"name": f"{prefix} {i}"})
        uow.commit()
ctx.close()
"""


def env(**extra: str) -> dict[str, str]:
    """This process's environment for the app: offscreen, UTF-8, no data dir of its own."""
    clean = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    return {**clean, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8", **extra}


def cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`python -m hescb_desktop ARGS`, its output captured; never raises on its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=timeout,
        check=False,
    )


def add_people(data: Path, prefix: str, count: int, per_commit: int = 50) -> None:
    """`count` people added to the board in `data` by a real process, `per_commit` a commit."""
    made = subprocess.run(
        [sys.executable, "-c", ADD_PEOPLE, str(data), prefix, str(count), str(per_commit)],
        env=env(),
        timeout=300,
        check=False,
    )
    assert made.returncode == 0


def export(data: Path) -> dict[str, object]:
    """The board in `data`, as `export-json` prints it (its tables)."""
    result = cli("--data-dir", data, "export-json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tables"]  # type: ignore[no-any-return]
