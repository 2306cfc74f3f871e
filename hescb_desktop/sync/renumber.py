"""Human references two PCs took offline (action HESCB/2026/014, minute 77/26, paper 43/26).

After a merge, any number held by more than one live row is a clash. Every PC decides the same
way: the row created first (created_at, then id) keeps the number; the others take the next free
numbers, in the same order. The change goes through a unit of work (so it is logged and syncs) and
each move is written to `sync_notices` for users to see.

On a protected board a renumbering is an edit of the record like any other, so only a PC whose
person may edit those records (the secretariat) makes it; every other PC would have its change
refused by the rest, and waits for the secretariat's, which is the same.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hescb_desktop.domain.permissions import KIND_OF_TABLE, Operation
from hescb_desktop.domain.rules import ActionRef, SerialRef
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.capture import Actor, Clock
from hescb_desktop.storage.identity import read_identity
from hescb_desktop.storage.journal import SyncNotice
from hescb_desktop.storage.models import Action, Minute, Paper
from hescb_desktop.storage.uow import UnitOfWork

_EPOCH = datetime.min


def renumber_clashes(engine: Engine, actor: Actor, clock: Clock) -> list[str]:
    """Resolve every reference clash; returns one message per row that moved."""
    moved: list[str] = []
    identity = read_identity(engine)
    models = [
        m
        for m in (Action, Minute, Paper)
        if identity.may(Operation.EDIT, KIND_OF_TABLE[m.__tablename__])
    ]
    if not models:
        return moved
    with UnitOfWork(engine, actor, clock, identity=identity) as uow:
        for model in models:
            moved += _resolve(uow.session, model, clock)
        if moved:
            uow.commit()
    return moved


def _key(row: Any) -> tuple[Any, ...]:
    body = getattr(row, "ref_body", "")
    return (body, row.ref_year, row.ref_number)


def _resolve(session: Session, model: Any, clock: Clock) -> list[str]:
    rows = list(session.scalars(select(model).where(model.deleted.is_(False))))
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    top: dict[tuple[Any, ...], int] = defaultdict(int)
    every = session.scalars(select(model)).all()  # tombstones keep their numbers too
    for row in every:
        scope = _key(row)[:-1]
        top[scope] = max(top[scope], row.ref_number)
    for row in rows:
        groups[_key(row)].append(row)
    moved = []
    for key in sorted(k for k, g in groups.items() if len(g) > 1):
        ordered = sorted(groups[key], key=lambda r: (r.created_at or _EPOCH, r.id))
        for row in ordered[1:]:
            scope = key[:-1]
            top[scope] += 1
            moved.append(_move(session, model, row, top[scope], clock))
    return moved


def _move(session: Session, model: Any, row: Any, number: int, clock: Clock) -> str:
    old = row.reference
    if model is Action:
        ref = str(ActionRef(row.ref_body, row.ref_year, number))
    else:
        prefix = "HESCB " if model is Paper and old.startswith("HESCB ") else ""
        ref = prefix + str(SerialRef(number, row.ref_year))
    row.ref_number, row.reference = number, ref
    message = f"{model.__tablename__.rstrip('s')} {old} was taken on two PCs: this one is now {ref}"
    session.add(SyncNotice(id=new_id(), hlc=clock.now(), kind="renumbered", message=message))
    return message
