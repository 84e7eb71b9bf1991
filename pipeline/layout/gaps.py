"""Where the text runs and where it does not: character runs (segments) of
the text ink, and the tall white channels between them that have ink on
both sides (column gutters). Pure functions over numpy arrays."""
from __future__ import annotations

import cv2
import numpy as np

from ..image.ink import component_stats
from ..model import BBox

__all__ = ["segments", "tall_gaps"]


def segments(mask: np.ndarray, ch: float) -> np.ndarray:
    """Runs of characters: glyph boxes closed over gaps narrower than a
    quarter of a character, which is less than the narrowest gutter (0.05 in)
    at any body size up to 11 pt, so a segment never crosses a gutter."""
    k = max(3, int(round(0.25 * ch)))
    d = cv2.dilate(mask, np.ones((1, k), np.uint8))
    n, _, stats, _ = component_stats(d, 4)
    st = stats[1:]
    half = k // 2
    boxes = np.stack([st[:, 0] + half, st[:, 1], st[:, 0] + st[:, 2] - (k - 1 - half),
                      st[:, 1] + st[:, 3]], axis=1)
    return boxes.astype(np.int32)


def _white_runs(obstacles: list[tuple[int, int, int, int]], shape: tuple[int, int],
                scale: float) -> np.ndarray:
    """For each pixel of the page at ``scale``, the length of the empty
    vertical run through it (0 on ink)."""
    h, w = int(shape[0] * scale) + 1, int(shape[1] * scale) + 1
    occ = np.zeros((h, w), np.uint8)
    for x0, y0, x1, y1 in obstacles:
        occ[int(y0 * scale):int(np.ceil(y1 * scale)), int(x0 * scale):int(np.ceil(x1 * scale))] = 1
    empty = occ == 0
    up = np.zeros((h, w), np.int32)
    down = np.zeros((h, w), np.int32)
    run = np.zeros(w, np.int32)
    for y in range(h):
        run = np.where(empty[y], run + 1, 0)
        up[y] = run
    run[:] = 0
    for y in range(h - 1, -1, -1):
        run = np.where(empty[y], run + 1, 0)
        down[y] = run
    return up + down - 1


def _column_runs(interior: np.ndarray, min_h: float) -> list[tuple[int, int, int]]:
    """Per pixel column x, the runs [a, b) of interior white at least
    ``min_h`` long, as (x, a, b), sorted by x."""
    runs: list[tuple[int, int, int]] = []
    for x in range(interior.shape[1]):
        col = interior[:, x]
        if not col.any():
            continue
        d = np.diff(np.concatenate(([0], col.view(np.int8), [0])))
        starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
        for a, b in zip(starts, ends):
            if b - a >= min_h:
                runs.append((x, int(a), int(b)))
    return runs


def _join_runs(runs: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Runs of neighbouring columns that cover nearly the same rows, joined."""
    groups: list[list[tuple[int, int, int]]] = []
    open_: list[list[tuple[int, int, int]]] = []
    for r in runs:  # runs come sorted by x
        x, a, b = r
        joined = None
        for g in open_:
            px, pa, pb = g[-1]
            if px == x - 1 and min(b, pb) - max(a, pa) >= 0.8 * max(b - a, pb - pa):
                joined = g
                break
        if joined is None:
            joined = []
            groups.append(joined)
        joined.append(r)
        open_ = [g for g in open_ if g[-1][0] >= x - 1 and g is not joined] + [joined]
    return groups


def tall_gaps(obstacles: list[tuple[int, int, int, int]], shape: tuple[int, int], ch: float,
              scale: float = 0.5) -> list[BBox]:
    """White-space channels that have ink on both sides (column gutters), in
    page pixels: at least ``min_h`` (eight characters) tall and ``min_w``
    (about a quarter of a character) wide.

    Each pixel gets the length of the empty vertical run through it; rows of
    pixels whose run is tall enough form horizontal stretches, and those
    not touching the page edge (margins do) are gutter slices.
    """
    # Glyph gaps on the character grid line up over a few lines by chance;
    # over five or more lines they practically never do, gutters always.
    min_h = 8.0 * ch * scale
    tall = _white_runs(obstacles, shape, scale) >= min_h
    # In each row, a stretch of tall white that reaches the page edge is
    # margin (or the white below the last line), not a gutter.
    from_left = np.cumprod(tall, axis=1).astype(bool)
    from_right = np.cumprod(tall[:, ::-1], axis=1)[:, ::-1].astype(bool)
    interior = tall & ~from_left & ~from_right
    # Straight vertical channels: per pixel column, the runs of interior white
    # at least min_h long; neighbouring columns' runs join when they cover
    # nearly the same rows, so that the white under a short column does not
    # bend a gutter into an L.
    groups = _join_runs(_column_runs(interior, min_h))
    min_w = max(2.0, 0.28 * ch * scale)
    s = 1 / scale
    out = []
    for g in groups:
        if len(g) < min_w:
            continue
        x0, x1 = g[0][0], g[-1][0] + 1
        y0 = int(np.median([r[1] for r in g]))
        y1 = int(np.median([r[2] for r in g]))
        out.append(BBox(int(x0 * s), int(y0 * s), int(x1 * s), int(y1 * s)))
    return out
