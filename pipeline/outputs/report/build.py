"""Writing the static review site OUT/report/: index.html, one page view per
page (failed pages too), the pictures they show and the stylesheet and
script (package data).

The folder stands on its own: every picture, page text and JSON it shows is
a copy inside it, and every link is relative, so it opens from file://
without a server, and still works when moved or served. Text goes through
`esc` (element text and attribute values) and paths through `url`
(percent-encoded, then escaped).

Pictures are made from the scans: the page view's image is the QA overlay
drawn at the report's low-confidence threshold (large enough to zoom into),
and each line below that threshold gets its own crop of the page image;
a failed page shows its scan. Without the scan (moved, or --no-redraw) the
overlay convert drew is used, and lines have no crop.
"""
from __future__ import annotations

import hashlib
import html
import re
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np

from ..files import atomic_write_bytes, atomic_write_text
from ...model import BBox, Block, Line, Page
from .. import LOW_CONF
from ..overlay import KIND_COLOURS, LOW_CONF_COLOUR, draw_overlay
from .collect import PageEntry, collect
from ..names import PAGE_SUFFIXES, REPORT_DIR
from .rerender import RerenderError, page_images

THUMB_WIDTH = 240
IMAGE_WIDTH = 2000   # the page view's picture: wide enough to read the print when zoomed
SCAN_WIDTH = 1600    # a failed page's scan
ASSETS = ("report.css", "report.js")
FOLDERS = ("images", "crops", "thumbs", "files", "pages", "assets")


def esc(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def url(*parts: str) -> str:
    """A relative link from path parts, each percent-encoded: names with
    spaces, quotes, '#' or '?' stay one path segment."""
    return esc("/".join(quote(p, safe="") if p not in ("..", ".") else p for p in parts))


def fmt(v, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def data(v) -> str:
    return "" if v is None else str(v)


def slug(e: PageEntry) -> str:
    """A file name for the entry's page view and pictures: readable, and
    unique even when two documents differ only in characters replaced here."""
    doc = re.sub(r"[^\w.-]+", "_", e.doc).strip("._") or "doc"
    if doc != e.doc or len(doc) > 60:  # long names: file names are limited to 255 bytes
        doc = doc[:60] + "-" + hashlib.sha1(e.doc.encode()).hexdigest()[:6]
    return f"{doc}--{e.stem or 'input'}"


@dataclass
class ReportResult:
    index: Path
    entries: list[PageEntry]
    problems: list[str] = field(default_factory=list)


@dataclass
class Media:
    """What the report holds for one page, as file names inside report/."""
    image: str | None = None                        # images/...: overlay, or a failed page's scan
    crops: dict[tuple[int, int], str] = field(default_factory=dict)  # (block n, line i) -> crops/...
    files: list[tuple[str, str]] = field(default_factory=list)       # (label, files/...)
    note: str = ""                                  # why something is missing
    size: tuple[int, int] | None = None             # (width, height) of a failed page's scan image


def kinds_css() -> str:
    rules = [f".k-{k} {{ --kc: rgb({r}, {g}, {b}); }}" for k, (b, g, r) in KIND_COLOURS.items()]
    b, g, r = LOW_CONF_COLOUR
    return ("/* generated from pipeline.outputs.overlay.KIND_COLOURS */\n" + "\n".join(rules)
            + f"\n:root {{ --lowc: rgb({r}, {g}, {b}); }}\n")


def _head(title: str, prefix: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{prefix}assets/report.css">\n'
            f'<link rel="stylesheet" href="{prefix}assets/kinds.css">\n'
            f'<script src="{prefix}assets/report.js" defer></script>\n</head>\n')


# --- pictures ----------------------------------------------------------------------------

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


def _page_media(entries: list[PageEntry], rdir: Path, low_conf: float, read_scans: bool,
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


def _failed_media(entries: list[PageEntry], rdir: Path, read_scans: bool) -> dict[str, Media]:
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


def _thumb(image: Path, dest: Path) -> bool:
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


# --- page views --------------------------------------------------------------------------

def _pct(v: float, total: int) -> str:
    return f"{100 * v / max(total, 1):.3f}%"


def _box_style(box: BBox, page: Page) -> str:
    x0, y0 = max(0, box.x0), max(0, box.y0)
    x1, y1 = min(page.width, box.x1), min(page.height, box.y1)
    return (f"left:{_pct(x0, page.width)};top:{_pct(y0, page.height)};"
            f"width:{_pct(x1 - x0, page.width)};height:{_pct(y1 - y0, page.height)}")


def _block_item(n: int, b: Block, low: list[tuple[int, int, Block, Line]], m: Media,
                low_conf: float) -> str:
    meta = [b.kind]
    if b.is_text:
        meta.append(f"conf {b.conf:.1f}")
    if b.span:
        c0, c1 = b.span
        meta.append(f"column {c0 + 1}" if c1 - c0 <= 1 else f"columns {c0 + 1}–{c1}")
    body = ("".join(f"<p>{esc(par)}</p>" for par in b.text.split("\n")) if b.text else
            f'<p class="muted">({"figure" if not b.is_text else "no text"})</p>')
    mine = [(i, ln) for bn, i, _, ln in low if bn == n]
    lows = ""
    if mine:
        items = []
        for i, ln in mine:
            crop = m.crops.get((n, i))
            pic = (f'<img src="{url("..", "crops", crop)}" alt="line {i + 1} as scanned" '
                   ">" if crop else "")
            items.append(f'<li class="lowline" data-b="{n}" data-l="{i}">{pic}'
                         f'<span class="lt" lang="zh-Hans">{esc(ln.text)}</span> '
                         f'<span class="muted">(conf {ln.conf:.0f})</span></li>')
        lows = (f'<ul class="lowlines" title="lines below confidence {low_conf:g}: the scan '
                'above, the text read below it">' + "".join(items) + "</ul>")
    return (f'<li class="tb k-{esc(b.kind)}" id="b{n}" data-b="{n}">'
            f'<div class="meta"><span class="n">{n}</span>{esc(" · ".join(meta))}</div>'
            f'<div class="txt" lang="zh-Hans">{body}</div>{lows}</li>')


def _legend(low_conf: float) -> str:
    names = {"header": "header / footer", "figure": "figure"}
    kinds = [k for k in KIND_COLOURS if k not in ("footer", "footnote", "equation")]
    items = "".join(f'<span class="lg k-{esc(k)}"><i></i>{esc(names.get(k, k))}</span>' for k in kinds)
    return (f'<div class="legend">{items}<span class="lg low"><i></i>line confidence below '
            f'<b class="thr">{low_conf:g}</b></span></div>')


def _nav(prev: PageEntry | None, nxt: PageEntry | None) -> str:
    return "".join(['<a href="../index.html">← all pages</a>',
                    f'<a href="{url(slug(prev))}.html" rel="prev">‹ previous</a>' if prev else "",
                    f'<a href="{url(slug(nxt))}.html" rel="next">next ›</a>' if nxt else ""])


def _picture(m: Media, title: str, page_w: int, page_h: int, inner: str = "") -> str:
    img = (f'<img src="{url("..", "images", m.image)}" alt="{esc(title)}">' if m.image else
           f'<div class="noimg">{esc(m.note or "no image")}</div>')
    # as wide as the viewport's height allows, so the whole page stays in view;
    # a click on the page (not on a block) zooms in there (report.js)
    return ('<section class="imgcol" '
            f'style="--fit:min(58vw, calc((100vh - 5em) * {page_w / max(page_h, 1):.4f}))">'
            '<div class="imgwrap" title="click the page to zoom in or out" '
            f'style="aspect-ratio:{page_w} / {page_h}">{img}{inner}</div></section>')


def page_view(e: PageEntry, prev: PageEntry | None, nxt: PageEntry | None, m: Media,
              low_conf: float) -> str:
    page = e.page
    title = f"{e.doc} · {e.label}"
    files = "".join(f'<a href="{url("..", "files", f)}">{esc(label)}</a>' for label, f in m.files)
    if m.image:
        files += f'<a href="{url("..", "images", m.image)}">image</a>'
    blocks = page.ordered_blocks()
    low = low_lines(page, low_conf)
    flags = (f'<p class="flags">flags: {esc("; ".join(e.flags or page.flags))}</p>'
             if e.flags or page.flags else "")
    note = f'<p class="muted note">{esc(m.note)}</p>' if m.note and m.image else ""
    stats = (f'<span class="st st-{esc(e.status)}">{esc(e.status)}</span> '
             f'<span class="muted">conf {fmt(e.mean_conf)} · {e.n_columns} column(s) · '
             f'{len(blocks)} block(s) · {len(low)} line(s) below {low_conf:g} · '
             f'{fmt(e.seconds)} s · deskew {page.deskew_angle:.2f}°</span>')
    rects = "".join(f'<a class="blk k-{esc(b.kind)}" href="#b{n}" data-b="{n}" '
                    f'style="{_box_style(b.bbox, page)}" title="{n}: {esc(b.kind)}"></a>'
                    for n, b in enumerate(blocks, 1))
    rects += "".join(f'<span class="ln" data-b="{n}" data-l="{i}" '
                     f'style="{_box_style(line_box(b, ln), page)}"></span>'
                     for n, i, b, ln in low)
    return (_head(title, "../") + "<body>\n"
            f'<header class="bar"><h1>{esc(title)}</h1>{stats}'
            f'<span class="links">{_nav(prev, nxt)}</span><span class="links">{files}</span>'
            f'<span class="muted src" title="{esc(e.input)}">scan: {esc(Path(e.input).name)}</span>'
            '<button type="button" id="zoom">zoom (z)</button>'
            '<span class="muted">click a block, or press j / k, to follow the reading order</span>'
            + _legend(low_conf) + '</header>\n'
            '<main class="pv">\n'
            + _picture(m, f"overlay of {title}", page.width, page.height, rects)
            + '\n<section class="textcol">' + flags + note
            + '<ol class="blocks">'
            + "\n".join(_block_item(n, b, low, m, low_conf) for n, b in enumerate(blocks, 1))
            + "</ol></section>\n</main>\n</body>\n</html>\n")


def failed_view(e: PageEntry, prev: PageEntry | None, nxt: PageEntry | None, m: Media,
                out_arg: str) -> str:
    """A page without results: its scan, what went wrong, how to try again."""
    title = f"{e.doc} · {e.label}"
    w, h = m.size or (1000, 1414)   # no picture: the box an A4 page would take
    stats = (f'<span class="st st-{esc(e.status)}">{esc(e.status)}</span> '
             f'<span class="muted">{e.attempts} attempt(s)</span>')
    body = (f'<div class="failure"><h2>{esc(e.status)}</h2>'
            f'<p class="msg">{esc(e.error or e.status)}</p>'
            f'<p>input: <code>{esc(e.input)}</code> page {e.page_number}</p>'
            f'<p>try again: <code>{esc(e.rerun_command(out_arg))}</code></p>'
            + (f'<p class="muted">{esc(m.note)}</p>' if m.note else "") + "</div>")
    return (_head(title, "../") + "<body>\n"
            f'<header class="bar"><h1>{esc(title)}</h1>{stats}'
            f'<span class="links">{_nav(prev, nxt)}</span>'
            '<button type="button" id="zoom">zoom (z)</button></header>\n'
            '<main class="pv failed">\n' + _picture(m, f"scan of {title}", w, h)
            + f'\n<section class="textcol">{body}</section>\n</main>\n</body>\n</html>\n')


# --- the index ---------------------------------------------------------------------------

def _row(e: PageEntry, out_arg: str, has_thumb: bool, has_view: bool, low_conf: float) -> str:
    s = slug(e)
    view = f"pages/{url(s)}.html"

    def link(inner: str) -> str:
        return f'<a href="{view}">{inner}</a>' if has_view else inner

    thumb = (f'<img loading="lazy" src="thumbs/{url(s)}.jpg" alt="">' if has_thumb
             else '<span class="none">no image</span>')
    err = ""
    if e.failed or e.error:
        err = f'<div class="msg">{esc(e.error or e.status)}</div>'
        if e.failed:
            err += f"<code>{esc(e.rerun_command(out_arg))}</code>"
    if e.notes:
        err += f'<div class="muted">{esc("; ".join(e.notes))}</div>'
    codes = e.flag_codes
    flags = " ".join(f'<span class="flag{" doubt" if c in _doubt_codes() else ""}" '
                    f'title="{esc("; ".join(f for f in e.flags if f.startswith(c)))}">{esc(c)}</span>'
                    for c in codes)
    cells = [f'<td class="thumb">{link(thumb)}</td>',
             f'<td class="name">{link(esc(e.doc) + " · " + esc(e.label))}'
             f'<div class="muted">{esc(e.stem)}</div></td>',
             f'<td><span class="st st-{esc(e.status)}">{esc(e.status)}</span></td>',
             f'<td class="num conf">{fmt(e.mean_conf)}</td>',
             f'<td class="num">{"–" if e.n_columns is None else e.n_columns}</td>',
             f'<td class="num">{"–" if e.n_blocks is None else e.n_blocks}</td>',
             f'<td class="num">{fmt(e.seconds)}</td>',
             f'<td class="flags">{flags}</td>',
             f'<td class="err">{err}</td>']
    sort_key = f"{e.doc} {e.page_number:08d}{e.part}"
    attrs = {"class": "row failed" if e.failed else "row", "data-failed": int(e.failed),
             "data-status": e.status, "data-conf": data(e.mean_conf),
             "data-name": f"{e.doc} {e.label} {e.stem} {e.input}", "data-doc": sort_key,
             "data-columns": data(e.n_columns), "data-blocks": data(e.n_blocks),
             "data-seconds": data(e.seconds), "data-flags": " ".join(codes),
             "data-flagged": int(e.flagged), "data-nflags": len(codes)}
    return ("<tr " + " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items()) + ">"
            + "".join(cells) + "</tr>")


def _doubt_codes() -> frozenset:
    from ...text.plausibility import DOUBT_CODES
    return DOUBT_CODES


def index_html(entries: list[PageEntry], out_dir: Path, out_arg: str, thumbs: set[str],
               views: set[str], low_conf: float) -> str:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    summary = " · ".join(f'<span class="st st-{esc(k)}">{esc(k)}</span> {v}'
                         for k, v in sorted(counts.items()))
    n_flagged = sum(e.flagged for e in entries)
    title = f"magscan report: {out_dir.resolve().name}"
    heads = [("", None, None), ("page", "doc", "text"), ("status", "status", "text"),
             ("mean conf", "conf", "num"), ("columns", "columns", "num"),
             ("blocks", "blocks", "num"), ("seconds", "seconds", "num"), ("flags", "nflags", "num"),
             ("error / re-run", None, None)]
    th = "".join(f'<th data-key="{k}" data-type="{t}">{esc(n)}</th>' if k else f"<th>{esc(n)}</th>"
                 for n, k, t in heads)
    all_codes = sorted({c for e in entries for c in e.flag_codes})
    options = ('<option value="">any</option>'
               '<option value="!flagged">in doubt (flagged)</option>'
               '<option value="!any">any flag</option>'
               + "".join(f'<option value="{esc(c)}">{esc(c)}</option>' for c in all_codes))
    rows = "\n".join(_row(e, out_arg, slug(e) in thumbs, slug(e) in views, low_conf)
                     for e in entries)
    return (_head(title, "") + "<body>\n"
            f'<header class="bar"><h1>{esc(title)}</h1><span>{len(entries)} page(s): {summary}'
            f' · {n_flagged} flagged</span></header>\n'
            '<div class="filters">'
            '<label><input type="checkbox" id="f-failed"> failed only</label>'
            '<label><input type="checkbox" id="f-low"> low confidence only: mean below '
            f'<input type="number" id="f-thr" value="{low_conf:g}" min="0" max="100" step="1"></label>'
            f'<label>flags: <select id="f-flag">{options}</select></label>'
            '<input type="search" id="f-text" placeholder="filter by name or file">'
            '<span id="shown" class="muted"></span>'
            f'<span class="muted">low confidence: below {low_conf:g} (magscan report '
            '--low-conf), as on the overlays</span></div>\n'
            f'<table class="pages"><thead><tr>{th}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n'
            "</body>\n</html>\n")


# --- the whole site ----------------------------------------------------------------------

def write_report(out_dir: Path, out_arg: str | None = None, redraw: bool = True,
                 low_conf: float = LOW_CONF, log=None) -> ReportResult:
    """Write OUT/report/ and return its index and the problems met (each one
    line naming a file). `out_arg` is OUT as the user wrote it, for the re-run
    commands shown beside failed pages. `redraw`: read the scans for the
    pictures (else the overlays convert drew are shown)."""
    out_dir = Path(out_dir)
    entries, problems = collect(out_dir)
    rdir = out_dir / REPORT_DIR
    for d in FOLDERS:
        (rdir / d).mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        atomic_write_bytes(rdir / "assets" / name,
                           resources.files(__package__).joinpath("static", name).read_bytes())
    atomic_write_text(rdir / "assets" / "kinds.css", kinds_css())

    viewable = [e for e in entries if e.page is not None]
    # pages without results that a reviewer must act on (not pages still to come)
    failed = [e for e in entries if e.page is None and e.failed and e.page_number > 0 and e.input]
    media = _page_media(viewable, rdir, low_conf, redraw, out_dir)
    media.update(_failed_media(failed, rdir, redraw))
    for e in viewable:
        m = media[slug(e)]
        if m.image is None and redraw:   # asked for, and not to be had
            problems.append(f"{e.files.json_path}: {m.note}")
    shown = [e for e in entries if e.page is not None or slug(e) in media]
    thumbs, views = set(), set()
    for i, e in enumerate(shown):
        s = slug(e)
        m = media[s]
        if m.image and _thumb(rdir / "images" / m.image, rdir / "thumbs" / f"{s}.jpg"):
            thumbs.add(s)
        prev = shown[i - 1] if i else None
        nxt = shown[i + 1] if i + 1 < len(shown) else None
        if e.page is not None:
            html_text = page_view(e, prev, nxt, m, low_conf)
        else:
            html_text = failed_view(e, prev, nxt, m, out_arg or str(out_dir))
        atomic_write_text(rdir / "pages" / f"{s}.html", html_text)
        views.add(s)
    index = rdir / "index.html"
    atomic_write_text(index, index_html(entries, out_dir, out_arg or str(out_dir), thumbs, views,
                                        low_conf))
    _prune(rdir, media, thumbs, views)
    return ReportResult(index, entries, problems)


def _prune(rdir: Path, media: dict[str, Media], thumbs: set[str], views: set[str]) -> None:
    """Files of an earlier report that this one does not use (pages gone,
    another threshold): the report folder is magscan's own."""
    keep = {"pages": {f"{s}.html" for s in views}, "thumbs": {f"{s}.jpg" for s in thumbs},
            "images": {m.image for m in media.values() if m.image},
            "crops": {c for m in media.values() for c in m.crops.values()},
            "files": {f for m in media.values() for _, f in m.files}}
    for folder, names in keep.items():
        for f in (rdir / folder).iterdir():
            if f.is_file() and f.name not in names and not f.name.startswith("."):
                f.unlink(missing_ok=True)
