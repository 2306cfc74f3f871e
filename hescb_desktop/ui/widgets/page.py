"""The base of the main window's pages: a scrollable column with a header, built on first visit."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QVBoxLayout, QWidget

from hescb_desktop.domain.permissions import Kind
from hescb_desktop.services.results import Changes
from hescb_desktop.ui.widgets.page_header import PageHeader
from hescb_desktop.ui.workspace import Workspace


def shown(*kinds: Kind) -> frozenset[str]:
    """What a page shows: these kinds of record, and who may read them (a readership or a
    sealing key that arrives changes what a restricted record shows)."""
    return frozenset({*kinds, Kind.RESTRICTION, Kind.KEY})


class Page(QWidget):
    """Subclasses build their widgets in `_setup_ui()` and load data in `refresh()`.

    `shows` names the kinds of record a page shows (domain.permissions.Kind; `shown`): when
    a change set (an operation's or a sync merge's) concerns one of them, the page refreshes,
    once (now if it is visible, else when it is next shown). No page lists tables.
    """

    shows: frozenset[str] = frozenset()

    def __init__(self, workspace: Workspace, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.workspace = workspace
        self.header = PageHeader(title, subtitle)
        self.content = QVBoxLayout(self)
        self.content.setContentsMargins(28, 22, 28, 20)
        self.content.setSpacing(14)
        self.content.addWidget(self.header)
        self._stale = False
        workspace.data_changed.connect(self._on_workspace_data_changed)

    def refresh(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------ keyboard: Ctrl+N, Ctrl+P, Ctrl+F (issue 14)
    def new_item(self) -> bool:
        """Ctrl+N: the page's "New …" button (False: the page has none to press now)."""
        return self._press("new_button", "new_paper_button")

    def print_page(self) -> bool:
        """Ctrl+P: the page's print (or PDF) button."""
        return self._press("print_button", "pdf_button")

    def focus_filter(self) -> bool:
        """Ctrl+F: the page's filter or search box, its text selected for typing over."""
        for name in ("search", "search_box"):
            box = getattr(self, name, None)
            if isinstance(box, QLineEdit) and box.isVisibleTo(self) and box.isEnabled():
                box.setFocus()
                box.selectAll()
                return True
        return False

    def _press(self, *names: str) -> bool:
        for name in names:
            button = getattr(self, name, None)
            if (
                isinstance(button, QAbstractButton)
                and button.isVisibleTo(self)
                and button.isEnabled()
            ):
                button.click()
                return True
        return False

    def may_leave(self) -> bool:
        """Asked before the window shows another page or closes: an editor embedded in the
        page settles its unsaved changes (`widgets.unsaved.settle_unsaved`); False stays."""
        return True

    def activate(self) -> None:
        """Called when the page is shown; reloads if data changed while it was hidden."""
        if self._stale:
            self._stale = False
            self.refresh()

    @Slot(object)
    def _on_workspace_data_changed(self, changes: Changes) -> None:
        if not changes.concerns(self.shows):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
