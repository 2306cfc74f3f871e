"""CSV for Excel: the shared formula guard and BOM (domain/csv_text.py), used by both the action
log CSV and the planning board CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from hescb_desktop.domain.csv_text import excel_csv_bytes, excel_text
from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services import board, crud
from hescb_desktop.services.action_log import ActionLogEntry, to_csv
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import OBJECTIVES, PEOPLE

FORMULAS = ['=HYPERLINK("http://x","y")', "+44 1707 000000", "-2 staff", "@home", "\tTAB", "\rCR"]
PLAIN = ["", "a=b", 'Łódź <pilot> & "quotes"', "مرحبا", "😀 -", " =not first", "'already"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_starts_get_the_apostrophe(text: str) -> None:
    assert excel_text(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_is_left_exactly_as_typed(text: str) -> None:
    assert excel_text(text) == text


def test_one_bom_and_utf8() -> None:
    assert excel_csv_bytes("Zoë,1\r\n") == b"\xef\xbb\xbfZo\xc3\xab,1\r\n"
    assert excel_csv_bytes("\ufeffA\r\n") == b"\xef\xbb\xbfA\r\n"


def _entry(**text: str) -> ActionLogEntry:
    texts = ("meeting", "description", "owner", "revision_reason", "latest_update")
    base = dict.fromkeys(texts, "")
    base.update(text)
    return ActionLogEntry(
        id="1",
        reference="HESCB/2026/001",
        ref_body="HESCB",
        ref_year=2026,
        ref_number=1,
        raised_on=date(2026, 3, 12),
        meeting_id=None,
        minute="77/26",
        owner_id=None,
        organisation_code="HC",
        due_date=date(2026, 4, 1),
        revised_due_date=None,
        status=ActionStatus.OPEN,
        completed_on=None,
        **base,  # type: ignore[arg-type]
    )


def test_action_log_csv_guards_every_user_text_column() -> None:
    raw = to_csv(
        [
            _entry(
                meeting="=HESCB",
                description="=1+1",
                owner="@Sam",
                revision_reason="-late",
                latest_update="+done",
            ),
            _entry(description="a = b", owner="Zoë Łukasz"),
        ]
    )
    assert raw.startswith(b"\xef\xbb\xbfReference,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    first, second = rows
    assert first["Meeting"] == "'=HESCB" and first["Description"] == "'=1+1"
    assert first["Owner"] == "'@Sam" and first["Reason for revision"] == "'-late"
    assert first["Latest update"] == "'+done"
    assert second["Description"] == "a = b" and second["Owner"] == "Zoë Łukasz"
    assert first["Due date (agreed)"] == "2026-04-01"  # dates untouched


def test_board_csv_guards_user_text_and_keeps_numbers(ctx: ServiceContext) -> None:
    sro = crud.create(ctx.uow(), PEOPLE, {"name": "@Sam Lee"}).value.id
    crud.create(
        ctx.uow(),
        OBJECTIVES,
        {
            "title": '=HYPERLINK("http://evil","click")',
            "stage": "Scoping",
            "theme": "+Estates",
            "sro_id": sro,
            "path_to_green": "-2 staff until March",
        },
    )
    crud.create(ctx.uow(), OBJECTIVES, {"title": "Joint HQ = phase 1", "stage": "Proposed"})
    stages = {s.name: s.id for s in board.list_stages(ctx.uow(write=False))}
    board.rename_stage(ctx.uow(), stages["Scoping"], "-Scoping")
    b = board.load_board(ctx.uow(write=False), date(2026, 11, 25))
    rows = list(csv.DictReader(io.StringIO(board.board_csv(b.cards, b.stage_names), newline="")))
    plain, evil = rows
    assert plain["Title"] == "Joint HQ = phase 1" and plain["Stage"] == "Proposed"
    assert evil["Title"] == '\'=HYPERLINK("http://evil","click")'
    assert evil["Stage"] == "'-Scoping"
    assert evil["Theme"] == "'+Estates"
    assert evil["SRO"] == "'@Sam Lee"
    assert evil["Path to green"] == "'-2 staff until March"
    assert evil["Open actions"] == "0" and evil["Marking"] == "OFFICIAL"
