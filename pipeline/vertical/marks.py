"""The marks vertical type prints in the upper right of a cell (，。、): told
apart by their shape (``corner_mark``) and put into the engine's reading of a
column in their places (``put_marks``)."""
from __future__ import annotations

import cv2
import numpy as np


CORNER_READS = set("，。、,.`\\'")


def corner_mark(ink: np.ndarray) -> str:
    """Which of ，。、 a mark in the upper right of a vertical cell is, by its
    shape: a ring (paper at its middle) is 。, a mark clearly taller than wide
    is ，, the slanting stroke 、. chi_sim reads these small marks, set apart
    from their characters, as full stops more often than not."""
    h, w = ink.shape
    if h == 0 or w == 0:
        return "。"
    m = np.pad(ink.astype(np.uint8) * 255, 1)
    _c, hier = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is not None and (hier[0][:, 3] >= 0).any():   # a hole: the ring
        return "。"
    if h >= 1.25 * w:
        return "，"
    # the ring's middle is paper; the slanting stroke of 、 runs through its middle
    mid = ink[h // 3:h - h // 3, w // 3:w - w // 3]
    return "。" if mid.size and mid.mean() < 0.3 else "、"


def whole_mark(labels: np.ndarray, top: int, piece: np.ndarray, py0, py1, px0, px1) -> str:
    """``corner_mark`` of the whole marks in a cell: the grid between cells
    may cut a thin ring in two, the marks' own pixels do not."""
    ids = np.unique(labels[top + py0:top + py1, px0:px1][piece[py0:py1, px0:px1]])
    ids = ids[ids > 0]
    if not len(ids):
        return corner_mark(piece[py0:py1, px0:px1])
    m = np.isin(labels, ids)
    ys, xs = np.nonzero(m)
    return corner_mark(m[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def put_marks(text: str, kinds: list[str | None]) -> str:
    """The engine's reading of a column with its corner marks told by shape:
    where it read as many of them as there are, each in its place; else the
    marks it read or dropped are put back after as many characters as stand
    before them in the column (``kinds``: each cell's mark, None for a character)."""
    marks = [k for k in kinds if k]
    if not marks:
        return text
    at = [i for i, c in enumerate(text) if c in CORNER_READS]
    if len(at) == len(marks):
        chars = list(text)
        for i, m in zip(at, marks):
            chars[i] = m
        return "".join(chars)
    rest = [c for c in text if c not in CORNER_READS]
    out, i = [], 0
    for k in kinds:
        if k:
            out.append(k)
        elif i < len(rest):
            out.append(rest[i])
            i += 1
    return "".join(out) + "".join(rest[i:])
