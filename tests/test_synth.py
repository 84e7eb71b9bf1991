"""Synthetic page generator: determinism, truth consistency, seed page, layout features."""
from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from pipeline.synth import PageSpec, gt_text, random_spec, render_page, sample_specs, seed_spec, write_truth
from pipeline.synth.corpus import parse_seed

SAMPLES = sample_specs()


@lru_cache(maxsize=None)
def _render(name: str):
    spec = SAMPLES[name] if name in SAMPLES else random_spec(int(name))
    return render_page(spec)


def _check_inside(truth):
    w, h = truth["width"], truth["height"]
    for b in truth["blocks"]:
        boxes = [b["bbox"]] + [ln["bbox"] for ln in b["lines"]]
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (b["kind"], boxes)


def test_same_spec_same_bytes():
    spec = replace(random_spec(5), spread=False, jpeg=60, border="left", border_px=30, lighting=0.2)
    img1, t1 = render_page(spec)
    img2, t2 = render_page(spec)
    assert img1.mode == "L" and img1.size == (2480, 3508)
    assert np.array_equal(np.asarray(img1), np.asarray(img2))
    assert json.dumps(t1, sort_keys=True) == json.dumps(t2, sort_keys=True)


def test_random_spec_is_deterministic_and_valid():
    for s in range(40):
        assert random_spec(s) == random_spec(s)
        random_spec(s).validate()
    assert len({random_spec(s) for s in range(20)}) == 20
    spec = random_spec(9)
    assert PageSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize("name", list(SAMPLES))
def test_truth_text_and_boxes(name, tmp_path):
    img, truth = _render(name)
    _check_inside(truth)
    blocks = truth["blocks"]
    assert [b["order"] for b in blocks] == list(range(len(blocks)))
    assert blocks[-1]["kind"] == "footer"
    if any(b["kind"] == "header" for b in blocks):
        assert blocks[0]["kind"] == "header"
    write_truth(tmp_path, name, truth)
    gt = (tmp_path / f"{name}.gt.txt").read_text(encoding="utf-8")
    assert gt == gt_text(blocks)
    lines = gt.splitlines()
    assert lines == [b["text"] for b in blocks if b["text"]]   # every text block, in order
    pos = 0
    for b in blocks:                                           # ... and findable in order
        if b["text"]:
            pos = gt.index(b["text"], pos) + len(b["text"])
    body = (tmp_path / f"{name}.gt_body.txt").read_text(encoding="utf-8").splitlines()
    assert body == [b["text"] for b in blocks if b["text"] and b["kind"] not in ("header", "footer")]
    for b in blocks:                                           # line boxes sit in their block
        x0, y0, x1, y1 = b["bbox"]
        for ln in b["lines"]:
            lx0, ly0, lx1, ly1 = ln["bbox"]
            assert lx0 >= x0 - 2 and ly0 >= y0 - 2 and lx1 <= x1 + 2 and ly1 <= y1 + 2
    saved = json.loads((tmp_path / f"{name}.gt.json").read_text(encoding="utf-8"))
    for key in ("width", "height", "dpi", "skew_deg", "affine", "layout", "blocks"):
        assert key in saved


def test_seed_page_lines_are_the_file_lines():
    img, truth = _render("seed-page")
    parsed = parse_seed()
    blocks = truth["blocks"]
    body = [b for b in blocks if b["kind"] == "body"]
    for c, col_lines in enumerate(parsed["columns"]):
        got = [ln["text"] for b in body if b["column"] == c for ln in b["lines"]]
        assert got == col_lines
    kinds = [b["kind"] for b in blocks]
    assert kinds[:3] == ["title", "subtitle", "author"] and kinds[-1] == "footer"
    assert blocks[0]["text"] == "".join(parsed["title"]) and len(blocks[0]["lines"]) == 2
    assert blocks[-1]["text"] == "2017.8兵团工运"
    assert [b["column"] for b in body] == sorted(b["column"] for b in body)
    # neighbouring columns share baselines
    tops = {c: [ln["bbox"][1] for b in body if b["column"] == c for ln in b["lines"]] for c in range(3)}
    firsts = [next(b for b in body if b["column"] == c)["bbox_unrotated"][1] for c in range(3)]
    assert max(firsts) - min(firsts) < 1
    assert all(len(v) == 33 for v in tops.values())
    assert truth["skew_deg"] == 1.0 and truth["layout"]["gutter_in"] == 0.06
    assert truth["layout"]["title_span"] == 3 and not truth["layout"]["rule"]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_partial_title_right_columns_start_at_top(k):
    spec = replace(random_spec(7), columns=4, title_span=k, spread=False, skew_deg=0.0, noise=0,
                   blur=0, jpeg=0, figure=None, sidebar=False, body_pt=9.0)
    _, truth = render_page(spec)
    title = next(b for b in truth["blocks"] if b["kind"] == "title")
    first = next(b for b in truth["blocks"] if b["kind"] == "body" and b["column"] == k)
    assert first["lines"][0]["bbox"][1] < title["bbox"][3]
    under = next(b for b in truth["blocks"] if b["kind"] == "body" and b["column"] == 0)
    assert under["bbox"][1] > title["bbox"][3]
    assert title["span"] == [0, k]


def test_layout_features_produce_block_kinds():
    kinds = {n: [b["kind"] for b in _render(n)[1]["blocks"]] for n in SAMPLES}
    assert "figure" in kinds["two-col-rule-figure"] and "caption" in kinds["two-col-rule-figure"]
    assert "heading" in kinds["two-col-rule-figure"]
    four = _render("four-col-title3")[1]
    assert {b["column"] for b in four["blocks"] if b["kind"] == "body"} == {0, 1, 2, 3}
    side = kinds["three-col-span2-sidebar"]
    assert "figure" in side and "sidebar" in side
    fig = next(b for b in _render("three-col-span2-sidebar")[1]["blocks"] if b["kind"] == "figure")
    assert fig["span"][1] - fig["span"][0] == 2
    # reading order: the sidebar after all body text, before the footer
    assert max(i for i, k in enumerate(side) if k == "body") < side.index("sidebar") < side.index("footer")
    # a figure is read where it sits in its column: a caption right after it
    i = side.index("figure")
    assert side[i + 1] == "caption"


def test_spread_has_two_pages():
    spec = replace(random_spec(3), spread=True, noise=0, blur=0, jpeg=0, skew_deg=0.3)
    img, truth = render_page(spec)
    assert img.size == (2 * 2480, 3508)
    pages = truth["pages"]
    assert [p["page"] for p in pages] == [0, 1]
    assert sum(len(p["blocks"]) for p in pages) == len(truth["blocks"])
    assert [b["page"] for b in truth["blocks"]] == sorted(b["page"] for b in truth["blocks"])
    for p in pages:
        assert p["blocks"][-1]["kind"] == "footer"
    _check_inside(truth)


def test_families_are_seeded_valid_and_cover_the_layouts():
    from pipeline.synth.families import FAMILIES, bench_specs, family_of
    specs = bench_specs()
    assert len(specs) >= 40 and specs == bench_specs()
    assert {family_of(n) for n in specs} == set(FAMILIES)
    assert bench_specs(2, start=100).keys().isdisjoint(specs.keys())
    got = list(specs.values())
    assert {s.columns for s in got} == {2, 3, 4}
    assert any(s.gutter_in <= 0.06 for s in got) and any(s.gutter_in >= 0.25 for s in got)
    assert any(s.rule for s in got) and any(not s.aligned for s in got)
    assert any(0 < s.title_span < s.columns for s in got)
    assert {s.figure for s in got} >= {"col", "span2"}
    assert any(s.sidebar and s.sidebar_pos == "top" for s in got)
    assert any(s.sidebar and s.side_span[1] - s.side_span[0] < s.columns for s in got)
    assert {s.border for s in got} >= {"left", "right", "top", "bottom"}
    assert any(abs(s.skew_deg) >= 2.5 for s in got) and any(s.jpeg for s in got)
    assert any(s.spread for s in got) and any(s.headings for s in got)
    assert {s.body_font for s in got} >= {"serif", "sans"}
    assert min(s.body_pt for s in got) < 8.5 and max(s.body_pt for s in got) > 10.5


def test_sidebar_at_top_of_its_columns():
    spec = replace(random_spec(8), columns=3, title_span=3, sidebar=True, sidebar_span=(1, 3),
                   sidebar_pos="top", spread=False, figure=None, skew_deg=0.0)
    _, truth = render_page(spec)
    blocks = truth["blocks"]
    side = [b for b in blocks if b["kind"] == "sidebar"]
    box = truth["layout"]["sidebar_box"]
    assert side and all(b["span"] == [1, 3] for b in side)
    # the columns under it start below the box; column 0 starts higher, beside it
    for c in (1, 2):
        first = next(b for b in blocks if b["kind"] == "body" and b["column"] == c)
        assert first["bbox"][1] > box[3]
    first0 = next(b for b in blocks if b["kind"] == "body" and b["column"] == 0)
    assert first0["bbox"][1] < box[3]
    # read after all body text, before the footer
    kinds = [b["kind"] for b in blocks]
    assert max(i for i, k in enumerate(kinds) if k == "body") < kinds.index("sidebar")


def test_no_text_repeats_on_a_long_page():
    spec = replace(random_spec(3), spread=True, noise=0, blur=0, jpeg=0)
    _, truth = render_page(spec)
    texts = [b["text"] for b in truth["blocks"] if b["kind"] == "body"]
    sentences = [s for t in texts for s in t.split("。") if len(s) > 8]
    assert len(sentences) == len(set(sentences))
