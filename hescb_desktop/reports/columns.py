"""Table columns sized from what they hold, and tables that keep each row on one page.

ReportLab breaks a word that is wider than its column inside the word ("In prog/ress",
"HESCB/2026 /006"). `column_widths` gives every column at least the width of the longest
word it holds (a word: text between spaces; a no-break space keeps "26 Mar 2026" whole), up to
a cap, and shares what is left between the columns of running text by their weights.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.platypus import Flowable, Table

from hescb_desktop.reports.text import text_width

NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t\n\r]+")  # where ReportLab may break a line (not at NBSP)
# the longest a word may make its column, as a share of the table: a 5,000-character word
# is broken, not given the page
MAX_SHARE = 0.2


def keep_together(text: str) -> str:
    """`text` with no-break spaces: printed on one line (a date, "In progress")."""
    return NBSP.join(text.split(" "))


def longest_word(text: str, font: str, size: float) -> float:
    """The width of the widest word of `text` (words split at spaces and line breaks)."""
    words = _SPACES.split(text)
    return max((text_width(word, font, size) for word in words if word), default=0.0)


def column_widths(
    columns: Sequence[Sequence[str]],
    weights: Sequence[float],
    width: float,
    *,
    font: str,
    size: float,
    padding: float,
    header_font: str | None = None,
) -> list[float]:
    """Widths for a table `width` wide whose column n holds the texts `columns[n]` (its header
    first, set in `header_font`): each column at least its widest word plus `padding`
    (at most MAX_SHARE of the table), the rest shared by `weights` (0: content width only)."""
    need = []
    for texts in columns:
        widest = max(
            (
                longest_word(t, header_font if m == 0 and header_font else font, size)
                for m, t in enumerate(texts)
            ),
            default=0.0,
        )
        need.append(min(widest + padding, MAX_SHARE * width))
    spare = width - sum(need)
    if spare < 0:  # cannot happen with sane caps; shrink everything alike
        return [w * width / sum(need) for w in need]
    total = sum(weights) or 1.0
    return [w + spare * weight / total for w, weight in zip(need, weights, strict=True)]


class WholeRowsTable(Table):  # type: ignore[misc]  # reportlab has no type hints
    """A Table that moves a row that does not fit to the next page instead of cutting it in two;
    only a row taller than a whole page is cut (it could not be printed otherwise)."""

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self._calc(avail_width, avail_height)
        frame = getattr(self, "_frame", None)
        page = (
            frame._height - frame._topPadding - frame._bottomPadding
            if frame is not None
            else avail_height
        )
        header = sum(self._rowHeights[: self.repeatRows])
        tallest = max(self._rowHeights[self.repeatRows :], default=0.0)
        self.splitInRow = 1 if header + tallest > page else 0
        return list(super().split(avail_width, avail_height))
