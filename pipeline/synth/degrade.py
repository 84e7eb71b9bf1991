"""Scanner-like degradations, all seeded: paper tone, skew (with its 2x3 affine), uneven
lighting, a dark scanner border, Gaussian noise, blur and a JPEG round trip.

The affine maps a point of the clean (unrotated) page to the degraded image, like the dev
pages' ``affine``; positive ``skew_deg`` turns the page counter-clockwise.
"""
from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def skew_affine(w: int, h: int, deg: float) -> np.ndarray:
    return cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), float(deg), 1.0)


def paper_tone(img: np.ndarray, paper: int) -> np.ndarray:
    """Map white to the paper grey level, keeping ink dark."""
    if paper >= 255:
        return img
    return cv2.convertScaleAbs(img, alpha=paper / 255.0)


def skew(img: np.ndarray, deg: float, fill: int = 255) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape
    m = skew_affine(w, h, deg)
    if deg == 0:
        return img, m
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=int(fill))
    return out, m


def lighting(img: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Darken smoothly towards one side / corner (scanner lid light fall-off)."""
    if strength <= 0:
        return img
    h, w = img.shape
    sh, sw = max(2, h // 32), max(2, w // 32)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    g = (np.cos(ang) * (xx / sw - 0.5) + np.sin(ang) * (yy / sh - 0.5)) + 0.5
    cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
    g = 0.7 * np.clip(g, 0, 1) + 0.3 * np.exp(-(((xx - cx) / sw) ** 2 + ((yy - cy) / sh) ** 2) * 3)
    field = 1.0 - strength * g / max(1e-6, float(g.max()))
    field = cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.convertScaleAbs(cv2.multiply(img.astype(np.float32), field))


def dark_border(img: np.ndarray, edge: str | None, width: int, rng: np.random.Generator) -> np.ndarray:
    """A dark band (scanner lid / book edge) along one edge, with a soft, wavy inner edge."""
    if not edge or width <= 0:
        return img
    out = img.astype(np.float32)
    h, w = img.shape
    vertical = edge in ("left", "right")
    n = h if vertical else w
    wave = cv2.resize(rng.uniform(-0.25, 0.25, size=(1, 12)).astype(np.float32), (n, 1),
                      interpolation=cv2.INTER_CUBIC)[0]
    depth = width * (1 + wave)
    d = np.arange(3 * width, dtype=np.float32)
    band = np.clip((depth[:, None] - d[None, :]) / (0.3 * width) + 0.5, 0, 1)  # n x 3w
    dark = float(rng.uniform(35, 80))
    if vertical:
        region = band if edge == "left" else band[:, ::-1]
        sl = np.s_[:, : 3 * width] if edge == "left" else np.s_[:, w - 3 * width:]
    else:
        region = band.T if edge == "top" else band.T[::-1, :]
        sl = np.s_[: 3 * width, :] if edge == "top" else np.s_[h - 3 * width:, :]
    out[sl] = out[sl] * (1 - region) + dark * region
    return np.clip(out, 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return img
    return cv2.GaussianBlur(img, (0, 0), float(sigma))


def noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    if sigma <= 0:
        return img
    n = rng.standard_normal(size=img.shape, dtype=np.float32)
    n = cv2.scaleAdd(n, float(sigma), img.astype(np.float32))
    return cv2.convertScaleAbs(n)   # rounds and saturates (values never go much below 0)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    if not quality:
        return img
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("L")).copy()


def degrade(img: np.ndarray, spec) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``spec``'s degradations to a clean page; returns (image, 2x3 affine)."""
    rng = np.random.default_rng(spec.seed * 1000003 + 7)
    img = paper_tone(img, spec.paper)
    img, m = skew(img, spec.skew_deg, fill=min(255, spec.paper + 3))
    img = lighting(img, spec.lighting, rng)
    img = dark_border(img, spec.border, spec.border_px, rng)
    img = noise(img, spec.noise, rng)     # grain before the optics blur: correlated, like paper
    img = blur(img, spec.blur)
    img = jpeg(img, spec.jpeg)
    return img, m
