"""Several PCs and one share folder in a tmp dir, for the sync tests (real files, real SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.export import export_all
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.device import last_hlc
from hescb_desktop.sync.clockguard import load_offset
from hescb_desktop.sync.hlc import HybridLogicalClock, wall_ms
from hescb_desktop.sync.round import SyncReport, sync_round
from hescb_desktop.sync.share import Share


class Office:
    """A few PCs and one share, all in a tmp dir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.share = Share(root / "share")
        self.share.folder.mkdir()
        self.pcs: dict[str, ServiceContext] = {}

    def pc(self, name: str) -> ServiceContext:
        if name not in self.pcs:
            self.pcs[name] = open_context(self.root / name)
        return self.pcs[name]

    def sync(self, name: str) -> SyncReport:
        ctx = self.pc(name)
        return sync_round(ctx.engine, self.share, Actor(ctx.device_id, name), ctx.clock)

    def settle(self) -> None:
        for _ in range(2):
            for name in self.pcs:
                self.sync(name)

    def rows(self, name: str, sql: str) -> list[tuple[Any, ...]]:
        with self.pc(name).engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]

    def segments(self, name: str) -> list[Path]:
        return sorted(self.share.segments_dir(self.pc(name).device_id).glob("*.jsonl"))

    def skew(self, name: str, offset_ms: int) -> None:
        """Give a PC a wall clock `offset_ms` away from the real one (as after a restart)."""
        ctx = self.pc(name)
        ctx.clock = HybridLogicalClock(
            last=last_hlc(ctx.engine),
            wall=lambda: wall_ms() + offset_ms,
            offset_ms=load_offset(ctx.engine),  # as the app restarts it (services.context)
        )


def content(ctx: ServiceContext) -> dict[str, object]:
    return export_all(ctx.uow(write=False))["tables"]  # type: ignore[no-any-return]
