"""The ink of a page as connected components, and the body character height
they give: the page's own unit of length, measured before any layout (the
fold of a spread) and by every layout step after it."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Components:
    boxes: np.ndarray   # (n, 4) x0, y0, x1, y1
    area: np.ndarray    # ink pixels
    labels: np.ndarray  # label image (0 = paper, i + 1 = component i)


def component_stats(mask: np.ndarray, connectivity: int = 8):
    """``cv2.connectedComponentsWithStats``, with 16-bit labels where they
    fit: writing the label image is most of the call on a page of sparse ink
    (a page's rule mask: 35 ms with 32-bit labels, 10 ms with 16-bit). A
    page with more than 65535 components raises and gets 32-bit labels."""
    try:
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_16U)
    except cv2.error:
        return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_32S)


def components(binary: np.ndarray) -> Components:
    n, labels, stats, _ = component_stats(binary)
    st = stats[1:]
    boxes = np.stack([st[:, 0], st[:, 1], st[:, 0] + st[:, 2], st[:, 1] + st[:, 3]], axis=1)
    return Components(boxes.astype(np.int32), st[:, 4].astype(np.int64), labels)


def char_height(comps: Components, by_ink: bool = False) -> float:
    """Body character height: the most common height of glyph-like components.

    Most ink on a magazine page is body text, and almost every Han character
    has one component that spans its full height, so the mode of the heights
    of roughly square components is the body size. ``by_ink``: each
    component counts with its ink, so that big glyphs outweigh the many
    small pieces of Latin letters and broken strokes (see
    ``layout.pixels._body_height`` for when that is the better estimate).
    """
    b = comps.boxes
    w = b[:, 2] - b[:, 0]
    h = b[:, 3] - b[:, 1]
    sel = (h >= 8) & (h <= 400) & (w >= 0.4 * h) & (w <= 2.5 * h) & (comps.area >= 20)
    hs = h[sel]
    if hs.size < 10:
        return 40.0
    hist = np.bincount(hs // 2, weights=comps.area[sel].astype(np.float64) if by_ink else None)
    # smooth over neighbouring bins so that a font split between two bins still wins
    sm = np.convolve(hist, [1, 2, 1], mode="same")
    mode = (int(np.argmax(sm)) * 2) + 1
    near = hs[np.abs(hs - mode) <= max(3, 0.15 * mode)]
    return float(np.median(near)) if near.size else float(mode)
