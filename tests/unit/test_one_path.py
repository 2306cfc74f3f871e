"""The GUI's edge is one path (issue 17): `ui/` never opens a unit of work itself.

Reads go through `ServiceContext.read` / `Workspace.read` (or `Runner.query`), writes through
the operation runner (`Runner.write`, `Runner.job`, `write_and_wait`); a write in a job or a
set-up flow that runs off the runner's pages (first run, joining a share, inside a Runner.job)
uses `ServiceContext.write`, and only where listed here. The check reads the source (ast), so a
new `ctx.uow()` anywhere in ui/ fails it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hescb_desktop.ui

UI = Path(hescb_desktop.ui.__file__).parent

# `ServiceContext.write` outside the runner's edits: set-up before the window has a board
# (first run), the join job (its own database), and the bodies of Runner.job operations
CONTEXT_WRITES = {
    "first_run.py": 2,  # the partner organisations and the first-run choice
    "sync/jobs.py": 1,  # the share folder as typed, in the joined board's settings
    "packs/copies_dialog.py": 1,  # inside the numbered copies' Runner.job
    "calendar/calendar_files.py": 1,  # inside the .ics import's Runner.job
}


def _calls(attribute: str, root: Path = UI, on: str = "") -> dict[str, list[int]]:
    """Where `X.<attribute>` appears under `root` (with `on`: only where X's source ends so)."""
    found: dict[str, list[int]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == attribute
                and ast.unparse(node.value).endswith(on)
            ):
                found.setdefault(path.relative_to(root).as_posix(), []).append(node.lineno)
    return found


def test_ui_never_opens_a_unit_of_work() -> None:
    assert _calls("uow") == {}, "ui/ opened a unit of work: use ctx.read or the runner"


def test_context_writes_only_where_the_runner_cannot_be_used() -> None:
    writes = {name: len(lines) for name, lines in _calls("write", on="ctx").items()}
    joined = {name: len(lines) for name, lines in _calls("write", on="joined").items()}
    assert writes | joined == CONTEXT_WRITES


def test_the_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scanner sees a unit of work opened, however it is spelled."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p.py").write_text(
        "def f(ws):\n    with ws.ctx.uow() as u:\n        pass\n    make = ws.ctx.uow\n",
        encoding="utf-8",
    )
    assert {k: sorted(v) for k, v in _calls("uow", tmp_path).items()} == {"pages/p.py": [2, 4]}
