"""The report's pictures: each page's overlay at the report's threshold, the
crops of its doubtful lines and its thumbnail, a failed page's scan; made
from the scans, or from the overlays convert drew when the scans are not
read (moved, or --no-redraw)."""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..files import atomic_write_bytes
from ...model import BBox, Block, Line, Page
from ..overlay import draw_overlay
from .collect import PageEntry
from ..names import PAGE_SUFFIXES
from .rerender import RerenderError, page_images

THUMB_WIDTH = 240
IMAGE_WIDTH = 2000   # the page view's picture: wide enough to read the print when zoomed
SCAN_WIDTH = 1600    # a failed page's scan


def slug(e: PageEntry) -> str:
    """A file name for the entry's page view and pictures: readable, and
    unique even when two documents differ only in characters replaced here."""
    doc = re.sub(r"[^\w.-]+", "_", e.doc).strip("._") or "doc"
    if doc != e.doc or len(doc) > 60:  # long names: file names are limited to 255 bytes
        doc = doc[:60] + "-" + hashlib.sha1(e.doc.encode()).hexdigest()[:6]
    return f"{doc}--{e.stem or 'input'}"


@dataclass
class Media:
    """What the report holds for one page, as file names inside report/."""
    image: str | None = None                        # images/...: overlay, or a failed page's scan
    crops: dict[tuple[int, int], str] = field(default_factory=dict)  # (block n, line i) -> crops/...
    files: list[tuple[str, str]] = field(default_factory=list)       # (label, files/...)
    note: str = ""                                  # why something is missing
    size: tuple[int, int] | None = None             # (width, height) of a failed page's scan image


def _jpeg(path: Path, img: np.ndarray, quality: int = 82) -> None:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RerenderError(path, "JPEG encoding failed")
    atomic_write_bytes(path, buf.tobytes())


def _fresh(path: Path, than: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime >= than.stat().st_mtime
    except OSError:
        return False


def _thr(low_conf: float) -> str:
    return f"{low_conf:g}".replace(".", "_")


def low_lines(page: Page, low_conf: float) -> list[tuple[int, int, Block, Line]]:
    """(block number in reading order, line index, block, line) of every line
    below the threshold (lines without text carry no confidence)."""
    return [(n, i, b, ln) for n, b in enumerate(page.ordered_blocks(), 1)
            for i, ln in enumerate(b.lines) if ln.text and ln.conf < low_conf]


def line_box(b: Block, ln: Line) -> BBox:
    """A line's box clipped to its block: Tesseract's boxes for some Han
    glyphs overshoot the line by half a line height (as on the overlay)."""
    return BBox(max(ln.bbox.x0, b.bbox.x0), max(ln.bbox.y0, b.bbox.y0),
                min(ln.bbox.x1, b.bbox.x1), min(ln.bbox.y1, b.bbox.y1))


def _crop(gray: np.ndarray, box: BBox) -> np.ndarray:
    pad = max(4, int(round(0.3 * max(1, box.y1 - box.y0))))
    h, w = gray.shape[:2]
    return gray[max(0, box.y0 - pad): min(h, box.y1 + pad), max(0, box.x0 - pad): min(w, box.x1 + pad)]


def page_media(entries: list[PageEntry], rdir: Path, low_conf: float, read_scans: bool,
                out_dir: Path) -> dict[str, Media]:
    """Pictures and file copies of the pages with results, made from the scans
    (each scan read once), kept when newer than the page's JSON."""
    media: dict[str, Media] = {}
    todo = []
    for e in entries:
        s, page = slug(e), e.page
        m = media[s] = Media()
        for label, fmt in (("JSON", "json"), ("text", "txt")):
            src, suffix = e.files.sibling(fmt), PAGE_SUFFIXES[fmt]
            if src.is_file():
                dest = rdir / "files" / f"{s}{suffix}"
                if not _fresh(dest, src):
                    atomic_write_bytes(dest, src.read_bytes())
                m.files.append((label, f"{s}{suffix}"))
        image = f"{s}.lc{_thr(low_conf)}.jpg"
        crops = {(n, i): f"{s}.b{n}l{i}.jpg" for n, i, _, _ in low_lines(page, low_conf)}
        if _fresh(rdir / "images" / image, e.files.json_path) and all(
                _fresh(rdir / "crops" / c, e.files.json_path) for c in crops.values()):
            m.image, m.crops = image, crops
        elif read_scans:
            todo.append((e, image, crops))
        else:
            _from_overlay(e, m, rdir, "scans not read (--no-redraw): lines have no picture")
    for pf, page, gray in page_images([(e.files, e.page) for e, _, _ in todo], out_dir):
        e, image, crops = next(t for t in todo if t[0].files == pf)
        m = media[slug(e)]
        if isinstance(gray, RerenderError):
            _from_overlay(e, m, rdir, f"{gray.reason}: lines have no picture")
            continue
        _jpeg(rdir / "images" / image, draw_overlay(page, gray, IMAGE_WIDTH, low_conf))
        for n, i, b, ln in low_lines(page, low_conf):
            _jpeg(rdir / "crops" / crops[(n, i)], _crop(gray, line_box(b, ln)), 88)
        m.image, m.crops = image, crops
    return media


def _from_overlay(e: PageEntry, m: Media, rdir: Path, why: str) -> None:
    """The overlay convert drew, when the scan cannot be read."""
    ov = e.files.sibling("overlay")
    m.note = why
    if not ov.is_file():
        m.note = f"{why}; no overlay either (re-draw it with magscan overlay)"
        return
    name = f"{slug(e)}.overlay.png"
    if not _fresh(rdir / "images" / name, ov):
        shutil.copyfile(ov, rdir / "images" / name)
    m.image = name


def failed_media(entries: list[PageEntry], rdir: Path, read_scans: bool) -> dict[str, Media]:
    """The scan of each page that failed, for a reviewer to see why."""
    from ...errors import InputError
    from ...ingest.files import load_page
    from ...options import Options

    media: dict[str, Media] = {}
    for e in entries:
        m = media[slug(e)] = Media()
        src = Path(e.input)
        if not read_scans:
            m.note = "scans not read (--no-redraw)"
            continue
        if not src.is_file():
            m.note = f"scan {e.input} not found"
            continue
        name = f"{slug(e)}.scan.jpg"
        if _fresh(rdir / "images" / name, src):
            from PIL import Image
            with Image.open(rdir / "images" / name) as im:
                m.image, m.size = name, im.size
            continue
        try:
            gray = load_page(src, e.page_number, Options()).image
        except InputError as ex:
            m.note = f"the scan cannot be shown: {ex.reason}"
            continue
        except MemoryError:
            m.note = "the scan cannot be shown: out of memory"
            continue
        scale = min(1.0, SCAN_WIDTH / max(1, gray.shape[1]))
        if scale < 1:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        _jpeg(rdir / "images" / name, gray, 80)
        m.image, m.size = name, (gray.shape[1], gray.shape[0])
    return media


def thumb(image: Path, dest: Path) -> bool:
    """A small JPEG of the page's picture; kept when newer than the picture."""
    if not image.is_file():
        return False
    if _fresh(dest, image):
        return True
    img = cv2.imdecode(np.fromfile(str(image), dtype=np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        return False
    scale = THUMB_WIDTH / img.shape[1]
    small = cv2.resize(img, (THUMB_WIDTH, max(1, int(round(img.shape[0] * scale)))),
                       interpolation=cv2.INTER_AREA)
    _jpeg(dest, small)
    return True
