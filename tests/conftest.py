"""Fixtures for every test. Qt must be told it has no display before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# each PC's key in its own data folder (0600), never in the account's shared key store
os.environ.setdefault("HESCB_KEY_STORE", "file")

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
