"""The `hescb-desktop` command line, run as a real subprocess, bad input included."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from hescb_desktop import __version__
from hescb_desktop.paths import DB_FILENAME, LOCK_FILENAME
from hescb_desktop.services.context import open_context

pytestmark = pytest.mark.slow


def run(
    *args: str | Path, timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HESCB_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "hescb_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2 with exactly one line on stderr, no traceback, naming what went wrong."""
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hescb-desktop: error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def initialised(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    result = run("--data-dir", data, "init")
    assert result.returncode == 0, result.stderr
    return data


# ---------------------------------------------------------------- happy paths


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"hescb-desktop {__version__}"


def test_selftest_on_a_fresh_data_dir_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    result = run("--data-dir", data, "selftest")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"selftest: ok (no database in {data} yet (the folder can be")
    assert not data.exists()


def test_selftest_with_qt_checks_the_fonts_and_the_pdf_preview(tmp_path: Path) -> None:
    result = run("--data-dir", tmp_path / "data", "selftest", "--qt")
    assert result.returncode == 0, result.stderr
    assert "font families, PDF preview ok)" in result.stdout


def test_selftest_on_an_initialised_data_dir_changes_nothing(initialised: Path) -> None:
    db = initialised / DB_FILENAME
    before = sha(db)
    result = run("selftest", "--data-dir", initialised)  # options after the command work too
    assert result.returncode == 0, result.stderr
    assert f"selftest: ok ({db}" in result.stdout
    assert "integrity ok" in result.stdout
    assert sha(db) == before


def test_init_creates_the_database_and_a_second_init_refuses(initialised: Path) -> None:
    db = initialised / DB_FILENAME
    before = sha(db)
    result = run("--data-dir", initialised, "init", "--demo")
    assert_refused(result, "already holds data", "--data-dir")
    assert sha(db) == before


def test_the_entry_point_loads_no_heavy_module_before_a_command_needs_it() -> None:
    """The GUI's start-up budget: the command line itself costs almost nothing. The GUI starts
    through the same parser, so building it (every sub-command registered) loads no database or
    PDF layer either (a board command's module once loaded SQLAlchemy there: 0.28 s)."""
    probe = (
        "import sys, json, hescb_desktop.cli as c; c.build_parser(); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    modules = json.loads(result.stdout)
    loaded = {m.split(".")[0] for m in modules}
    assert loaded.isdisjoint({"reportlab", "pypdf", "sqlalchemy", "alembic", "PySide6"})
    ours = [m for m in modules if m.startswith(("hescb_desktop.storage", "hescb_desktop.services"))]
    assert ours == []


def test_no_command_starts_the_gui(initialised: Path) -> None:
    from hescb_desktop.app import BENCH_ENV  # makes the window quit once it has been shown

    result = run("--data-dir", initialised, **{BENCH_ENV: "1"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("selftest", "init", "export-json", "--data-dir", "--share"):
        assert command in result.stdout


def test_init_accepts_a_database_the_app_created_but_never_filled(tmp_path: Path) -> None:
    open_context(tmp_path).close()  # what the GUI leaves when its first-run question is dismissed
    result = run("--data-dir", tmp_path, "init")
    assert result.returncode == 0, result.stderr
    assert_refused(run("--data-dir", tmp_path, "init"), "already holds data")


def test_export_json_of_an_empty_database_is_stable(initialised: Path) -> None:
    first = run("--data-dir", initialised, "export-json")
    second = run("--data-dir", initialised, "export-json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["format"] == "hescb-export/1"
    assert data["tables"]
    people = data["tables"].pop("people")  # init made this account the board's founder
    assert len(people) == 1 and people[0]["name"] == getpass.getuser()
    stages = data["tables"].pop("board_stages")  # the planning board's five default columns
    assert [s["name"] for s in stages] == [
        "Proposed",
        "Scoping",
        "In delivery",
        "Embedding",
        "Closed",
    ]
    assert all(rows == [] for rows in data["tables"].values())


def test_init_demo_then_export_json(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = run("--data-dir", data, "init", "--demo")
    assert result.returncode == 0, result.stderr
    assert "100% Demo board ready" in result.stderr  # progress lines go to stderr
    exported = run("--data-dir", data, "export-json")
    assert exported.returncode == 0, exported.stderr
    tables = json.loads(exported.stdout)["tables"]
    assert {org["code"] for org in tables["organisations"]} >= {"HC", "HFRS", "HCC", "OPCC"}
    assert len(tables["people"]) >= 10
    assert len(tables["actions"]) >= 10
    assert exported.stdout == run("--data-dir", data, "export-json").stdout
    assert_refused(run("--data-dir", data, "init", "--demo"), "already holds data")


def test_init_demo_makes_this_account_its_secretariat_on_a_protected_board(
    tmp_path: Path,
) -> None:
    """Issue 15: `init --demo` makes the OS account one of the demo's people (its programme
    manager, secretariat), and this PC (its key's fingerprint) the board's root."""
    from hescb_desktop.domain.permissions import Role
    from hescb_desktop.storage.device import read_state
    from hescb_desktop.sync import pc_key
    from hescb_desktop.sync.signing import fingerprint, public_bytes

    data = tmp_path / "demo"
    result = run("--data-dir", data, "init", "--demo", HESCB_TEST_ACCOUNT="HERTS\\tom.h")
    assert result.returncode == 0, result.stderr
    assert "you (HERTS\\tom.h) are Tom Haldane, secretariat" in result.stderr
    ctx = open_context(data, create=False)
    try:
        me = ctx.identity
        key = pc_key.load(data, ctx.device_id)
        state = read_state(ctx.engine)
    finally:
        ctx.close()
    assert (me.name, me.role, me.account, me.protected) == (
        "Tom Haldane",
        Role.SECRETARIAT,
        "HERTS\\tom.h",
        True,
    )
    assert key is not None and state["trust_root"] == fingerprint(public_bytes(key))
    assert state["demo_board"] == "1"
    plain = tmp_path / "plain"
    assert run("--data-dir", plain, "init").returncode == 0
    ctx = open_context(plain, create=False)
    try:
        assert read_state(ctx.engine).get("demo_board") is None  # only the demo is the demo
    finally:
        ctx.close()


def test_export_json_to_a_file(initialised: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.json"
    result = run("--data-dir", initialised, "export-json", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == run("--data-dir", initialised, "export-json").stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("command", ["selftest", "init", "export-json"])
def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path, command: str) -> None:
    not_a_dir = tmp_path / "notes.txt"
    not_a_dir.write_text("hello")
    assert_refused(run("--data-dir", not_a_dir, command), "is a file")
    assert not_a_dir.read_text() == "hello"


def test_a_data_dir_that_cannot_be_made_is_refused(tmp_path: Path) -> None:
    parent = tmp_path / "a-file"
    parent.write_text("")
    assert_refused(run("--data-dir", parent / "data", "init"), "cannot create data dir")


@pytest.mark.parametrize("command", ["init", "export-json"])
def test_a_database_that_is_not_sqlite_is_left_alone(tmp_path: Path, command: str) -> None:
    db = tmp_path / DB_FILENAME
    db.write_text("this is not a database\n" * 50)
    before = sha(db)
    assert_refused(run("--data-dir", tmp_path, command), "not an SQLite file")
    assert sha(db) == before
    assert {p.name for p in tmp_path.iterdir()} <= {DB_FILENAME, LOCK_FILENAME}


@pytest.mark.parametrize(("command", "status"), [("init", 2), ("export-json", 2), ("selftest", 1)])
def test_another_programs_sqlite_file_is_left_alone(
    tmp_path: Path, command: str, status: int
) -> None:
    db = tmp_path / DB_FILENAME
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = sha(db)
    result = run("--data-dir", tmp_path, command)
    assert result.returncode == status
    assert "not an HESCB Desktop database" in result.stderr
    assert sha(db) == before


def test_selftest_reports_a_bad_database_as_failed(tmp_path: Path) -> None:
    db = tmp_path / DB_FILENAME
    db.write_text("garbage")
    result = run("--data-dir", tmp_path, "selftest")
    assert result.returncode == 1
    assert result.stderr.startswith("selftest: FAILED: ")
    assert "Traceback" not in result.stderr
    assert db.read_text() == "garbage"


@pytest.mark.parametrize("command", ["init", "export-json", "selftest"])
def test_a_database_from_a_newer_app_asks_for_an_update(initialised: Path, command: str) -> None:
    db = initialised / DB_FILENAME
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.close()
    before = sha(db)
    result = run("--data-dir", initialised, command)
    assert result.returncode == (1 if command == "selftest" else 2)
    assert "update the app" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha(db) == before


@pytest.mark.parametrize("name", [DB_FILENAME, f"{DB_FILENAME}-wal", LOCK_FILENAME])
def test_export_json_never_writes_over_the_database(initialised: Path, name: str) -> None:
    db = initialised / DB_FILENAME
    before = sha(db)
    assert_refused(run("--data-dir", initialised, "export-json", "-o", initialised / name))
    assert sha(db) == before


def test_export_json_never_creates_a_database(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    assert_refused(run("--data-dir", data, "export-json"), "init")
    assert list(data.iterdir()) == []


def test_export_json_to_a_missing_folder(initialised: Path, tmp_path: Path) -> None:
    assert_refused(
        run("--data-dir", initialised, "export-json", "-o", tmp_path / "no" / "x.json"),
        "cannot write",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["--no-such-option"],
        ["init", "--scale", "huge"],
        ["init", "--scale", "large"],
        ["export-json", "-o"],
        ["--share", "/definitely/not/here", "selftest"],
        ["--share", "/definitely/not/here"],  # checked before the GUI starts
    ],
)
def test_bad_arguments_give_one_line(args: list[str], tmp_path: Path) -> None:
    assert_refused(run("--data-dir", tmp_path / "d", *args))
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- the lock

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hescb_desktop.storage.lock import lock_data_dir
    lock = lock_data_dir(Path(sys.argv[1]))
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A data dir whose lock another process holds (as the GUI does)."""
    data = tmp_path / "data"
    data.mkdir()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "locked"
            yield data
        finally:
            holder.kill()


def test_init_refuses_while_another_process_holds_the_data_dir(locked: Path) -> None:
    assert_refused(run("--data-dir", locked, "init"), "already open")
    assert not (locked / DB_FILENAME).exists()


# ---------------------------------------------------------------- a damaged database (issue 13)


@pytest.fixture
def rotted(tmp_path: Path) -> Path:
    """A board closed cleanly, then bit rot inside one of its table's pages that keeps the
    file's size and time, so the clean-close marker still matches them."""
    from damage import rot_text

    from hescb_desktop.services import crud
    from hescb_desktop.services import entities as E

    data = tmp_path / "data"
    ctx = open_context(data)
    for i in range(200):
        crud.create(ctx.uow(), E.PEOPLE, {"name": f"Person {i}", "role": f"Role {i} " + "x" * 200})
    ctx.close()
    rot_text(data / DB_FILENAME, b"Role 150 ")  # not in any index: even integrity_check passes
    return data


def test_a_rotted_database_is_refused_before_any_write(rotted: Path) -> None:
    """It used to open, take the new action and be marked clean again."""
    db = rotted / DB_FILENAME
    before = sha(db)
    add = ["actions", "add", "--description", "Agree the estates plan", "--owner", "Person 1"]
    for _ in range(2):
        result = run("--data-dir", rotted, *add, "--due", "2030-01-31")
        assert_refused(result, "is damaged", "recover")
    assert sha(db) == before


def test_selftest_reports_a_rotted_database_as_damaged(rotted: Path) -> None:
    db = rotted / DB_FILENAME
    before = sha(db)
    result = run("--data-dir", rotted, "selftest")
    assert result.returncode == 1
    assert result.stderr.startswith("selftest: FAILED: ") and "is damaged" in result.stderr
    assert "recover" in result.stderr and "Traceback" not in result.stderr
    assert sha(db) == before
