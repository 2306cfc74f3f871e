"""Fixtures for every test. Qt must be told it has no display before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# each PC's key in its own data folder (0600), never in the account's shared key store
os.environ.setdefault("HESCB_KEY_STORE", "file")

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
def collect_garbage_between_tests() -> Iterator[None]:
    """Once a task has run, the app collects garbage only from a GUI-thread timer
    (ui/widgets/worker.GuiThreadCollector); a test that never spins the event loop still gets
    the collections it is due, between tests, so one worker's memory does not grow unbounded."""
    yield
    if "hescb_desktop.ui.widgets.worker" in sys.modules and not gc.isenabled():
        sys.modules["hescb_desktop.ui.widgets.worker"].collect_if_due()
