"""How the text in a box is set, from its character runs: table cells
(rows with white between their runs) or running text in columns (rows
that fill their slots edge to edge). The checks of a detected table, and
of a figure found to hold a table, rest on these."""
from __future__ import annotations

import numpy as np

from ..model import BBox

__all__ = ["occupancy", "cell_rows", "full_rows"]


def _runs_in(box: BBox, segs: np.ndarray, ch: float) -> np.ndarray:
    """Character runs of about body height whose centre lies in ``box``."""
    if not len(segs):
        return segs
    cx, cy = (segs[:, 0] + segs[:, 2]) / 2, (segs[:, 1] + segs[:, 3]) / 2
    h = segs[:, 3] - segs[:, 1]
    sel = (cx >= box.x0) & (cx < box.x1) & (cy >= box.y0) & (cy < box.y1) & (h >= 0.5 * ch) & (h <= 1.6 * ch)
    return segs[sel]


def occupancy(runs: np.ndarray) -> tuple[int, np.ndarray, float]:
    """How many of ``runs`` (n, 4) cover each x from the left-most run's x0
    on: (that x0, the counts, the number of rows: the median count where
    there is any)."""
    x0 = int(runs[:, 0].min())
    occupied = np.zeros(int(runs[:, 2].max()) - x0 + 1, np.int32)
    for r in runs:
        occupied[int(r[0]) - x0:int(r[2]) - x0] += 1
    return x0, occupied, max(1.0, float(np.median(occupied[occupied > 0])))


def cell_rows(box: BBox, segs: np.ndarray, ch: float) -> tuple[float, int]:
    """(share of text rows in ``box`` that hold a gap of two characters or more
    between runs, number of rows). Table rows are cells with white between
    them; lines of running text are unbroken runs (justification opens gaps
    of an em at most)."""
    runs = _runs_in(box, segs, ch)
    if not len(runs):
        return 0.0, 0
    runs = runs[np.argsort((runs[:, 1] + runs[:, 3]) / 2, kind="stable")]
    rows: list[list[np.ndarray]] = []
    for r in runs:
        cy = (r[1] + r[3]) / 2
        if rows and abs(cy - np.mean([(q[1] + q[3]) / 2 for q in rows[-1]])) <= 0.5 * ch:
            rows[-1].append(r)
        else:
            rows.append([r])
    gapped = 0
    for row in rows:
        xs = sorted((int(q[0]), int(q[2])) for q in row)
        reach = xs[0][1]
        for x0, x1 in xs[1:]:
            if x0 - reach >= 2 * ch:
                gapped += 1
                break
            reach = max(reach, x1)
    return gapped / len(rows), len(rows)


def full_rows(box: BBox, segs: np.ndarray, ch: float) -> float:
    """How much the text in ``box`` looks like columns of running text rather
    than a table: the white channels that (almost) no run crosses cut it into slots,
    and in each slot, the share of rows whose runs fill the slot from edge to
    edge (justified lines do; table cells, left- or right-aligned and of
    many lengths, mostly do not). The mean over the slots."""
    runs = _runs_in(box, segs, ch)
    if len(runs) < 4:
        return 0.0
    x0, occupied, n_rows = occupancy(runs)
    # a channel: white in all but a few rows (a box or heading may cross it)
    busy = (occupied > 0.15 * n_rows).astype(np.int8)
    d = np.diff(np.concatenate(([0], busy, [0])))
    # a column of running text holds a line of many characters; a slot
    # narrower than that holds cells (numbers, short labels)
    slots = [(int(a) + x0, int(b) + x0) for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1))
             if b - a >= 8 * ch]
    if not slots:
        return 0.0
    shares = []
    for s0, s1 in slots:
        inside = runs[(runs[:, 0] >= s0 - 1) & (runs[:, 2] <= s1 + 1)]
        if not len(inside):
            continue
        rows: dict[int, list] = {}
        for r in inside:
            rows.setdefault(int((r[1] + r[3]) / 2 // max(1.0, 0.8 * ch)), []).append(r)
        full = sum(1 for rs in rows.values()
                   if min(q[0] for q in rs) <= s0 + ch and max(q[2] for q in rs) >= s1 - ch)
        shares.append(full / len(rows))
    return float(np.mean(shares)) if shares else 0.0
