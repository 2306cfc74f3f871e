"""Who is at the keyboard, shown in the window (issue 15): the status bar names the person and
their role ("Jasmin Patel · officer (for the Chief Fire Officer)"); a board that does not know
this PC's account gets a banner over every page ("Ask the secretariat to add you": read only);
a board not yet protected says so quietly. On the demo board only, a Demo menu opens the board
as any of its people ("View as"), so every screen can be tried in every role.

Everything is read from `Workspace.who` (services.who); a change of person (the demo's View as,
or a sync round that enrolled this PC) arrives as `Workspace.identity_changed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox

from hescb_desktop.domain.permissions import Role
from hescb_desktop.services.who import DemoPerson, Principal, Who, demo_people

if TYPE_CHECKING:
    from hescb_desktop.ui.main_window import MainWindow
    from hescb_desktop.ui.workspace import Workspace

_CONTEXT = "Who"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def role_word(role: Role) -> str:
    return {
        Role.SECRETARIAT: _tr("secretariat"),
        Role.OFFICER: _tr("officer"),
        Role.VIEWER: _tr("viewer"),
    }[role]


def principal_words(principals: tuple[Principal, ...]) -> str:
    """ "the Chief Fire Officer" (a post), else the person's name; several joined by "and"."""
    names = [
        _tr("the %1").replace("%1", p.title) if p.title else p.name or _tr("a colleague")
        for p in principals
    ]
    return _tr(" and ").join(names)


def describe(who: Who) -> str:
    """The person at the keyboard in one line, for the status bar and Settings."""
    if not who.known:
        return _tr("Not known to this board · read only")
    if not who.protected:
        return who.name
    text = f"{who.name} · {role_word(who.identity.role)}"
    if who.principals:
        text += " " + _tr("(for %1)").replace("%1", principal_words(who.principals))
    return text


def role_explained(who: Who) -> str:
    if not who.protected:
        return _tr(
            "This board is not protected yet: anyone can change anything, and changes are "
            "recorded under this name. Ask the secretariat to upgrade this board."
        )
    if not who.known:
        return _tr("You can read the board, not change it, until the secretariat adds you.")
    return {
        Role.SECRETARIAT: _tr("The secretariat administers the board and may change anything."),
        Role.OFFICER: _tr(
            "An officer keeps the calendar items and the progress of actions that they or "
            "their principal own, and proposes papers and agenda items."
        ),
        Role.VIEWER: _tr("A viewer reads the board and changes nothing."),
    }[who.identity.role]


def details(who: Who) -> str:
    """The status bar's tooltip: the account, the post and what the role may do."""
    lines = [_tr("Your account: %1").replace("%1", who.account)]
    if who.title:
        lines.append(who.title)
    lines.append(role_explained(who))
    return "\n".join(lines)


def banner_text(who: Who) -> str:
    return _tr(
        "This board does not know your account (%1). Ask the secretariat to add you. "
        "Until then you can read the board but not change it."
    ).replace("%1", who.account)


class WhoDisplay(QObject):
    """Keeps the status bar, the banner and the demo's View as menu in step with the person."""

    def __init__(self, window: MainWindow, workspace: Workspace) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = workspace
        self.banner = QLabel()
        self.banner.setObjectName("identityBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        window.page_column.insertWidget(0, self.banner)
        self.demo_menu: QMenu | None = None
        self.view_as_menu: QMenu | None = None
        self._group: QActionGroup | None = None
        workspace.identity_changed.connect(self._on_workspace_identity_changed)
        window.sync.controller.round_finished.connect(self._on_controller_round_finished)
        self.show()

    def show(self) -> None:
        who = self.workspace.who
        status = self.window.status
        text = describe(who)  # whole in the tooltip too: a narrow window cuts it short
        status.show_who(text, f"{text}\n{details(who)}", problem=not who.known)
        status.show_unprotected(not who.protected)
        self.banner.setText(banner_text(who))
        self.banner.setAccessibleName(banner_text(who))
        self.banner.setVisible(not who.known)
        self._show_demo_menu(who)

    # ------------------------------------------------------------------ the demo's View as
    def _show_demo_menu(self, who: Who) -> None:
        if not who.demo:
            if self.demo_menu is not None:  # the demo went onto a share: no longer offered
                self.window.menuBar().removeAction(self.demo_menu.menuAction())
                self.demo_menu.deleteLater()
                self.demo_menu = self.view_as_menu = self._group = None
            return
        if self.demo_menu is None:
            self.demo_menu = QMenu(self.tr("&Demo"), self.window)
            self.demo_menu.setObjectName("demoMenu")
            self.view_as_menu = self.demo_menu.addMenu(self.tr("&View as"))
            self.view_as_menu.setObjectName("viewAsMenu")
            help_action = self.window.help_menu.menuAction()
            self.window.menuBar().insertMenu(help_action, self.demo_menu)
        self._fill_view_as(who)

    def _fill_view_as(self, who: Who) -> None:
        menu = self.view_as_menu
        assert menu is not None
        menu.clear()
        if self._group is not None:
            self._group.deleteLater()
        group = self._group = QActionGroup(menu)
        headings = {
            Role.SECRETARIAT: self.tr("Secretariat"),
            Role.OFFICER: self.tr("Officers"),
            Role.VIEWER: self.tr("Viewers"),
        }
        people = demo_people(self.workspace.ctx)
        for role, heading in headings.items():
            menu.addSection(heading)
            for person in (p for p in people if p.role is role):
                self._add_person(menu, group, person, who)
        menu.addSeparator()
        stranger = menu.addAction(self.tr("Someone the board does not know"))
        stranger.setCheckable(True)
        stranger.setChecked(not who.known)
        stranger.setData("")
        group.addAction(stranger)
        group.triggered.connect(self._on_view_as_triggered)

    def _add_person(
        self, menu: QMenu, group: QActionGroup, person: DemoPerson, who: Who
    ) -> QAction:
        text = f"{person.name}, {person.title}" if person.title else person.name
        if person.acts_for:
            text += " " + self.tr("(for %1)").replace("%1", principal_words(person.acts_for))
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(who.identity.person_id == person.person_id)
        action.setData(person.person_id)
        group.addAction(action)
        return action

    @Slot(QAction)
    def _on_view_as_triggered(self, action: QAction) -> None:
        # after the menu's signal has returned: the change rebuilds the menu and its actions
        person_id = str(action.data())
        QTimer.singleShot(0, self, lambda: self.view_as(person_id))

    def view_as(self, person_id: str) -> None:
        """Carry on as `person_id` ("" : an unknown account), once unsaved edits are settled."""
        if not all(page.may_leave() for page in self.window.pages.values()):
            self.show()  # Cancel on "Save changes to …?": stay who you were
            return
        self.workspace.view_as(person_id, on_done=self._viewing, on_refused=self._not_viewing)

    def _viewing(self) -> None:
        who = self.workspace.who
        if who.known:
            text = self.tr("Viewing the demo board as %1").replace("%1", describe(who))
        else:
            text = self.tr("Viewing the demo board as someone it does not know")
        self.window.status.showMessage(text, 6000)

    def _not_viewing(self, why: str) -> None:
        QMessageBox.warning(self.window, self.tr("View as"), why)
        self.show()  # the menu's check goes back to who is at the keyboard

    # ------------------------------------------------------------------ changes
    @Slot()
    def _on_workspace_identity_changed(self) -> None:
        self.show()

    @Slot(object)
    def _on_controller_round_finished(self, _outcome: object) -> None:
        self.workspace.refresh_identity()  # enrolled (or revoked) by the round: shown at once
