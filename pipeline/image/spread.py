"""Two-page spreads: find the fold between two facing pages and split the scan there.

A spread is wider than tall, and its two pages leave a band of paper down
the middle (the inner margins of both pages, often shaded by the binding)
that no text or picture crosses from top to bottom. A column gutter is
much narrower than that band, and a title or a figure over two columns
of one landscape page crosses its centre, so a wide, clear, central band is
what tells a spread from a landscape page.

Everything is measured on a small copy of the scan after straightening it;
the halves are cut from the straightened scan, each with the affine that
maps its pixels back to the original scan.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .ink import component_stats
from .preprocess import estimate_skew, grown_rotation, rotate

MIN_ASPECT = 1.15      # width / height; one portrait page is about 0.7, a spread about 1.4
CENTRE_ZONE = (0.38, 0.62)
MIN_BAND = 0.03        # of the width: two inner margins (~0.07); a 0.35 in gutter is ~0.02
MIN_BAND_IN = 0.45     # inches, when the resolution is known: wider than any column gutter
# ... in body characters otherwise (the type gives the scale when the file does
# not: 0.45 in is about four characters of 9.75 pt type)
MIN_BAND_CH = 3.5
WORK_WIDTH = 1200      # px of the small copy


@dataclass
class SpreadHalf:
    part: str              # "L" or "R"
    image: np.ndarray      # grayscale
    to_scan: np.ndarray    # 2x3 affine: this half's pixels -> the original scan's


@dataclass
class SpreadCut:
    x: float               # fold position in the straightened scan, px
    band: tuple[float, float]  # the clear band around it, px
    angle: float           # degrees the scan was turned by to straighten it


def _ink(small: np.ndarray) -> np.ndarray:
    """Dark marks against the paper level above and below them.

    The paper level is the brightest pixel in a vertical window a few text
    lines tall (there is always white between lines), so a binding shadow,
    a fold, a column rule, a dark border or uneven light, all of which run
    along that window, are paper, and text is ink.
    """
    tall = max(5, int(0.03 * small.shape[0]))
    paper = cv2.dilate(small, np.ones((tall, 1), np.uint8))
    # darker than 0.78 of the paper, in 16-bit integers: on a whole 300 dpi
    # spread (17 Mpx) float32 copies took the worker to 675 MB
    return (small.astype(np.uint16) * 100 < np.maximum(paper, 1).astype(np.uint16) * 78) & (paper > 60)


def _runs(clear: np.ndarray, bridge: int = 2) -> list[tuple[int, int]]:
    """Runs of clear columns; runs a speck or two apart (noise, JPEG) are one run."""
    d = np.diff(np.concatenate(([0], clear.astype(np.int8), [0])))
    out: list[list[int]] = []
    for a, b in zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()):
        if out and a - out[-1][1] <= bridge:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def body_char_height(gray: np.ndarray) -> float:
    """The body character height of a whole scan, before any straightening."""
    from .ink import char_height, components
    return char_height(components(_ink(gray)))


def find_fold(gray: np.ndarray, max_skew: float = 5.0, dpi: int | None = None) -> SpreadCut | None:
    """The fold of a two-page spread, or None for a single page. ``dpi``: the
    scan's resolution if the file gives it; else the fold is measured in
    body characters."""
    h, w = gray.shape[:2]
    if w < MIN_ASPECT * h or h < 200:
        return None
    least = MIN_BAND_IN * dpi if dpi else MIN_BAND_CH * body_char_height(gray)
    angle = estimate_skew(gray, max_skew)
    scale = WORK_WIDTH / w
    small = cv2.resize(gray, (WORK_WIDTH, max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    ink = _ink(small).astype(np.uint8)
    if abs(angle) >= 0.05:
        # turn the ink, not the picture: a turned picture's filled corners would meet
        # unevenly lit paper along a slanted edge that reads as ink
        ink = _turn(ink, angle)
    sh, sw = ink.shape
    # marks wider than one page are a dark border along the top or bottom edge
    n, labels, st, _ = component_stats(ink)
    wide = np.nonzero(st[1:, cv2.CC_STAT_WIDTH] > 0.6 * sw)[0] + 1
    ink = ink > 0
    if wide.size:
        ink &= ~np.isin(labels, wide)
    # the outer 4 % of the height: a dark border's inner edge or the canvas corners of the turn
    rows = ink[int(0.04 * sh): int(0.96 * sh)]
    frac = rows.mean(axis=0)
    clear = frac <= 0.002
    lo, hi = int(CENTRE_ZONE[0] * sw), int(CENTRE_ZONE[1] * sw)
    cands = [(a, b) for a, b in _runs(clear) if b > lo and a < hi]
    if not cands:
        return None
    a, b = max(cands, key=lambda r: r[1] - r[0])
    if b - a < MIN_BAND * sw or (b - a) / scale < least:
        return None
    # both pages carry text: the halves beside the band have ink
    left, right = frac[int(0.08 * sw):a].mean() if a > 0.08 * sw else 0.0, \
        frac[b:int(0.92 * sw)].mean() if b < 0.92 * sw else 0.0
    if min(left, right) < 0.01:
        return None
    # a band no wider than the widest white channel inside either half is a gutter
    inner = [r for r in _runs(clear) if r[1] <= a and r[0] >= 0.08 * sw or r[0] >= b and r[1] <= 0.92 * sw]
    widest = max((r[1] - r[0] for r in inner), default=0)
    if b - a < 2.0 * widest:
        return None
    s = 1 / scale
    # both copies were turned about their centres on grown canvases: map by the centres
    off = _rotated_width(w, h, angle) / 2 - sw * s / 2
    return SpreadCut(x=(a + b) / 2 * s + off, band=(a * s + off, b * s + off), angle=angle)


def _turn(mask: np.ndarray, angle: float) -> np.ndarray:
    """``mask`` turned like ``preprocess.rotate`` turns a page, on a grown, empty canvas."""
    m, (nw, nh) = grown_rotation(mask.shape, angle)
    return cv2.warpAffine(mask, m, (nw, nh), flags=cv2.INTER_NEAREST, borderValue=0)


def _rotated_width(w: int, h: int, angle: float) -> int:
    if abs(angle) < 0.05:
        return w
    t = np.deg2rad(angle)
    return int(np.ceil(h * abs(np.sin(t)) + w * abs(np.cos(t))))


def split_spread(gray: np.ndarray, max_skew: float = 5.0,
                 dpi: int | None = None) -> list[SpreadHalf] | None:
    """The left and right pages of a spread (in reading order), or None for a single page."""
    cut = find_fold(gray, max_skew, dpi)
    if cut is None:
        return None
    if abs(cut.angle) >= 0.05:
        straight, m = rotate(gray, cut.angle)
        back = cv2.invertAffineTransform(m)
    else:
        straight, back = gray, np.array([[1.0, 0, 0], [0, 1.0, 0]])
    x = int(round(cut.x))
    x = min(max(x, 1), straight.shape[1] - 1)
    halves = []
    for part, x0, x1 in (("L", 0, x), ("R", x, straight.shape[1])):
        shift = np.array([[1.0, 0, x0], [0, 1.0, 0]])
        halves.append(SpreadHalf(part, np.ascontiguousarray(straight[:, x0:x1]), compose(back, shift)))
    return halves


def compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """The 2x3 affine ``outer(inner(p))``."""
    o, i = np.asarray(outer, np.float64), np.asarray(inner, np.float64)
    return np.hstack([o[:, :2] @ i[:, :2], (o[:, :2] @ i[:, 2] + o[:, 2])[:, None]])
