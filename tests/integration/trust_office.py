"""A protected board (issue 15) of a few PCs on one share folder, in a tmp dir, for sync tests.

The first PC founds the board (its key is the root, its person the first secretariat member);
each other PC pins the root on its first round, publishes its join request, and is approved by
the first with the person and role given. Real SQLite files, real keys, real statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hescb_desktop.services import trust
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.capture import Actor
from hescb_desktop.sync.round import SyncReport, sync_round
from hescb_desktop.sync.share import Share


def protected_sync(ctx: ServiceContext, share: Share, trust_root: str | None = None) -> SyncReport:
    """One round as the app runs it on a protected board: signed, checked, judged."""
    return sync_round(
        ctx.engine,
        share,
        Actor(ctx.device_id, ctx.user),
        ctx.clock,
        key=ctx.pc_key,
        trust_root=trust_root,
    )


def found(root: Path, share: Share, founder: str) -> ServiceContext:
    """The board's first PC: the root, its person `founder`, secretariat."""
    ctx = open_context(root)
    trust.found_board(ctx, founder)
    protected_sync(ctx, share)  # the share is founded with it: ROOT, its statement
    return ctx


def join(
    secretariat: ServiceContext, root: Path, share: Share, person: str, role: str
) -> ServiceContext:
    """A new PC: pins the root, asks to join, approved by `secretariat` for `person` as `role`,
    then syncs once (its certificate read, its identity known)."""
    ctx = open_context(root)
    protected_sync(ctx, share, trust_root=secretariat.fingerprint)
    fp = trust.request_enrolment(ctx, share.folder)
    trust.approve(secretariat, share.folder, fp, person, role)
    protected_sync(ctx, share)
    return ctx


def board(root: Path, share: Share, people: Sequence[tuple[str, str]]) -> list[ServiceContext]:
    """PCs for (person, role) each, the first founding the board (its role is secretariat)."""
    first = found(root / "pc0", share, people[0][0])
    pcs = [first]
    for i, (person, role) in enumerate(people[1:], start=1):
        pcs.append(join(first, root / f"pc{i}", share, person, role))
    return pcs
