"""Text flow through the columns: line slots in reading order, skipping obstacles (figures),
and the points where a figure is read (where it sits in the flow of its left-most column)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Col:
    x0: float
    x1: float
    top: float
    bottom: float
    grid0: float
    obstacles: list = field(default_factory=list)   # [y0, y1, owner_col, emitted-callback]


class Flow:
    """Walks line slots through the columns in reading order, skipping obstacles."""

    def __init__(self, cols: list[Col], pitch: float):
        self.cols, self.pitch = cols, pitch
        self.ci, self.y = 0, cols[0].top
        self.done: set[int] = set()

    def snap(self, ci: int, y: float) -> float:
        g = self.cols[ci].grid0
        return g + math.ceil((y - g) / self.pitch - 1e-6) * self.pitch

    def _emit_obstacle(self, ob):
        if id(ob) not in self.done:
            self.done.add(id(ob))
            ob[3]()

    def _leave_column(self, ci: int):
        for ob in self.cols[ci].obstacles:
            if ob[2] == ci:
                self._emit_obstacle(ob)

    def slot(self, h: float, need: float | None = None):
        """Next position for a box of height ``h`` with ``need`` (>= h) free space below its
        top. Returns (column, y, broke) or None when the page is full; ``broke`` says the flow
        jumped (over an obstacle or to a new column) since the previous slot."""
        need = max(h, need or h)
        broke = False
        while self.ci < len(self.cols):
            col = self.cols[self.ci]
            hit = next((ob for ob in col.obstacles if self.y < ob[1] and self.y + need > ob[0]), None)
            if hit is not None:                     # jump below the figure; it is read here
                if hit[2] == self.ci:
                    self._emit_obstacle(hit)
                self.y = self.snap(self.ci, hit[1])
                broke = True
                continue
            if self.y + need <= col.bottom + 1e-6:
                return self.ci, self.y, broke
            self._leave_column(self.ci)
            self.ci += 1
            broke = True
            if self.ci < len(self.cols):
                self.y = self.cols[self.ci].top
        return None

    def fits_here(self, need: float) -> bool:
        """Whether ``need`` px fit at the current position without a jump."""
        if self.ci >= len(self.cols):
            return False
        col = self.cols[self.ci]
        return (self.y + need <= col.bottom + 1e-6
                and not any(self.y < ob[1] and self.y + need > ob[0] for ob in col.obstacles))

    def finish(self):
        for ci in range(len(self.cols)):
            self._leave_column(ci)
