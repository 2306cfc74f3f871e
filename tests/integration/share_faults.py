"""A share that cannot be written: read-only (a read-only bind mount) or full (a small tmpfs).

Real mounts when this process may make them (root on Linux, as in CI). Elsewhere the same
faults are simulated: the share module's real write helper raises the errno a real mount gives
(EROFS, ENOSPC), for writes into the share folder only. Each helper yields which it used.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hescb_desktop.sync import share as share_module


def _run(*args: str | Path) -> bool:
    try:
        done = subprocess.run([*map(str, args)], capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0


def _simulate(folder: Path, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real helper, failing as the mount would for paths inside `folder`."""
    real_temp, real_mkdir = share_module._write_temp, Path.mkdir
    inside = folder.resolve()

    def failing_temp(path: Path, data: bytes) -> Path:
        if path.resolve().is_relative_to(inside):
            raise OSError(code, os.strerror(code), str(path))
        return real_temp(path, data)

    def failing_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.resolve().is_relative_to(inside) and not self.is_dir():
            raise OSError(code, os.strerror(code), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(share_module, "_write_temp", failing_temp)
    monkeypatch.setattr(Path, "mkdir", failing_mkdir)


@contextmanager
def read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`folder` read-only while inside: a read-only bind mount of it onto itself."""
    if _run("mount", "--bind", folder, folder):
        if _run("mount", "-o", "remount,bind,ro", folder):
            try:
                yield "read-only bind mount"
            finally:
                _run("umount", folder)
            return
        _run("umount", folder)
    with monkeypatch.context() as patch:
        _simulate(folder, errno.EROFS, patch)
        yield "simulated EROFS"


@contextmanager
def small_disk(folder: Path) -> Iterator[bool]:
    """`folder` on an 8 MB tmpfs while inside (empty at first); yields False if none could be
    mounted (then `full` simulates)."""
    folder.mkdir(exist_ok=True)
    if not _run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", folder):
        yield False
        return
    try:
        yield True
    finally:
        _run("umount", folder)


@contextmanager
def full(folder: Path, mounted: bool, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The small disk under `folder` filled to the last byte while inside."""
    if not mounted:
        with monkeypatch.context() as patch:
            _simulate(folder, errno.ENOSPC, patch)
            yield "simulated ENOSPC"
        return
    filler = folder / "filler.bin"
    with (
        filler.open("wb", buffering=0) as fh,
        pytest.raises(OSError, match="No space left") as filled,
    ):
        while True:
            fh.write(b"\0" * 4096)
    assert filled.value.errno == errno.ENOSPC
    try:
        yield "full tmpfs"
    finally:
        filler.unlink()
