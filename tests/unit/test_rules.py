from __future__ import annotations

import pytest

from hescb_desktop.domain.enums import Marking, Rag
from hescb_desktop.domain.errors import MarkingError, ValidationError
from hescb_desktop.domain.rules import (
    STANDARD_AGENDA,
    ActionRef,
    SerialRef,
    highest_marking,
    next_number,
    overall_rag,
    parse_marking,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OFFICIAL", Marking.OFFICIAL),
        ("official", Marking.OFFICIAL),
        (" Official-Sensitive ", Marking.OFFICIAL_SENSITIVE),
        ("OFFICIAL SENSITIVE", Marking.OFFICIAL_SENSITIVE),
        ("official_sensitive", Marking.OFFICIAL_SENSITIVE),
    ],
)
def test_parse_marking_accepts_official_tiers(text: str, expected: Marking) -> None:
    assert parse_marking(text) is expected


@pytest.mark.parametrize("text", ["SECRET", "top secret", "TOP-SECRET"])
def test_parse_marking_refuses_higher_tiers(text: str) -> None:
    with pytest.raises(MarkingError, match="must not be held"):
        parse_marking(text)


def test_parse_marking_refuses_not_protectively_marked_and_nonsense() -> None:
    with pytest.raises(MarkingError, match="must not be used on new documents"):
        parse_marking("Not protectively marked")
    with pytest.raises(MarkingError, match="unknown protective marking"):
        parse_marking("RESTRICTED")


def test_document_takes_highest_marking() -> None:
    assert highest_marking([]) is Marking.OFFICIAL
    assert highest_marking([Marking.OFFICIAL]) is Marking.OFFICIAL
    both = [Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE, Marking.OFFICIAL]
    assert highest_marking(both) is Marking.OFFICIAL_SENSITIVE


def test_overall_rag_is_worst_dimension() -> None:
    assert overall_rag([Rag.GREEN, Rag.AMBER, None]) is Rag.AMBER
    assert overall_rag([Rag.GREEN, Rag.RED]) is Rag.RED
    assert overall_rag([None, None]) is None


def test_overall_rag_override_better_than_worst_needs_reason() -> None:
    with pytest.raises(ValidationError, match="give a reason"):
        overall_rag([Rag.RED, Rag.GREEN], override=Rag.AMBER)
    assert overall_rag([Rag.RED], override=Rag.AMBER, override_reason="funding agreed") is Rag.AMBER
    # an override that is worse than the worst needs no reason
    assert overall_rag([Rag.GREEN], override=Rag.RED) is Rag.RED


def test_action_reference_round_trip() -> None:
    ref = ActionRef.parse("hescb/2026/14")
    assert ref == ActionRef("HESCB", 2026, 14)
    assert str(ref) == "HESCB/2026/014"
    with pytest.raises(ValidationError):
        ActionRef.parse("HESCB-2026-014")


def test_serial_reference_round_trip() -> None:
    assert str(SerialRef(77, 2026)) == "77/26"
    assert SerialRef.parse("HESCB 43/26") == SerialRef(43, 2026)
    with pytest.raises(ValidationError):
        SerialRef.parse("43-26")


def test_next_number_never_reuses_gaps() -> None:
    assert next_number([]) == 1
    assert next_number([1, 2, 5]) == 6


def test_standard_agenda_follows_domain_order() -> None:
    titles = [i.title for i in STANDARD_AGENDA]
    assert titles[0] == "Welcome and introductions"
    assert titles.index("Apologies for absence") < titles.index("Declarations of interest")
    assert titles.index("Minutes of the previous meeting") < titles.index("Matters arising")
    assert titles[-1] == "Date of next meeting"
    assert len(titles) == 12
