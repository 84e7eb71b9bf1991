"""The seed page end to end: real Tesseract, real layout, scored against its
ground truth, with `tesseract --psm 3` scored on the same image in the same run."""
import json
import os
import subprocess

import pytest

from conftest import ROOT, run_magscan
from pipeline.evaluate.text import cer, order_score

SEED = ROOT / "scans" / "seed-page.png"


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    r = run_magscan("convert", SEED, "-o", out, "-j", "1")
    assert r.returncode == 0, r.stderr
    return out


def _gold(name):
    return (ROOT / "scans" / f"seed-page.{name}").read_text(encoding="utf-8")


def test_seed_page_text_is_within_two_percent_and_in_column_order(seed_out):
    text = (seed_out / "seed-page" / "page-0001.txt").read_text(encoding="utf-8")
    gold = _gold("gt_body.txt")
    ours = cer(gold, text)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    psm3 = subprocess.run(["tesseract", str(SEED), "-", "--psm", "3", "-l", "chi_sim"],
                          capture_output=True, text=True, env=env, timeout=600).stdout
    theirs = cer(gold, psm3)
    print(f"\nseed page CER: magscan {ours:.4f}, tesseract --psm 3 {theirs:.4f}")
    assert ours <= 0.02
    assert ours < theirs
    blocks = [b["text"] for b in json.loads(_gold("gt.json"))["blocks"]
              if b["kind"] not in ("header", "footer") and len(b["text"]) >= 8]
    assert order_score(blocks, text) == 1.0


def test_seed_page_json_has_the_promised_fields(seed_out):
    d = json.loads((seed_out / "seed-page" / "page-0001.json").read_text(encoding="utf-8"))
    assert d["width"] > 2000 and d["height"] > 3000
    assert 0.7 <= abs(d["deskew_angle"]) <= 1.3  # the page was rendered with a 1 degree skew
    assert len(d["columns"]) == 3
    body = [b for b in d["blocks"] if b["kind"] == "body"]
    assert sorted({b["column"] for b in body}) == [0, 1, 2]
    assert [b["order"] for b in d["blocks"]] == list(range(len(d["blocks"])))
    for b in d["blocks"]:
        assert {"id", "kind", "bbox", "column", "order", "lines"} <= set(b)
        for ln in b["lines"]:
            assert {"bbox", "text", "conf"} <= set(ln)
    assert d["options"]["lang"] == "chi_sim" and d["options"]["fingerprint"]
    # no spaces between Han characters survive the clean-up
    text = (seed_out / "seed-page" / "page-0001.txt").read_text(encoding="utf-8")
    import re
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", text)
    assert (seed_out / "seed-page" / "page-0001.overlay.png").stat().st_size > 10_000
    assert (seed_out / "seed-page.txt").read_text(encoding="utf-8") == text


def test_seed_page_timings_split_by_stage_in_json_and_manifest(seed_out):
    import sqlite3
    d = json.loads((seed_out / "seed-page" / "page-0001.json").read_text(encoding="utf-8"))
    stages = ["decode", "orientation", "preprocess", "detector", "layout", "recognition", "ordering", "writing"]
    assert list(d["timings"]) == stages
    assert all(v >= 0 for v in d["timings"].values())
    assert d["timings"]["recognition"] > 0 and d["timings"]["writing"] > 0  # an overlay was drawn
    db = sqlite3.connect(seed_out / "manifest.sqlite")
    (timings, seconds), = db.execute("SELECT timings, seconds FROM pages").fetchall()
    assert json.loads(timings) == d["timings"]
    # the stages are the page's time, bar the JSON's own writing
    assert sum(d["timings"].values()) <= seconds + 0.01
