"""Layout and reading order on generated pages of many layouts, without OCR:
each ground-truth block is matched to the detected block that covers most of
it, and the detected reading order must follow the ground truth's."""
import numpy as np
import pytest

from pipeline.layout import analyse_layout
from pipeline.model import BBox, Page
from pipeline.options import Options
from pipeline.preprocess import preprocess
from pipeline.readingorder import resolve_order
from pipeline.synth.layout import PageSpec, random_spec
from pipeline.synth.render import render_page


def _layout(spec):
    img, truth = render_page(spec)
    arr = np.asarray(img.convert("L"))
    pimg = analyse_layout(preprocess(Page("synth", 1, arr.shape[1], arr.shape[0]), arr, Options()),
                          Options())
    page = pimg.page
    page.blocks = resolve_order(page.blocks).blocks
    return page, truth


def _to_page(box, page):
    """Ground truth is in scan pixels; map its centre into deskewed page pixels."""
    inv = np.array(page.transform)  # page -> scan
    m = np.vstack([inv, [0, 0, 1]])
    fwd = np.linalg.inv(m)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x, y, _ = fwd @ [cx, cy, 1]
    return x, y


def _matched_orders(page, truth):
    orders = []
    for gb in truth["blocks"]:
        if gb["kind"] in ("header", "footer", "figure") or not gb.get("text"):
            continue
        x, y = _to_page(gb["bbox"], page)
        hit = [b for b in page.blocks if b.bbox.x0 <= x <= b.bbox.x1 and b.bbox.y0 <= y <= b.bbox.y1]
        orders.append(min(b.order for b in hit) if hit else None)
    return orders


def _pairs_in_order(orders):
    ok = sum(1 for a, b in zip(orders, orders[1:]) if a is not None and b is not None and a <= b)
    return ok / max(1, len(orders) - 1)


BASE = dict(header=True, footer=True, subtitle=True, author=True, noise=2.0, blur=0.6)

CASES = {
    "2col-wide-rule": PageSpec(columns=2, gutter_in=0.3, rule=True, title_span=2, **BASE),
    "3col-narrow-aligned": PageSpec(columns=3, gutter_in=0.05, title_span=3, aligned=True, **BASE),
    "4col-title-over-3": PageSpec(columns=4, gutter_in=0.15, title_span=3, body_pt=9.0, **BASE),
    "3col-title-over-1": PageSpec(columns=3, gutter_in=0.2, title_span=1, **BASE),
    "3col-figure-in-col": PageSpec(columns=3, gutter_in=0.15, figure="col", figure_col=1, **BASE),
    "3col-span2-figure": PageSpec(columns=3, gutter_in=0.15, figure="span2", figure_col=0, **BASE),
    "3col-sidebar": PageSpec(columns=3, gutter_in=0.15, sidebar=True, sidebar_span=(0, 3), **BASE),
    "2col-headings-sans": PageSpec(columns=2, title_span=2, gutter_in=0.12, headings=3, body_font="sans", **BASE),
    "3col-skew-2.5": PageSpec(columns=3, gutter_in=0.12, skew_deg=2.5, **BASE),
    "4col-unaligned-kai": PageSpec(columns=4, gutter_in=0.1, aligned=False, body_font="kai",
                                   body_pt=8.5, **BASE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_columns_and_block_order_follow_ground_truth(name):
    spec = CASES[name].validate()
    page, truth = _layout(spec)
    assert len(page.columns) == spec.columns, page.columns
    orders = _matched_orders(page, truth)
    assert None not in orders, "a ground-truth block has no detected block"
    assert _pairs_in_order(orders) >= 0.95, orders


def test_figure_is_found_and_not_ocred_as_text():
    page, truth = _layout(CASES["3col-figure-in-col"].validate())
    figs = [b for b in page.blocks if b.kind == "figure"]
    assert len(figs) == 1
    assert not figs[0].is_text


@pytest.mark.parametrize("seed", [3, 11, 19])
def test_random_layouts_keep_their_order(seed):
    spec = random_spec(seed)
    if spec.spread:
        pytest.skip("two-page spreads are split by a later stage")
    page, truth = _layout(spec)
    assert _pairs_in_order(_matched_orders(page, truth)) >= 0.9
