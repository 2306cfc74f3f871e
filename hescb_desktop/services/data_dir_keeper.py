"""Putting a data folder back exactly as it was when what was tried in it failed (a join)."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import suppress
from pathlib import Path


class DataDirKeeper:
    """A copy of every file in a data dir, taken now, to put it back exactly as it was (files,
    bytes, folders) if what follows fails. The copy is in a private temporary folder (mode 0700)
    on this PC and is removed by `discard`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.existed = data_dir.is_dir()
        self.backup = Path(tempfile.mkdtemp(prefix="hescb-join-"))
        self.files: set[Path] = set()
        self.dirs: set[Path] = set()
        for item in sorted(data_dir.rglob("*")) if self.existed else []:
            rel = item.relative_to(data_dir)
            if item.is_dir() and not item.is_symlink():
                self.dirs.add(rel)
                (self.backup / rel).mkdir(parents=True, exist_ok=True)
            else:
                self.files.add(rel)
                shutil.copy2(item, self.backup / rel, follow_symlinks=False)

    def restore(self, but: Path | None = None) -> None:
        now = sorted(self.data_dir.rglob("*"), reverse=True) if self.data_dir.is_dir() else []
        for item in now:  # deepest first: what was not there goes
            rel = item.relative_to(self.data_dir)
            if item == but:
                continue
            if item.is_dir() and not item.is_symlink():
                if rel not in self.dirs:
                    shutil.rmtree(item)
            elif rel not in self.files:
                item.unlink()
        for rel in sorted(self.dirs):
            (self.data_dir / rel).mkdir(parents=True, exist_ok=True)
        for rel in sorted(self.files):  # what was there comes back, byte for byte
            target = self.data_dir / rel
            if target == but:
                continue
            shutil.copy2(self.backup / rel, target, follow_symlinks=False)
        if not self.existed and but is None and self.data_dir.is_dir():
            with suppress(OSError):
                self.data_dir.rmdir()  # a new PC's folder that the join made

    def discard(self) -> None:
        shutil.rmtree(self.backup, ignore_errors=True)
