"""Layout and reading order on generated pages of every layout feature, without OCR.

Each page is generated (``pipeline.synth``), straightened, laid out and
ordered exactly as ``magscan convert`` does before OCR
(``pipeline.convert.layout_source``), then compared with its ground truth by
``pipeline.evaluate.layout``: every ground-truth line is looked up among the
detected blocks, and the detected order of the blocks (and of the lines)
must follow the truth's, with no line read across a gutter.
"""
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from pipeline.text.assemble import page_text
from pipeline.convert import layout_source
from pipeline.evaluate.layout import score_layout
from pipeline.ingest.files import SourcePage
from pipeline.options import Options
from pipeline.synth.layout import PageSpec, random_spec
from pipeline.synth.pages import render_page


@lru_cache(maxsize=None)
def _layout(spec: PageSpec):
    img, truth = render_page(spec)
    arr = np.asarray(img.convert("L"))
    pages = [p.page for p in layout_source(SourcePage(Path("synth.png"), 1, arr, 300), Options())]
    return pages, truth


BASE = dict(header=True, footer=True, subtitle=True, author=True, noise=2.0, blur=0.6)

# one generated page per layout feature of the layouts issue
CASES = {
    "2col-wide-rule": PageSpec(columns=2, gutter_in=0.3, rule=True, title_span=2, **BASE),
    "2col-11pt-serif": PageSpec(seed=21, columns=2, gutter_in=0.12, body_pt=11.0, body_font="serif", **BASE),
    "3col-narrow-aligned": PageSpec(columns=3, gutter_in=0.05, title_span=3, aligned=True, **BASE),
    "3col-narrow-rule": PageSpec(seed=22, columns=3, gutter_in=0.05, rule=True, body_pt=8.0, **BASE),
    "4col-title-over-3": PageSpec(columns=4, gutter_in=0.15, title_span=3, body_pt=9.0, **BASE),
    "3col-title-over-1": PageSpec(columns=3, gutter_in=0.2, title_span=1, **BASE),
    "4col-title-over-2-centred": PageSpec(seed=23, columns=4, gutter_in=0.1, title_span=2,
                                          title_center=True, body_pt=8.5, **BASE),
    "3col-figure-in-col": PageSpec(columns=3, gutter_in=0.15, figure="col", figure_col=1, **BASE),
    "3col-span2-figure": PageSpec(columns=3, gutter_in=0.15, figure="span2", figure_col=0, **BASE),
    "4col-span2-figure-right": PageSpec(seed=24, columns=4, gutter_in=0.12, figure="span2",
                                        figure_col=2, figure_pos=0.5, body_pt=8.5, **BASE),
    "3col-sidebar": PageSpec(columns=3, gutter_in=0.15, sidebar=True, sidebar_span=(0, 3), **BASE),
    "3col-sidebar-top-2-cols": PageSpec(seed=25, columns=3, gutter_in=0.12, sidebar=True,
                                        sidebar_span=(1, 3), sidebar_pos="top", **BASE),
    "2col-headings-sans": PageSpec(columns=2, title_span=2, gutter_in=0.12, headings=3, body_font="sans", **BASE),
    "3col-skew-3": PageSpec(columns=3, gutter_in=0.12, skew_deg=-3.0, **BASE),
    "3col-degraded": PageSpec(seed=26, columns=3, gutter_in=0.1, skew_deg=1.5, noise=7.0, blur=1.2,
                              jpeg=40, lighting=0.35, paper=242, header=True, footer=True),
    "4col-unaligned-kai": PageSpec(columns=4, gutter_in=0.1, aligned=False, body_font="kai",
                                   body_pt=8.5, **BASE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_blocks_follow_ground_truth_order(name):
    spec = CASES[name].validate()
    pages, truth = _layout(spec)
    s = score_layout(name, pages, truth)
    assert s.columns_ok, [len(p.columns) for p in pages]
    assert s.merged == 0, "a detected line holds lines of different blocks"
    assert s.order == 1.0 and s.line_order >= 0.99, (s.order, s.line_order)
    assert not [f for f in pages[0].flags if f.startswith("layout")], pages[0].flags


def _kinds(spec):
    pages, truth = _layout(spec.validate())
    return pages[0], score_layout("x", pages, truth).kinds


def test_running_heads_are_kept_as_header_and_footer_but_out_of_the_text():
    page, kinds = _kinds(CASES["2col-wide-rule"])
    assert kinds["header"] == [1, 1] and kinds["footer"] == [1, 1]
    for b in page.blocks:
        b.text = b.kind
    text = page_text(page).split()
    assert "header" not in text and "footer" not in text
    kept = page_text(page, keep_headers=True).split()
    assert kept[0] == "header" and kept[-1] == "footer"


def test_masthead_opens_the_page():
    page, kinds = _kinds(CASES["4col-title-over-2-centred"])
    order = [b.kind for b in page.ordered_blocks() if b.kind not in ("header", "footer")]
    assert order[0] == "title" and kinds["title"] == [1, 1]
    assert order[1:3] == ["heading", "heading"]   # subtitle, author
    assert set(order[3:]) <= {"body", "heading"}


@pytest.mark.parametrize("name", ["3col-figure-in-col", "3col-span2-figure", "4col-span2-figure-right"])
def test_figure_is_found_and_its_caption_follows_it(name):
    page, kinds = _kinds(CASES[name])
    assert kinds["figure"] == [1, 1] and kinds["caption"] == [1, 1]
    ordered = page.ordered_blocks()
    i = next(k for k, b in enumerate(ordered) if b.kind == "figure")
    assert not ordered[i].is_text
    assert ordered[i + 1].kind == "caption"
    want = 2 if "span2" in name else 1
    assert ordered[i].span[1] - ordered[i].span[0] == want


@pytest.mark.parametrize("name", ["3col-sidebar", "3col-sidebar-top-2-cols"])
def test_sidebar_is_one_box_read_after_the_columns(name):
    page, kinds = _kinds(CASES[name])
    assert kinds["sidebar"][0] == kinds["sidebar"][1] > 0
    kinds_in_order = [b.kind for b in page.ordered_blocks()]
    first_side = kinds_in_order.index("sidebar")
    assert "body" not in kinds_in_order[first_side:]
    assert page.diagnostics["layout"]["frames"] == 1


@pytest.mark.parametrize("edge", ["left", "right", "top", "bottom"])
def test_dark_border_is_cropped_before_layout(edge):
    spec = PageSpec(seed=30, columns=3, gutter_in=0.12, skew_deg=0.8, border=edge, border_px=60,
                    noise=3.0, blur=0.8, paper=246, **{k: v for k, v in BASE.items() if k not in ("noise", "blur")})
    pages, truth = _layout(spec)
    page = pages[0]
    assert any(f.startswith("cropped-border") for f in page.flags)
    s = score_layout(edge, pages, truth)
    assert s.order == 1.0 and s.columns_ok and s.merged == 0
    # nothing of the band is left to be read as text
    assert all(b.bbox.height >= 0.5 * page.diagnostics["layout"]["char_height"]
               for b in page.blocks if b.is_text)
    assert s.kinds.get("header", [1, 1])[0] == s.kinds.get("header", [1, 1])[1]


@pytest.mark.parametrize("seed", [3, 11, 19])
def test_random_layouts_keep_their_order(seed):
    pages, truth = _layout(replace(random_spec(seed)))
    s = score_layout(str(seed), pages, truth)
    assert s.split_ok and s.order >= 0.95 and s.merged == 0


@pytest.mark.parametrize("font", ["sans_bold", "hei"])
def test_heavy_display_title_is_text_not_a_picture(font):
    """A 34 pt bold title: its strokes make dense patches one stroke high,
    which must not pass for a photo; the title is one title block."""
    spec = PageSpec(seed=31, columns=4, gutter_in=0.12, title_span=4, title_font=font, title_pt=34.0,
                    body_pt=8.5, **BASE)
    (page,), truth = _layout(spec)
    title = next(b for b in truth["blocks"] if b["kind"] == "title")
    top = title["bbox"][3]
    assert not [b for b in page.blocks if b.kind == "figure" and b.bbox.y0 < top]
    assert [b.kind for b in page.blocks if b.bbox.y1 <= top + 5 and b.kind != "header"] == ["title"]
