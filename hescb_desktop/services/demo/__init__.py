"""The demo board: realistic data for the Hertfordshire Emergency Services Collaboration Board.

`build_demo(ctx)` fills an empty database through the services and units of work (so every row
is change-logged, as a user's would be). The small demo is the first-run "explore a demo board"
and is anchored on today, so Home shows today's events, open actions and upcoming meetings; it is
written in one transaction (all or nothing). `scale="large"` makes five years for benchmarks
(about 20,000 events, 5,000 actions, 300 objectives, 250 meetings, 1,000 papers) and commits in
chunks. Content is deterministic for a given anchor date (a seeded random source).

The demo's people carry their board roles (`roles.BOARD_ROLES`: secretariat, officers, staff
officers acting for their chiefs, viewers), kept with the flag that marks the database as the
demo (`services.who` offers "View as…" there only). `protect=True` makes it a protected board
with this PC as its root and this OS account as its programme manager (secretariat), as
`init --demo` and the app's first run do; left unprotected otherwise (in-memory test boards).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.demo.base import Demo
from hescb_desktop.services.demo.calendar import build_calendar
from hescb_desktop.services.demo.meetings import build_meetings
from hescb_desktop.services.demo.people import ME, build_people
from hescb_desktop.services.demo.programme import build_programme
from hescb_desktop.services.demo.roles import mark_demo
from hescb_desktop.services.demo.scale import SCALES, scale_named
from hescb_desktop.services.demo.writer import Writer
from hescb_desktop.services.entities import ALL, held_rows
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.who import protect_demo
from hescb_desktop.storage.uow import UnitOfWork

__all__ = ["SCALES", "Progress", "build_demo"]

Progress = Callable[[int, str], None]


def build_demo(
    ctx: ServiceContext,
    scale: str = "small",
    progress: Progress | None = None,
    *,
    today: date | None = None,
    protect: bool = False,
) -> None:
    """Fill an empty database with the demo board; ValidationError if it holds any data."""
    spec = scale_named(scale)
    report = progress or _quiet
    demo = Demo(ctx, spec, today or date.today())
    with Writer(ctx, atomic=spec.atomic) as w:
        report(0, "Checking the database is empty")
        refuse_if_not_empty(w.uow)
        report(1, "Organisations, people, rooms and assets")
        build_people(demo, w.uow)
        report(3, "Objectives, workstreams and RAG history")
        build_programme(demo, w)
        w.checkpoint()
        build_meetings(demo, w, lambda i, n: report(10 + 45 * i // n, f"Meetings {i} of {n}"))
        build_calendar(demo, w, lambda i, n: report(55 + 43 * i // n, f"Calendar: day {i} of {n}"))
        report(98, "Saving")
    _save_settings(demo)
    mark_demo(demo, ctx.uow())
    if protect:
        protect_demo(ctx)
    report(100, "Demo board ready")


def refuse_if_not_empty(uow: UnitOfWork) -> None:
    """A demo is never mixed into real data: any row in any synced table (tombstones too)."""
    for spec in ALL:
        if uow.session.execute(held_rows(spec).limit(1)).first() is not None:
            raise ValidationError(
                f"the database already holds data ({spec.table}): a demo board needs an empty one"
            )


def _save_settings(demo: Demo) -> None:
    me = demo.person(ME)
    current = load_settings(demo.ctx.uow(write=False))
    save_settings(
        demo.ctx.uow(),
        replace(current, display_name=me.name, organisation_code=me.org, first_run_choice="demo"),
    )


def _quiet(percent: int, message: str) -> None:
    """No progress wanted."""
