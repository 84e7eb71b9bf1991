"""Writing the static review site OUT/report/: index.html, one page view per
page file, thumbnails and the stylesheet and script (package data).

Every page opens from file:// without a server, so links are relative and
all data sits in the HTML. Text goes through `esc` (element text and
attribute values) and paths through `url` (percent-encoded, then escaped).
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np

from ..files import atomic_write_bytes, atomic_write_text
from ...model import Block, Page
from ..overlay import KIND_COLOURS, LOW_CONF
from .collect import PageEntry, collect
from .rerender import REPORT_DIR, RerenderError, redraw_overlays, resolve_source

THUMB_WIDTH = 240
ASSETS = ("report.css", "report.js")


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
    """A file name for the entry's page view and thumbnail: readable, and
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


def kinds_css() -> str:
    rules = [f".k-{k} {{ --kc: rgb({r}, {g}, {b}); }}" for k, (b, g, r) in KIND_COLOURS.items()]
    return "/* generated from pipeline.outputs.overlay.KIND_COLOURS */\n" + "\n".join(rules) + "\n"


def _head(title: str, prefix: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{prefix}assets/report.css">\n'
            f'<link rel="stylesheet" href="{prefix}assets/kinds.css">\n'
            f'<script src="{prefix}assets/report.js" defer></script>\n</head>\n')


def _thumb(entry: PageEntry, dest: Path) -> bool:
    """A small JPEG of the overlay; skipped when it is newer than the overlay."""
    ov = entry.files.sibling(".overlay.png") if entry.files else None
    if ov is None or not ov.is_file():
        return False
    if dest.is_file() and dest.stat().st_mtime >= ov.stat().st_mtime:
        return True
    img = cv2.imdecode(np.fromfile(str(ov), dtype=np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        return False
    scale = THUMB_WIDTH / img.shape[1]
    small = cv2.resize(img, (THUMB_WIDTH, max(1, int(round(img.shape[0] * scale)))),
                       interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 82])
    if ok:
        atomic_write_bytes(dest, buf.tobytes())
    return bool(ok)


def _block_item(n: int, b: Block) -> str:
    meta = [b.kind]
    if b.is_text:
        meta.append(f"conf {b.conf:.1f}")
    if b.span:
        c0, c1 = b.span
        meta.append(f"column {c0 + 1}" if c1 - c0 <= 1 else f"columns {c0 + 1}–{c1}")
    body = ("".join(f"<p>{esc(par)}</p>" for par in b.text.split("\n")) if b.text else
            f'<p class="muted">({"figure" if not b.is_text else "no text"})</p>')
    low = [ln for ln in b.lines if ln.text and ln.conf < LOW_CONF]
    lows = ""
    if low:
        lows = ('<ul class="lowlines" title="lines below the confidence threshold">'
                + "".join(f"<li>{esc(ln.text)} <span class='muted'>({ln.conf:.0f})</span></li>"
                          for ln in low) + "</ul>")
    return (f'<li class="tb k-{esc(b.kind)}" id="b{n}" data-b="{n}">'
            f'<div class="meta"><span class="n">{n}</span>{esc(" · ".join(meta))}</div>'
            f'<div class="txt" lang="zh-Hans">{body}</div>{lows}</li>')


def _rect(n: int, b: Block, page: Page) -> str:
    w, h = max(page.width, 1), max(page.height, 1)
    x0, y0 = max(0, b.bbox.x0), max(0, b.bbox.y0)
    x1, y1 = min(w, b.bbox.x1), min(h, b.bbox.y1)
    style = (f"left:{100 * x0 / w:.3f}%;top:{100 * y0 / h:.3f}%;"
             f"width:{100 * (x1 - x0) / w:.3f}%;height:{100 * (y1 - y0) / h:.3f}%")
    return (f'<a class="blk k-{esc(b.kind)}" href="#b{n}" data-b="{n}" style="{style}" '
            f'title="{n}: {esc(b.kind)}"></a>')


def page_view(e: PageEntry, prev: PageEntry | None, nxt: PageEntry | None,
              out_dir: Path, overlay_ok: bool) -> str:
    page, stem = e.page, e.stem
    title = f"{e.doc} · {e.label}"
    links = ['<a href="../index.html">← all pages</a>',
             f'<a href="{slug(prev)}.html" rel="prev">‹ previous</a>' if prev else "",
             f'<a href="{slug(nxt)}.html" rel="next">next ›</a>' if nxt else ""]
    files = [f'<a href="{url("..", "..", e.doc, stem + ".json")}">JSON</a>',
             f'<a href="{url("..", "..", e.doc, stem + ".txt")}">text</a>']
    if overlay_ok:
        files.append(f'<a href="{url("..", "..", e.doc, stem + ".overlay.png")}">overlay</a>')
    scan = resolve_source(page.source, out_dir)
    if scan is not None:
        files.append(f'<a href="{esc(scan.resolve().as_uri())}">scan</a>')
    blocks = page.ordered_blocks()
    img = (f'<img src="{url("..", "..", e.doc, stem + ".overlay.png")}" alt="overlay of {esc(title)}">'
           if overlay_ok else '<div class="noimg">no overlay image (re-draw it with magscan overlay)</div>')
    flags = (f'<p class="flags">flags: {esc("; ".join(page.flags))}</p>' if page.flags else "")
    stats = (f'<span class="st st-{esc(e.status)}">{esc(e.status)}</span> '
             f'<span class="muted">conf {fmt(e.mean_conf)} · {e.n_columns} column(s) · '
             f'{len(blocks)} block(s) · {fmt(e.seconds)} s · deskew {page.deskew_angle:.2f}°</span>')
    return (_head(title, "../") + "<body>\n"
            f'<header class="bar"><h1>{esc(title)}</h1>{stats}'
            f'<span class="links">{"".join(links)}</span>'
            f'<span class="links">{"".join(files)}</span>'
            '<span class="muted">click a block, or press j / k, to follow the reading order</span>'
            '</header>\n'
            '<main class="pv">\n<section class="imgcol">'
            # as wide as the viewport's height allows, so the whole page stays in view
            f'<div class="imgwrap" style="aspect-ratio:{page.width} / {page.height};'
            f'width:min(58vw, calc((100vh - 5em) * {page.width / max(page.height, 1):.4f}))">{img}'
            + "".join(_rect(n, b, page) for n, b in enumerate(blocks, 1))
            + '</div></section>\n<section class="textcol">' + flags
            + '<ol class="blocks">' + "\n".join(_block_item(n, b) for n, b in enumerate(blocks, 1))
            + "</ol></section>\n</main>\n</body>\n</html>\n")


def _row(e: PageEntry, out_arg: str, has_thumb: bool, has_view: bool) -> str:
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
    cells = [f'<td class="thumb">{link(thumb)}</td>',
             f'<td class="name">{link(esc(e.doc) + " · " + esc(e.label))}'
             f'<div class="muted">{esc(e.stem)}</div></td>',
             f'<td><span class="st st-{esc(e.status)}">{esc(e.status)}</span></td>',
             f'<td class="num conf">{fmt(e.mean_conf)}</td>',
             f'<td class="num">{"–" if e.n_columns is None else e.n_columns}</td>',
             f'<td class="num">{"–" if e.n_blocks is None else e.n_blocks}</td>',
             f'<td class="num">{fmt(e.seconds)}</td>',
             f'<td class="err">{err}</td>']
    sort_key = f"{e.doc} {e.page_number:08d}{e.part}"
    attrs = {"class": "row failed" if e.failed else "row", "data-failed": int(e.failed),
             "data-status": e.status, "data-conf": data(e.mean_conf),
             "data-name": f"{e.doc} {e.label} {e.stem} {e.input}", "data-doc": sort_key,
             "data-columns": data(e.n_columns), "data-blocks": data(e.n_blocks),
             "data-seconds": data(e.seconds)}
    return ("<tr " + " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items()) + ">"
            + "".join(cells) + "</tr>")


def index_html(entries: list[PageEntry], out_dir: Path, out_arg: str, thumbs: set[str],
               views: set[str], low_conf: float) -> str:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    summary = " · ".join(f'<span class="st st-{esc(k)}">{esc(k)}</span> {v}'
                         for k, v in sorted(counts.items()))
    title = f"magscan report: {out_dir.resolve().name}"
    heads = [("", None, None), ("page", "doc", "text"), ("status", "status", "text"),
             ("mean conf", "conf", "num"), ("columns", "columns", "num"),
             ("blocks", "blocks", "num"), ("seconds", "seconds", "num"), ("error / re-run", None, None)]
    th = "".join(f'<th data-key="{k}" data-type="{t}">{esc(n)}</th>' if k else f"<th>{esc(n)}</th>"
                 for n, k, t in heads)
    rows = "\n".join(_row(e, out_arg, slug(e) in thumbs, slug(e) in views) for e in entries)
    return (_head(title, "") + "<body>\n"
            f'<header class="bar"><h1>{esc(title)}</h1><span>{len(entries)} page(s): {summary}</span>'
            "</header>\n"
            '<div class="filters">'
            '<label><input type="checkbox" id="f-failed"> failed only</label>'
            '<label><input type="checkbox" id="f-low"> low confidence only: mean below '
            f'<input type="number" id="f-thr" value="{low_conf:g}" min="0" max="100" step="1"></label>'
            '<input type="search" id="f-text" placeholder="filter by name or file">'
            '<span id="shown" class="muted"></span></div>\n'
            f'<table class="pages"><thead><tr>{th}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n'
            "</body>\n</html>\n")


def write_report(out_dir: Path, out_arg: str | None = None, redraw: bool = True,
                 low_conf: float = 80.0, log=None) -> ReportResult:
    """Write OUT/report/ and return its index and the problems met (each one
    line naming a file). `out_arg` is OUT as the user wrote it, for the re-run
    commands shown beside failed pages."""
    out_dir = Path(out_dir)
    entries, problems = collect(out_dir)
    rdir = out_dir / REPORT_DIR
    for name in ASSETS:
        atomic_write_bytes(rdir / "assets" / name,
                           resources.files(__package__).joinpath("static", name).read_bytes())
    atomic_write_text(rdir / "assets" / "kinds.css", kinds_css())

    viewable = [e for e in entries if e.page is not None]
    if redraw:
        missing = [e.files for e in viewable if not e.files.sibling(".overlay.png").is_file()]
        if missing:
            _, errors = redraw_overlays(out_dir, missing, log=log)
            problems.extend(f"{err} (overlay not re-drawn)" for err in errors
                            if isinstance(err, RerenderError))
    thumbs, views = set(), set()
    for i, e in enumerate(viewable):
        s = slug(e)
        if _thumb(e, rdir / "thumbs" / f"{s}.jpg"):
            thumbs.add(s)
        overlay_ok = e.files.sibling(".overlay.png").is_file()
        prev = viewable[i - 1] if i else None
        nxt = viewable[i + 1] if i + 1 < len(viewable) else None
        atomic_write_text(rdir / "pages" / f"{s}.html", page_view(e, prev, nxt, out_dir, overlay_ok))
        views.add(s)
    index = rdir / "index.html"
    atomic_write_text(index, index_html(entries, out_dir, out_arg or str(out_dir), thumbs, views,
                                        low_conf))
    return ReportResult(index, entries, problems)
