"""The sentences minutes are written in: "ACTION: owner to ... by date" and where the
declarations of interest go."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

_DECLARATIONS = re.compile(r"\bdeclarations?\s+of\s+interests?\b", re.IGNORECASE)
# "Add", "Report" (an imperative, capitalised as the start of its own sentence); not "HFRS",
# "McKenzie", "iPad" or the first word of a name ("Fire Authority to ...")
_CAPITALISED = re.compile(r"^([A-Z])([a-z]+)(?=[\s,;:.!?]|$)")


def is_declarations_item(title: str) -> bool:
    """Whether an agenda item (or its minute) is the declarations of interest."""
    return bool(_DECLARATIONS.search(title))


def action_line(owner: str, description: str, due: date | None, reference: str) -> str:
    """ "Jane Smith (HC) to add a report to the forward plan by 29 October 2026 (HESCB/2026/042)":
    the description, written as a sentence of its own ("Add a report ... plan."), read as the
    rest of this one: lower case after "to", no full stop before "by"."""
    text = " ".join(description.split())
    text = text.rstrip(" .") if not text.endswith("...") else text
    words = text.split(" ", 2)
    second = words[1] if len(words) > 1 else ""
    if _CAPITALISED.match(text) and not second[:1].isupper():
        text = text[0].lower() + text[1:]
    by = f" by {due.day} {due:%B %Y}" if due else ""
    ref = f" ({reference})" if reference else ""
    return f"{owner} to {text}{by}{ref}"


def unmentioned(declarations: Sequence[tuple[str, str]], summary: str) -> tuple[str, ...]:
    """The declarations (person's name, line) a minute's own text does not already name."""
    text = summary.casefold()
    return tuple(line for name, line in declarations if not name or name.casefold() not in text)
