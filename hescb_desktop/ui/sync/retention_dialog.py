"""How long one kind of record is kept (issue 16, point 5): a number of whole years, or
permanently. OK sets the board's rule through the retention service, as an operation on the
workspace's runner (undoable from the Edit menu); a refusal (not the secretariat, a period the
service does not accept) is shown inline, the dialog stays open and nothing changes."""

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
from hescb_desktop.services import retention
from hescb_desktop.services.operations import as_job
from hescb_desktop.services.retention import Rule
from hescb_desktop.ui.operations import Runner
from hescb_desktop.ui.widgets.permission import sentence

FALLBACK_YEARS = 6  # what the spin box offers for a kind kept permanently by default


class PeriodDialog(QDialog):
    def __init__(self, runner: Runner, rule: Rule, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
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
    def ask(cls, runner: Runner, rule: Rule, parent: QWidget | None = None) -> Rule | None:
        """The rule as saved, or None when cancelled."""
        dialog = cls(runner, rule, parent)
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

    def label(self) -> str:
        """The operation's name on the Edit menu: "Keep closed actions for 3 years"."""
        what = self.rule.label.lower()
        if self.permanent.isChecked():
            return self.tr("Keep %1 permanently").replace("%1", what)
        years = self.years.value()
        text = self.tr("Keep %1 for 1 year") if years == 1 else self.tr("Keep %1 for %2 years")
        return text.replace("%1", what).replace("%2", str(years))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        self.error.hide()
        kind, period = self.rule.kind, self.period()
        self.buttons.setEnabled(False)  # until the operation has run
        self.runner.job(
            as_job(lambda ctx: retention.set_rule(ctx, kind, period)),
            label=self.label(),
            parent=self,
            on_done=self._saved,
            on_refused=self._refused,
        )

    def _saved(self, rule: Rule) -> None:
        self.buttons.setEnabled(True)
        self.saved = rule
        self.accept()

    def _refused(self, why: str) -> None:  # not the secretariat, or a period not accepted
        self.buttons.setEnabled(True)
        why = sentence(why.strip().rstrip("."))
        self.show_error(f"{why} {self.tr('The period was not changed.')}")


def _default_years(kind: str) -> int:
    found = policy.BY_KEY.get(kind)
    return (found.default_years if found else None) or FALLBACK_YEARS


def _text(words: str) -> QLabel:
    label = QLabel(words)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
