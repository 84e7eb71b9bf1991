"""Preprocess: grayscale -> dark-border crop -> deskew -> flat lighting -> binary.

Layout analysis works on the binary image; OCR gets crops of the flattened
grayscale image, which Tesseract reads better than our binarisation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..model import Flag, Page
from ..options import Options
from .panels import Panel, apply_panels, find_panels, read_panel


@dataclass
class PageImage:
    page: Page            # the page record; blocks are added by later stages
    gray: np.ndarray      # deskewed, lighting-flattened grayscale (OCR input)
    binary: np.ndarray    # ink = 255, paper = 0 (layout input)
    glyphs: np.ndarray | None = None  # (n, 2) centres of the glyphs layout found, for checks
    # deskewed grayscale before the lighting is flattened: what the learned
    # region detector was trained on (tinted panels and photos keep their tone)
    straight: np.ndarray | None = None
    # what the layout's geometry found (layout.TextGeometry), for checks and fallbacks
    geometry: object | None = None
    # areas that are not paper, with the text found on them (``panels``)
    panels: list[Panel] = field(default_factory=list)
    # rule strokes and decorative rules the layout found: painted out for OCR
    rule_ink: np.ndarray | None = None
    # the binary image before vertical text was painted out of it (vertical/regions.py)
    binary_full: np.ndarray | None = None
    # the body character height of the whole page, when most of its text was
    # painted out of ``binary`` (a vertical page): the layout sizes the type
    # left to it, a title, running heads, a folio, by it
    body_ch: float | None = None


def crop_dark_border(gray: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """Cut away dark scanner borders along the edges; return the crop and its offset.

    A border shows as a run of edge columns (or rows) that are mostly dark
    over the whole page length, unlike text or figures, which leave paper
    between them and the edge.
    """
    h, w = gray.shape
    paper = float(np.percentile(gray, 90))
    dark = gray < paper * 0.55

    def run(fracs: np.ndarray, means: np.ndarray, limit: int) -> int:
        n = 0
        while n < limit and fracs[n] > 0.5:
            n += 1
        if n == 0 or n >= limit:
            return 0
        # step past the shadow on the inner side of the band, where it fades
        # to paper (text beside it is too sparse to darken a whole line)
        core, cap = n, min(limit, 2 * n + 8)
        while n < cap and (fracs[n] > 0.02 or means[n] < paper * 0.93):
            n += 1
        if n == cap:  # a long gradient is uneven lighting, not border shadow
            n = core + (cap - core) // 2
        return n + 4 if n < limit else 0

    rows, cols = slice(h // 10, h - h // 10), slice(w // 10, w - w // 10)
    cf, cm = dark[rows].mean(axis=0), np.median(gray[rows][::4], axis=0)
    rf, rm = dark[:, cols].mean(axis=1), np.median(gray[:, cols][:, ::4], axis=1)
    left = run(cf, cm, w // 4)
    right = run(cf[::-1], cm[::-1], w // 4)
    top = run(rf, rm, h // 4)
    bottom = run(rf[::-1], rm[::-1], h // 4)
    # The band's inner edge is wavy (a book edge, a lid shadow) and the cut
    # above follows its middle part: deepen each cut to the deepest point of
    # the band anywhere along its edge, so no dark bit is left to pass for ink.
    shade = gray < paper * 0.8
    # (at most twice as deep: a picture touching the edge is not part of the band)
    if top:
        top = max(top, _band_depth(shade[: min(h // 4, 2 * top), left: w - right or None]))
    if bottom:
        bottom = max(bottom, _band_depth(shade[::-1][: min(h // 4, 2 * bottom), left: w - right or None]))
    if left:
        left = max(left, _band_depth(shade[top: h - bottom or None, : min(w // 4, 2 * left)].T))
    if right:
        right = max(right, _band_depth(shade[top: h - bottom or None, ::-1][:, : min(w // 4, 2 * right)].T))
    # a book's gutter shadow fades into the page and text may stand in it: the
    # cut never reaches the first ink darker than its own surroundings
    if left or right or top or bottom:
        ink = _local_ink(gray)
        left = min(left, _clear_depth(ink[h // 10: h - h // 10].T))
        right = min(right, _clear_depth(ink[h // 10: h - h // 10, ::-1].T))
        top = min(top, _clear_depth(ink[:, w // 10: w - w // 10]))
        bottom = min(bottom, _clear_depth(ink[::-1, w // 10: w - w // 10]))
    return gray[top: h - bottom, left: w - right], (left, top)


def _local_ink(gray: np.ndarray) -> np.ndarray:
    """Glyph-sized marks clearly darker than the paper or shadow around them
    (text in a shadow; not the shadow, nor the ragged inner edge of a dark
    border, whose marks run long), on a quarter-size copy scaled back."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ground = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    ink = ((ground.astype(np.int16) - small.astype(np.int16)) > 40).astype(np.uint8)
    n, labels, st, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = st[:, cv2.CC_STAT_WIDTH], st[:, cv2.CC_STAT_HEIGHT]
    glyph = (w <= 16) & (h <= 16) & (np.maximum(w, h) >= 2)
    glyph[0] = False
    return cv2.resize(glyph[labels].astype(np.uint8), (gray.shape[1], gray.shape[0]),
                      interpolation=cv2.INTER_NEAREST).astype(bool)


def _clear_depth(ink: np.ndarray) -> int:
    """How far from row 0 (the edge) the rows of ``ink`` stay free of marks,
    less a margin (rows run inward from the edge, columns along it)."""
    rows = ink.mean(axis=1) > 0.002
    hit = int(np.argmax(rows)) if rows.any() else len(rows)
    return max(0, hit - 12)


def _band_depth(shade: np.ndarray) -> int:
    """How far a band dark from row 0 reaches down, at its deepest (the rows
    of ``shade`` run inward from the edge, its columns along it)."""
    if shade.size == 0:
        return 0
    depth = np.cumprod(shade, axis=0, dtype=np.int32).sum(axis=0)
    return int(np.percentile(depth, 99.5)) + 4


def _ink(gray: np.ndarray) -> np.ndarray:
    _, b = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return b


def estimate_skew(gray: np.ndarray, max_angle: float = 5.0) -> float:
    """Angle (degrees) that straightens the text lines, by projection profiles.

    Rows of a straight page alternate between ink and paper, so the
    horizontal projection is sharpest (largest sum of squares) at the right
    angle. Works on a small copy: 1/4 degree steps, then refined.
    """
    scale = 800.0 / max(gray.shape[1], 1)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else gray
    ink = _ink(small).astype(np.float32)
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        rot = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = rot.sum(axis=1)
        return float(np.sum(np.diff(prof) ** 2))

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.25)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.025)
    best = max(fine, key=score)
    return float(round(best, 3))


def grown_rotation(shape: tuple[int, int], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2x3 affine that turns an image of ``shape`` by ``angle`` degrees
    about its centre onto a canvas grown to hold all of it, and that canvas's
    (width, height)."""
    h, w = shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return m, (nw, nh)


def rotate(gray: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by `angle` degrees on a canvas grown to hold the whole page.

    Returns the image and the 2x3 affine that maps original pixels to the
    rotated ones.
    """
    m, (nw, nh) = grown_rotation(gray.shape, angle)
    paper = int(np.percentile(gray, 90))
    out = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=paper)
    return out, m


def _tile_levels(gray: np.ndarray, t: int, q: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre x (nx,), centre y (ny,) and the q-th percentile (ny, nx) of tiles of
    about t x t pixels covering the image."""
    h, w = gray.shape
    ny, nx = max(1, round(h / t)), max(1, round(w / t))
    # resampled to exactly t x t pixels a tile, so all tiles reduce in one call
    tiles = cv2.resize(gray, (nx * t, ny * t), interpolation=cv2.INTER_NEAREST)
    tiles = tiles.reshape(ny, t, nx, t).transpose(0, 2, 1, 3).reshape(ny, nx, t * t)
    k = int(round(q / 100 * (t * t - 1)))
    z = np.partition(tiles, k, axis=2)[:, :, k].astype(np.float64)
    return (np.arange(nx) + 0.5) * w / nx, (np.arange(ny) + 0.5) * h / ny, z


def _quadratic_fit(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """A quadratic surface through the paper levels, refitted without the tiles
    far below it (figures, dense ink); evaluated on the tile grid."""
    X, Y = np.meshgrid(xs / xs[-1], ys / ys[-1])
    X, Y, z = X.ravel(), Y.ravel(), Z.ravel()
    A = np.stack([np.ones_like(X), X, Y, X * X, X * Y, Y * Y], axis=1)
    keep = z > np.percentile(z, 20)
    fit = np.full_like(z, np.median(z))
    for _ in range(4):
        if keep.sum() < 6:
            break
        coef, *_ = np.linalg.lstsq(A[keep], z[keep], rcond=None)
        fit = A @ coef
        keep = z > fit - 12
    return fit.reshape(Z.shape)


def _paper_tiles(Z: np.ndarray, fit: np.ndarray, step: float = 6.0) -> np.ndarray:
    """Tiles whose level is paper: those near the global fit, and every tile
    reached from them through neighbours whose levels differ by little.

    Light falls off smoothly (a few grey levels a tile), so paper in a dim
    corner that a quadratic cannot follow is still reached; a figure's edge
    is a jump, so figures are not.
    """
    ok = np.abs(Z - fit) <= 10
    for _ in range(Z.shape[0] + Z.shape[1]):
        grown = ok.copy()
        for axis in (0, 1):
            for d in (1, -1):
                nb_ok = np.roll(ok, d, axis=axis)
                nb_z = np.roll(Z, d, axis=axis)
                edge = np.zeros_like(ok)
                if axis == 0:
                    edge[0 if d == 1 else -1, :] = True
                else:
                    edge[:, 0 if d == 1 else -1] = True
                grown |= nb_ok & ~edge & (np.abs(Z - nb_z) <= step)
        if (grown == ok).all():
            break
        ok = grown
    return ok


def flatten_lighting(gray: np.ndarray) -> np.ndarray:
    """Divide out uneven lighting: a smooth surface through the paper level.

    The paper level of each tile is a high percentile of its pixels. The
    tiles that are paper (``_paper_tiles``) are smoothed into a surface that
    follows the light; elsewhere (figures keep their own tone, dense ink) the
    surface is filled in from the paper around.
    """
    h, w = gray.shape
    xs, ys, Z = _tile_levels(gray, 64, 95)
    fit = _quadratic_fit(xs, ys, Z)
    ok = _paper_tiles(Z, fit).astype(np.float32)
    zs = (Z * ok).astype(np.float32)

    def smooth(a: np.ndarray, sigma: float) -> np.ndarray:
        return cv2.GaussianBlur(a, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    near, wn = smooth(zs, 1.0), smooth(ok, 1.0)
    far, wf = smooth(zs, 4.0), smooth(ok, 4.0)
    surf = np.where(wn > 0.2, near / np.maximum(wn, 1e-6),
                    np.where(wf > 0.02, far / np.maximum(wf, 1e-6), fit.astype(np.float32)))
    bg = cv2.resize(surf.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    bg = np.clip(bg, 60, 255)
    return np.clip(gray.astype(np.float32) * (255.0 / bg), 0, 255).astype(np.uint8)


def ink_threshold(gray: np.ndarray) -> float:
    """Otsu's threshold, kept within sane bounds so that a page that is mostly
    figure or mostly blank still separates ink from paper."""
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(np.clip(t, 100, 190))


# Local contrast that makes ink whatever the global threshold says: grey body
# text on a page whose photos and titles pull Otsu's threshold below it (a
# newspaper's light print) is this much darker than the paper round it...
LOCAL_CONTRAST = 30
LOCAL_WINDOW = 31
# ... used where it shows this much more ink than the threshold does (half as
# much again on a grey-printed newspaper page; under a sixth on the magazine,
# report, book and generated pages, where it would only thicken strokes and
# join the dots of dotted rules)
MISSED_INK = 0.3


def binarize(gray: np.ndarray, t: float | None = None) -> np.ndarray:
    """Ink = 255: darker than the page's threshold; on a page where that misses
    much of the print, also what is clearly darker than its own surroundings."""
    t = ink_threshold(gray) if t is None else t
    ink = gray < t
    mean = cv2.blur(gray, (LOCAL_WINDOW, LOCAL_WINDOW))
    local = (gray.astype(np.int16) < mean.astype(np.int16) - LOCAL_CONTRAST) & (gray < 225) & ~ink
    if local.sum() >= MISSED_INK * max(1, ink.sum()):
        ink |= local
    return np.where(ink, 255, 0).astype(np.uint8)


def preprocess(page: Page, image: np.ndarray, options: Options) -> PageImage:
    """Stage 1: straighten and clean one page image."""
    cropped, (ox, oy) = crop_dark_border(image)
    angle = estimate_skew(cropped, options.max_skew) if options.deskew else 0.0
    if abs(angle) >= 0.05:
        straight, m = rotate(cropped, angle)
    else:
        angle, straight, m = 0.0, cropped, np.array([[1.0, 0, 0], [0, 1.0, 0]])
    m = m.copy()
    # original -> page: shift by the crop, then rotate; keep the inverse
    m[:, 2] += m[:, :2] @ np.array([-ox, -oy], dtype=np.float64)
    inv = cv2.invertAffineTransform(m)
    gray = flatten_lighting(straight)
    page.width, page.height = int(gray.shape[1]), int(gray.shape[0])
    page.deskew_angle = float(angle)
    page.transform = [[round(float(v), 6) for v in r] for r in inv]
    if (ox, oy) != (0, 0) or cropped.shape != image.shape:
        page.flags.append(Flag("cropped-border", f"{ox},{oy},{cropped.shape[1]}x{cropped.shape[0]}"))
    t = ink_threshold(gray)
    binary = binarize(gray, t)
    found = [read_panel(gray, box) for box in find_panels(gray, t)]
    apply_panels(gray, binary, found)
    text_on = sum(len(p.parts) for p in found)
    if text_on:
        page.flags.append(Flag("text-on-panels", text_on))
    return PageImage(page=page, gray=gray, binary=binary, straight=straight, panels=found)
