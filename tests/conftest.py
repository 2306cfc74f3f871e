"""Fixtures for every test. Qt must be told it has no display before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# each PC's key in its own data folder (0600), never in the account's shared key store
os.environ.setdefault("HESCB_KEY_STORE", "file")

import faulthandler
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def pc_key_in_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """This PC's signing key goes into the test's data dir (sync.pc_key's file store), never
    into the keyring of the account running the tests; subprocesses inherit it. A test of the
    keyring itself removes the variable and gives keyring a backend of its own."""
    monkeypatch.setenv("HESCB_KEY_STORE", "file")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir; HESCB_DATA_DIR points at it so nothing touches the real home folder."""
    path = tmp_path / "data"
    monkeypatch.setenv("HESCB_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HESCB_LOG_DIR (hescb_desktop.logs) points into tmp_path, for this process and the
    subprocesses it starts: no test writes a log or crash file into the real home folder."""
    path = tmp_path / "logs"
    monkeypatch.setenv("HESCB_LOG_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def collect_garbage_between_tests() -> Iterator[None]:
    """Once a task has run, the app collects garbage only from a GUI-thread timer
    (ui/widgets/worker.GuiThreadCollector); a test that never spins the event loop still gets
    the collections it is due, between tests, so one worker's memory does not grow unbounded."""
    yield
    if "hescb_desktop.ui.widgets.worker" in sys.modules and not gc.isenabled():
        sys.modules["hescb_desktop.ui.widgets.worker"].collect_if_due()


@pytest.fixture(autouse=True)
def account_restored() -> Iterator[None]:
    """Tests that play several PCs in one process set HESCB_TEST_ACCOUNT (the OS account a PC
    runs as) as they go; whatever they leave, the next test starts as the real account."""
    before = os.environ.get("HESCB_TEST_ACCOUNT")
    yield
    if before is None:
        os.environ.pop("HESCB_TEST_ACCOUNT", None)
    else:
        os.environ["HESCB_TEST_ACCOUNT"] = before


HANG_DIR = Path(os.environ.get("HESCB_HANG_DIR", "/tmp/hescb-test-hangs"))


@pytest.fixture(autouse=True)
def stacks_of_a_hung_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """pytest-timeout stops a hung test after `timeout` seconds, and its xdist worker with it,
    printing the stacks where xdist does not show them. So every thread's stack is also written
    to a file in HANG_DIR shortly before; the file goes when the test ends, so only a test that
    never ended (or crashed) leaves one, and `make test` prints it when pytest fails."""
    timeout = request.config.getini("timeout")
    seconds = float(timeout) - 10 if timeout else 0
    if seconds <= 0:
        yield
        return
    HANG_DIR.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = HANG_DIR / f"{worker}-{os.getpid()}.txt"
    with path.open("w") as out:
        out.write(f"{request.node.nodeid} hung ({seconds:.0f} s) or crashed; its stacks:\n")
        out.flush()
        faulthandler.dump_traceback_later(seconds, file=out)
        faulthandler.enable(file=out)  # and a crash (SIGSEGV) writes its stacks there too
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            faulthandler.enable(file=sys.__stderr__)
    path.unlink(missing_ok=True)
