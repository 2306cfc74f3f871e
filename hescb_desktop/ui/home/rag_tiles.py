"""The RAG summary: one tile per rating with its count of objectives."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hescb_desktop.domain.enums import Rag
from hescb_desktop.ui.widgets.labels import rag_label
from hescb_desktop.ui.widgets.palette import rag_colour

RAG_ORDER: tuple[Rag | None, ...] = (Rag.RED, Rag.AMBER, Rag.GREEN, None)


class RagTile(QFrame):
    def __init__(self, rag: Rag | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rag = rag
        self.setObjectName("ragTile")
        self.setStyleSheet(f"#ragTile {{ border-left: 6px solid {rag_colour(rag).name()}; }}")
        self.count_label = QLabel("0")
        self.count_label.setObjectName("ragCount")
        name = QLabel(rag_label(rag))
        name.setObjectName("ragName")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        layout.addWidget(self.count_label)
        layout.addWidget(name)

    def set_count(self, count: int) -> None:
        self.count_label.setText(str(count))


class RagTiles(QWidget):
    """Red, amber, green and not rated, left to right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = {rag: RagTile(rag) for rag in RAG_ORDER}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for tile in self.tiles.values():
            layout.addWidget(tile, 1)

    def set_counts(self, counts: dict[Rag | None, int]) -> None:
        for rag, tile in self.tiles.items():
            tile.set_count(counts.get(rag, 0))

    def count(self, rag: Rag | None) -> int:
        return int(self.tiles[rag].count_label.text())
