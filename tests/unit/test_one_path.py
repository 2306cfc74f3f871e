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

import hescb_desktop.cli
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


# ------------------------------------------------------------------ one composer of each PDF
CLI = Path(hescb_desktop.cli.__file__).parent

# what may still import a `reports` module itself: the self-test's sample PDF (no database)
REPORTS_IMPORTS = {"cli/selftest.py": ["hescb_desktop.reports.selftest"]}


def _reports_imports(*roots: Path) -> dict[str, list[str]]:
    """Every import of `hescb_desktop.reports` (or a module in it) under `roots`, by file."""
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                    if node.module == "hescb_desktop":
                        names = [f"hescb_desktop.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    if name == "hescb_desktop.reports" or name.startswith("hescb_desktop.reports."):
                        key = f"{root.name}/{path.relative_to(root).as_posix()}"
                        found.setdefault(key, []).append(name)
    return found


def test_the_gui_and_the_command_line_make_pdfs_only_through_services_documents() -> None:
    """ui/ and cli/ never lay out a PDF themselves: services.documents composes each document
    once, for both (the action log's title had drifted apart between them)."""
    assert _reports_imports(UI, CLI) == REPORTS_IMPORTS, (
        "ui/ or cli/ imported hescb_desktop.reports: call services.documents instead"
    )


def test_the_reports_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "ui" / "pages").mkdir(parents=True)
    (tmp_path / "ui" / "pages" / "p.py").write_text(
        "import hescb_desktop.reports.pack\n"
        "from hescb_desktop import reports\n"
        "def f():\n    from hescb_desktop.reports.minutes import build_minutes_pdf\n"
        "from hescb_desktop.services import documents\n",
        encoding="utf-8",
    )
    assert _reports_imports(tmp_path / "ui") == {
        "ui/pages/p.py": [
            "hescb_desktop.reports.pack",
            "hescb_desktop.reports",
            "hescb_desktop.reports.minutes",
        ]
    }
