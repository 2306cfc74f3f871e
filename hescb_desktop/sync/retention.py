"""Retention: snapshots now and then, and removing this PC's own old segments once safe.

A segment of ours may go only when every *active* PC (one whose device.json changed within the
retention window) has acknowledged it, and the newest snapshot contains it (so a new PC, or one
that was away longer than the window, can start from the snapshot instead).
"""

from __future__ import annotations

import time
from typing import Any

from hescb_desktop.sync.segments import parse_name
from hescb_desktop.sync.share import Share, ShareError, read_json
from hescb_desktop.sync.snapshot import SnapshotInfo, newest_snapshot

RETENTION_DAYS = 30
SNAPSHOT_EVERY_S = 24 * 3600
KEEP_OWN_SNAPSHOTS = 2
GRACE_S = 7 * 86400  # segments younger than this stay, whatever the acknowledgements say


def active_peers(share: Share, me: str, days: int = RETENTION_DAYS) -> list[str]:
    cutoff = time.time() - days * 86400
    peers = []
    for device in share.devices():
        info = share.device_dir(device) / "device.json"
        if device != me and info.exists() and info.stat().st_mtime >= cutoff:
            peers.append(device)
    return peers


def acknowledged(share: Share, me: str, peers: list[str]) -> int:
    """The highest seq of ours that every listed peer has merged (0 if any has not said)."""
    lowest: int | None = None
    for peer in peers:
        acks = read_acks(share, peer)
        if acks is None:
            return 0
        seen = acks.get(me, 0)
        if type(seen) is not int:  # a crafted or damaged ack.json acknowledges nothing
            return 0
        lowest = seen if lowest is None else min(lowest, seen)
    return lowest or 0


ACK = "ack"


def read_acks(share: Share, peer: str) -> dict[str, Any] | None:
    """What `peer` says it has merged of each PC (None: unreadable, or on a protected board not
    signed by that PC's enrolled key: it acknowledges nothing)."""
    try:
        acks = read_json(share.device_dir(peer) / "ack.json")
    except ShareError:
        return None
    if share.seal is None:
        return acks
    opened = share.seal.opened(ACK, peer, acks)
    cursors = opened.get("cursors") if opened is not None else None
    return cursors if isinstance(cursors, dict) else None


def prune_own_segments(
    share: Share,
    me: str,
    days: int = RETENTION_DAYS,
    min_age_s: float = GRACE_S,
    removed: list[tuple[int, int]] | None = None,
) -> int:
    """Remove our segments every active PC has merged and the newest snapshot holds, once they
    are `min_age_s` old: a PC joining right now has not announced itself yet, and must still
    find them (or be told to restore). Healing copies, and files moved aside as not ours
    (`<name>.foreign`), go by the same rule; the ranges removed are added to `removed`."""
    cutoff = time.time() - min_age_s
    safe = safe_to_prune(share, me, days)
    if not safe:
        return 0
    folder = share.segments_dir(me)
    count = 0
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        rng = parse_name(path.name.split(".foreign")[0])
        if rng is not None and rng[1] <= safe and path.stat().st_mtime <= cutoff:
            path.unlink()
            count += 1
            if removed is not None:
                removed.append(rng)
    return count


def safe_to_prune(share: Share, me: str, days: int = RETENTION_DAYS) -> int:
    """The highest seq of ours every active PC has merged and the newest snapshot holds."""
    snapshot = newest_snapshot(share)
    if snapshot is None:
        return 0
    return min(acknowledged(share, me, active_peers(share, me, days)), snapshot.cursors.get(me, 0))


def snapshot_due(share: Share, now: float | None = None) -> bool:
    newest = newest_snapshot(share)
    if newest is None:
        return True
    return (now or time.time()) - newest.path.stat().st_mtime >= SNAPSHOT_EVERY_S


def prune_own_snapshots(share: Share, me: str, keep: int = KEEP_OWN_SNAPSHOTS) -> None:
    folder = share.root / "snapshots"
    own = sorted(folder.glob(f"{me}-*.json")) if folder.is_dir() else []
    for manifest in own[:-keep]:
        manifest.with_suffix(".sqlite").unlink(missing_ok=True)
        manifest.unlink(missing_ok=True)


def covering_snapshot(share: Share, peer: str, wanted: int) -> SnapshotInfo | None:
    """The newest snapshot if it holds a peer's changes up to at least `wanted`."""
    snap = newest_snapshot(share)
    return snap if snap is not None and snap.cursors.get(peer, 0) >= wanted else None
