"""The character grid of vertical type: the pitch from one character to the
next down a block's columns (``pitch``), a column's own pitch near it
(``fine_pitch``), and a column cut into its character cells (``cells``)."""
from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

# pitch() of the same columns again: each vertical block of a page measures
# the pitch over all the page's columns of its type size, mostly the same ones
_PITCHES: OrderedDict = OrderedDict()


def pitch(profiles: list[np.ndarray], cw: float, lo_f: float = 0.85, hi_f: float = 1.6) -> float:
    """The distance from one character to the next down the columns (vertical
    type is set on a fixed pitch), between ``lo_f`` and ``hi_f`` character
    widths, to a quarter of a pixel: the grid whose lines cross the least of
    the columns' ink, each column at its own phase, each weighing alike.
    (The columns' autocorrelation, tried first, is weak on type set solid and
    drifts a pixel or two on a column of a few characters; a grid a pixel off
    its pitch cuts the characters of a column a few characters down.)"""
    # the characters, not the paper round them: a column's box may reach
    # past its ink, and grid lines on blank rows cost nothing
    inked = []
    for prof in profiles:
        nz = np.flatnonzero(prof)
        if len(nz):
            inked.append(np.asarray(prof[nz[0]:nz[-1] + 1], dtype=np.float64))
    # the same columns in any order are the same question (each block lists
    # its own first): one order, one answer
    keyed = sorted((hashlib.blake2b(prof.tobytes(), digest_size=16).digest(), i)
                   for i, prof in enumerate(inked))
    inked = [inked[i] for _, i in keyed]
    key = (float(cw), lo_f, hi_f, b"".join(d for d, _ in keyed))
    got = _PITCHES.get(key)
    if got is None:
        got = _PITCHES[key] = _pitch(inked, cw, lo_f, hi_f)
        while len(_PITCHES) > 64:
            _PITCHES.popitem(last=False)
    return got


def _pitch(inked: list[np.ndarray], cw: float, lo_f: float, hi_f: float) -> float:
    lo, hi = lo_f * cw, hi_f * cw
    sms = []
    for prof in inked:
        # in pieces of a dozen characters, each at its own phase: a column
        # with a mark squeezed in is a little tighter than the others, and
        # over a long column the grid of the block's pitch drifts off it
        piece = int(12 * cw)
        for at in range(0, len(prof), piece):
            part = prof[at:at + piece]
            if len(part) < 2 * lo or not part.any():
                continue
            sm = np.convolve(part, np.ones(3), mode="same")
            sms.append(sm / sm.mean())
    if not sms:
        return float(cw * 1.05)
    # every piece and a run of pitches at once (a call a piece and pitch was
    # most of a vertical page's time); costs as _grid_cost has them
    lens = np.array([len(sm) for sm in sms])
    n = int(lens.max())
    stack = np.zeros((len(sms), n + 1))   # the last row stands for rows past every profile
    for i, sm in enumerate(sms):
        stack[i, :len(sm)] = sm
    qs = np.arange(lo, hi, 0.25)
    phases = int(np.ceil(qs.max())) if len(qs) else 0
    per_q = len(sms) * phases * (int(np.ceil(n / lo)) + 1)
    step = max(1, int(2_000_000 // max(1, per_q)))
    best, got = None, float(cw * 1.05)
    for at in range(0, len(qs), step):
        run = qs[at:at + step]
        rows = (np.arange(phases)[None, :, None]
                + run[:, None, None] * np.arange(int(np.ceil(n / run.min())) + 1)[None, None, :])
        inside = rows[None] < lens[:, None, None, None]
        on = stack[:, np.minimum(rows, n).astype(int)]
        per = on.sum(axis=3) / np.maximum(1, inside.sum(axis=3))
        # a grid's phases are the whole pixels below its pitch
        per[:, np.arange(phases)[None, :] >= run[:, None]] = np.inf
        for q, cost in zip(run.tolist(), per.min(axis=2).sum(axis=0).tolist()):
            if best is None or cost < best - 1e-9:
                best, got = cost, float(q)
    return got


def _grid_cost(sm: np.ndarray, q: float) -> float:
    """The ink a grid of pitch ``q`` crosses per line, at its best phase
    (``sm``: a column's ink profile, smoothed)."""
    n = len(sm)
    rows = np.arange(0, q, 1.0)[:, None] + q * np.arange(int(np.ceil(n / q)) + 1)[None, :]
    inside = rows < n
    on = np.where(inside, sm[np.where(inside, rows, 0).astype(int)], 0.0)
    return float((on.sum(axis=1) / np.maximum(1, inside.sum(axis=1))).min())


def _grid(phase: float, n: int, p: float) -> np.ndarray:
    """Rows phase, phase + p, ... below ``n`` (a float range can step past its end)."""
    rows = np.arange(phase, n, p).astype(int)
    return rows[rows < n]


def fine_pitch(prof: np.ndarray, p: float) -> float:
    """The column's own pitch near the block's ``p``, to a hundredth of a
    pixel (on a column of seventy characters a tenth is seven pixels at its
    foot): the repeat whose grid lines cross the least ink. A mark hung at a
    column's foot squeezes one more cell into the column: on a short column
    that is a good deal tighter than on a long one."""
    n = len(prof)
    if n < 3 * p:
        return p
    k = max(1, int(round(n / p)))
    lo = min(0.93, k / (k + 1) - 0.01)
    sm = np.convolve(prof.astype(np.float64), np.ones(3), mode="same")
    got = p
    for qs in (np.arange(lo * p, 1.02 * p, 0.1), None):
        if qs is None:   # then finer, round the best
            qs = np.arange(got - 0.1, got + 0.1, 0.01)
        costs = [_grid_cost(sm, q) for q in qs]
        got = float(qs[int(np.argmin(costs))])
    return got


def cells(ink: np.ndarray, p: float) -> list[tuple[int, int]]:
    """The character cells of one column: (top, bottom) rows of ``ink`` (the
    column's binary crop, ink True), on the grid of pitch ``p`` whose lines
    cross the least ink (a mark in the corner of its cell can touch the
    character above: no blank row parts them, the grid does)."""
    prof = ink.sum(axis=1).astype(np.float64)
    n = len(prof)
    if n == 0 or not prof.any():
        return []
    sm = np.convolve(prof, np.ones(3), mode="same")
    best, phase = None, 0.0
    for ph in np.arange(0, p, 1.0):
        rows = _grid(ph, n, p)
        cost = float(sm[rows].sum())
        if best is None or cost < best:
            best, phase = cost, ph
    edges = [int(round(e)) for e in np.arange(phase - p, n + p, p)]
    out = []
    for a, b in zip(edges, edges[1:]):
        a, b = max(0, a), min(n, b)
        if b > a and prof[a:b].any():
            out.append((a, b))
    return out
