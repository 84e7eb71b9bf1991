"""The skew of a page known only by its text boxes, and boxes turned upright.

Column edges are what the box layout finds gutters by, and on a scan turned
by a degree they drift 50 px over a page: more than the tolerance that tells
one column's edge from the next. The page's angle is measured from the boxes
themselves (any engine's, no image needed): turned by the right angle, the
left and right ends of the body lines line up best. The angle that makes
most line ends fall within a fraction of an em of another is taken, and only
when it does clearly better than leaving the page as it is.

Small angles only (a few degrees): a box is turned about the page origin by
its centre, ``x' = x + t*y``, ``y' = y - t*x`` with ``t`` the tangent, and
its height loses the rise ``|t|*width`` that a slanted line adds to its
upright box (a paragraph's short last line would otherwise look smaller
than the full lines above it); turning back gives it back.
"""
from __future__ import annotations

import numpy as np

from ..model import TextBox

__all__ = ["estimate_tilt", "upright", "turn_box", "unturn_box"]

MAX_TILT = 0.06        # tangent; about 3.4 degrees
COARSE, FINE = 0.0025, 0.0005
ALIGN_TOL_EM = 0.15    # line ends this close are aligned
MIN_GAIN = 1.15        # the best angle must align this many times more ends than none
MIN_LINES = 12
MIN_HEIGHT = 0.6       # a turned box keeps at least this share of its height

Box = tuple[float, float, float, float]


def _aligned(xs: np.ndarray, tol: float) -> int:
    """Pairs of values within ``tol`` of each other (counted from each side)."""
    s = np.sort(xs)
    return int((np.searchsorted(s, s + tol, "right") - np.searchsorted(s, s - tol, "left") - 1).sum())


def _score(edges: np.ndarray, t: float, tol: float) -> int:
    """``edges``: rows (x0, x1, cy) of body lines."""
    return _aligned(edges[:, 0] + t * edges[:, 2], tol) + _aligned(edges[:, 1] + t * edges[:, 2], tol)


def estimate_tilt(lines: list[TextBox], em: float) -> float:
    """The tangent ``t`` that stands the page's lines upright (0.0 when the
    page is straight or there is too little evidence)."""
    body = [ln.bbox for ln in lines if ln.bbox[2] - ln.bbox[0] > 3 * em and ln.height < 2.5 * em]
    if len(body) < MIN_LINES:
        return 0.0
    edges = np.array([(b[0], b[2], (b[1] + b[3]) / 2) for b in body], dtype=float)
    tol = ALIGN_TOL_EM * em
    base = _score(edges, 0.0, tol)
    coarse = np.arange(-MAX_TILT, MAX_TILT + COARSE / 2, COARSE)
    best = max(coarse, key=lambda t: _score(edges, t, tol))
    fine = np.arange(best - COARSE, best + COARSE + FINE / 2, FINE)
    best = float(max(fine, key=lambda t: _score(edges, t, tol)))
    return best if _score(edges, best, tol) > MIN_GAIN * max(base, 1) else 0.0


def turn_box(b: Box, t: float) -> Box:
    if not t:
        return b
    w, h = b[2] - b[0], b[3] - b[1]
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    cx, cy = cx + t * cy, cy - t * cx
    h = max(h - abs(t) * w, MIN_HEIGHT * h)
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def unturn_box(b: Box, t: float) -> Box:
    """Inverse of ``turn_box`` (to first order in ``t``)."""
    if not t:
        return b
    w, h = b[2] - b[0], b[3] - b[1]
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    k = 1 + t * t
    cx, cy = (cx - t * cy) / k, (cy + t * cx) / k
    h = h + abs(t) * w
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def upright(lines: list[TextBox], t: float) -> list[TextBox]:
    """The lines (and their atoms) turned by ``t``."""
    if not t:
        return lines
    return [TextBox(turn_box(ln.bbox, t), ln.text, [(turn_box(b, t), s) for b, s in ln.atoms],
                    ln.conf, ln.block) for ln in lines]
