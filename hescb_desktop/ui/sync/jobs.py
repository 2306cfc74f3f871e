"""What the sync worker thread runs: one round, or joining a share. Plain functions, no Qt.

Each returns an outcome instead of raising for the faults a user meets (share unavailable, a
newer format, the demo guard), so the GUI can say what happened; anything else propagates and
the worker reports it as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from hescb_desktop.paths import LOCK_FILENAME
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.data_dir_keeper import DataDirKeeper
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.sync import SyncReport, SyncStatus
from hescb_desktop.ui.sync.state import BLOCKED, FAILED, NOT_SENT, OFFLINE, OK, OUTDATED


@dataclass(frozen=True)
class RoundOutcome:
    share: str
    report: SyncReport | None = None
    status: SyncStatus | None = None  # this PC's state after the round (None if unreadable)
    problem: str = OK  # OFFLINE, BLOCKED, OUTDATED, FAILED, or NOT_SENT (with a report)
    message: str = ""
    # a protected board met for the first time: its root fingerprint, to confirm (FAILED)
    root: str = ""


@dataclass(frozen=True)
class JoinOutcome:
    share: str
    ctx: ServiceContext | None  # the reopened database; None when joining failed
    round: RoundOutcome | None = None
    error: str = ""
    # when joining failed: the database as it was before, reopened (None: the one given is)
    restored: ServiceContext | None = None
    # the share holds a protected board whose root this PC has not confirmed (nothing changed)
    root: str = ""


def sync_once(ctx: ServiceContext, share: str, trust_root: str | None = None) -> RoundOutcome:
    """One round on `share` (pinning `trust_root`, the protected board's root a person has
    confirmed); the outcome says why not when it could not run."""
    try:
        if trust_root is None:
            report = sync_service.run_sync(ctx, Path(share))
        else:
            report = sync_service.run_sync(ctx, Path(share), trust_root)
    except sync_service.RootNotPinnedError as exc:  # to confirm by phone: WindowSync asks
        said = (
            f"this board is protected: its root fingerprint {exc.root} must be checked with "
            "the secretariat by phone before this PC trusts it (Sync now, F9, shows it)"
        )
        return RoundOutcome(share, None, _status(ctx, share), FAILED, said, root=exc.root)
    except sync_service.TrustError as exc:  # another root than the one confirmed, ...
        return RoundOutcome(share, None, _status(ctx, share), FAILED, str(exc))
    except sync_service.ValidationError as exc:  # the demo guard
        return RoundOutcome(share, None, _status(ctx, share), BLOCKED, str(exc))
    except sync_service.FormatTooNewError as exc:
        return RoundOutcome(share, None, _status(ctx, share), OUTDATED, str(exc))
    except (sync_service.ShareError, sync_service.SegmentError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        return RoundOutcome(share, None, _status(ctx, share), OFFLINE, reason)
    if report.send_failed:  # the peers were merged, but this PC's changes are still here
        return RoundOutcome(share, report, _status(ctx, share), NOT_SENT, report.send_failed)
    return RoundOutcome(share, report, _status(ctx, share))


def _status(ctx: ServiceContext, share: str) -> SyncStatus | None:
    try:
        return sync_service.sync_status(ctx, share)
    except Exception:  # the status is a nicety: never let it hide the round's own outcome
        return None


def join_and_sync(
    ctx: ServiceContext,
    share: str,
    *,
    discard_demo: bool,
    seed: Callable[[ServiceContext], None] | None = None,
    trust_root: str | None = None,
) -> JoinOutcome:
    """Start this PC from the share's snapshot, then run a first round.

    A protected board's root must have been confirmed (`trust_root`): if not, nothing is
    changed and the outcome names the root to confirm (`JoinOutcome.root`).

    `seed` runs on the joined board when the share held nothing yet (this PC is the first).
    A join that fails, including a first round that cannot send (a PC that cannot announce
    itself on the share has not joined it: the command line's `join` says the same), puts the
    data folder back exactly as it was and reopens it (`JoinOutcome.restored`).
    """
    if ctx.db_path is None:
        return JoinOutcome(share, None, error="an in-memory database cannot join a share")
    data_dir = ctx.db_path.parent
    try:
        trust_root = sync_service.check_root(ctx, Path(share), trust_root)
    except sync_service.RootNotPinnedError as exc:
        return JoinOutcome(share, None, error=str(exc), root=exc.root)
    except sync_service.TrustError as exc:
        return JoinOutcome(share, None, error=f"{exc}; nothing on this PC was changed")
    except (sync_service.ShareError, OSError):
        pass  # joining says so below, and puts everything back
    ctx.close()  # every connection closed, the file whole and marked: a copy that is the board
    keeper = DataDirKeeper(data_dir)
    joined: ServiceContext | None = None
    try:
        try:
            first = not sync_service.share_holds_data(Path(share), ctx.device_id)
            joined = sync_service.join_share(
                ctx, Path(share), discard_demo=discard_demo, trust_root=trust_root
            )
        except (
            sync_service.ValidationError,
            sync_service.ShareError,
            sync_service.SegmentError,
            OSError,
        ) as exc:
            return _undo(keeper, share, None, str(exc) or type(exc).__name__)
        settings = joined.read(load_settings)
        joined.write(save_settings, replace(settings, share_folder=share))  # as typed (UNC)
        if first and seed is not None:
            seed(joined)
        outcome = sync_once(joined, share, trust_root)
    except BaseException:
        _undo(keeper, share, joined, "")
        raise
    else:
        if outcome.problem != OK:
            why = outcome.message or outcome.problem
            return _undo(keeper, share, joined, f"this PC could not sync with the share: {why}")
        return JoinOutcome(share, joined, outcome)
    finally:
        keeper.discard()


def _undo(
    keeper: DataDirKeeper, share: str, joined: ServiceContext | None, error: str
) -> JoinOutcome:
    """Put the data folder back as it was before the join (the lock this process holds stays)
    and reopen it."""
    if joined is not None:
        joined.close()
    keeper.restore(but=keeper.data_dir / LOCK_FILENAME)
    restored = open_context(keeper.data_dir, create=False)
    said = f"{error}; nothing on this PC was changed"
    return JoinOutcome(share, None, error=said, restored=restored)
