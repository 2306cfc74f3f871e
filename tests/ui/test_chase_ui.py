"""The Home page's chase line (issue 18, point 6): on start it says what is due on the board,
and "Chase…" writes the drafts, invitations and chase list off the GUI thread, then offers to
open the folder."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from board_data import ME, BoardFacts
from PySide6.QtWidgets import QFileDialog, QMessageBox

from hescb_desktop.ui.home.home_page import HomePage
from hescb_desktop.ui.main_window import HOME, MainWindow


def _home(window: MainWindow) -> HomePage:
    home = window.pages[HOME]
    assert isinstance(home, HomePage)
    return home


def test_home_says_what_is_due_on_start(window: MainWindow, board: BoardFacts) -> None:
    # the known board: two actions late (one mine, one Sam's), one of mine due in three days
    home = _home(window)
    assert home.chase_banner.summary_label.text() == "2 actions overdue, 1 due this week"
    assert home.chase_banner.chase_button.isEnabled()


def test_chase_writes_the_files_and_offers_the_folder(
    window: MainWindow, board: BoardFacts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    out = tmp_path / "chase"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(out))
    banner = _home(window).chase_banner
    banner.chase_button.click()
    written = banner.written
    assert written is not None
    assert sorted(p.name for p in written.drafts) == [f"{ME}.eml", "Sam Patel.eml"]
    assert (out / "chase-list.pdf").is_file()
    msg = email.message_from_bytes((out / f"{ME}.eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == "HESCB: 1 action overdue, 1 due this week"
    assert len(asked) == 1
    assert "2 draft e-mails" in asked[0]
    assert "Open the folder?" in asked[0]
    assert "No e-mail address for" in asked[0]  # the known board keeps no addresses


def test_the_data_folder_is_refused(
    window: MainWindow, board: BoardFacts, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    before = sorted(p.name for p in data_dir.iterdir())
    assert _home(window).chase_banner.chase(data_dir / "drafts") is None
    assert warned == ["Choose a folder outside the app's data folder."]
    assert sorted(p.name for p in data_dir.iterdir()) == before
