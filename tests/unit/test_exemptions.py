"""Exemption grounds as a public edition prints them (issue 16, point 4)."""

from __future__ import annotations

import pytest

from hescb_desktop.domain.exemptions import (
    SCHEDULE_12A,
    Exemption,
    ExemptionError,
    parse_paragraph,
    public_title,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", 3),
        (" 7 ", 7),
        ("para 1", 1),
        ("Paragraph 5", 5),
        ("para. 2", 2),
        (4, 4),
        ("", None),
        (None, None),
    ],
)
def test_a_paragraph_is_read_as_typed(typed: str | int | None, expected: int | None) -> None:
    assert parse_paragraph(typed) == expected


@pytest.mark.parametrize("typed", ["8", "0", "three", "3a", "-1", "para"])
def test_anything_else_is_refused_saying_what_is_allowed(typed: str) -> None:
    with pytest.raises(ExemptionError, match="1 to 7"):
        parse_paragraph(typed)


def test_the_ground_in_words() -> None:
    assert sorted(SCHEDULE_12A) == list(range(1, 8))
    assert Exemption(1, "").ground() == (
        "This item is not for publication by virtue of paragraph 1 of Part 1 of Schedule 12A to"
        " the Local Government Act 1972 (information relating to any individual)."
    )
    police = Exemption(None, "  Tactics of a live   operation. ")
    assert police.recorded
    assert police.ground() == "Reason recorded: Tactics of a live operation."
    both = Exemption(7, "Public interest test applied").ground()
    assert "paragraph 7" in both and both.endswith(
        "The reason recorded: Public interest test applied."
    )
    assert not Exemption(None, " ").recorded
    assert Exemption(None, "").ground() == "This item is not for publication: exempt information."


def test_a_public_title_is_the_agreed_one_or_names_nothing() -> None:
    assert (
        public_title("  Part II item 7:  staffing matter ", "7")
        == "Part II item 7: staffing matter"
    )
    assert public_title("", "11") == "Part II item 11: exempt item"
