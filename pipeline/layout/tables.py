"""Tables the learned detector missed: a block of aligned cells of figures.

A table without rules looks to the line finder like short lines of text; the
geometry alone cannot tell it from a list of short items set in columns
(the answers of a textbook: "(1) 棉 绵 锦  (2) 俊 骏 峻"), which are running
text. So a block is retyped as a table only after recognition, on both kinds
of evidence at once: white channels run down through it between cells, most
of its rows are broken into cells, and most of what it holds is figures
(numbers, percentages), as statistics tables do and text does not.
"""
from __future__ import annotations

import numpy as np

from .cells import cell_rows, occupancy
from ..model import BBox, Page

MIN_ROWS = 2
CELL_ROWS = 0.75     # share of rows broken into cells
FIGURES = 0.4        # share of the characters that are digits, signs of numbers


def channels(box: BBox, segs: np.ndarray, ch: float) -> int:
    """White channels at least a character wide that run down through ``box``
    between runs of characters (crossed by fewer than a sixth of its rows)."""
    cx, cy = (segs[:, 0] + segs[:, 2]) / 2, (segs[:, 1] + segs[:, 3]) / 2
    runs = segs[(cx >= box.x0) & (cx < box.x1) & (cy >= box.y0) & (cy < box.y1)]
    if len(runs) < 2:
        return 0
    _, occupied, rows = occupancy(runs)
    free = (occupied <= rows / 6).astype(np.int8)
    d = np.diff(np.concatenate(([0], free, [0])))
    gaps = [(a, b) for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1))
            if b - a >= ch and a > 0 and b < len(free)]
    return len(gaps)


def _figure_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    # digits and what goes with them in a number; not brackets or commas,
    # which numbered lists and prose have as many of
    return sum(c.isdigit() or c in ".%+-−–/％．" for c in chars) / len(chars)


def retype_tables(page: Page, segs: np.ndarray, ch: float) -> list[int]:
    """Blocks of text that are tables of figures become ``table`` (kept out of
    the running text; the rows of a table cut by a picture the detector put
    over the rest may have been typed caption); returns their ids."""
    out = []
    for b in page.blocks:
        if b.kind not in ("body", "caption", "heading") or len(b.lines) < MIN_ROWS or not len(segs):
            continue
        share, rows = cell_rows(b.bbox, segs, ch)
        if rows < MIN_ROWS or share < CELL_ROWS or channels(b.bbox, segs, ch) < 1:
            continue
        if _figure_share(b.text or " ".join(ln.text for ln in b.lines)) >= FIGURES:
            b.kind = "table"
            out.append(b.id)
    return out
