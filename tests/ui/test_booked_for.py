"""A staff officer books for a principal: the record shows both (issue 15, point 2)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from trusted_office import TrustedOffice

from hescb_desktop.domain.calendar import EventDraft
from hescb_desktop.services import calendar as cal
from hescb_desktop.storage.models import Person
from hescb_desktop.ui.calendar.event_dialog import Choice, DialogChoices, EventDialog


def test_an_event_a_staff_officer_booked_for_a_principal_says_so(
    tmp_path: Path, qtbot: QtBot
) -> None:
    office = TrustedOffice(tmp_path)
    try:
        root = office.pc("root")
        with root.uow() as uow:
            uow.session.add(Person(name="Chief Fire Officer", role=""))
            uow.commit()
        office.sync("root")
        office.add("patel", "J. Patel", "officer", acts_for=["Chief Fire Officer"])
        office.settle()  # J. Patel's person record (made on approval) reaches every PC
        ctx = office.pc("patel")
        principal = next(iter(ctx.identity.acts_for))
        start = datetime.combine(datetime.now(cal.LONDON).date() + timedelta(days=2), time(10))
        start = start.replace(tzinfo=cal.LONDON)
        draft = EventDraft("Joint HQ visit", start, start + timedelta(hours=1), owner_id=principal)
        event = cal.create_event(ctx.uow(), draft).value
        details = cal.event_details(ctx.uow(write=False), event.id)
        assert details.booked_by == "J. Patel"
        own = cal.create_event(
            ctx.uow(), EventDraft("Own", start, start + timedelta(hours=1), owner_id=None)
        ).value
        assert cal.event_details(ctx.uow(write=False), own.id).booked_by == ""
        choices = DialogChoices(
            cal.calendars(ctx.uow(write=False)), [], [Choice(principal, "Chief Fire Officer")], []
        )
        dialog = EventDialog(details.draft, choices, lambda _d: [], booked_by=details.booked_by)
        qtbot.addWidget(dialog)
        label = dialog.findChild(QLabel, "booked_by")
        assert label is not None and label.text() == "Booked by J. Patel for Chief Fire Officer"
    finally:
        office.close()
