"""The report's HTML: the page views (the picture with its blocks, the text
beside it), a failed page's view and the index. Text goes through `esc`
(element text and attribute values) and paths through `url`
(percent-encoded, then escaped)."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from ...model import BBox, Block, Line, Page
from ..overlay import KIND_COLOURS, LOW_CONF_COLOUR
from .collect import PageEntry
from .media import Media, line_box, low_lines, slug



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
