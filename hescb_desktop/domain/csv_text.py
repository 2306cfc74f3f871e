"""CSV that Excel opens as typed: the one place for the formula guard and the UTF-8 BOM.

Excel (and LibreOffice) read a cell that starts with = + - @ as a formula, and some versions also
a leading tab or carriage return: "=HYPERLINK(...)" typed as an action's description would become
a live link, "-2 staff" an error. `excel_text` prefixes such text with an apostrophe, which Excel
shows as typed and does not display. Only user text goes through it, never numbers or ISO dates.

`excel_csv_bytes` encodes a whole CSV document as UTF-8 with a byte-order mark, so Excel on
Windows reads accents, Polish, Arabic and emoji right instead of guessing a code page.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def excel_text(text: str) -> str:
    """User text for a CSV cell: a leading formula character is shown, not evaluated."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def excel_csv_bytes(document: str) -> bytes:
    """A CSV document as UTF-8 with a BOM (one BOM, even if the text already starts with one)."""
    return (BOM + document.removeprefix(BOM)).encode("utf-8")
