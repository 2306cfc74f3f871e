"""Why a Part II item is exempt, in the words a public edition prints (issue 16, point 4).

A council's (and so the Fire and Rescue Service's) exempt item cites a paragraph of Part 1 of
Schedule 12A to the Local Government Act 1972; a police item, which that Act does not govern,
gives the reason its chief officer or the Police and Crime Commissioner recorded. The paragraphs'
descriptions are the Schedule's own (as amended in 2006).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEDULE_12A: dict[int, str] = {
    1: "information relating to any individual",
    2: "information which is likely to reveal the identity of an individual",
    3: (
        "information relating to the financial or business affairs of any particular person"
        " (including the authority holding that information)"
    ),
    4: (
        "information relating to any consultations or negotiations, or contemplated"
        " consultations or negotiations, in connection with any labour relations matter"
        " arising between the authority or a Minister of the Crown and employees of, or office"
        " holders under, the authority"
    ),
    5: (
        "information in respect of which a claim to legal professional privilege could be"
        " maintained in legal proceedings"
    ),
    6: (
        "information which reveals that the authority proposes to give under any enactment a"
        " notice under or by virtue of which requirements are imposed on a person, or to make"
        " an order or direction under any enactment"
    ),
    7: (
        "information relating to any action taken or to be taken in connection with the"
        " prevention, investigation or prosecution of crime"
    ),
}

MAX_REASON = 1000
MAX_PUBLIC_TITLE = 300


class ExemptionError(ValueError):
    """An exemption ground that cannot be recorded as given."""


def paragraph_label(paragraph: int) -> str:
    """'3: information relating to the financial or business affairs ...' (for a list)."""
    return f"{paragraph}: {SCHEDULE_12A[paragraph]}"


def parse_paragraph(text: str | int | None) -> int | None:
    """A paragraph of Schedule 12A, Part 1 (1-7), from what was typed; empty is none."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    found = re.fullmatch(r"(?:para(?:graph)?\.?\s*)?(\d{1,3})", str(text).strip().casefold())
    if found is None:
        raise ExemptionError(
            f"{text!r} is not a paragraph of Schedule 12A: give a number from 1 to 7"
        )
    number = int(found.group(1))
    if number not in SCHEDULE_12A:
        raise ExemptionError(f"Schedule 12A, Part 1 has paragraphs 1 to 7, not {number}")
    return number


@dataclass(frozen=True)
class Exemption:
    """What a public edition says in place of a Part II item."""

    paragraph: int | None  # Schedule 12A, Part 1
    reason: str  # the reason recorded (a police item's, or the public interest test)

    @property
    def recorded(self) -> bool:
        return self.paragraph is not None or bool(self.reason.strip())

    def ground(self) -> str:
        """The ground, as one sentence a member of the public can read."""
        parts: list[str] = []
        if self.paragraph is not None:
            parts.append(
                f"This item is not for publication by virtue of paragraph {self.paragraph} of"
                f" Part 1 of Schedule 12A to the Local Government Act 1972"
                f" ({SCHEDULE_12A[self.paragraph]})."
            )
        reason = " ".join(self.reason.split())
        if reason:
            lead = "Reason recorded" if self.paragraph is None else "The reason recorded"
            parts.append(f"{lead}: {reason.rstrip('.')}.")
        if not parts:
            parts.append("This item is not for publication: exempt information.")
        return " ".join(parts)


def public_title(given: str, number: str) -> str:
    """The title a public edition prints for a Part II item: the agreed one, else a stub that
    names nothing ('Part II item 11: exempt item')."""
    given = " ".join(given.split())
    return given or f"Part II item {number}: exempt item"
