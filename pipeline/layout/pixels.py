"""Stage 2: columns and blocks.

Pictures (photos, and line art clustered from solid shapes and strokes),
rules and box outlines (long straight strokes; a box is a rectangle of
them) are found first and kept out of the text. Then: glyphs -> character
runs (segments) -> white channels walled by text that line up into column
separators (gutters; vertical rules are gutters too) -> text lines that
never cross a gutter -> column intervals -> blocks of consecutive lines
within one column span (a box's lines share the box's span) -> block kinds
(header, footer, title, heading, body, caption, sidebar; subtitle and author
lines under a title are headings of the masthead).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from . import gaps
from . import geometry as geo
from .lines import (TextLine, channel, columns, crossings, lines_from_segments, separators, span_of,
                    walled)
from .pixel_kinds import block_kind, footnotes, group_blocks, masthead, running_feet
from ..model import BBox, Block, Flag, Line, Page
from . import learned as learned_mod
from ..options import Options
from ..image.preprocess import PageImage
from .regions import Region


def _body_height(comps: geo.Components, shape: tuple[int, int]) -> float:
    """The body character height.

    The most common height of glyph-like components is the body size on a
    Chinese page, but not where Latin text is a large part of it (an English
    abstract, references: the x-height wins), nor on a slide of big type with
    a few small notes. Weighted by ink, the Han glyphs of the body win those,
    but photos' blots win on pages with pictures. So both are tried, and the
    one under which the page falls into more runs of characters of that
    height (text lines) is the body size; the most common height keeps its
    place unless the other is clearly better.
    """
    first = geo.char_height(comps)
    other = geo.char_height(comps, by_ink=True)
    if not 0.75 <= other / first <= 1.3:
        a, b = _run_length(comps, shape, first), _run_length(comps, shape, other)
        if b > 1.5 * a:
            return other
    return first


def _run_length(comps: geo.Components, shape: tuple[int, int], ch: float) -> int:
    """Total length of the runs of characters about ``ch`` high, joined as for ``ch``."""
    segs = _segments(comps, _classify(comps, np.zeros(len(comps.boxes), bool), [], ch), shape, ch)
    if not len(segs):
        return 0
    w, h = segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]
    ok = (h >= 0.7 * ch) & (h <= 1.5 * ch) & (w >= 3 * h)
    return int(w[ok].sum())


def _segments(comps: geo.Components, text: np.ndarray, shape: tuple[int, int], ch: float) -> np.ndarray:
    """Character runs of the glyphs selected by ``text``."""
    mask = np.zeros(shape, np.uint8)
    for x0, y0, x1, y1 in comps.boxes[text]:
        mask[y0:y1, x0:x1] = 255
    return gaps.segments(mask, ch)


def _on_rules(comps: geo.Components, rule_ink: np.ndarray) -> np.ndarray:
    """Components that are mostly long straight strokes: rules, box outlines, axes."""
    on_rule = np.bincount(comps.labels[rule_ink > 0], minlength=len(comps.boxes) + 1)[1:]
    return on_rule > 0.5 * comps.area


def _inside(comps: geo.Components, boxes: list[BBox]) -> np.ndarray:
    """Per component: its centre lies in one of ``boxes``."""
    b = comps.boxes
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    hit = np.zeros(len(b), bool)
    for f in boxes:
        hit |= (cx >= f.x0) & (cx < f.x1) & (cy >= f.y0) & (cy < f.y1)
    return hit


def _classify(comps: geo.Components, rule: np.ndarray, figures: list[BBox],
              ch: float, text_areas: list[BBox] = ()) -> np.ndarray:
    """Which components are glyphs: not rules or box outlines, not inside
    pictures (unless in a text area found on a panel: a caption set on the
    photo), not specks, not huge blots."""
    b = comps.boxes
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    tiny = (w < 0.12 * ch) & (h < 0.12 * ch)
    in_fig = _inside(comps, figures) & ~_inside(comps, list(text_areas))
    big = (w >= 8 * ch) & (h >= 8 * ch)
    return ~(rule | tiny | in_fig | big) & (h < 8 * ch)


def _vertical_rules(ver: np.ndarray, frames: list[BBox], figures: list[BBox], ch: float) -> list[BBox]:
    """Column rules: long thin vertical strokes that are not a box's side or in a picture."""
    out = []
    for r in geo.strokes(ver):
        if r.height < 3 * ch or r.width > 0.5 * ch:
            continue
        if any(f.x0 - 2 <= r.cx <= f.x1 + 2 and f.y0 - 2 <= r.cy <= f.y1 + 2 for f in figures):
            continue
        if any(min(abs(r.cx - f.x0), abs(r.cx - f.x1)) <= ch and r.y0 >= f.y0 - ch and r.y1 <= f.y1 + ch
               for f in frames):
            continue
        out.append(r)
    return out


@dataclass
class Ink:
    """What the binary page holds before any text is found (computed once a page)."""
    comps: geo.Components
    ch: float                 # body character height
    hor: np.ndarray           # ink of long horizontal strokes
    ver: np.ndarray           # ink of long vertical strokes
    rule: np.ndarray          # per component: mostly rule ink
    pictures: list[BBox]      # photos and line art the geometry found
    text_areas: list[BBox] = field(default_factory=list)  # text found on panels
    dotted: list[BBox] = field(default_factory=list)      # dotted and dashed rules


@dataclass
class TextGeometry:
    """The text the geometry finds around a given set of pictures."""
    pictures: list[BBox]
    frames: list[BBox]
    segs: np.ndarray                          # character runs
    gutters: list[BBox]
    rules: list[BBox]                         # vertical column rules
    seps: list[tuple[float, int]]             # column separators (x, weight)
    reach: list[tuple[float, int, int, int]]  # each separator's channel (x, top, bottom, width)
    lines: list[TextLine]
    cols: list[tuple[int, int]]
    glyphs: np.ndarray                        # centres of the glyphs, for checks
    body_h: float = 0.0


# Body type of magazines, books and reports is set at 9 to 10.5 pt, and a Han
# glyph's ink is about 0.88 of its em: the text gives the scan's resolution to
# some 15% where the file does not (or gives a screen default).
BODY_PT = 9.75
GLYPH_EM = 0.88
SCREEN_DPI = (72, 96)


def resolve_dpi(page: Page, ch: float) -> None:
    """The page's resolution: the file's, unless it names none or a screen
    default far from what the text says; then the one the text says.
    Recorded in ``page.diagnostics["dpi_source"]`` ("file", "estimated")."""
    estimate = ch * 72.0 / (GLYPH_EM * BODY_PT)
    source = page.diagnostics.get("dpi_source", "file")
    wrong = page.dpi in SCREEN_DPI and estimate >= 1.3 * page.dpi
    if source == "assumed" or wrong:
        page.diagnostics["dpi_given"] = page.dpi if source == "file" else None
        page.dpi = int(round(estimate))
        page.diagnostics["dpi_source"] = "estimated"
    elif source != "file":
        page.diagnostics["dpi_source"] = source


def find_ink(pimg: PageImage) -> Ink:
    binary = pimg.binary
    comps = geo.components(binary)
    text_areas = [t for p in pimg.panels for t in p.text]
    # dotted and ornamental rules: cut out of the ink along their band (a mark
    # touching a glyph would join it and make its line tall), and kept from
    # the recogniser
    decor = geo.decorations(comps, geo.char_height(comps))
    band = np.zeros(binary.shape, bool)
    for d in decor:
        band[d.y0:d.y1, d.x0:d.x1] = True
    if decor:
        binary[band] = 0
        comps = geo.components(binary)
    # the specks of a dark photo or page ground are no glyphs to size the type by
    ground = _inside(comps, [p.bbox for p in pimg.panels]) & ~_inside(comps, text_areas)
    ch = pimg.body_ch or _body_height(geo.Components(comps.boxes[~ground], comps.area[~ground], comps.labels),
                                      binary.shape)
    hor, ver = geo.rule_masks(binary, ch)
    rule = _on_rules(comps, hor | ver)
    # what the recogniser should not see: rule strokes (not the glyphs that
    # touch them) and decorative rules
    pimg.rule_ink = ((hor | ver) > 0) | band
    pictures = geo.find_figures(pimg.gray, ch)
    pictures = geo.find_graphics(comps, rule, pictures, ch, geo.thin_stroke_ink(comps, hor, ver, ch))
    # a picture keeps clear of the blocks of text found on panels (a page set
    # white on a dark ground, a light box of text on a photo); a line or two
    # of white text stays inside (a caption set on the photo); a "picture"
    # that blocks of text cover all over is the dark ground they are set on
    boxes = [t.bbox for p in pimg.panels for t in p.parts if not t.on_dark or t.lines >= 4]
    pictures = [c for c in (learned_mod.clear_of_text(p, boxes, 0.0, ch, cut_all=True) for p in pictures) if c]
    return Ink(comps, ch, hor, ver, rule, pictures, text_areas, decor)


def text_runs(ink: Ink, pictures: list[BBox], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(which components are glyphs, their character runs) outside ``pictures``."""
    text = _classify(ink.comps, ink.rule, pictures, ink.ch, ink.text_areas)
    return text, _segments(ink.comps, text, shape, ink.ch)


def find_text(pimg: PageImage, ink: Ink, pictures: list[BBox], options: Options) -> TextGeometry:
    """Gutters, column separators, text lines and columns around ``pictures``."""
    binary, ch = pimg.binary, ink.ch
    text, segs = text_runs(ink, pictures, binary.shape)
    frames = geo.find_frames(ink.hor, ink.ver, ch, pictures)
    tb = ink.comps.boxes[text]
    glyphs = np.stack([(tb[:, 0] + tb[:, 2]) / 2, (tb[:, 1] + tb[:, 3]) / 2], axis=1)

    obstacles = [tuple(s) for s in segs] + [f.to_list() for f in pictures] + [fr.to_list() for fr in frames]
    gutters = gaps.tall_gaps(obstacles, binary.shape, ch)
    gutters = [p for g in gutters if g.width <= 4 * ch for p in walled(g, segs, ch, pictures)]
    rules = _vertical_rules(ink.ver, frames, pictures, ch)
    # a vertical rule is a gutter whatever the white space beside it
    ruled = [BBox(r.x0 - 1, r.y0, r.x1 + 1, r.y1) for r in rules]
    # the narrowest gutter set is 0.05 inch; white narrower than a third of a
    # character (and than 0.04 inch) running down a column is the lined-up
    # gaps between the characters of letter-spaced text
    min_gutter = min(0.35 * ch, 0.04 * (pimg.page.dpi or 300))
    seps, gutters = separators(gutters, ch, binary.shape[0], ruled, min_gutter)
    gutters += [r for r in ruled if r not in gutters]

    reach = [channel(x, gutters, segs, ch) for x, _ in seps] if len(segs) else []
    # (a picture holding text found on it, a title on a banner, is no barrier)
    barriers = [p for p in pictures if not any(t.x_overlap(p) and t.y_overlap(p) for t in ink.text_areas)]
    line_boxes = lines_from_segments(segs, gutters, ch, [x for x, _ in seps], reach, barriers) \
        if len(segs) else []
    integral = cv2.integral(binary // 255)
    lines = []
    for lb in line_boxes:
        ink_px = integral[lb.y1, lb.x1] - integral[lb.y0, lb.x1] - integral[lb.y1, lb.x0] + integral[lb.y0, lb.x0]
        frame = next((i for i, fr in enumerate(frames)
                      if fr.x0 <= lb.cx <= fr.x1 and fr.y0 <= lb.cy <= fr.y1), -1)
        lines.append(TextLine(lb, float(ink_px) / max(lb.area, 1), frame=frame))

    cols = columns(seps, lines, ch, reach)
    if options.columns and cols and len(cols) != options.columns:
        left, right = cols[0][0], cols[-1][1]
        step = (right - left) / options.columns
        cols = [(int(left + i * step), int(left + (i + 1) * step)) for i in range(options.columns)]
    for ln in lines:
        # a box has its own inner layout: all its lines share the box's span
        box = frames[ln.frame] if ln.frame >= 0 else ln.bbox
        ln.span = span_of(box, cols, ch) if cols else (0, 1)
    heights = [ln.bbox.height for ln in lines if ln.frame < 0]
    body_h = float(np.median(heights)) if heights else ch
    return TextGeometry(pictures, frames, segs, gutters, rules, seps, reach, lines, cols, glyphs, body_h)


def _blocks(tg: TextGeometry, ink: Ink, learned: learned_mod.Learned, page_h: int) -> list[Block]:
    ch, lines, body_h = ink.ch, tg.lines, tg.body_h
    groups = group_blocks(lines, tg.pictures + tg.frames, ch)
    dens = [ln.density for ln in lines if abs(ln.bbox.height - body_h) < 0.2 * body_h]
    body_density = float(np.median(dens)) if dens else 0.3
    boxes = [BBox.enclosing(ln.bbox for ln in g) for g in groups]
    all_boxes = boxes + tg.pictures
    blocks: list[Block] = []
    for g, bb in zip(groups, boxes):
        kind = block_kind(g, bb, body_h, body_density, tg.pictures, all_boxes, page_h,
                     crossings(g[0].bbox, tg.reach, ch), ch)
        span = g[0].span
        blocks.append(Block(id=0, kind=kind, bbox=bb, span=span,
                            lines=[Line(bbox=ln.bbox) for ln in sorted(g, key=lambda t: t.bbox.y0)]))
    masthead(blocks, tg.cols, body_h, ch)
    running_feet(blocks, body_h, page_h)
    # a dashed, dotted or broken (scanned) rule over the notes is their rule as
    # well as a solid one: any long flat mark
    b = ink.comps.boxes
    flat = [BBox(*map(int, r)) for r in b[((b[:, 2] - b[:, 0]) >= 3 * ch) & ((b[:, 3] - b[:, 1]) <= 0.4 * ch)]]
    footnotes(blocks, geo.strokes(ink.hor) + ink.dotted + flat, body_h, ch, page_h)
    for kind, boxes in (("figure", learned.figures), ("table", learned.tables),
                        ("equation", learned.equations)):
        for f in boxes:
            span = span_of(f, tg.cols, ch) if tg.cols else (0, 1)
            blocks.append(Block(id=0, kind=kind, bbox=f, span=span))
    blocks.sort(key=lambda bl: (bl.bbox.y0, bl.bbox.x0))
    for i, bl in enumerate(blocks):
        bl.id = i
    return blocks


def analyse_layout(pimg: PageImage, options: Options, regions: list[Region] | None = None) -> PageImage:
    """Stage 2: find columns and blocks; sets page.blocks (no text yet) and page.columns.

    ``regions``: the learned detector's proposals for this page image, if any.
    They are checked against the geometry (``layout_learned``): tables and
    equations by the runs of characters in them, figures by the text lines
    the geometry finds in them; the text is found again around the pictures
    the detector adds."""
    page = pimg.page
    page_h = pimg.binary.shape[0]
    ink = find_ink(pimg)
    resolve_dpi(page, ink.ch)
    regions = regions or []
    ink.pictures = learned_mod.clear_of_learned_text(ink.pictures, regions, pimg.binary, ink.ch)
    _text, segs = text_runs(ink, ink.pictures, pimg.binary.shape)
    learned = learned_mod.accept_cells(regions, segs, ink.ch)
    tg = find_text(pimg, ink, ink.pictures + learned.tables + learned.equations, options)
    learned.figures = learned_mod.accept_figures(regions, tg.lines, ink.pictures, tg.body_h,
                                                 ink.ch, learned, pimg.binary)
    if learned.away != tg.pictures:
        tg = find_text(pimg, ink, learned.away, options)
    pimg.glyphs = tg.glyphs
    pimg.geometry = tg
    blocks = _blocks(tg, ink, learned, page_h)
    retyped = learned_mod.retype(blocks, learned, tg.body_h, page_h)
    page.blocks = blocks
    page.columns = tg.cols
    page.diagnostics["layout"] = {"char_height": round(ink.ch, 1), "body_line_height": round(tg.body_h, 1),
                                  "gutters": len(tg.gutters), "rules": len(tg.rules), "frames": len(tg.frames),
                                  # each column separator's white channel: x, top, bottom, width
                                  "separators": [[round(x, 1), int(t), int(b), int(w)] for x, t, b, w in tg.reach]}
    if regions:
        page.diagnostics["layout"]["learned"] = {
            "regions": len(regions), "tables": len(learned.tables), "figures": len(learned.figures),
            "equations": len(learned.equations), "retyped": retyped, "dropped": learned.dropped}
    if not blocks:
        page.flags.append(Flag("no-text-found"))
    return pimg
