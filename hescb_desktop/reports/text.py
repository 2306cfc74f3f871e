"""User text into ReportLab Paragraph markup: everything prints exactly as typed."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

# C0 controls other than tab and newline, DEL, C1 controls, and lone surrogates (a broken
# Windows file name): none of them can be drawn, so each becomes U+FFFD.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINE = re.compile("\r\n|\r|\n")


def para_text(text: str) -> str:
    """Escape `text` for a Paragraph: `<b>`, `&`, `&nbsp;` and unclosed tags print literally,
    line breaks stay line breaks, and anything unprintable shows as U+FFFD."""
    cleaned = _UNPRINTABLE.sub("\ufffd", _NEWLINE.sub("\n", text))
    return escape(cleaned, {'"': "&quot;"}).replace("\n", "<br/>")
