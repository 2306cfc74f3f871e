"""Text that is safe to show: no control characters, and user text quoted at a bounded length.

Control characters (NUL, BEL, ESC, DEL and the C1 range) are refused when a user types them
(`control_problem`, used by the services' validation), but old databases, other PCs and
imported files may still hold them: every output (the command line, .ics export, PDFs) passes
text through `strip_controls`, so an ESC sequence never reaches a terminal or a calendar
client. Tab, line feed and carriage return are ordinary text.

`shorten` quotes user text inside a message (an error line, an import report): one line, at
most `limit` characters and an ellipsis.
"""

from __future__ import annotations

import re

# C0 controls other than tab, line feed and carriage return; DEL; the C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
QUOTE_LIMIT = 80
_SPACES = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """`text` without its control characters (tab and line breaks kept)."""
    return CONTROL.sub("", text)


def control_problem(text: str) -> str:
    """ "" when `text` holds no control character, else which one (for a validation message)."""
    found = CONTROL.search(text)
    return "" if found is None else f"a control character (U+{ord(found.group()):04X})"


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """User text for a one-line message: controls removed, white space runs made one space,
    cut to `limit` characters with an ellipsis."""
    line = _SPACES.sub(" ", strip_controls(text)).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
