"""The status bar: who is using the app, for which organisation, and the state of sync."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from hescb_desktop.domain.dto import OrganisationDTO
from hescb_desktop.ui.widgets.palette import partner_colour
from hescb_desktop.ui.widgets.swatch import colour_dot


class AppStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_label = QLabel()
        self.org_dot = QLabel()
        self.org_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.user_label, self.org_label, self.sync_label):
            label.setObjectName("statusField")
        self.addPermanentWidget(self.user_label)
        self.addPermanentWidget(self.org_dot)
        self.addPermanentWidget(self.org_label)
        self.addPermanentWidget(self.sync_label)

    def show_user(self, name: str) -> None:
        self.user_label.setText(
            self.tr("User: %1").replace("%1", name) if name else self.tr("User: not set")
        )

    def show_organisation(self, code: str, organisation: OrganisationDTO | None) -> None:
        if not code:
            self.org_dot.clear()
            self.org_label.setText(self.tr("Organisation: not set"))
            return
        colour = partner_colour(code, organisation.colour if organisation else "")
        self.org_dot.setPixmap(colour_dot(colour, 10).pixmap(10, 10))
        name = organisation.name if organisation else code
        self.org_label.setText(f"{name} ({code})" if organisation else code)

    def show_share(self, folder: str) -> None:
        if not folder:
            self.sync_label.setText(self.tr("No share configured"))
            self.sync_label.setToolTip("")
            return
        self.sync_label.setText(
            self.tr("Share: %1 — sync arrives in a later release").replace("%1", folder)
        )
        self.sync_label.setToolTip(
            self.tr(
                "Nothing is exchanged with the share yet: sync through it arrives with issue 3."
            )
        )
