"""How long one kind of record is kept (issue 16, point 5): a number of whole years, or
permanently. OK sets the board's rule through the retention service; a refusal (not the
secretariat, a period the service does not accept) is shown inline, the dialog stays open and
nothing changes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hescb_desktop.domain import retention as policy
from hescb_desktop.domain.errors import DomainError
from hescb_desktop.services import retention
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.retention import Rule
from hescb_desktop.ui.widgets.permission import sentence

FALLBACK_YEARS = 6  # what the spin box offers for a kind kept permanently by default


class PeriodDialog(QDialog):
    def __init__(self, ctx: ServiceContext, rule: Rule, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rule = rule
        self.saved: Rule | None = None
        self.years = QSpinBox()
        self.permanent = QCheckBox(self.tr("Keep &permanently"))
        self.error = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._setup_ui()

    @classmethod
    def ask(cls, ctx: ServiceContext, rule: Rule, parent: QWidget | None = None) -> Rule | None:
        """The rule as saved, or None when cancelled."""
        dialog = cls(ctx, rule, parent)
        return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _setup_ui(self) -> None:
        rule = self.rule
        self.setWindowTitle(self.tr("How long to keep %1").replace("%1", rule.label.lower()))
        self.setMinimumWidth(480)
        intro = _text(
            self.tr(
                "%1: %2. Their period runs from %3; when it ends they are due for disposal. "
                "Every PC keeps to the new period once it has synced."
            )
            .replace("%1", rule.label)
            .replace("%2", rule.covers)
            .replace("%3", rule.runs_from)
        )
        self.years.setRange(1, policy.MAX_YEARS)
        self.years.setValue(rule.keep_years or _default_years(rule.kind))
        self.years.setAccessibleName(self.tr("Years to keep them"))
        self._on_years_changed(self.years.value())
        self.permanent.setChecked(rule.keep_years is None)
        self.years.setEnabled(rule.keep_years is not None)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.tr("&Keep for:"), self.years)
        form.addRow("", self.permanent)
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.years.valueChanged.connect(self._on_years_changed)
        self.permanent.toggled.connect(self._on_permanent_toggled)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def period(self) -> str:
        """What the service is asked to set: "permanent" or a number of years."""
        return "permanent" if self.permanent.isChecked() else str(self.years.value())

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # ------------------------------------------------------------------ slots
    @Slot(int)
    def _on_years_changed(self, years: int) -> None:
        self.years.setSuffix(self.tr(" year") if years == 1 else self.tr(" years"))

    @Slot(bool)
    def _on_permanent_toggled(self, checked: bool) -> None:
        self.years.setEnabled(not checked)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        self.error.hide()
        try:
            self.saved = retention.set_rule(self.ctx, self.rule.kind, self.period())
        except DomainError as exc:  # not the secretariat, or a period not accepted
            why = sentence(str(exc).strip().rstrip("."))
            self.show_error(f"{why} {self.tr('The period was not changed.')}")
            return
        self.accept()


def _default_years(kind: str) -> int:
    found = policy.BY_KEY.get(kind)
    return (found.default_years if found else None) or FALLBACK_YEARS


def _text(words: str) -> QLabel:
    label = QLabel(words)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
