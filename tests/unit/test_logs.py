"""The app's log (hescb_desktop/logs.py): a rotating file in the log folder, its tail, the crash
file a native crash leaves and the next start finds, and the CLI's unexpected errors."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hescb_desktop import cli, logs


@pytest.fixture
def logging_on(log_dir: Path) -> Iterator[Path]:
    level = logging.getLogger().level
    path = logs.setup_logging()
    yield path
    logs.stop_logging()
    logging.getLogger().setLevel(level)


def test_the_log_folder_is_the_env_override_in_tests(log_dir: Path) -> None:
    assert logs.log_folder() == log_dir
    assert logs.log_file() == log_dir / "hescb.log"


def test_setup_is_idempotent_and_lines_have_a_time(logging_on: Path) -> None:
    logs.setup_logging()
    ours = [h for h in logging.getLogger().handlers if getattr(h, "hescb_log", False)]
    assert len(ours) == 1
    logging.getLogger("hescb_desktop.test").info("the board was opened")
    line = logs.log_tail().splitlines()[-1]
    assert line.endswith("INFO MainThread hescb_desktop.test: the board was opened")
    assert line[:4].isdigit() and line[4] == "-"  # 2025-12-03 10:11:12,345 ...


def test_the_tail_is_the_last_lines(logging_on: Path) -> None:
    for n in range(300):
        logging.getLogger("hescb_desktop.test").info("line %d", n)
    tail = logs.log_tail(lines=5).splitlines()
    assert len(tail) == 5
    assert tail[-1].endswith("line 299") and tail[0].endswith("line 295")


def test_an_unexpected_exception_is_logged_with_its_traceback(logging_on: Path) -> None:
    def deep_in_the_sync() -> None:
        raise KeyError("no such row")

    try:
        deep_in_the_sync()
    except KeyError as exc:
        logs.log_unexpected("the round stopped", exc)
    text = logging_on.read_text(encoding="utf-8")
    assert "ERROR" in text and "the round stopped" in text
    assert "Traceback (most recent call last)" in text and "deep_in_the_sync" in text


def test_crash_files_with_only_windows_com_noise_are_no_crash() -> None:
    assert logs.is_crash("Fatal Python error: Segmentation fault\n\nCurrent thread ...")
    assert logs.is_crash("Windows fatal exception: access violation\n")
    assert not logs.is_crash("Windows fatal exception: code 0x8001010d\n\nThread 0x1 ...")
    assert not logs.is_crash("")


def test_a_clean_exit_leaves_no_crash_file(log_dir: Path) -> None:
    path = logs.enable_crash_file()
    assert path == log_dir / "crash.txt" and path.exists()
    logs.disable_crash_file()
    assert not path.exists()
    assert logs.take_previous_crash() is None


def test_a_native_crash_leaves_its_stacks_and_the_next_start_finds_them(
    log_dir: Path, logging_on: Path
) -> None:
    code = (
        "import faulthandler; from hescb_desktop import logs; logs.enable_crash_file(); "
        "faulthandler._sigsegv()"
    )
    env = dict(os.environ, PYTHONFAULTHANDLER="")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    assert "Fatal Python error" in (log_dir / "crash.txt").read_text(encoding="utf-8")

    kept = logs.take_previous_crash()
    assert kept is not None and kept.name.startswith("crash-") and kept.exists()
    assert not (log_dir / "crash.txt").exists()
    text = logging_on.read_text(encoding="utf-8")
    assert "closed unexpectedly last time" in text and "Fatal Python error" in text
    assert logs.take_previous_crash() is None  # told once


def test_the_cli_says_one_line_and_logs_the_traceback_of_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], log_dir: Path
) -> None:
    def dispatch_with_a_bug(_args: object, _label: str = "") -> int:
        raise AttributeError("'NoneType' object has no attribute 'title'")

    monkeypatch.setattr(cli, "_dispatch", dispatch_with_a_bug)
    level = logging.getLogger().level
    try:
        status = cli.main(["--data-dir", str(log_dir.parent / "data")])
    finally:
        logs.stop_logging()
        logging.getLogger().setLevel(level)
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unexpected error: AttributeError: 'NoneType' object has no attribute 'title'" in err
    text = (log_dir / "hescb.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "dispatch_with_a_bug" in text
