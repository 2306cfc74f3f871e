"""Bad input is refused with a clear message and changes nothing; text is kept as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import MarkingError, NotFoundError, ValidationError
from hescb_desktop.services import actions, crud
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.journal import ChangeLog

AWKWARD = "AT&T <3 <b>bold</b> &nbsp; 😀 مرحبا שלום Zażółć\n second line"


def log_count(ctx: ServiceContext) -> int:
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ChangeLog)) or 0)


def test_text_is_stored_exactly_as_typed(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": AWKWARD}).value
    assert crud.get(ctx.uow(write=False), E.PEOPLE, person.id).name == AWKWARD


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "title is required"),
        ({"title": "   "}, "title is required"),
        ({"title": "x", "marking": "SECRET"}, "must not be held"),
        ({"title": "x", "marking": "TOP SECRET"}, "must not be held"),
        ({"title": "x", "rag_time": "purple"}, "not a valid rag time"),
        ({"title": "x", "start_date": "31/12/2026"}, "not a valid start date"),
        ({"title": "x", "sro_id": "no-such-person"}, r"the sro \(people no-such-person\) does not"),
        ({"title": "x", "colour": "#fff"}, "no field 'colour'"),
        ({"title": "x", "id": "chosen"}, "no field 'id'"),
        ({"title": "x", "deleted": True}, "no field 'deleted'"),
        ({"title": "bell \x07"}, r"title holds a control character \(U\+0007\)"),
        ({"title": "x", "description": "\x1b[2J"}, r"description holds a control character"),
        ({"title": "x", "description": "nul\x00"}, r"control character \(U\+0000\)"),
        ({"title": "x", "description": "csi\x9b"}, r"control character \(U\+009B\)"),
    ],
)
def test_bad_objective_input_is_refused_and_changes_nothing(
    ctx: ServiceContext, values: dict[str, object], message: str
) -> None:
    before = log_count(ctx)
    with pytest.raises(ValidationError, match=message):
        crud.create(ctx.uow(), E.OBJECTIVES, values)
    assert log_count(ctx) == before
    assert crud.list_all(ctx.uow(write=False), E.OBJECTIVES) == []


def test_marking_error_is_a_validation_error() -> None:
    assert issubclass(MarkingError, ValidationError)


def test_naive_datetime_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="start utc"):
        crud.create(
            ctx.uow(),
            E.EVENTS,
            {
                "summary": "Board",
                "start_utc": "2026-05-01T09:00",
                "end_utc": "2026-05-01T10:00+00:00",
            },
        )


def test_aware_datetimes_round_trip_as_utc(ctx: ServiceContext) -> None:
    start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    ev = crud.create(
        ctx.uow(),
        E.EVENTS,
        {"summary": "Board", "start_utc": start, "end_utc": "2026-07-01T11:00:00+01:00"},
    ).value
    again = crud.get(ctx.uow(write=False), E.EVENTS, ev.id)
    assert again.start_utc == start and again.end_utc == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert again.marking is Marking.OFFICIAL


def test_reference_to_a_tombstoned_row_is_refused(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Gone"}).value
    crud.delete(ctx.uow(), E.PEOPLE, person.id)
    objective = crud.create(ctx.uow(), E.OBJECTIVES, {"title": "Joint HQ"}).value
    with pytest.raises(ValidationError, match=r"the owner .* does not exist"):
        crud.create(
            ctx.uow(),
            E.MILESTONES,
            {"objective_id": objective.id, "title": "m", "owner_id": person.id},
        )
    with pytest.raises(NotFoundError):
        crud.update(ctx.uow(), E.PEOPLE, person.id, {"role": "x"})


def test_action_due_before_raised_is_refused(ctx: ServiceContext) -> None:
    before = log_count(ctx)
    with pytest.raises(ValidationError, match="before the date raised"):
        actions.raise_action(
            ctx.uow(),
            {"description": "x", "raised_on": date(2026, 5, 2), "due_date": date(2026, 5, 1)},
        )
    assert log_count(ctx) == before


def test_action_references_number_per_year_and_never_repeat(ctx: ServiceContext) -> None:
    def raise_on(day: date) -> str:
        return actions.raise_action(
            ctx.uow(), {"description": "d", "raised_on": day}
        ).value.reference

    assert raise_on(date(2026, 1, 2)) == "HESCB/2026/001"
    second = raise_on(date(2026, 2, 2))
    assert second == "HESCB/2026/002"
    assert raise_on(date(2027, 1, 3)) == "HESCB/2027/001"
    gone = crud.list_all(
        ctx.uow(write=False), E.ACTIONS, where=E.ACTIONS.model.reference == second
    )[0]
    crud.delete(ctx.uow(), E.ACTIONS, gone.id)
    assert raise_on(date(2026, 3, 1)) == "HESCB/2026/003"
