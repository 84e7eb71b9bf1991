"""``--layout auto|geometric|learned`` through the real command line: the mode
is a run option (in the fingerprint), and each page records the layout it
used, including the fallback that replaced a layout that made no sense."""
from __future__ import annotations

import json

import pytest

import realscan_pages as rp
from conftest import run_magscan


@pytest.fixture(scope="module")
def two_columns(tmp_path_factory):
    """
        +------------+ +------------+
        | text       | | text       |
        |            | |            |
        +------------+ +------------+
    """
    w, h = 1400, 900
    img = rp.blank(w, h)
    T = rp.Text(77)
    left, right = rp.two_columns(w, h, 80, 860)
    rp.column(img, left, T.paras(1, 150))
    rp.column(img, right, T.paras(1, 150))
    path = tmp_path_factory.mktemp("modes") / "two.png"
    img.save(path, dpi=(300, 300))
    return path


def _page(out):
    return json.loads((out / "two" / "page-0001.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("mode,used", [("auto", "geometric+learned"), ("geometric", "geometric"),
                                       ("learned", "learned")])
def test_each_layout_mode_is_recorded_and_reads_two_columns(tmp_path, two_columns, mode, used):
    out = tmp_path / mode
    r = run_magscan("convert", two_columns, "-o", out, "--layout", mode, "--no-overlays", "-j", "1")
    assert r.returncode == 0, r.stderr
    page = _page(out)
    assert page["options"]["layout"] == mode
    assert page["diagnostics"]["layout_used"] == used
    body = [b for b in page["blocks"] if b["kind"] == "body"]
    # whatever the mode, no block reads across the gutter (x 700)
    assert len(body) >= 2 and all(b["bbox"][2] < 720 or b["bbox"][0] > 680 for b in body)
    if mode == "geometric":
        assert "learned" not in page["diagnostics"]["layout"]
    else:
        assert page["diagnostics"]["layout"]["learned"]["regions"] >= 1


def test_an_unknown_layout_mode_is_a_usage_error(tmp_path, two_columns):
    r = run_magscan("convert", two_columns, "-o", tmp_path / "x", "--layout", "magic")
    assert r.returncode == 2
    assert "--layout" in r.stderr
