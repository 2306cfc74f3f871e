"""The service context: one open database, this PC's identity, its clock and its user."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from hescb_desktop.domain.permissions import Identity, Kind, Operation, Owners
from hescb_desktop.paths import DB_FILENAME, prepare_data_dir
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.database import mark_clean_close, open_database, upgrade
from hescb_desktop.storage.device import ensure_device, last_hlc, read_state
from hescb_desktop.storage.engine import make_engine
from hescb_desktop.storage.guard import refuse_unless
from hescb_desktop.storage.identity import identity_from_state, identity_generation, os_account
from hescb_desktop.storage.uow import UnitOfWork
from hescb_desktop.sync.clockguard import load_offset
from hescb_desktop.sync.hlc import HybridLogicalClock, wall_ms
from hescb_desktop.sync.pc_key import load_or_create
from hescb_desktop.sync.signing import fingerprint, new_key, public_bytes

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_USER = "Executive suite"


@dataclass
class ServiceContext:
    engine: Engine
    db_path: Path | None
    device_id: str
    clock: HybridLogicalClock
    new_device: bool = False
    _key: Ed25519PrivateKey | None = None
    _known: tuple[tuple[int, str], Identity, str] | None = field(default=None, repr=False)

    @property
    def pc_key(self) -> Ed25519PrivateKey:
        """This PC's signing key (made on first use; kept by the OS key store or a file only
        this account can read, never on the share). An in-memory database gets one for the
        life of the process."""
        if self._key is None:
            if self.db_path is None:
                self._key = new_key()
            else:
                self._key = load_or_create(self.db_path.parent, self.device_id)
        return self._key

    @property
    def fingerprint(self) -> str:
        return fingerprint(public_bytes(self.pc_key))

    @property
    def identity(self) -> Identity:
        """The person at the keyboard (issue 15): who this PC's key is enrolled for."""
        return self._who()[0]

    @property
    def user(self) -> str:
        """Who each change is recorded as: the enrolled person's id on a protected board; on a
        board not yet upgraded, the name set in Settings, as before."""
        return self._who()[1]

    def _who(self) -> tuple[Identity, str]:
        """Read once, then kept until the identity's generation (storage.identity) or the OS
        account moves on: a unit of work then opens no connection of its own to know it."""
        key = (identity_generation(self.engine), os_account())
        known = self._known
        if known is not None and known[0] == key:
            return known[1], known[2]
        state = read_state(self.engine)
        identity = identity_from_state(state)
        if identity.protected:
            user = identity.person_id or f"account:{identity.account}"[:120]
        else:
            user = state.get("display_name") or DEFAULT_USER
        self._known = (key, identity, user)
        return identity, user

    def require(self, operation: Operation, kind: Kind, owner_ids: Owners = None) -> None:
        """Raise NotAllowedError (a DomainError: the GUI shows it, the CLI exits 2) unless the
        person at the keyboard may do this."""
        refuse_unless(self.identity, operation, kind, owner_ids)

    def read(
        self, fn: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(uow, ...)` in a read-only unit of work (its own connection): how the GUI reads
        through a service without opening a unit of work itself (issue 17)."""
        return fn(self.uow(write=False), *args, **kwargs)

    def write(
        self, fn: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(uow, ...)` in a new unit of work that writes: for set-up flows and jobs that run
        off the GUI's operations (first run, joining a share); the GUI's edits go through
        ui.operations."""
        return fn(self.uow(), *args, **kwargs)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work that records its changes as this PC's person and refuses what that
        person may not do (`uow.require`, and every flush: storage.guard)."""
        identity = self.identity
        actor = Actor(self.device_id, self.user)
        return UnitOfWork(self.engine, actor, self.clock, write=write, identity=identity)

    def close(self) -> None:
        """Close every connection; a database left whole is marked so the next start can skip
        the integrity check (storage.database.mark_clean_close)."""
        self.engine.dispose()
        if self.db_path is not None:
            mark_clean_close(self.db_path)


def open_context(data_dir: Path, *, create: bool = True) -> ServiceContext:
    """Open (creating or upgrading if needed) the database in `data_dir`."""
    path = (prepare_data_dir(data_dir) if create else data_dir) / DB_FILENAME
    engine = open_database(path, create=create)
    return _context(engine, path)


def memory_context() -> ServiceContext:
    """An in-memory database at the head schema: for tests and the self-test."""
    engine = make_engine(None)
    upgrade(engine)
    return _context(engine, None)


def _context(engine: Engine, path: Path | None) -> ServiceContext:
    device, new = ensure_device(engine, path)
    # a PC found far ahead of the share follows the share's time (sync.clockguard)
    clock = HybridLogicalClock(last=last_hlc(engine), wall=_wall(), offset_ms=load_offset(engine))
    return ServiceContext(engine, path, device, clock, new_device=new)


def _wall() -> Callable[[], int]:
    """This PC's wall clock. HESCB_TEST_CLOCK_AHEAD_MS sets it ahead (or back, if negative) by
    that many milliseconds: a wrong clock in a real process, for tests (in place of faketime,
    which is not always at hand)."""
    ahead = int(os.environ.get("HESCB_TEST_CLOCK_AHEAD_MS", "") or 0)
    return (lambda: wall_ms() + ahead) if ahead else wall_ms
