"""This PC's identity in the sync: a device id made on first run, replaced when the database
file is found on another PC or at another path (a copy must never write as the original)."""

from __future__ import annotations

import hashlib
import platform
import sys
import uuid
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.journal import ChangeLog, LocalState


def machine_id() -> str:
    """A stable id of this computer: /etc/machine-id, Windows' MachineGuid, else node + MAC."""
    for candidate in (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id")):
        try:
            text = candidate.read_text().strip()
        except OSError:
            continue
        if text:
            return text
    if sys.platform == "win32":  # exercised on Windows only
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography") as k:
            return str(winreg.QueryValueEx(k, "MachineGuid")[0])
    return f"{platform.node()}-{uuid.getnode():012x}"


def fingerprint(db_path: Path | None) -> str:
    where = str(db_path.resolve()) if db_path is not None else ":memory:"
    return hashlib.sha256(f"{machine_id()}|{where}".encode()).hexdigest()


def read_state(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {k: v for k, v in conn.execute(select(LocalState.key, LocalState.value))}


def ensure_device(engine: Engine, db_path: Path | None) -> tuple[str, bool]:
    """The device id to write with; (id, True) when a new one was made (first run or a copy)."""
    state = read_state(engine)
    here = fingerprint(db_path)
    if state.get("device_id") and state.get("device_fingerprint") == here:
        return state["device_id"], False
    device = new_id()
    with engine.begin() as conn:
        for key, value in {
            "device_id": device,
            "device_fingerprint": here,
            "next_seq": "1",
            "previous_device_id": state.get("device_id", ""),
        }.items():
            stmt = sqlite_insert(LocalState).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    return device, True


def last_hlc(engine: Engine) -> int:
    """The highest hlc this database has handed out or seen, to restart the clock from.

    Every flush and every merge records it in local_state; only a database without that record
    (one restored from a snapshot with nothing carried) is scanned.
    """
    state = read_state(engine)
    if "hlc_last" in state:
        return int(state["hlc_last"])
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(ChangeLog.hlc))).scalar() or 0)
