"""Real Tesseract end to end on a generated two-page spread with a figure:
`magscan convert` splits it into page-0001L / page-0001R (left page first),
`magscan eval` scores the two halves against the spread's ground truth."""
import json

import pytest

from conftest import run_magscan
from pipeline.evaluate.text import evaluate_dirs
from pipeline.synth import render_page, write_page
from pipeline.synth.families import family_spec


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    gold = tmp_path_factory.mktemp("gold")
    out = tmp_path_factory.mktemp("out")
    spec = family_spec("spread", 1)
    img, truth = render_page(spec)
    write_page(gold, "spread", img, truth)
    r = run_magscan("convert", gold / "spread.png", "-o", out, "-j", "2", "--no-overlays")
    assert r.returncode == 0, r.stderr
    return gold, out, truth


def test_spread_is_split_left_then_right(converted):
    gold, out, truth = converted
    doc = out / "spread"
    pages = [json.loads((doc / f"page-0001{p}.json").read_text(encoding="utf-8")) for p in "LR"]
    assert [p["part"] for p in pages] == ["L", "R"]
    assert not (doc / "page-0001.json").exists()
    for p, tp in zip(pages, truth["pages"]):
        heads = [b for b in p["blocks"] if b["kind"] in ("header", "footer")]
        assert len(heads) == sum(b["kind"] in ("header", "footer") for b in tp["blocks"])
        assert not [f for f in p["flags"] if f.startswith("layout")], p["flags"]


def test_spread_scores(converted):
    gold, out, _ = converted
    (score,) = evaluate_dirs(gold, out)
    assert score.found and score.order_score >= 0.95 and score.cer <= 0.05, score
