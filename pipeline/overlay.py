"""QA overlay: the page with blocks outlined by kind, numbered in reading
order, and arrows from each block to the next."""
from __future__ import annotations

import cv2
import numpy as np

from .model import Page

# BGR, chosen to stay apart from each other and from gray page content
KIND_COLOURS = {
    "title": (40, 40, 220), "heading": (200, 40, 200), "body": (40, 160, 40),
    "caption": (0, 140, 255), "header": (140, 140, 0), "footer": (140, 140, 0),
    "figure": (220, 80, 20), "sidebar": (180, 160, 0),
}
LOW_CONF = 60.0


def draw_overlay(page: Page, gray: np.ndarray, width: int = 1200) -> np.ndarray:
    scale = min(1.0, width / max(gray.shape[1], 1))
    img = cv2.cvtColor(cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
                       cv2.COLOR_GRAY2BGR)
    tint = img.copy()

    def s(v: float) -> int:
        return int(round(v * scale))

    for x0, x1 in page.columns[1:]:
        cv2.line(img, (s(x0), 0), (s(x0), img.shape[0] - 1), (200, 200, 255), 1)
    for b in page.blocks:
        for ln in b.lines:
            if ln.text and ln.conf < LOW_CONF:
                cv2.rectangle(tint, (s(ln.bbox.x0), s(ln.bbox.y0)), (s(ln.bbox.x1), s(ln.bbox.y1)),
                              (60, 60, 255), -1)
    img = cv2.addWeighted(tint, 0.35, img, 0.65, 0)
    blocks = page.ordered_blocks()
    for b in blocks:
        c = KIND_COLOURS.get(b.kind, (0, 0, 0))
        cv2.rectangle(img, (s(b.bbox.x0), s(b.bbox.y0)), (s(b.bbox.x1), s(b.bbox.y1)), c, 2)
    for a, b in zip(blocks, blocks[1:]):
        cv2.arrowedLine(img, (s(a.bbox.cx), s(a.bbox.cy)), (s(b.bbox.cx), s(b.bbox.cy)),
                        (80, 80, 80), 1, tipLength=0.02)
    for b in blocks:
        c = KIND_COLOURS.get(b.kind, (0, 0, 0))
        label = str(b.order)
        org = (s(b.bbox.x0) + 3, s(b.bbox.y0) + 22)
        cv2.putText(img, label, org, cv2.FONT_HERSHEY_SIMPLEX, 0.75, (255, 255, 255), 4)
        cv2.putText(img, label, org, cv2.FONT_HERSHEY_SIMPLEX, 0.75, c, 2)
    # legend
    y = 14
    for kind, c in KIND_COLOURS.items():
        cv2.rectangle(img, (6, y - 9), (18, y + 1), c, -1)
        cv2.putText(img, kind, (22, y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, c, 1)
        y += 14
    return img
