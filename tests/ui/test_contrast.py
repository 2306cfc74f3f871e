"""Seen (issue 14, point 4): WCAG 2 contrast of the app's text colours on their backgrounds.

Computed from the colours the app really uses: every rule of resources/style.qss that sets a
text colour (against its own background, else the backgrounds it can appear on), the Python
palettes (due dates, RAG chips, markings), and the calendar page's arrow icons against the
button they are drawn on (measured on the rendered button, not assumed). Text needs 4.5:1,
icons (non-text) 3:1; disabled controls are exempt (WCAG 1.4.3).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from hescb_desktop.paths import resource_path
from hescb_desktop.ui.actions.action_table_model import PROPOSED_TEXT
from hescb_desktop.ui.board import card_delegate
from hescb_desktop.ui.widgets import palette
from hescb_desktop.ui.workspace import Workspace

WHITE, PAGE, SIDEBAR = "#ffffff", "#f3f5f8", "#16294a"
TEXT = 4.5
NON_TEXT = 3.0


def luminance(colour: str) -> float:
    c = QColor(colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def qss_rules() -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", resource_path("style.qss").read_text("utf-8"), flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        pairs = (p.split(":", 1) for p in body.split(";") if ":" in p)
        props = {k.strip(): v.strip() for k, v in pairs}
        rules.append((" ".join(selector.split()), props))
    return rules


def backgrounds(selector: str, props: dict[str, str]) -> list[str]:
    """The background the text is drawn on: its own, else where such a widget can be."""
    if "background" in props and props["background"].startswith("#"):
        return [props["background"]]
    if any(k in selector for k in ("sidebar", "brand", "navigation", "Sidebar")):
        return [SIDEBAR]
    if "qt_calendar" in selector or "QCalendarWidget" in selector:
        return ["#1f4e9c"]  # the calendar's navigation bar
    return [WHITE, PAGE]


def qss_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for selector, props in qss_rules():
        if ":disabled" in selector or "color" not in props:
            continue
        for bg in backgrounds(selector, props):
            pairs.append((selector, props["color"], bg))
    return pairs


@pytest.mark.parametrize(("selector", "fg", "bg"), qss_pairs())
def test_stylesheet_text_is_readable(selector: str, fg: str, bg: str) -> None:
    assert contrast(fg, bg) >= TEXT, f"{selector}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"


def test_the_empty_state_text_is_readable() -> None:
    (props,) = [p for s, p in qss_rules() if s == "#emptyMessage"]
    assert contrast(props["color"], WHITE) >= TEXT  # was #7b8595: 3.73:1


PYTHON_PAIRS = [
    ("overdue", palette.OVERDUE_TEXT, palette.OVERDUE_BACKGROUND),
    ("due soon", palette.DUE_SOON_TEXT, palette.DUE_SOON_BACKGROUND),
    ("proposed complete", PROPOSED_TEXT, WHITE),
    ("card text", card_delegate.TEXT.name(), WHITE),
    ("card muted", card_delegate.MUTED.name(), WHITE),
    ("card sensitive", card_delegate.SENSITIVE.name(), WHITE),
    ("white on red RAG", WHITE, palette.RAG_COLOURS[palette.Rag.RED]),
    ("white on green RAG", WHITE, palette.RAG_COLOURS[palette.Rag.GREEN]),
    ("dark on amber RAG", "#1d2430", palette.RAG_COLOURS[palette.Rag.AMBER]),
]


@pytest.mark.parametrize(("what", "fg", "bg"), PYTHON_PAIRS)
def test_painted_text_is_readable(what: str, fg: str, bg: str) -> None:
    assert contrast(fg, bg) >= TEXT, f"{what}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"


def test_calendar_arrows_stand_out_from_their_buttons(qtbot: QtBot, workspace: Workspace) -> None:
    """The previous/next arrows as drawn: the darkest and lightest pixels of the rendered
    button (its face and the arrow) differ by at least 3:1 (they were white on white, 1.03)."""
    from hescb_desktop.ui.calendar.calendar_page import CalendarPage

    page = CalendarPage(workspace)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    for button in (page.prev_button, page.next_button):
        image = button.grab().toImage()
        face = image.pixelColor(3, image.height() // 2).name()  # inside the border, off the arrow
        arrow = min(
            (
                image.pixelColor(x, y).name()
                for x in range(image.width() // 4, 3 * image.width() // 4)
                for y in range(image.height() // 4, 3 * image.height() // 4)
            ),
            key=lambda c: -contrast(c, face),
        )
        assert contrast(arrow, face) >= NON_TEXT, f"arrow {arrow} on {face}"
