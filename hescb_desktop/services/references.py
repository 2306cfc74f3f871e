"""The next free human reference numbers (action HESCB/2026/014, minute 77/26, paper 43/26).

Numbers never repeat on this PC: the highest ever taken, tombstones included, plus one. Two PCs
offline may still take the same number; the sync merge renumbers one of them (issue 3).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hescb_desktop.domain.rules import ActionRef, SerialRef
from hescb_desktop.storage.models import Action, Minute, Paper


def next_action_ref(session: Session, body: str, year: int) -> ActionRef:
    top = session.scalar(
        select(func.max(Action.ref_number)).where(Action.ref_body == body, Action.ref_year == year)
    )
    return ActionRef(body, year, (top or 0) + 1)


def next_minute_ref(session: Session, year: int) -> SerialRef:
    top = session.scalar(select(func.max(Minute.ref_number)).where(Minute.ref_year == year))
    return SerialRef((top or 0) + 1, year)


def next_paper_ref(session: Session, year: int) -> SerialRef:
    top = session.scalar(select(func.max(Paper.ref_number)).where(Paper.ref_year == year))
    return SerialRef((top or 0) + 1, year)
