"""Synthetic figures without any text: a grey 'photo' (blurred blobs, shapes, gradient) or a
line-art bar chart. Figures are solid rectangles of mid-grey tones, so they never look like text.
"""
from __future__ import annotations

import cv2
import numpy as np


def photo(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth grey picture: low-frequency noise, a few filled ellipses, a vignette."""
    small = rng.uniform(40, 220, size=(max(2, h // 60), max(2, w // 60))).astype(np.float32)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    img += (gx * (xx / w - 0.5) + gy * (yy / h - 0.5)) * 80
    for _ in range(int(rng.integers(2, 6))):
        cx, cy = rng.uniform(0, w), rng.uniform(0.2 * h, h)
        ax, ay = rng.uniform(0.08, 0.35) * w, rng.uniform(0.08, 0.35) * h
        tone = float(rng.uniform(20, 235))
        cv2.ellipse(img, (int(cx), int(cy)), (int(ax), int(ay)), float(rng.uniform(0, 180)), 0, 360,
                    tone, -1, lineType=cv2.LINE_AA)
    img = cv2.GaussianBlur(img, (0, 0), max(1.0, w / 300))
    img += rng.normal(0, 6, size=img.shape).astype(np.float32)
    v = 1 - 0.25 * (((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2)
    img = np.clip(img * v, 0, 235)
    return img.astype(np.uint8)


def chart(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A bar chart with axes and grid lines (no labels)."""
    img = np.full((h, w), 245, np.uint8)
    m = int(min(w, h) * 0.08)
    x0, y0, x1, y1 = m, m, w - m, h - m
    for k in range(1, 5):
        y = y1 - (y1 - y0) * k // 5
        cv2.line(img, (x0, y), (x1, y), 200, 1)
    n = int(rng.integers(4, 9))
    bw = (x1 - x0) / (n * 1.6)
    for i in range(n):
        bx = int(x0 + bw * 0.6 + i * bw * 1.6)
        bh = int((y1 - y0) * rng.uniform(0.2, 0.95))
        cv2.rectangle(img, (bx, y1 - bh), (int(bx + bw), y1), int(rng.choice([60, 120, 170])), -1)
    cv2.line(img, (x0, y0), (x0, y1), 30, 3)
    cv2.line(img, (x0, y1), (x1, y1), 30, 3)
    return img


def make_figure(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = chart(w, h, rng) if rng.random() < 0.2 else photo(w, h, rng)
    if rng.random() < 0.5:
        cv2.rectangle(img, (0, 0), (w - 1, h - 1), 40, 2)
    return img
