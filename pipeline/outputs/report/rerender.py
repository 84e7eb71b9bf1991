"""Overlays re-drawn from results already on disk.

A page JSON keeps the scan's path and the affine from page pixels back to
the scan, so the page image is re-created by warping the scan rather than
by running preprocessing again.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np

from ...errors import MagscanError
from ..files import atomic_write_bytes, read_page
from ..names import PageFile
from ...ingest.files import load_pages
from ...model import Page
from ...options import Options
from .. import LOW_CONF
from ..overlay import draw_overlay
from ...ingest.pageselect import PageSelection

class RerenderError(MagscanError):
    """One page's overlay could not be re-drawn; names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{self.path}: {reason}")


def _options(page: Page) -> Options:
    known = {f.name for f in fields(Options)}
    return Options.from_dict({k: v for k, v in page.options.items() if k in known})


def resolve_source(source: str, out_dir: Path) -> Path | None:
    """The scan as recorded (relative to the current folder), else relative to
    the folder holding OUT: outputs are often moved together with their inputs."""
    p = Path(source)
    for cand in ([p] if p.is_absolute() else [p, Path(out_dir).resolve().parent / p]):
        if cand.is_file():
            return cand
    return None


def warp_to_page(scan: np.ndarray, page: Page) -> np.ndarray:
    """The scan warped into page pixel coordinates (width x height)."""
    m = np.asarray(page.transform, dtype=np.float64)
    if m.shape != (2, 3):
        raise ValueError(f"transform is not a 2x3 matrix: {page.transform!r}")
    # page.transform maps page -> scan, which is what WARP_INVERSE_MAP expects
    return cv2.warpAffine(scan, m, (page.width, page.height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def page_images(pages: list[tuple[PageFile, Page]], out_dir: Path
                ) -> Iterator[tuple[PageFile, Page, np.ndarray | RerenderError]]:
    """Page images for the given pages, loading each scan file once (a PDF is
    rasterised page by page, so pages are taken in one pass per source)."""
    by_source: dict[str, list[tuple[PageFile, Page]]] = {}
    for pf, page in pages:
        by_source.setdefault(page.source, []).append((pf, page))
    for source, group in by_source.items():
        path = resolve_source(source, out_dir)
        if path is None:
            for pf, page in group:
                yield pf, page, RerenderError(pf.json_path, f"scan {source} not found")
            continue
        wanted: dict[int, list[tuple[PageFile, Page]]] = {}
        for pf, page in group:
            wanted.setdefault(page.page_number, []).append((pf, page))
        try:
            for src in load_pages(path, _options(group[0][1])):
                for pf, page in wanted.pop(src.page_number, []):
                    yield pf, page, warp_to_page(src.image, page)
                if not wanted:
                    break
        except MagscanError as e:
            reason = getattr(e, "reason", str(e))
            for items in wanted.values():
                for pf, page in items:
                    yield pf, page, RerenderError(pf.json_path, f"cannot read scan {source}: {reason}")
            continue
        for items in wanted.values():
            for pf, page in items:
                yield pf, page, RerenderError(pf.json_path,
                                              f"scan {source} has no page {page.page_number}")


def write_png(path: Path, img: np.ndarray) -> None:
    # level 3: a tenth smaller than OpenCV's default for a few ms more
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise RerenderError(path, "PNG encoding failed")
    atomic_write_bytes(path, buf.tobytes())


def redraw_overlays(out_dir: Path, files: Iterable[PageFile], width: int = 1200,
                    log=None, low_conf: float = LOW_CONF) -> tuple[list[Path], list[RerenderError]]:
    """Re-draw OUT/<doc>/<stem>.overlay.png for the given page files."""
    written: list[Path] = []
    errors: list[RerenderError] = []
    loaded = []
    for pf in files:
        try:
            loaded.append((pf, read_page(pf.json_path)))
        except (OSError, ValueError, KeyError, TypeError) as e:
            errors.append(RerenderError(pf.json_path, f"unreadable page JSON ({type(e).__name__}: {e})"))
    for pf, page, img in page_images(loaded, out_dir):
        if isinstance(img, RerenderError):
            errors.append(img)
            continue
        try:
            path = pf.sibling("overlay")
            write_png(path, draw_overlay(page, img, width, low_conf))
            written.append(path)
        except (OSError, RerenderError, cv2.error) as e:
            errors.append(e if isinstance(e, RerenderError) else RerenderError(pf.json_path, str(e)))
        if log:
            log(pf)
    return written, errors


def select(files: list[PageFile], selection: PageSelection | None) -> list[PageFile]:
    if not selection:
        return files
    return [f for f in files if selection.matches(f.doc, f.page_number)]
