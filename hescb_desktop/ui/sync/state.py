"""The sync state the status bar shows, and its words: "Synced 10:42 · 3 to send · 5 PCs".

"PCs" counts every PC on the share, this one included (peers + 1): one PC working alone on a
share reads "1 PC". Times are Europe/London wall-clock time, the board's own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from hescb_desktop.ui.sync.values import LONDON
from hescb_desktop.ui.widgets.labels import counted

if TYPE_CHECKING:  # the status bar imports this module before the database layers are loaded
    from hescb_desktop.services.sync import SyncStatus
    from hescb_desktop.ui.sync.jobs import RoundOutcome

NO_SHARE, SYNCING, SYNCED = "no-share", "syncing", "synced"
# Why a round did not run (RoundOutcome.problem); OK: it ran. NOT_SENT: it ran and merged the
# other PCs' changes, but this PC's own could not be written to the share (read-only, full).
OK, OFFLINE, BLOCKED, OUTDATED, FAILED = "", "offline", "blocked", "outdated", "failed"
NOT_SENT = "not-sent"


@dataclass(frozen=True)
class SyncState:
    phase: str  # NO_SHARE, SYNCING, SYNCED, or a jobs problem (OFFLINE, BLOCKED, ...)
    share: str = ""
    last_synced: datetime | None = None
    pending: int = 0
    pcs: int = 0
    conflicts: int = 0
    problems: tuple[str, ...] = ()
    message: str = ""  # why the last round did not run

    def with_status(self, status: SyncStatus | None) -> SyncState:
        """The counts this PC's database gives (when the round could not say them itself)."""
        if status is None:
            return self
        return replace(
            self,
            last_synced=status.last_synced or self.last_synced,
            pending=status.pending,
            pcs=max(self.pcs, status.peers + 1),
            conflicts=status.open_conflicts,
        )


def state_after(outcome: RoundOutcome, before: SyncState) -> SyncState:
    """What the status bar shows after a round (or after a round that could not run)."""
    report = outcome.report
    base = SyncState(
        phase=outcome.problem or SYNCED,
        share=outcome.share,
        last_synced=before.last_synced,
        pcs=before.pcs,
        message=outcome.message,
    ).with_status(outcome.status)
    if report is None:
        return base
    problems = (
        tuple(report.problems)
        + tuple(report.healed)
        + tuple(report.renumbered)
        + tuple(report.clock)
    )
    if report.needs_restore:
        problems += (_tr("This PC must restart from the share's newest snapshot."),)
    return replace(base, pending=report.pending, pcs=report.peers + 1, problems=problems)


def today_in_london() -> date:
    return datetime.now(LONDON).date()


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncStatus", text)


def _to_send(pending: int) -> str:
    return _tr("nothing to send") if pending == 0 else _tr("%1 to send").replace("%1", str(pending))


def when_text(at: datetime, today: date) -> str:
    """10:42 today, else 24 Nov 10:42 (Europe/London)."""
    local = at.astimezone(LONDON)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%d %b %H:%M}"


def status_text(state: SyncState, today: date) -> str:
    if state.phase == NO_SHARE:
        return _tr("No share configured")
    if state.phase == SYNCING:
        return _tr("Syncing…")
    if state.phase == BLOCKED:
        return _tr("Not syncing: this PC holds the demo board")
    if state.phase == OUTDATED:
        return _tr("Not syncing: the share needs a newer HESCB Desktop")
    if state.phase == OFFLINE:
        text = _tr("Share unavailable, working offline") + " · " + _to_send(state.pending)
    elif state.phase == FAILED:
        text = _tr("Sync failed, working offline") + " · " + _to_send(state.pending)
    elif state.phase == NOT_SENT:
        text = _tr("Changes not sent: cannot write to the share") + " · " + _to_send(state.pending)
    else:
        synced = _tr("Synced")
        if state.last_synced is not None:
            synced = _tr("Synced %1").replace("%1", when_text(state.last_synced, today))
        pcs = counted(state.pcs, _tr("%n PC"), _tr("%n PCs"))
        text = " · ".join([synced, _to_send(state.pending), pcs])
    if state.problems:
        text += " · " + counted(len(state.problems), _tr("%n problem"), _tr("%n problems"))
    return text


def status_tooltip(state: SyncState) -> str:
    if state.phase == NO_SHARE:
        return _tr("This PC works on its own. Choose a share folder in File › Settings… to sync.")
    lines = [_tr("Share folder: %1").replace("%1", state.share)]
    if state.last_synced is not None:
        at = state.last_synced.astimezone(LONDON)
        lines.append(_tr("Last synced: %1").replace("%1", f"{at:%a %d %b %Y, %H:%M:%S}"))
    else:
        lines.append(_tr("Not synced yet"))
    one, many = _tr("%n field change waiting to send"), _tr("%n field changes waiting to send")
    lines.append(counted(state.pending, one, many))
    if state.pcs:
        pcs = _tr("%n PC on this share"), _tr("%n PCs on this share, this one included")
        lines.append(counted(state.pcs, *pcs))
    if state.message:
        lines += ["", state.message]
    if state.problems:
        lines += ["", _tr("Problems:"), *(f"• {p}" for p in state.problems)]
    lines += ["", _tr("Sync now: F9")]
    return "\n".join(lines)


def conflicts_text(count: int) -> str:
    return counted(count, _tr("%n conflict"), _tr("%n conflicts"))
