"""What the event dialog offers (calendars, organisations, people, rooms and assets) and its
clash check, read through the service context."""

from __future__ import annotations

from collections.abc import Callable

from hescb_desktop.domain.calendar import Clash, EventDraft
from hescb_desktop.services import calendar as cal
from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE, RESOURCES
from hescb_desktop.ui.calendar.event_dialog import Choice, DialogChoices


def people_and_rooms(ctx: ServiceContext) -> tuple[list[Choice], list[Choice]]:
    """People by name (with their role) and rooms then assets, as the dialogs list them."""
    people = sorted(ctx.read(crud.list_all, PEOPLE), key=lambda p: p.name)
    rooms = sorted(ctx.read(crud.list_all, RESOURCES), key=lambda r: (r.kind.value, r.name))
    return (
        [Choice(p.id, f"{p.name} ({p.role})" if p.role else p.name) for p in people],
        [
            Choice(r.id, f"{r.name} ({'room' if r.kind.value == 'room' else 'asset'})")
            for r in rooms
        ],
    )


def dialog_choices(ctx: ServiceContext) -> DialogChoices:
    people, rooms = people_and_rooms(ctx)
    orgs = sorted(ctx.read(crud.list_all, ORGANISATIONS), key=lambda o: o.code)
    return DialogChoices(
        ctx.read(cal.calendars),
        [Choice(o.id, f"{o.code} – {o.name}") for o in orgs],
        people,
        rooms,
    )


def clash_check(
    ctx: ServiceContext, viewer: Callable[[], cal.Viewer], ignore: tuple[str, ...] = ()
) -> Callable[[EventDraft], list[Clash]]:
    """The dialog's check as it is typed: what the draft clashes with, `ignore` left out, as
    seen by the viewer of the moment."""
    return lambda draft: ctx.read(cal.clashes, draft, ignore_ids=ignore, viewer=viewer())
