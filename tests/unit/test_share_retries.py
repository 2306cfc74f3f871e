"""Share I/O retries transient failures (Windows sharing violations, busy files) with back-off."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from hescb_desktop.sync import share as share_module
from hescb_desktop.sync.share import read_json, with_retries, write_new_file


class Flaky:
    def __init__(self, failures: list[OSError], result: str = "ok") -> None:
        self.failures = failures
        self.calls = 0
        self.result = result

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.result


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(share_module.time, "sleep", slept.append)
    return slept


def test_transient_errors_are_retried_with_back_off(no_sleep: list[float]) -> None:
    sharing_violation = OSError(errno.EACCES, "The process cannot access the file")
    busy = OSError(errno.EBUSY, "busy")
    action = Flaky([sharing_violation, busy])
    assert with_retries(action) == "ok"
    assert action.calls == 3
    assert no_sleep == [0.1, 0.2]


def test_a_persistent_transient_error_is_raised_after_the_last_attempt() -> None:
    action = Flaky([OSError(errno.EACCES, "denied") for _ in range(10)])
    with pytest.raises(OSError, match="denied"):
        with_retries(action, attempts=3)
    assert action.calls == 3


def test_a_missing_file_is_not_retried(tmp_path: Path) -> None:
    action = Flaky([FileNotFoundError(errno.ENOENT, "gone")])
    with pytest.raises(FileNotFoundError):
        with_retries(action)
    assert action.calls == 1


def test_reading_and_publishing_ride_out_a_locked_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "FORMAT"
    assert write_new_file(target, b'{"format": 1}\n')
    real = Path.read_bytes
    failures = [PermissionError(errno.EACCES, "locked by antivirus")]

    def locked_once(self: Path) -> bytes:
        if failures:
            raise failures.pop()
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked_once)
    assert read_json(target) == {"format": 1}
    assert not failures
    assert not write_new_file(target, b"other")  # never replaces
    assert real(target) == b'{"format": 1}\n'
