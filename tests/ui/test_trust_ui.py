"""The board's trust in the app (issue 15 points 3, 4 and 7): the sync page's Security and People
and PCs tabs, and the dialogs of the secretariat and of a new PC.

Real windows on real PCs of a real protected board (tests/trusted_office.py: real
SQLite files, keys and a share folder); each dialog driven as a person would, its refusal path
first (nothing approved, revoked or protected), then the way through.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from trusted_office import TrustedOffice

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services import trust as trust_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.storage.models import Action
from hescb_desktop.sync.segments import Signer, encode_segment, segment_name
from hescb_desktop.sync.share import Share
from hescb_desktop.sync.signing import fingerprint, new_key, public_bytes
from hescb_desktop.sync.trust import share_root
from hescb_desktop.sync.verify import NOT_ENROLLED
from hescb_desktop.ui.main_window import CONFLICTS, MainWindow
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.sync import jobs
from hescb_desktop.ui.sync.conflicts_page import ConflictsPage
from hescb_desktop.ui.sync.people_tab import PeopleTab
from hescb_desktop.ui.sync.trust_dialogs import (
    ApproveDialog,
    EnrolDialog,
    ProtectDialog,
    RootDialog,
    SetRoleDialog,
)
from hescb_desktop.ui.workspace import Workspace

ROUND_MS = 20_000
D = TypeVar("D", bound=QWidget)


# ---------------------------------------------------------------------- helpers
def as_pc(name: str) -> None:
    """The OS account of PC `name` (the office's PCs each have their own)."""
    os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"


def when_shown(kind: type[D], act: Callable[[D], None]) -> list[D]:
    """Run `act` on the next visible top-level `kind` (modal dialogs block in exec())."""
    seen: list[D] = []

    def poll() -> None:
        found = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
            None,
        )
        if found is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(found)
        act(found)

    QTimer.singleShot(20, poll)
    return seen


def press(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def add_action(office: TrustedOffice, pc: str, owner: str, text: str) -> str:
    ctx = office.pc(pc)
    with ctx.uow() as uow:
        action = Action(
            reference="HESCB/2026/501",
            ref_year=2026,
            ref_number=501,
            description=text,
            owner_id=office.people[owner],
            raised_on=date(2026, 12, 2),
        )
        uow.session.add(action)
        uow.commit()
    return action.id


def close_by_officer(office: TrustedOffice, action_id: str) -> None:
    """What a modified app on the officer's PC writes: an action it does not own, closed."""
    with office.modified_app("officer") as uow:
        uow.session.get(Action, action_id).status = ActionStatus.CLOSED  # type: ignore[union-attr]
        uow.commit()


def forge_unenrolled(office: TrustedOffice) -> str:
    """A segment in the officer's folder signed by a key the board never enrolled."""
    officer = office.pc("officer").device_id
    folder = office.share.segments_dir(officer)
    first = max((int(p.name.split("-")[1][:12]) for p in folder.glob("*.jsonl")), default=0) + 1
    ctx = office.pc("officer")
    recs = [
        r._replace(seq=first + i, tx=first)
        for i, r in enumerate(_records_of_a_new_person(ctx, "Chief Constable"))
    ]
    key = new_key()
    signer = Signer(key, fingerprint(public_bytes(key)), lambda seq: "")
    name = segment_name(first, recs[-1].seq)
    (folder / name).write_bytes(encode_segment(recs, "0011", signer))
    return name


def _records_of_a_new_person(ctx: ServiceContext, name: str) -> list[Any]:
    from hescb_desktop.storage.capture import Actor
    from hescb_desktop.storage.models import Person
    from hescb_desktop.storage.uow import UnitOfWork
    from hescb_desktop.sync.publisher import unpublished

    with UnitOfWork(ctx.engine, Actor(ctx.device_id, ctx.user), ctx.clock) as uow:  # a forger's
        uow.session.add(Person(name=name, role=""))
        uow.commit()
    recs = unpublished(ctx.engine, ctx.device_id)
    with ctx.engine.begin() as conn:  # never sent by the officer's PC: the forger took them
        conn.exec_driver_sql(
            "DELETE FROM change_log WHERE published = 0 AND device_id = ?", (ctx.device_id,)
        )
        conn.exec_driver_sql("DELETE FROM people WHERE name = ?", (name,))
    return list(recs)


def window_on(
    qtbot: QtBot, ctx: ServiceContext, share: Path, state: QSettings, *, first_round: bool = True
) -> MainWindow:
    save_settings(
        ctx.uow(),
        replace(load_settings(ctx.uow()), share_folder=str(share), first_run_choice="empty"),
    )
    win = MainWindow(Workspace(ctx), state)
    qtbot.addWidget(win)
    if first_round:
        with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS):
            win.show()
    else:
        win.show()
    return win


def sync_page(win: MainWindow, tab: int) -> ConflictsPage:
    win.show_page(CONFLICTS)
    page = win.pages[CONFLICTS]
    assert isinstance(page, ConflictsPage)
    page.show_tab(tab)
    return page


def sync_round(qtbot: QtBot, win: MainWindow) -> jobs.RoundOutcome:
    with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS) as done:
        win.sync.sync_action.trigger()
    outcome = done.args[0]
    assert isinstance(outcome, jobs.RoundOutcome)
    return outcome


def people_loaded(qtbot: QtBot, page: ConflictsPage) -> PeopleTab:
    """The People tab, its join requests read from the share (off the GUI thread)."""
    tab = page.people
    with qtbot.waitSignal(tab.requests_loaded, timeout=ROUND_MS):
        tab.load_requests()
    return tab


def select(table: Any, column: int, text: str) -> None:
    model = table.model()
    for row in range(model.rowCount()):
        if model.index(row, column).data() == text:
            table.selectRow(row)
            return
    raise AssertionError(f"{text!r} is not in the table")


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TrustedOffice]:
    monkeypatch.setenv("HESCB_TEST_ACCOUNT", "acct-root")  # restored after the test
    (tmp_path / "office").mkdir()
    o = TrustedOffice(tmp_path / "office")
    o.add("officer", "Olu Officer", "officer")
    o.settle()
    as_pc("root")
    yield o
    o.close()


@pytest.fixture
def root_window(
    qtbot: QtBot, office: TrustedOffice, window_state: QSettings
) -> Iterator[MainWindow]:
    """The secretariat's window, on the board's root PC."""
    as_pc("root")
    win = window_on(qtbot, office.pc("root"), office.share.folder, window_state)
    yield win
    win.close()


# ---------------------------------------------------------------------- Security
def test_security_tab_says_nothing_was_refused_when_everything_verified(
    qtbot: QtBot, root_window: MainWindow
) -> None:
    page = sync_page(root_window, ConflictsPage.SECURITY_TAB)
    security = page.security
    assert security.findings_view.is_empty and security.refused_view.is_empty
    assert security.findings_view.message.text().startswith(
        "Nothing refused: every change on the share verified"
    )
    assert security.refused_view.message.text().startswith("No change refused")
    assert page.tabs.tabText(ConflictsPage.SECURITY_TAB) == "&Security"
    assert root_window.nav.item(CONFLICTS).text() == "Sync"


def test_security_tab_lists_a_forged_segment_and_a_change_beyond_a_role(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    action = add_action(office, "root", "root", "The secretariat's own action")
    sync_round(qtbot, root_window)
    office.sync("officer")
    close_by_officer(office, action)
    office.sync("officer")
    forged = forge_unenrolled(office)
    as_pc("root")
    page = sync_page(root_window, ConflictsPage.SECURITY_TAB)
    sync_round(qtbot, root_window)
    security = page.security
    qtbot.waitUntil(lambda: security.findings.rowCount() == 1 and security.refused.rowCount() > 0)
    finding = security.findings.row_at(0)
    assert finding.item == forged and finding.reason == NOT_ENROLLED
    shown = [security.findings.index(0, c).data() for c in range(6)]
    assert shown[1] == "Olu Officer" and shown[2] == forged and shown[3] == NOT_ENROLLED
    refused = security.refused.rows()
    assert {r.person for r in refused} == {"Olu Officer"}
    assert all("actions that they or their principal own" in r.reason for r in refused)
    cells = [security.refused.index(0, c).data() for c in range(7)]
    assert cells[1] == "Olu Officer"
    assert "The secretariat's own action" in cells[3]  # the record, named as a person would
    assert cells[4] == "Status"
    by_field = {
        security.refused.index(r, 4).data(): security.refused.index(r, 5).data()
        for r in range(security.refused.rowCount())
    }
    assert by_field["Status"] == "closed"  # read as a value, not as JSON text
    assert page.tabs.tabText(ConflictsPage.SECURITY_TAB).startswith("&Security (")
    assert not security.findings_view.is_empty and not security.refused_view.is_empty


# ---------------------------------------------------------------------- People and PCs
def test_the_secretariat_sees_people_pcs_and_who_they_are(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    page = sync_page(root_window, ConflictsPage.PEOPLE_TAB)
    tab = people_loaded(qtbot, page)
    names = {tab.people.index(r, 0).data(): tab.people.index(r, 1).data() for r in range(2)}
    assert names == {"Sally Secretariat": "Secretariat", "Olu Officer": "Officer"}
    pcs = {tab.pcs.index(r, 1).data(): tab.pcs.index(r, 3).data() for r in range(2)}
    assert pcs == {"Sally Secretariat": "Root", "Olu Officer": "Enrolled"}
    assert office.root_fp in tab.you_label.text() and "Sally Secretariat" in tab.you_label.text()
    assert tab.role_button.isVisible() and tab.revoke_button.isVisible()
    assert tab.requests_card.isVisible() and tab.requests_view.is_empty
    assert not tab.protect_button.isVisible() and not tab.enrol_button.isVisible()


def test_an_officer_sees_the_list_read_only(
    qtbot: QtBot, office: TrustedOffice, window_state: QSettings
) -> None:
    as_pc("officer")
    win = window_on(qtbot, office.pc("officer"), office.share.folder, window_state)
    try:
        tab = sync_page(win, ConflictsPage.PEOPLE_TAB).people
        assert tab.people.rowCount() == 2 and "Olu Officer · Officer" in tab.you_label.text()
        assert not tab.role_button.isVisible() and not tab.revoke_button.isVisible()
        assert not tab.requests_card.isVisible()
        assert tab.read_only_note.isVisible()
    finally:
        win.close()


def new_pc(office: TrustedOffice, name: str) -> ServiceContext:
    """A PC that pinned the board's root and asked to be enrolled."""
    as_pc(name)
    ctx = open_context(office.root / name)
    office.pcs[name] = ctx
    sync_service.run_sync(ctx, office.share.folder, office.root_fp)
    trust_service.request_enrolment(ctx, office.share.folder)
    as_pc("root")
    return ctx


def test_approving_needs_the_fingerprint_read_out_by_phone(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    newcomer = new_pc(office, "newpc")
    tab = people_loaded(qtbot, sync_page(root_window, ConflictsPage.PEOPLE_TAB))
    assert tab.requests.rowCount() == 1
    assert tab.requests.index(0, 1).data() == "acct-newpc"
    assert newcomer.fingerprint not in str(
        [tab.requests.index(0, c).data() for c in range(tab.requests.columnCount())]
    )  # heard by phone, never read off the share
    tab.requests_table.selectRow(0)
    assert tab.approve_button.isEnabled()
    wrong = newcomer.fingerprint[:-1] + ("1" if newcomer.fingerprint[-1] != "1" else "2")
    errors: list[str] = []

    def fill(dialog: ApproveDialog) -> None:
        assert dialog.pc_label.text() and dialog.account_label.text() == "acct-newpc"
        dialog.typed.setText(wrong)
        dialog.person.setEditText("Nina Newcomer")
        dialog.role.setCurrentIndex(dialog.role.findData("viewer"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        errors.append(dialog.error.text() if dialog.error.isVisible() else "")
        assert dialog.isVisible()  # stays open, nothing typed lost
        assert dialog.typed.text() == wrong
        assert trust_service.pending_requests(office.pc("root"), office.share.folder)
        dialog.typed.setText(newcomer.fingerprint.replace(" ", "-"))  # typed with dashes
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    seen = when_shown(ApproveDialog, fill)
    tab.approve_button.click()
    assert seen and "do not match" in errors[0] and "not approved" in errors[0]
    assert not seen[0].isVisible()
    state = trust_service.trust_state(office.pc("root"))
    assert state.pcs[newcomer.fingerprint].account == "acct-newpc"
    qtbot.waitUntil(lambda: tab.requests.rowCount() == 0)
    assert "Nina Newcomer" in [r.name for r in tab.people.rows()]
    as_pc("newpc")
    sync_service.run_sync(newcomer, office.share.folder)
    assert newcomer.identity.name == "Nina Newcomer" and newcomer.identity.role.value == "viewer"
    as_pc("root")


def test_an_empty_fingerprint_is_refused_inline(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    new_pc(office, "newpc")
    tab = people_loaded(qtbot, sync_page(root_window, ConflictsPage.PEOPLE_TAB))
    tab.requests_table.selectRow(0)
    said: list[str] = []

    def empty(dialog: ApproveDialog) -> None:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        said.append(dialog.error.text())
        dialog.reject()

    when_shown(ApproveDialog, empty)
    tab.approve_button.click()
    assert said == ["Type the fingerprint the person reads out to you."]
    assert len(trust_service.pending_requests(office.pc("root"), office.share.folder)) == 1


def test_revoking_a_pc_asks_first_and_says_what_follows(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow
) -> None:
    tab = sync_page(root_window, ConflictsPage.PEOPLE_TAB).people
    officer_fp = office.pc("officer").fingerprint
    select(tab.pcs_table, 2, office.root_fp)
    assert not tab.revoke_button.isEnabled()  # the root PC cannot be revoked
    select(tab.pcs_table, 2, officer_fp)
    assert tab.revoke_button.isEnabled()
    told: list[str] = []

    def cancel(box: QMessageBox) -> None:
        told.append(box.informativeText())
        press(box, "&Cancel" if any(b.text() == "&Cancel" for b in box.buttons()) else "Cancel")

    when_shown(QMessageBox, cancel)
    tab.revoke_button.click()
    assert "refused on every PC" in told[0] and officer_fp in told[0]
    state = trust_service.trust_state(office.pc("root"))
    assert state.pcs[officer_fp].revoked_at is None  # cancelled: nothing revoked
    when_shown(QMessageBox, lambda box: press(box, "Revoke the PC"))
    tab.revoke_button.click()
    state = trust_service.trust_state(office.pc("root"))
    assert state.pcs[officer_fp].revoked_at is not None
    statuses = {tab.pcs.index(r, 2).data(): tab.pcs.index(r, 3).data() for r in range(2)}
    assert statuses[officer_fp] == "Revoked"
    select(tab.pcs_table, 2, officer_fp)
    assert not tab.revoke_button.isEnabled()


def test_setting_a_role_syncs_to_the_persons_pc(
    qtbot: QtBot, office: TrustedOffice, root_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the role is set as an operation: on the runner's writer thread, never the GUI's
    threads: list[bool] = []
    real_set_role = trust_service.set_role

    def set_role(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real_set_role(*args, **kwargs)

    monkeypatch.setattr(trust_service, "set_role", set_role)
    page = sync_page(root_window, ConflictsPage.PEOPLE_TAB)
    tab = page.people
    reloads: list[int] = []
    monkeypatch.setattr(tab, "refresh", lambda: reloads.append(1) or type(tab).refresh(tab))
    select(tab.people_table, 0, "Olu Officer")

    def cancel(dialog: SetRoleDialog) -> None:
        dialog.role.setCurrentIndex(dialog.role.findData("viewer"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()

    when_shown(SetRoleDialog, cancel)
    tab.role_button.click()
    assert (
        trust_service.trust_state(office.pc("root")).current_role(office.people["officer"]).value
        == "officer"
    )  # type: ignore[union-attr]

    def to_viewer(dialog: SetRoleDialog) -> None:
        dialog.role.setCurrentIndex(dialog.role.findData("viewer"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    when_shown(SetRoleDialog, to_viewer)
    reloads.clear()
    tab.role_button.click()
    assert threads == [False]
    assert reloads == [1]  # the tab reloads once (with every page: a role judges changes again)
    roles = {tab.people.index(r, 0).data(): tab.people.index(r, 1).data() for r in range(2)}
    assert roles["Olu Officer"] == "Viewer"
    office.sync("officer")
    assert office.pc("officer").identity.role.value == "viewer"
    as_pc("root")


# ---------------------------------------------------------------------- a new PC
def test_a_new_pc_checks_the_boards_root_then_asks_to_be_enrolled(
    qtbot: QtBot, office: TrustedOffice, tmp_path: Path, window_state: QSettings
) -> None:
    as_pc("laptop")
    laptop = open_context(tmp_path / "laptop")
    office.pcs["laptop"] = laptop
    asked: list[str] = []

    def not_now(dialog: RootDialog) -> None:
        asked.append(dialog.digits.text())
        assert dialog.digits.font().pointSize() >= 18  # large, to compare digit by digit
        dialog.later_button.click()

    when_shown(RootDialog, not_now)
    win = window_on(qtbot, laptop, office.share.folder, window_state)
    try:
        qtbot.waitUntil(lambda: bool(asked))
        assert asked == [office.root_fp]
        assert not laptop.identity.protected  # not trusted: nothing pinned
        assert "checked with the secretariat" in win.sync.controller.state.message
        with qtbot.waitSignal(win.sync.controller.round_finished, timeout=ROUND_MS) as done:
            win.sync.controller.sync_now()  # the 30 s timer's round: not asked every 30 s
        assert done.args[0].root == office.root_fp and len(asked) == 1
        page = sync_page(win, ConflictsPage.PEOPLE_TAB)
        with qtbot.waitSignal(page.people.share_checked, timeout=ROUND_MS):
            pass
        assert page.people.share_root == office.root_fp
        assert not page.people.protect_button.isVisible()  # not this PC's to protect
        assert "has not checked it yet" in page.people.you_label.text()

        fingerprints: list[str] = []

        def ask(dialog: EnrolDialog) -> None:
            dialog.ask_button.click()  # the request goes on the share off the GUI thread
            fingerprints.append(dialog.digits.text())
            assert dialog.digits.isVisible() and not dialog.ask_button.isVisible()
            dialog.close_button.click()

        when_shown(RootDialog, lambda d: (asked.append(d.digits.text()), d.trust_button.click()))
        when_shown(EnrolDialog, ask)
        win.sync.sync_action.trigger()  # Sync now, asked by the person: the question again
        qtbot.waitUntil(lambda: bool(fingerprints), timeout=ROUND_MS)
        assert asked == [office.root_fp, office.root_fp]
        assert laptop.identity.protected and not laptop.identity.person_id
        assert fingerprints == [laptop.fingerprint]
        as_pc("root")
        waiting = trust_service.pending_requests(office.pc("root"), office.share.folder)
        assert [r.fingerprint for r in waiting] == [laptop.fingerprint]
        as_pc("laptop")
        tab = page.people
        qtbot.waitUntil(lambda: tab.enrol_button.isVisible())
        assert "not enrolled" in tab.you_label.text() and not tab.protect_button.isVisible()
    finally:
        win.close()
        as_pc("root")


def test_a_join_that_meets_a_protected_board_changes_nothing_until_its_root_is_trusted(
    office: TrustedOffice, tmp_path: Path
) -> None:
    as_pc("joiner")
    ctx = open_context(tmp_path / "joiner")
    office.pcs["joiner"] = ctx
    before = (tmp_path / "joiner").iterdir()
    names = sorted(p.name for p in before)
    outcome = jobs.join_and_sync(ctx, str(office.share.folder), discard_demo=False)
    assert outcome.root == office.root_fp and outcome.ctx is None
    assert sorted(p.name for p in (tmp_path / "joiner").iterdir()) == names
    assert not ctx.identity.protected
    joined = jobs.join_and_sync(
        ctx, str(office.share.folder), discard_demo=False, trust_root=outcome.root
    )
    assert joined.ctx is not None and not joined.error, joined.error
    office.pcs["joiner"] = joined.ctx
    assert joined.ctx.identity.protected
    as_pc("root")


# ---------------------------------------------------------------------- protecting a board
@pytest.fixture
def plain_window(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, window_state: QSettings
) -> Iterator[MainWindow]:
    """The known board (made before issue 15: not protected) on a share of its own."""
    share = tmp_path / "plain-share"
    share.mkdir()
    win = window_on(qtbot, ctx, share, window_state)
    yield win
    win.close()


def test_the_secretariat_protects_a_board_made_before(
    qtbot: QtBot, plain_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HESCB_TEST_ACCOUNT", "acct-sec")
    ctx = plain_window.workspace.ctx
    share = Path(plain_window.workspace.share_folder)
    tab = sync_page(plain_window, ConflictsPage.PEOPLE_TAB).people
    assert tab.protect_button.isVisible() and "not protected" in tab.you_label.text()
    assert not tab.people_card.isVisible()
    security = sync_page(plain_window, ConflictsPage.SECURITY_TAB).security
    assert security.findings_view.message.text().startswith("This board is not protected")
    sync_page(plain_window, ConflictsPage.PEOPLE_TAB)
    said: list[str] = []

    def nameless(dialog: ProtectDialog) -> None:
        said.append(dialog.intro.text())
        dialog.name.clear()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        said.append(dialog.error.text())
        dialog.reject()

    when_shown(ProtectDialog, nameless)
    tab.protect_button.click()
    assert "other PCs" in said[0] and "root" in said[0]
    assert said[1].startswith("Type your name")
    assert not ctx.identity.protected and share_root(Share(share)) == ""

    def protect(dialog: ProtectDialog) -> None:
        dialog.name.setText("Sam Secretary")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    when_shown(ProtectDialog, protect)
    tab.protect_button.click()
    assert ctx.identity.protected and ctx.identity.name == "Sam Secretary"
    assert share_root(Share(share)) == ctx.fingerprint
    assert not tab.protect_button.isVisible() and tab.role_button.isVisible()
    statuses = [tab.pcs.index(r, 3).data() for r in range(tab.pcs.rowCount())]
    assert statuses == ["Root"]
    assert sync_round(qtbot, plain_window).problem == ""  # still syncs, now signed
    assert security.findings_view.message.text().startswith("Nothing refused")


def test_joining_from_the_window_asks_to_check_the_root_then_to_enrol(
    qtbot: QtBot, office: TrustedOffice, tmp_path: Path, window_state: QSettings
) -> None:
    as_pc("joiner")
    ctx = open_context(tmp_path / "joiner")
    save_settings(ctx.uow(), replace(load_settings(ctx.uow()), first_run_choice="empty"))
    win = MainWindow(Workspace(ctx), window_state)  # no share yet: no round
    qtbot.addWidget(win)
    win.show()
    try:
        shown: list[str] = []
        when_shown(RootDialog, lambda d: (shown.append(d.digits.text()), d.trust_button.click()))
        when_shown(EnrolDialog, lambda d: (d.ask_button.click(), d.close_button.click()))
        outcome = win.sync.join(str(office.share.folder), discard_demo=False)
        assert shown == [office.root_fp]
        assert outcome is not None and outcome.ctx is not None and not outcome.error
        joined = win.workspace.ctx
        assert joined is outcome.ctx and joined.identity.protected
        as_pc("root")
        waiting = trust_service.pending_requests(office.pc("root"), office.share.folder)
        assert [r.fingerprint for r in waiting] == [joined.fingerprint]
    finally:
        win.close()
        win.workspace.ctx.close()
        as_pc("root")


def test_a_first_run_join_declined_at_the_root_changes_nothing(
    qtbot: QtBot, office: TrustedOffice, tmp_path: Path
) -> None:
    from hescb_desktop.ui.first_run import join_first_run

    as_pc("firstrun")
    ctx = open_context(tmp_path / "firstrun")
    office.pcs["firstrun"] = ctx
    names = sorted(p.name for p in (tmp_path / "firstrun").iterdir())
    when_shown(RootDialog, lambda d: d.later_button.click())
    result = join_first_run(ctx, str(office.share.folder), None)
    assert result.ctx is ctx and "not trusted" in result.error
    assert sorted(p.name for p in (tmp_path / "firstrun").iterdir()) == names
    assert not ctx.identity.protected
    as_pc("root")


def test_asking_to_be_enrolled_without_the_share_says_why_inline(
    qtbot: QtBot, office: TrustedOffice, tmp_path: Path
) -> None:
    as_pc("laptop")
    laptop = open_context(tmp_path / "laptop")
    office.pcs["laptop"] = laptop
    sync_service.run_sync(laptop, office.share.folder, office.root_fp)
    runner = Runner(lambda: laptop)
    dialog = EnrolDialog(runner, str(tmp_path / "no-such-share"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ask_button.click()
    assert dialog.error.isVisible() and dialog.error.text().startswith("The request could not")
    assert dialog.fingerprint == "" and not dialog.digits.isVisible()
    assert dialog.ask_button.isVisible()  # may be asked again once the share is back
    as_pc("root")


def test_a_subject_access_bundle_from_the_people_tab(
    qtbot: QtBot,
    office: TrustedOffice,
    root_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Subject access… writes the PDF and the JSON into the folder chosen, off the GUI thread,
    and says how many records it holds. (The folder chooser is the operating system's: the
    test answers it.)"""
    from PySide6.QtWidgets import QFileDialog

    tab = sync_page(root_window, ConflictsPage.PEOPLE_TAB).people
    assert not tab.access_button.isEnabled()  # no one chosen yet
    select(tab.people_table, 0, "Olu Officer")
    assert tab.access_button.isEnabled()
    out = tmp_path / "sar"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    told: list[str] = []

    def note(box: QMessageBox) -> None:
        told.append(box.text())
        box.accept()

    when_shown(QMessageBox, note)
    tab.access_button.click()
    qtbot.waitUntil(lambda: bool(told), timeout=ROUND_MS)
    assert "records about Olu Officer: saved" in told[0]
    files = sorted(p.suffix for p in out.iterdir())
    assert files == [".json", ".pdf"]
