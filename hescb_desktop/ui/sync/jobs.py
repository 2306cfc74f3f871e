"""What the sync worker thread runs: one round, or joining a share. Plain functions, no Qt.

Each returns an outcome instead of raising for the faults a user meets (share unavailable, a
newer format, the demo guard), so the GUI can say what happened; anything else propagates and
the worker reports it as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.sync import SyncReport, SyncStatus
from hescb_desktop.ui.sync.state import BLOCKED, NOT_SENT, OFFLINE, OK, OUTDATED


@dataclass(frozen=True)
class RoundOutcome:
    share: str
    report: SyncReport | None = None
    status: SyncStatus | None = None  # this PC's state after the round (None if unreadable)
    problem: str = OK  # OFFLINE, BLOCKED, OUTDATED, FAILED, or NOT_SENT (with a report)
    message: str = ""


@dataclass(frozen=True)
class JoinOutcome:
    share: str
    ctx: ServiceContext | None  # the reopened database; None when joining failed
    round: RoundOutcome | None = None
    error: str = ""


def sync_once(ctx: ServiceContext, share: str) -> RoundOutcome:
    """One round on `share`; the outcome says why not when it could not run."""
    try:
        report = sync_service.run_sync(ctx, Path(share))
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
) -> JoinOutcome:
    """Start this PC from the share's snapshot, then run a first round.

    `seed` runs on the joined board when the share held nothing yet (this PC is the first).
    """
    try:
        first = not sync_service.share_holds_data(Path(share), ctx.device_id)
        joined = sync_service.join_share(ctx, Path(share), discard_demo=discard_demo)
    except (
        sync_service.ValidationError,
        sync_service.ShareError,
        sync_service.SegmentError,
        OSError,
    ) as exc:
        return JoinOutcome(share, None, error=str(exc) or type(exc).__name__)
    settings = load_settings(joined.uow(write=False))
    save_settings(joined.uow(), replace(settings, share_folder=share))  # as typed, e.g. a UNC path
    if first and seed is not None:
        seed(joined)
    return JoinOutcome(share, joined, sync_once(joined, share))
