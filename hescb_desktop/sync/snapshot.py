"""Snapshots: a consistent copy of the database on the share, for new PCs and long absences.

The copy is made with SQLite's online backup API, stripped of this PC's own state (identity,
settings, cursors, notices, the content keys it opened) and of restricted records' text (only
sealed, in change_log: `storage.restricted.refresh` as a PC without keys), and published with
a manifest naming, for every PC, the last change it contains. A PC that starts from it sets its
cursors from the manifest and replays the segments after them. Its own unpublished changes are
carried across and still published.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hescb_desktop import __version__
from hescb_desktop.storage.restricted import refresh
from hescb_desktop.sync.share import Share, ShareError, check_format, read_json, write_new_file

# `conflicts` travels: every PC derives the same conflicts, under the same ids, from the same
# changes (sync.merger.conflict_id), and a PC that joins from a snapshot must list them too.
LOCAL_ONLY = (
    "local_state",
    "sync_peers",
    "sync_notices",
    "trust_statements",
    "signed_ranges",
    "security_findings",
    "refused_changes",
    "content_keys",  # a reader's opened keys never travel (issue 16)
    "undo_journal",  # this PC's own undo stack (issue 17)
)
MANIFEST = "snapshot manifest"


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    manifest: dict[str, Any]

    @property
    def cursors(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.manifest["cursors"].items()}

    @property
    def hlc(self) -> int:
        return int(self.manifest["hlc"])


def make_snapshot(db_path: Path, share: Share, device_id: str, hlc: int, schema: str) -> Path:
    """Publish a snapshot of `db_path`; returns the snapshot's path on the share."""
    name = f"{device_id}-{hlc:020d}"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "snapshot.sqlite"
        _backup(db_path, copy)
        cursors = _strip_local_state(copy)
        data = copy.read_bytes()
    manifest = {
        "format": 1,
        "app_version": __version__,
        "min_app_version": "0.1.0",
        "schema": schema,
        "device_id": device_id,
        "hlc": hlc,
        "cursors": cursors,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    if share.seal is not None:  # a protected board: signed by this PC (issue 15)
        manifest = share.seal.seal(MANIFEST, manifest)
    folder = share.own_snapshots_dir()  # checks the share is still this board's
    target = folder / f"{name}.sqlite"
    write_new_file(target, data)
    share.check_board()
    write_new_file(folder / f"{name}.json", (json.dumps(manifest, sort_keys=True) + "\n").encode())
    return target


def _backup(src: Path, dst: Path) -> None:
    source = sqlite3.connect(src)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _strip_local_state(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        with conn:
            for table in LOCAL_ONLY:
                conn.execute(f"DELETE FROM {table}")  # fixed names, not user input
            # restricted records as a PC holding no key shows them: their text travels only
            # sealed, in change_log (issue 16); VACUUM below leaves no old page behind
            refresh(conn)
            conn.execute("UPDATE change_log SET published = 1")
            rows = conn.execute("SELECT device_id, max(seq) FROM change_log GROUP BY device_id")
            cursors = {str(d): int(s) for d, s in rows}
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return cursors


def newest_snapshot(share: Share) -> SnapshotInfo | None:
    folder = share.root / "snapshots"
    if not folder.is_dir():
        return None
    best: SnapshotInfo | None = None
    for manifest_path in folder.glob("*.json"):
        try:
            manifest = read_json(manifest_path)
        except ShareError:
            continue
        if not well_formed_manifest(manifest):
            continue  # a crafted or damaged manifest is never the newest (issue 13)
        if share.seal is not None:  # a protected board: only one a secretariat PC signed
            device = manifest.get("device_id")
            opened = (
                share.seal.opened(MANIFEST, device, manifest) if isinstance(device, str) else None
            )
            if opened is None:
                continue
        info = SnapshotInfo(manifest_path.with_suffix(".sqlite"), manifest)
        if info.path.exists() and (best is None or info.hlc > best.hlc):
            best = info
    return best


def well_formed_manifest(manifest: dict[str, Any]) -> bool:
    """The fields a PC reads from a manifest have the types this app writes (else int() would
    fail every PC's round): a clock, per-PC counts, a checksum, a format number."""
    cursors = manifest.get("cursors")
    return (
        type(manifest.get("hlc")) is int
        and type(manifest.get("format", 1)) is int
        and isinstance(manifest.get("sha256"), str)
        and isinstance(cursors, dict)
        and all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in cursors.items())
    )


def fetch_snapshot(info: SnapshotInfo, target: Path) -> None:
    """Copy a snapshot to a local file and check it against its manifest."""
    check_format(info.manifest, f"snapshot {info.path.name}")
    tmp = target.with_name(target.name + ".download")
    shutil.copyfile(info.path, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    if digest != info.manifest.get("sha256"):
        tmp.unlink(missing_ok=True)
        raise ShareError(f"snapshot {info.path.name} does not match its manifest")
    tmp.replace(target)
