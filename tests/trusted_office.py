"""A protected board in a tmp dir: a root PC, PCs enrolled with roles, one share (issue 15).

Real SQLite files, a real share folder, real keys (each PC's in its data folder), and the
services the app and the command line use: `found_board`, `request_enrolment`, `approve`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import text

from hescb_desktop.services import sync as sync_service
from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.uow import UnitOfWork
from hescb_desktop.sync.round import SyncReport
from hescb_desktop.sync.share import Share


class TrustedOffice:
    def __init__(self, root: Path, founder: str = "Sally Secretariat") -> None:
        self.root = root
        self.share = Share(root / "share")
        self.share.folder.mkdir()
        self.pcs: dict[str, ServiceContext] = {}
        self.people: dict[str, str] = {}  # PC name -> person id
        ctx = self._open("root")
        self.people["root"] = trust_service.found_board(ctx, founder).person_id
        self.sync("root")
        self.root_fp = ctx.fingerprint

    def _open(self, name: str) -> ServiceContext:
        os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"
        ctx = self.pcs[name] = open_context(self.root / name)
        return ctx

    def add(self, name: str, person: str, role: str, acts_for: list[str] | None = None) -> None:
        """A new PC: pins the root, asks to be enrolled; the root approves it for `person`."""
        ctx = self._open(name)
        sync_service.run_sync(ctx, self.share.folder, self.root_fp)
        fp = trust_service.request_enrolment(ctx, self.share.folder)
        trust_service.approve(self.pc("root"), self.share.folder, fp, person, role, acts_for)
        self.sync(name)
        self.people[name] = ctx.identity.person_id
        assert self.people[name], f"{name} was not enrolled"

    def pc(self, name: str) -> ServiceContext:
        return self.pcs[name]

    def modified_app(self, name: str) -> UnitOfWork:
        """A unit of work as a modified app would open it: the PC's person recorded on every
        change, but no rules checked on this PC (storage.guard is not in the way). What it
        writes must be refused by every other PC on merge."""
        ctx = self.pcs[name]
        return UnitOfWork(ctx.engine, Actor(ctx.device_id, ctx.user), ctx.clock)

    def sync(self, name: str) -> SyncReport:
        os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"
        return sync_service.run_sync(self.pcs[name], self.share.folder)

    def settle(self) -> None:
        for _ in range(2):
            for name in self.pcs:
                self.sync(name)

    def rows(self, name: str, sql: str) -> list[tuple[Any, ...]]:
        with self.pc(name).engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]

    def findings(self, name: str) -> dict[str, str]:
        return dict(self.rows(name, "SELECT item, reason FROM security_findings"))

    def refused(self, name: str) -> list[tuple[Any, ...]]:
        return self.rows(name, "SELECT table_name, column_name, reason FROM refused_changes")

    def close(self) -> None:
        for ctx in self.pcs.values():
            ctx.close()
