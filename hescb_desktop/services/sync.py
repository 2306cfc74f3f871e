"""Sync as the app and the command line see it: run a round, status, conflicts, history, joining."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.entities import BY_TABLE
from hescb_desktop.services.results import Changes
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.user_names import user_names
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.codec import decode
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.identity import identity_changed
from hescb_desktop.storage.journal import ChangeLog, Conflict, LocalState, SyncNotice, SyncPeer
from hescb_desktop.storage.models import ConflictResolution
from hescb_desktop.storage.restricted import PLACEHOLDER_JSON, NotReaderError, opened
from hescb_desktop.storage.sealed_values import is_sealed
from hescb_desktop.sync import healing
from hescb_desktop.sync.board import remember_board, remembered_board
from hescb_desktop.sync.bootstrap import bootstrap
from hescb_desktop.sync.clockguard import how_far
from hescb_desktop.sync.hlc import to_datetime
from hescb_desktop.sync.publisher import pending_count
from hescb_desktop.sync.round import SyncReport, sync_round
from hescb_desktop.sync.segments import SegmentError
from hescb_desktop.sync.share import FormatTooNewError, Share, ShareError
from hescb_desktop.sync.signing import same_fingerprint
from hescb_desktop.sync.snapshot import SnapshotInfo, newest_snapshot
from hescb_desktop.sync.trust import RootNotPinnedError, TrustError, share_root
from hescb_desktop.sync.trust_round import pin_root, reading_seal

__all__ = [
    "FormatTooNewError",
    "HistoryIncompleteError",
    "RootNotPinnedError",
    "SegmentError",
    "ShareError",
    "SyncReport",
    "TrustError",
    "ValidationError",
]


@dataclass(frozen=True)
class SyncStatus:
    share: str
    last_synced: datetime | None
    last_summary: str
    pending: int
    peers: int
    open_conflicts: int
    problems: tuple[str, ...]
    error: str = ""  # why the last round failed or could not send ("" when it did)


@dataclass(frozen=True)
class ConflictRow:
    id: str
    kind: str
    table: str
    row_id: str
    column: str
    kept_value: Any
    kept_user: str
    kept_at: datetime
    kept_device: str
    lost_value: Any
    lost_user: str
    lost_at: datetime
    lost_device: str
    resolution: str = ""  # "" while open; "kept" or "restored" once settled (on any PC)


@dataclass(frozen=True)
class HistoryRow:
    at: datetime  # when the change is dated (what every PC decides with)
    user: str
    device: str
    column: str
    value: Any
    # the time its own PC stamped, when that clock was far ahead and the share's time was taken
    stamped_at: datetime | None = None
    # issue 15 (services.audit.record_history): the person's role then, and whether the
    # change's signed journal still checks ("verified", "not signed", "unpublished", "FAILED")
    role: str = ""
    verified: str = ""


def run_sync(ctx: ServiceContext, share_folder: Path, trust_root: str | None = None) -> SyncReport:
    """One round: publish, pull, merge. Raises ShareError if the share cannot be used; a round
    whose own writes failed (read-only or full share) returns with `report.send_failed` set.
    Either is kept for `sync_status` until a round sends everything. On a protected board met
    for the first time, raises RootNotPinnedError unless `trust_root` names its root."""
    check_demo_guard(ctx, share_folder)
    share = Share(share_folder)
    from hescb_desktop.services import restrict

    try:
        report = sync_round(
            ctx.engine,
            share,
            Actor(ctx.device_id, ctx.user),
            ctx.clock,
            key=ctx.pc_key,
            trust_root=trust_root,
        )
    except (ShareError, SegmentError, OSError, TrustError) as exc:
        _put(ctx, {"last_sync_error": f"last sync failed, working offline: {exc}"})
        raise
    restrict.keep_keys(ctx)  # keys sealed to this PC taken; restricted records shown as they are
    from hescb_desktop.services import retention

    retention.apply_disposals(ctx)  # a certificate merged (or a disposed record's late change)
    _put(
        ctx,
        {
            "last_sync_at": datetime.now(UTC).isoformat(),
            "last_sync_summary": report.summary(),
            "last_sync_problems": json.dumps(report.problems),
            "last_sync_error": f"not sent: {report.send_failed}" if report.send_failed else "",
        },
    )
    return report


def sync_status(ctx: ServiceContext, share_folder: str) -> SyncStatus:
    with ctx.uow(write=False) as uow:
        state = dict(uow.session.execute(select(LocalState.key, LocalState.value)).all())
        peers = uow.session.scalar(select(func.count()).select_from(SyncPeer)) or 0
    conflicts = len(list_conflicts(ctx))
    last = state.get("last_sync_at")
    return SyncStatus(
        share_folder,
        datetime.fromisoformat(last) if last else None,
        state.get("last_sync_summary", ""),
        pending_count(ctx.engine, ctx.device_id),
        int(peers),
        int(conflicts),
        tuple(json.loads(state.get("last_sync_problems", "[]"))) + _clock_problem(ctx),
        state.get("last_sync_error", ""),
    )


def _clock_problem(ctx: ServiceContext) -> tuple[str, ...]:
    """While this PC's clock is far ahead of the share's, it says so (it follows the share's)."""
    ahead = -ctx.clock.offset_ms
    if ahead <= 0:
        return ()
    return (
        f"This PC's clock is {how_far(ahead)} ahead of the share's: its changes are dated by "
        "the share's time until the clock is set right",
    )


def _put(ctx: ServiceContext, values: dict[str, str]) -> None:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    with ctx.engine.begin() as conn:
        for key, value in values.items():
            stmt = sqlite_insert(LocalState).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    identity_changed(ctx.engine)  # this PC's state: who is at the keyboard is read again


def list_conflicts(ctx: ServiceContext, *, include_resolved: bool = False) -> list[ConflictRow]:
    """The open conflicts, the same on every PC that has synced the same changes.

    A conflict is settled for every PC by a `conflict_resolutions` row (synced), or on this PC
    alone by `conflicts.resolved` (conflicts settled before resolutions synced). The value kept
    is the field's value now (its highest (hlc, device) in change_log), not the one that was
    current when this PC met the conflict: PCs meet a three-way conflict in different orders.
    A conflict whose other value is the field's value now has nothing left to choose.
    """
    stmt = select(Conflict).order_by(Conflict.lost_hlc, Conflict.id)
    if not include_resolved:  # settled ones pile up over the years: not read at all
        resolutions = select(ConflictResolution.id).where(ConflictResolution.deleted.is_(False))
        stmt = stmt.where(Conflict.resolved == "", Conflict.id.not_in(resolutions))
    with ctx.uow(write=False) as uow:
        session = uow.session
        settled = {} if not include_resolved else _settled(session)
        names = user_names(session)
        rows = []
        for conflict in list(session.scalars(stmt)):
            row = _conflict_row(session, conflict, settled, names)
            if include_resolved or _is_open(row):
                rows.append(row)
        return rows


def _settled(session: Any) -> dict[str, str]:
    """Conflict id -> how it was settled, from the synced resolutions."""
    stmt = select(ConflictResolution.id, ConflictResolution.resolution).where(
        ConflictResolution.deleted.is_(False)
    )
    return {str(i): str(r) for i, r in session.execute(stmt)}


def _is_open(row: ConflictRow) -> bool:
    return not row.resolution and row.lost_value != row.kept_value


def _current(session: Any, table: str, row_id: str, column: str) -> ChangeLog | None:
    """The change that holds a field's value now: its highest (hlc, device)."""
    stmt = (
        select(ChangeLog)
        .where(
            ChangeLog.table_name == table,
            ChangeLog.row_id == row_id,
            ChangeLog.column_name == column,
        )
        .order_by(ChangeLog.hlc.desc(), ChangeLog.device_id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()  # type: ignore[no-any-return]


def _conflict_row(
    session: Any,
    c: Conflict,
    settled: dict[str, str],
    name: Callable[[str | None], str] | None = None,
) -> ConflictRow:
    name = name or user_names(session)
    kept = (c.kept_value, c.kept_user, c.kept_hlc, c.kept_device)
    now = _current(session, c.table_name, c.row_id, c.column_name)
    if c.kind == "deleted":
        deletion = _current(session, c.table_name, c.row_id, "deleted")
        if deletion is not None and deletion.value == "true":
            kept = (deletion.value, deletion.user, deletion.hlc, deletion.device_id)
        elif now is not None:  # restored since: what the field holds now
            kept = (now.value, now.user, now.hlc, now.device_id)
    elif now is not None:
        kept = (now.value, now.user, now.hlc, now.device_id)
    conn = session.connection()
    return ConflictRow(
        c.id,
        c.kind,
        c.table_name,
        c.row_id,
        c.column_name,
        json.loads(opened(conn, c.table_name, c.row_id, c.column_name, kept[0])),
        name(kept[1]),
        to_datetime(kept[2]),
        kept[3],
        json.loads(opened(conn, c.table_name, c.row_id, c.column_name, c.lost_value)),
        name(c.lost_user),
        to_datetime(c.lost_hlc),
        c.lost_device,
        settled.get(c.id, c.resolved),
    )


# what every round keeps, whatever it merged: the security findings and refused changes it judged
ROUND_TABLES = frozenset({"security_findings", "refused_changes", "trust_statements"})


def merged_changes(report: SyncReport) -> Changes:
    """A round's change set (issue 17, point 2), as an operation's: the tables it merged into,
    the conflicts it found, the notices it left (renumbered, healed, a clock told), and what
    every round judges again. Each page showing one of their kinds reloads once."""
    tables = set(report.tables) | ROUND_TABLES
    if report.conflicts:
        tables.add("conflicts")
    if report.renumbered or report.healed or report.clock:
        tables.add("sync_notices")
    return Changes(frozenset(tables))


def resolve_conflict(ctx: ServiceContext, conflict_id: str, *, use_other: bool) -> list[str]:
    """Keep what won, or bring back the value that lost (for a deleted record: restore it).

    The resolution is a synced record (`conflict_resolutions`, keyed by the conflict's id, which
    every PC gives it alike), written in the same unit of work as the value brought back: it
    reaches every PC like any edit, and closes the conflict there.

    Fields that belong together (an event's start and end, a RAG value with its reason) are
    resolved together: the open conflicts of the same edit to the rest of the group go too.
    Returns the ids of the conflicts settled (this one first).
    """
    ctx.require(Operation.CREATE, Kind.CONFLICT_RESOLUTION)
    with ctx.uow() as uow:
        session = uow.session
        settled = _settled(session)
        conflict = session.get(Conflict, conflict_id)
        if conflict is None or not _is_open(_conflict_row(session, conflict, settled)):
            raise NotFoundError(
                f"no open conflict {conflict_id}: it is not on this PC or was resolved already"
            )
        group = _with_group(session, conflict, settled)
        for each in group:
            if use_other:
                _bring_back(session, each)
            _record_resolution(session, each.id, "restored" if use_other else "kept")
        uow.commit()
        return [c.id for c in group]


def _record_resolution(session: Any, conflict_id: str, resolution: str) -> None:
    found = session.get(ConflictResolution, conflict_id)
    if found is None:
        session.add(ConflictResolution(id=conflict_id, resolution=resolution))
    else:  # a resolution withdrawn (tombstoned) before
        found.resolution, found.deleted = resolution, False


def _with_group(session: Any, conflict: Conflict, settled: dict[str, str]) -> list[Conflict]:
    spec = BY_TABLE.get(conflict.table_name)
    groups: tuple[frozenset[str], ...] = getattr(spec.model, "__field_groups__", ()) if spec else ()
    group = next((g for g in groups if conflict.column_name in g), None)
    if group is None:
        return [conflict]
    stmt = select(Conflict).where(
        Conflict.table_name == conflict.table_name,
        Conflict.row_id == conflict.row_id,
        Conflict.kind == conflict.kind,
        Conflict.lost_hlc == conflict.lost_hlc,
        Conflict.lost_device == conflict.lost_device,
        Conflict.column_name.in_(group),
        Conflict.resolved == "",
    )
    siblings = [c for c in session.scalars(stmt) if c.id != conflict.id and c.id not in settled]
    return [conflict, *siblings]


def _bring_back(session: Any, conflict: Conflict) -> None:
    spec = BY_TABLE.get(conflict.table_name)
    if spec is None:
        raise ValidationError(f"{conflict.table_name} is not known to this version of the app")
    obj = session.get(spec.model, conflict.row_id)
    if obj is None:
        raise NotFoundError(f"the record {conflict.row_id} is not in this database")
    if conflict.kind == "deleted":
        obj.deleted, obj.deleted_at, obj.deleted_by = False, None, None
    column = spec.model.__table__.c[conflict.column_name]
    value = conflict.lost_value
    if is_sealed(value):  # a restricted record's: brought back only by a PC that reads it
        value = opened(
            session.connection(), conflict.table_name, conflict.row_id, column.name, value
        )
        if is_sealed(value) or value == PLACEHOLDER_JSON:
            raise NotReaderError(
                "this value belongs to a restricted record this PC does not read: only its"
                " readers bring it back"
            )
    setattr(obj, conflict.column_name, decode(value, column.type))


def history(ctx: ServiceContext, table: str, row_id: str) -> list[HistoryRow]:
    """Who changed which field when, from which PC: the change log of one record."""
    stmt = (
        select(ChangeLog)
        .where(ChangeLog.table_name == table, ChangeLog.row_id == row_id)
        .order_by(ChangeLog.hlc, ChangeLog.device_id, ChangeLog.seq)
    )
    with ctx.uow(write=False) as uow:
        names = _device_names(uow.session, ctx.device_id)
        conn = uow.session.connection()
        return [
            HistoryRow(
                to_datetime(c.hlc),
                c.user,
                names.get(c.device_id, f"PC {short_id(c.device_id)}"),
                c.column_name,
                json.loads(opened(conn, table, row_id, c.column_name, c.value)),
                to_datetime(c.stamped_hlc) if c.stamped_hlc not in (None, c.hlc) else None,
            )
            for c in uow.session.scalars(stmt)
        ]


def short_id(uuid: str) -> str:
    """Eight hex digits that tell ids apart. Ids are UUIDv7, whose leading digits are a timestamp
    (PCs set up in the same minute share them), so the random tail is used."""
    return uuid.replace("-", "")[-8:]


def device_names(ctx: ServiceContext) -> dict[str, str]:
    """What each PC this one has heard from is called: "this PC", "PC 1a2b3c4d"."""
    with ctx.uow(write=False) as uow:
        return _device_names(uow.session, ctx.device_id)


def _device_names(session: Any, me: str) -> dict[str, str]:
    names = {p.device_id: f"PC {short_id(p.device_id)}" for p in session.scalars(select(SyncPeer))}
    names[me] = "this PC"
    return names


# ---------------------------------------------------------------------- naming records
_NAME_FIELDS = ("title", "summary", "name", "description", "text", "note", "interest", "filename")
_NAME_LENGTH = 70


def describe_record(ctx: ServiceContext, table: str, row_id: str) -> str:
    """A record as a person would name it: "Action: HESCB/2026/014 — Agree the estates plan"."""
    spec = BY_TABLE.get(table)
    if spec is None:
        return f"{table}: {short_id(row_id)}"
    with ctx.uow(write=False) as uow:
        obj = uow.session.get(spec.model, row_id)
        name = _record_name(obj) if obj is not None else ""
        deleted = bool(obj is not None and getattr(obj, "deleted", False))
    label = spec.label[:1].upper() + spec.label[1:]
    text = f"{label}: {name or short_id(row_id)}"
    return f"{text} (deleted)" if deleted else text


def describe_value(ctx: ServiceContext, table: str, column: str, value: Any) -> str | None:
    """The name of the record a foreign-key value points at ("Sam Smith" for an owner_id);
    None when `column` is not a reference or the value is empty."""
    spec = BY_TABLE.get(table)
    if spec is None or not isinstance(value, str) or not value:
        return None
    col = spec.model.__table__.c.get(column)
    target = next(iter(col.foreign_keys), None) if col is not None else None
    target_spec = BY_TABLE.get(target.column.table.name) if target is not None else None
    if target_spec is None:
        return None
    with ctx.uow(write=False) as uow:
        obj = uow.session.get(target_spec.model, value)
        found = _record_name(obj) if obj is not None else ""
        return found or short_id(value)


def _record_name(obj: Any) -> str:
    reference = str(getattr(obj, "reference", "") or "")
    title = next(
        (str(v) for f in _NAME_FIELDS if (v := getattr(obj, f, None)) and str(v).strip()), ""
    )
    title = title.strip().splitlines()[0] if title.strip() else ""
    if len(title) > _NAME_LENGTH:
        title = title[: _NAME_LENGTH - 1].rstrip() + "…"
    return " — ".join(p for p in (reference, title) if p)


def notices(ctx: ServiceContext, limit: int = 50) -> list[str]:
    with ctx.uow(write=False) as uow:
        stmt = select(SyncNotice.message).order_by(SyncNotice.hlc.desc()).limit(limit)
        return list(uow.session.scalars(stmt))


# ---------------------------------------------------------------------- joining a share
def share_holds_data(share_folder: Path, me: str) -> bool:
    share = Share(share_folder)
    if newest_snapshot(share) is not None:
        return True
    return any(any(share.segments_dir(d).glob("*.jsonl")) for d in share.devices() if d != me)


def is_demo(ctx: ServiceContext) -> bool:
    return load_settings(ctx.uow(write=False)).first_run_choice == "demo"


def has_synced(ctx: ServiceContext) -> bool:
    with ctx.uow(write=False) as uow:
        peers = uow.session.scalar(select(func.count()).select_from(SyncPeer)) or 0
        published = (
            uow.session.scalar(
                select(func.count()).select_from(ChangeLog).where(ChangeLog.published.is_(True))
            )
            or 0
        )
    return bool(peers or published)


def demo_blocks_share(ctx: ServiceContext, share_folder: Path) -> bool:
    """This PC holds an unsynced demo board and the share holds data: join, discarding it."""
    return is_demo(ctx) and not has_synced(ctx) and share_holds_data(share_folder, ctx.device_id)


def check_demo_guard(ctx: ServiceContext, share_folder: Path) -> None:
    """Never publish a second copy of the demo board onto a share that holds real data."""
    if demo_blocks_share(ctx, share_folder):
        raise ValidationError(
            "this PC holds the demo board and the share already holds data: join the share "
            "and discard the demo first (join --discard-demo)"
        )


def check_root(ctx: ServiceContext, share_folder: Path, trust_root: str | None) -> str | None:
    """Before a join: a protected board's root must be confirmed (RootNotPinnedError), and the
    one given must be the share's (TrustError). Returns the root to pin in the first round."""
    on_share = share_root(Share(share_folder))
    pinned = read_state(ctx.engine).get("trust_root", "")
    if not on_share or on_share == pinned:
        return trust_root
    if trust_root is None:
        raise RootNotPinnedError(on_share)
    if not same_fingerprint(trust_root, on_share):
        raise TrustError(
            f"the share's root fingerprint is {on_share}, not the one given: "
            "check it with the secretariat"
        )
    if pinned:  # a board of its own (`init`), never shared, is given up now, as a first sync
        # would: after the restore its journal holds the share's published changes
        pin_root(ctx.engine, Share(share_folder), ctx.fingerprint, trust_root)
    return trust_root


def _root_on(share: Share, given: str) -> str:
    """The share's root when `given` names it (typed with spaces or none), else `given`."""
    on_share = share_root(share)
    return on_share if same_fingerprint(given, on_share) else given


def join_share(
    ctx: ServiceContext,
    share_folder: Path,
    *,
    discard_demo: bool,
    trust_root: str | None = None,
) -> ServiceContext:
    """Start this PC from the share: restore its newest snapshot (keeping what this PC has not
    published, unless it is the demo board being discarded). Returns the reopened context."""
    # joining is choosing the share's board; but a PC that belongs to a board never founds a
    # new one in an empty folder (an unmounted share)
    share = Share(share_folder).identify(remembered_board(ctx.engine), any_board=True)
    root = trust_root or read_state(ctx.engine).get("trust_root", "") or share_root(share)
    if share_root(share) and root:  # a protected board: only a snapshot it can trust
        share = replace(share, seal=reading_seal(share, _root_on(share, root)))
    demo = is_demo(ctx)
    if demo and not discard_demo and share_holds_data(share_folder, ctx.device_id):
        raise ValidationError("this PC holds the demo board: discard it to join this share")
    db_path = ctx.db_path
    if db_path is None:
        raise ValidationError("an in-memory database cannot join a share")
    snapshot = newest_snapshot(share)
    _check_history(ctx, share, snapshot.cursors if snapshot is not None else {})
    settings = load_settings(ctx.uow(write=False))
    ctx.close()
    if demo and snapshot is not None:
        _replace_demo(db_path, snapshot)
    elif demo:
        _set_aside(db_path, "demo")
    elif snapshot is not None:
        bootstrap(db_path, snapshot)
    joined = open_context(db_path.parent)
    if share.board_id is not None:
        remember_board(joined.engine, share.board_id)
    save_settings(
        joined.uow(),
        replace(
            settings,
            # absolute, so that a sync run from another folder finds it (typed paths as typed)
            share_folder=str(
                share_folder if share_folder.is_absolute() else share_folder.resolve()
            ),
            first_run_choice="join" if demo else settings.first_run_choice or "join",
        ),
    )
    return joined


class HistoryIncompleteError(ShareError):
    """The share lacks some PC's early changes and no snapshot holds them: joining would
    present part of the board as the board."""


def _check_history(ctx: ServiceContext, share: Share, snapshot_cursors: dict[str, int]) -> None:
    """Refuse to join from a share whose history has a hole (one this PC does not hold
    already). This PC asks for what is missing (in its own folder, if it can write there), so
    that its authors republish it."""
    me = ctx.device_id
    missing = healing.missing_history(share, me, snapshot_cursors, partial(_holds, ctx))
    if not missing:
        return
    asked = ""
    try:
        share.check_still_there()
        healing.write_wants(share, me, missing)
        asked = "; they have been asked for: join again once those PCs have synced"
    except (ShareError, OSError):
        pass
    raise HistoryIncompleteError(
        f"the share's history is incomplete: {healing.describe_missing(missing)} "
        f"are missing and no snapshot holds them{asked}"
    )


def _holds(ctx: ServiceContext, peer: str, first: int, last: int) -> bool:
    stmt = select(func.count()).where(
        ChangeLog.device_id == peer, ChangeLog.seq.between(first, last)
    )
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(stmt) or 0) == last - first + 1


def _replace_demo(db_path: Path, snapshot: SnapshotInfo) -> None:
    """The share's board restored beside the demo board first, then put in its place: a
    snapshot that cannot be restored leaves the demo board (and the data dir) as it was."""
    joining = db_path.with_name(db_path.name + ".joining")
    for suffix in ("", "-wal", "-shm"):
        db_path.with_name(joining.name + suffix).unlink(missing_ok=True)
    try:
        bootstrap(joining, snapshot)  # nothing of the demo is carried: a new PC's start
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            db_path.with_name(joining.name + suffix).unlink(missing_ok=True)
        raise
    _set_aside(db_path, "demo")
    joining.replace(db_path)


def _set_aside(db_path: Path, why: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + suffix)
        if part.exists():
            part.replace(part.with_name(f"{db_path.name}.{why}-{stamp}{suffix}"))
