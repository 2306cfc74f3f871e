"""The status bar: who is at the keyboard (person and role, from the board), for which
organisation, whether the board is protected, and the state of sync."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from hescb_desktop.domain.dto import OrganisationDTO
from hescb_desktop.ui.sync.state import (
    SyncState,
    conflicts_text,
    status_text,
    status_tooltip,
    today_in_london,
)
from hescb_desktop.ui.widgets.elided_label import ElidedLabel
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.swatch import colour_dot


class AppStatusBar(QStatusBar):
    conflicts_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_label = ElidedLabel(min_chars=14)
        self.trust_label = ElidedLabel(
            self.tr("Not protected: ask the secretariat to upgrade this board"), min_chars=10
        )
        self.org_dot = QLabel()
        self.org_label = QLabel()
        self.sync_label = QLabel()
        self.conflicts_button = QPushButton()
        for label in (self.user_label, self.org_label, self.sync_label):
            label.setObjectName("statusField")
        self.trust_label.setObjectName("statusNote")
        self.trust_label.setToolTip(
            self.tr(
                "This board was made before people, roles and signed changes: anyone who can "
                "write to the share can change anything. The secretariat upgrades it once, on "
                "one PC."
            )
        )
        self.trust_label.hide()
        self.conflicts_button.setObjectName("conflictsBadge")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflicts_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.conflicts_button.setToolTip(self.tr("Open the Conflicts page"))
        self.conflicts_button.clicked.connect(self.conflicts_clicked)
        self.conflicts_button.hide()
        self.addPermanentWidget(self.user_label)
        self.addPermanentWidget(self.trust_label)
        self.addPermanentWidget(self.org_dot)
        self.addPermanentWidget(self.org_label)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.conflicts_button)

    def show_who(self, text: str, details: str, *, problem: bool) -> None:
        """The person at the keyboard ("Jasmin Patel · officer (for the Chief Fire Officer)"),
        what their role may do in the tooltip; `problem` when the board does not know them."""
        self.user_label.setText(text)
        self.user_label.setToolTip(details)
        self.user_label.setAccessibleDescription(details)
        self.user_label.setProperty("problem", problem)
        self.user_label.style().polish(self.user_label)

    def show_unprotected(self, unprotected: bool) -> None:
        """A quiet note while the board is not protected (made before issue 15)."""
        self.trust_label.setVisible(unprotected)

    def show_organisation(self, code: str, organisation: OrganisationDTO | None) -> None:
        if not code:
            self.org_dot.clear()
            self.org_label.setText(self.tr("Organisation: not set"))
            return
        colour = partner_colour(code, organisation.colour if organisation else "")
        self.org_dot.setPixmap(colour_dot(colour, 10).pixmap(10, 10))
        name = organisation.name if organisation else code
        self.org_label.setText(f"{name} ({code})" if organisation else code)

    def show_sync(self, state: SyncState) -> None:
        """The sync state in words, its details in the tooltip, and the open conflicts."""
        self.sync_label.setText(status_text(state, today_in_london()))
        self.sync_label.setToolTip(status_tooltip(state))
        self.sync_label.setProperty("problem", bool(state.problems or state.message))
        self.sync_label.style().polish(self.sync_label)
        self.conflicts_button.setText(conflicts_text(state.conflicts))
        self.conflicts_button.setVisible(state.conflicts > 0)
