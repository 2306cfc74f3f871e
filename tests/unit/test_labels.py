"""One home for labels (issue 17): domain/labels.py names every enum value, and the GUI, the
command line and the PDFs print the same words."""

from __future__ import annotations

import inspect
from enum import StrEnum

import pytest

from hescb_desktop.domain import enums, labels
from hescb_desktop.domain.enums import ActionStatus, Part, Purpose, Rag
from hescb_desktop.reports import paper
from hescb_desktop.services import actions
from hescb_desktop.ui.widgets import labels as gui

ENUMS = [
    e
    for _, e in inspect.getmembers(enums, inspect.isclass)
    if issubclass(e, StrEnum) and e is not StrEnum and e.__module__ == enums.__name__
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_enum_value_has_a_label(enum: type[StrEnum]) -> None:
    assert enum in labels.LABELS
    for value in enum:
        assert labels.label(value).strip(), value


@pytest.mark.parametrize("value", [*ActionStatus, *Rag, *Purpose, *Part])
def test_the_gui_shows_the_domain_words(value: StrEnum) -> None:
    assert gui.enum_label(value) == labels.label(value)


def test_gui_cli_and_pdf_say_the_same_of_a_status() -> None:
    words = "Complete (proposed for closure)"  # DOMAIN.md: the board closes, the owner proposes
    assert labels.ACTION_STATUS[ActionStatus.COMPLETE] == words
    assert gui.status_label(ActionStatus.COMPLETE) == words  # the action log page
    assert actions.status_label(ActionStatus.COMPLETE) == words  # CLI and action updates
    assert actions.parse_status(words) is ActionStatus.COMPLETE  # and it reads back
    assert gui.rag_label(None) == labels.rag_label(None) == "Not rated"
    assert paper.PURPOSE_TEXT is labels.PURPOSE_PHRASE  # a paper's and a pack's header
