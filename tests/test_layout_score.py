"""Geometry-only scoring of layouts against ground-truth boxes (pipeline.evaluate.layout)."""
from pipeline.evaluate.layout import score_layout
from pipeline.model import BBox, Block, Line, Page


def _truth(blocks, ncol=2, pages=None):
    t = {"layout": {"ncol": ncol}, "blocks": blocks}
    if pages:
        t["pages"] = pages
    return t


def _tb(kind, lines, text="正文正文正文"):
    return {"kind": kind, "text": text, "bbox": [min(l[0] for l in lines), min(l[1] for l in lines),
                                                  max(l[2] for l in lines), max(l[3] for l in lines)],
            "lines": [{"bbox": list(l)} for l in lines]}


def _page(blocks, columns=((0, 100), (120, 220))):
    return Page("p", 1, 220, 300, columns=list(columns), blocks=blocks)


def _blk(i, order, kind, box, lines):
    return Block(i, kind, BBox(*box), order=order, lines=[Line(BBox(*l)) for l in lines])


L1 = [(0, 0, 100, 10), (0, 20, 100, 30)]    # column 1
L2 = [(120, 0, 220, 10), (120, 20, 220, 30)]  # column 2


def test_columns_in_order_score_one():
    """
        +--0--+ +--1--+       truth: column 1, then column 2
        +-----+ +-----+
    """
    truth = _truth([_tb("body", L1), _tb("body", L2)])
    page = _page([_blk(0, 0, "body", (0, 0, 100, 30), L1), _blk(1, 1, "body", (120, 0, 220, 30), L2)])
    s = score_layout("p", [page], truth)
    assert (s.order, s.line_order, s.merged, s.columns_ok) == (1.0, 1.0, 0, True)


def test_swapped_columns_and_lines_across_the_gutter_are_caught():
    """Lines read straight across the gutter: one block whose lines hold both columns."""
    truth = _truth([_tb("body", L1), _tb("body", L2)])
    across = [(0, 0, 220, 10), (0, 20, 220, 30)]
    s = score_layout("p", [_page([_blk(0, 0, "body", (0, 0, 220, 30), across)], columns=((0, 220),))],
                     truth)
    assert s.merged == 2 and s.line_order < 1.0 and not s.columns_ok
    swapped = _page([_blk(0, 1, "body", (0, 0, 100, 30), L1), _blk(1, 0, "body", (120, 0, 220, 30), L2)])
    assert score_layout("p", [swapped], truth).order == 0.0


def test_running_heads_are_left_out_of_the_order_but_their_kind_is_checked():
    head = [(0, -20, 60, -12)]
    truth = _truth([_tb("header", head, "刊名"), _tb("body", L1), _tb("body", L2)])
    page = _page([_blk(2, 0, "body", (0, -20, 60, -12), head), _blk(0, 1, "body", (0, 0, 100, 30), L1),
                  _blk(1, 2, "body", (120, 0, 220, 30), L2)])
    s = score_layout("p", [page], truth)
    assert s.order == 1.0 and s.kinds["header"] == [0, 1]


def test_spread_not_split_is_scored_as_one_page():
    truth = _truth([], pages=[{"blocks": [_tb("body", L1)]}, {"blocks": [_tb("body", L2)]}])
    page = _page([_blk(0, 0, "body", (0, 0, 100, 30), L1), _blk(1, 1, "body", (120, 0, 220, 30), L2)])
    s = score_layout("p", [page], truth)
    assert not s.split_ok and s.order == 1.0
