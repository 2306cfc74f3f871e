"""app.py: start-up faults end in a dialog and exit status 2; first run; the start-up probe."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from board_data import BoardFacts
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from hescb_desktop import app
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud
from hescb_desktop.services.context import open_context
from hescb_desktop.services.entities import ORGANISATIONS
from hescb_desktop.services.settings import load_settings
from hescb_desktop.storage.lock import lock_data_dir
from hescb_desktop.ui.first_run_dialog import EMPTY, FirstRunChoice, FirstRunDialog
from hescb_desktop.ui.main_window import MainWindow
from hescb_desktop.ui.widgets.worker import ProgressFn

Errors = list[tuple[str, str]]


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Errors:
    """Critical message boxes, recorded instead of shown."""
    shown: Errors = []

    def critical(parent: QWidget | None, title: str, text: str, *args: object) -> int:
        shown.append((title, text))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


@pytest.fixture
def sessions(qtbot: QtBot) -> Iterator[list[app.GuiSession]]:
    started: list[app.GuiSession] = []
    yield started
    for session in started:
        session.window.close()
        session.close()


def _start(sessions: list[app.GuiSession], qtbot: QtBot, data_dir: Path) -> app.GuiSession:
    session = app.start_gui(data_dir)
    assert isinstance(session, app.GuiSession)
    qtbot.addWidget(session.window)
    sessions.append(session)
    return session


def test_opens_the_main_window_on_a_board(
    qtbot: QtBot, board: BoardFacts, data_dir: Path, errors: Errors, sessions: list[app.GuiSession]
) -> None:
    session = _start(sessions, qtbot, data_dir)
    assert isinstance(session.window, MainWindow)
    assert errors == []


def test_a_second_instance_on_the_same_data_dir_is_refused(
    board: BoardFacts, data_dir: Path, errors: Errors
) -> None:
    held = lock_data_dir(data_dir)
    try:
        assert app.start_gui(data_dir) == 2
    finally:
        held.release()
    assert len(errors) == 1
    title, text = errors[0]
    assert "already open" in title
    assert str(data_dir) in text


def test_the_first_instance_keeps_the_lock_until_it_closes(
    qtbot: QtBot, board: BoardFacts, data_dir: Path, errors: Errors, sessions: list[app.GuiSession]
) -> None:
    first = _start(sessions, qtbot, data_dir)
    assert app.start_gui(data_dir) == 2
    assert "already open" in errors[0][0]
    first.window.close()
    first.close()
    sessions.remove(first)
    _start(sessions, qtbot, data_dir)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(
    data_dir: Path, errors: Errors
) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / DB_FILENAME
    junk = b"these are the minutes, not a database\n" * 50
    db.write_bytes(junk)
    assert app.start_gui(data_dir) == 2
    assert db.read_bytes() == junk
    assert errors[0][0] == "Cannot open the database"
    assert "not an HESCB Desktop database" in errors[0][1]
    assert app.start_gui(data_dir) == 2  # and the lock was given back


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path, errors: Errors) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("x")
    assert app.start_gui(a_file) == 2
    assert errors[0][0] == "Cannot use the data folder"
    assert a_file.read_text() == "x"


def test_a_missing_share_folder_is_refused(
    board: BoardFacts, data_dir: Path, tmp_path: Path, errors: Errors
) -> None:
    assert app.start_gui(data_dir, tmp_path / "no-share") == 2
    assert errors[0][0] == "Cannot use the share folder"


def test_first_run_asks_and_starts_empty(
    qtbot: QtBot,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    errors: Errors,
    sessions: list[app.GuiSession],
) -> None:
    asked: list[bool] = []

    def ask(parent: QWidget | None = None) -> FirstRunChoice:
        asked.append(True)
        return FirstRunChoice(EMPTY)

    monkeypatch.setattr(FirstRunDialog, "ask", ask)
    session = _start(sessions, qtbot, data_dir)
    assert asked == [True]
    codes = {o.code for o in crud.list_all(session.ctx.uow(write=False), ORGANISATIONS)}
    assert codes == {"HC", "HFRS", "HCC", "OPCC"}
    session.window.close()
    session.close()
    sessions.remove(session)
    asked.clear()
    _start(sessions, qtbot, data_dir)
    assert asked == []  # asked once only


def test_closing_the_first_run_dialog_quits_and_sets_nothing_up(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FirstRunDialog, "ask", lambda parent=None: None)
    assert app.start_gui(data_dir) == 0
    ctx = open_context(data_dir)
    try:
        assert load_settings(ctx.uow(write=False)).first_run_choice == ""
        assert app.database_is_empty(ctx)
    finally:
        ctx.close()


def test_a_board_made_elsewhere_skips_the_first_run_question(
    qtbot: QtBot,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    sessions: list[app.GuiSession],
) -> None:
    data_dir.mkdir(parents=True)
    ctx = open_context(data_dir)
    crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Hertfordshire Constabulary"})
    ctx.close()

    def ask(parent: QWidget | None = None) -> None:
        raise AssertionError("a board with data is not a first run")

    monkeypatch.setattr(FirstRunDialog, "ask", ask)
    _start(sessions, qtbot, data_dir)


def test_a_failed_demo_build_is_shown_and_exits_2(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, errors: Errors
) -> None:
    def broken(ctx: object, scale: str = "small", progress: ProgressFn | None = None) -> None:
        raise RuntimeError("demo data is broken")

    monkeypatch.setattr(FirstRunDialog, "ask", lambda parent=None: FirstRunChoice("demo"))
    monkeypatch.setattr(app, "build_demo", lambda: broken)
    assert app.start_gui(data_dir) == 2
    assert errors == [("The demo board could not be built", "demo data is broken")]


def test_seconds_since_start_is_plausible() -> None:
    assert 0 < app.seconds_since_start() < 24 * 3600


def _run_gui_process(data_dir: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from pathlib import Path; from hescb_desktop.app import run_gui; "
    code += "sys.exit(run_gui(Path(sys.argv[1])))"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HESCB_BENCH_EXIT_AFTER_SHOW="1")
    return subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_bench_mode_prints_the_time_to_first_show_and_exits_0(
    board: BoardFacts, data_dir: Path
) -> None:
    done = _run_gui_process(data_dir)
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    assert [words[0] for words in lines] == ["shown", "ready"]
    shown, ready = (float(words[1]) for words in lines)
    assert 0 < shown <= ready < 60


@pytest.mark.slow
def test_bench_mode_never_waits_at_the_first_run_question(data_dir: Path) -> None:
    done = _run_gui_process(data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("shown ")
    assert "\nready " in done.stdout


def test_the_window_shows_before_the_database_layers_are_imported(tmp_path: Path) -> None:
    """The frame needs Qt alone: importing app and building the frame loads no SQLAlchemy."""
    code = (
        "import sys; from pathlib import Path; from hescb_desktop import app; "
        "qt = app.application(); frame = app.open_frame(Path(sys.argv[1])); "
        "frame.window.show(); qt.processEvents(); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' "
        "or m.startswith(('hescb_desktop.storage.models', 'hescb_desktop.services'))); "
        "print(frame.window.isVisible(), frame.window.is_attached, heavy[:3]); frame.abandon()"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "True False []"


def test_the_frame_waits_for_its_board_then_opens_home(
    qtbot: QtBot, board: BoardFacts, data_dir: Path, sessions: list[app.GuiSession]
) -> None:
    frame = app.open_frame(data_dir)
    assert isinstance(frame, app.Frame)
    qtbot.addWidget(frame.window)
    window = frame.window
    assert not window.is_attached
    assert not window.settings_action.isEnabled()
    assert not window.undo_action.isEnabled()
    assert window.statusBar().currentMessage() == "Opening the board…"
    session = app.load_board(frame)
    assert isinstance(session, app.GuiSession)
    sessions.append(session)
    assert window.is_attached
    assert window.settings_action.isEnabled()
    assert window.statusBar().currentMessage() == ""
    assert window.current_index == 0
    assert type(window.current_page()).__name__ == "HomePage"
    assert all(action.isEnabled() for action in window.page_actions)


def _revision(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def test_a_board_from_an_older_app_is_upgraded_off_the_gui_thread(
    qtbot: QtBot,
    board: BoardFacts,
    data_dir: Path,
    errors: Errors,
    sessions: list[app.GuiSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The migrations of a large board take seconds: they run on a worker behind a busy dialog,
    then the board opens at the newest schema with its rows."""
    import threading

    from schema_history import downgrade

    from hescb_desktop.storage import database

    db = data_dir / DB_FILENAME
    downgrade(db, "0003")
    threads: list[bool] = []
    real_upgrade = database.upgrade

    def watched(engine: object) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        real_upgrade(engine)  # type: ignore[arg-type]

    monkeypatch.setattr(database, "upgrade", watched)
    session = _start(sessions, qtbot, data_dir)
    assert errors == []
    assert threads == [False]  # upgraded once, not on the GUI thread
    assert _revision(db) == database.head_revision()
    assert (data_dir / f"{DB_FILENAME}.before-{database.head_revision()}").is_file()
    assert crud.list_all(session.ctx.uow(write=False), ORGANISATIONS)


def test_an_upgrade_that_fails_is_shown_and_changes_nothing(
    board: BoardFacts, data_dir: Path, errors: Errors
) -> None:
    import sqlite3

    from schema_history import downgrade

    db = data_dir / DB_FILENAME
    downgrade(db, "0003")
    conn = sqlite3.connect(db)  # a reference to an action that is not there
    conn.execute(
        "INSERT INTO action_updates (id, action_id, note, deleted)"
        " VALUES ('broken-update', 'no-such-action', 'lost', 0)"
    )
    conn.commit()
    conn.close()
    assert app.start_gui(data_dir) == 2
    assert errors[0][0] == "Cannot open the database"
    assert "broken reference" in errors[0][1] and "left as it was" in errors[0][1]
    assert _revision(db) == "0003"


# ---------------------------------------------------------------------- a damaged board (issue 13)
def _damaged_pc_on_a_share(data_dir: Path, tmp_path: Path) -> Path:
    """This PC joined a share (which holds a snapshot), typed a person it never sent, and its
    file was then damaged; the other PC published another person after the snapshot."""
    from damage import break_page_of

    from hescb_desktop.services import sync as sync_service
    from hescb_desktop.services.entities import PEOPLE

    share = tmp_path / "share"
    share.mkdir()
    other = open_context(tmp_path / "other")
    for i in range(150):
        crud.create(other.uow(), PEOPLE, {"name": f"Person {i}", "role": "r" * 150})
    sync_service.run_sync(other, share)  # the first round publishes a snapshot
    mine = sync_service.join_share(open_context(data_dir), share, discard_demo=False)
    crud.create(mine.uow(), PEOPLE, {"name": "Typed here, never sent"})
    mine.close()
    crud.create(other.uow(), PEOPLE, {"name": "Published after the snapshot"})
    sync_service.run_sync(other, share)
    other.close()
    break_page_of(data_dir / DB_FILENAME, "people", b"Person 120")
    return share


def test_a_damaged_board_is_recovered_off_the_gui_thread_and_opens(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    errors: Errors,
    sessions: list[app.GuiSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from hescb_desktop.services import recovery
    from hescb_desktop.services.entities import PEOPLE
    from hescb_desktop.services.sync import sync_status

    share = _damaged_pc_on_a_share(data_dir, tmp_path)
    asked: list[str] = []
    told: list[tuple[str, str]] = []
    on_gui_thread: list[bool] = []

    def ask(message: str, parent: QWidget | None) -> bool:
        asked.append(message)
        return True  # Recover…

    def information(parent: QWidget | None, title: str, text: str, *args: object) -> int:
        told.append((title, text))
        return int(QMessageBox.StandardButton.Ok.value)

    real = recovery.recover

    def watched(*args: object, **kwargs: object) -> recovery.Recovery:
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "ask_to_recover", ask)
    monkeypatch.setattr(QMessageBox, "information", information)
    monkeypatch.setattr(recovery, "recover", watched)
    session = _start(sessions, qtbot, data_dir)
    assert errors == []
    assert len(asked) == 1 and "is damaged" in asked[0]
    assert on_gui_thread == [False]
    title, text = told[0]
    assert title == "Board recovered"
    assert text.startswith("Recovered from the share's snapshot of ")
    assert (
        " and 8 changes from the journal; kept 8 changes this PC had not sent;" in text
    )  # a person
    names = {p.name for p in crud.list_all(session.ctx.uow(write=False), PEOPLE)}
    assert {"Typed here, never sent", "Published after the snapshot", "Person 120"} <= names
    assert len(names) == 152
    assert any(p.name.startswith(f"{DB_FILENAME}.damaged-") for p in data_dir.iterdir())
    assert sync_status(session.ctx, str(share)).pending == 0  # the round after it sent it


def test_a_damaged_board_is_left_as_it_was_when_the_user_quits(
    data_dir: Path, tmp_path: Path, errors: Errors, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    _damaged_pc_on_a_share(data_dir, tmp_path)
    db = data_dir / DB_FILENAME
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    monkeypatch.setattr(app, "ask_to_recover", lambda message, parent: False)  # Quit
    assert app.start_gui(data_dir) == 2
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not any(p.name.startswith(f"{DB_FILENAME}.damaged-") for p in data_dir.iterdir())
