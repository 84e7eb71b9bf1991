import json

import pytest
from hypothesis import given, settings, strategies as st
from rapidfuzz.distance import Levenshtein

from pipeline.evaluate.text import (PageScore, bag_error, cer, evaluate_dirs, find_output,
                               format_table, gold_blocks, gold_pages, locate_blocks, normalise,
                               order_score)

B1 = "本报伊斯兰堡1月11日电记者王南报道"
B2 = "正在地里干活的农民突然看见飞机"
B3 = "那是英国皇家空军的两架攻击机"
BLOCKS = [B1, B2, B3]


def test_normalise():
    assert normalise(" 中 国\u3000经济\n增长\t ") == "中国经济增长"
    assert normalise("ＡＢ１，") == "AB1,"        # NFKC: full width to ASCII
    assert normalise("") == "" and normalise(None) == ""


def test_identical_is_perfect():
    hyp = "\n\n".join(BLOCKS)              # layout white space does not count
    gold = "\n".join(BLOCKS)
    assert cer(gold, hyp) == 0 and bag_error(gold, hyp) == 0
    assert order_score(BLOCKS, hyp) == 1.0


def test_swapped_blocks():
    gold = "\n".join(BLOCKS)
    hyp = "\n".join([B2, B1, B3])
    assert bag_error(gold, hyp) == 0
    assert cer(gold, hyp) > 0
    assert order_score(BLOCKS, hyp) == pytest.approx(0.5)   # B1<B2 wrong, B2<B3 right
    assert order_score(BLOCKS, "\n".join(reversed(BLOCKS))) == 0.0


def test_one_substitution():
    gold = "中国经济增长"
    hyp = "中国经齐增长"
    assert cer(gold, hyp) == pytest.approx(1 / 6)
    assert bag_error(gold, hyp) == pytest.approx(1 / 6)
    # insertion and deletion
    assert cer(gold, gold + "了") == pytest.approx(1 / 6) == bag_error(gold, gold + "了")
    assert cer(gold, gold[:-1]) == pytest.approx(1 / 6) == bag_error(gold, gold[:-1])


def test_empty_gold_and_hyp():
    assert cer("", "") == 0 and cer("", "x") == 1
    assert bag_error("", "") == 0 and bag_error("", "x") == 1
    assert cer("中国", "") == 1 and bag_error("中国", "") == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="中国经济增长年月日abc12，。", max_size=30),
       st.text(alphabet="中国经济增长年月日abc12，。", max_size=30))
def test_bag_error_is_lower_bound_of_cer(g, h):
    assert bag_error(g, h) <= cer(g, h) + 1e-12
    assert cer(g, h) == (Levenshtein.distance(normalise(g), normalise(h)) / len(normalise(g))
                         if normalise(g) else float(bool(normalise(h))))


@settings(max_examples=100, deadline=None)
@given(st.permutations(list("中国经济增长年月日abc12")))
def test_bag_error_ignores_order(perm):
    assert bag_error("中国经济增长年月日abc12", "".join(perm)) == 0


def test_order_with_recognition_errors_and_missing_blocks():
    noisy = [B1.replace("王", "玉"), B2.replace("农民", "农尺"), B3]
    assert locate_blocks(BLOCKS, "".join(noisy))[0] == 0
    assert order_score(BLOCKS, "".join(noisy)) == 1.0
    # a block missing from the output spoils both pairs it is in
    assert order_score(BLOCKS, B1 + B3) == 0.0
    assert locate_blocks(BLOCKS, B1 + B3)[1] is None
    # short blocks are not placed and drop out of the sequence
    assert order_score(["79", B1, "▲图", B2], B1 + B2) == 1.0
    assert order_score([B1], "") == 1.0          # no pair to judge
    assert order_score(BLOCKS, "") == 0.0


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def dirs(tmp_path):
    gold, out = tmp_path / "gold", tmp_path / "out"
    header, footer = "企业文明·2023.7", "企业文明 2023.7 79"
    # page a: gt.txt + gt_body.txt, output per page, perfect
    _write(gold / "a.gt.txt", "\n".join([header, B1, B2, footer]) + "\n")
    _write(gold / "a.gt_body.txt", "\n".join([B1, B2]) + "\n")
    _write(out / "a" / "page-0001.txt", B1 + "\n" + B2 + "\n")
    # page b: only gt.json, document-level output, blocks swapped
    blocks = [{"order": 0, "kind": "header", "text": header},
              {"order": 1, "kind": "body", "text": B2},
              {"order": 3, "kind": "footer", "text": footer},
              {"order": 2, "kind": "figure", "text": ""},
              {"order": 2, "kind": "body", "text": B3}]
    _write(gold / "b.gt.json", json.dumps({"blocks": blocks}, ensure_ascii=False))
    _write(out / "b.txt", B3 + "\n" + B2 + "\n\f")
    # page c: no output at all
    _write(gold / "c.gt.txt", B1 + "\n")
    return gold, out


def test_gold_files(dirs):
    gold, out = dirs
    assert gold_pages(gold) == ["a", "b", "c"]
    assert gold_blocks(gold, "a") == [B1, B2]
    assert gold_blocks(gold, "a", with_headers=True)[0] == "企业文明·2023.7"
    assert gold_blocks(gold, "b") == [B2, B3]
    assert len(gold_blocks(gold, "b", with_headers=True)) == 4
    assert gold_blocks(gold, "c") == [B1]
    assert find_output(out, "a") == out / "a" / "page-0001.txt"
    assert find_output(out, "b") == out / "b.txt"
    assert find_output(out, "c") is None


def test_evaluate_dirs(dirs):
    gold, out = dirs
    scores = {s.name: s for s in evaluate_dirs(gold, out)}
    a, b, c = scores["a"], scores["b"], scores["c"]
    assert (a.cer, a.bag_error, a.order_score, a.found) == (0, 0, 1.0, True)
    assert a.n_chars == len(B1) + len(B2)
    assert b.bag_error == 0 and b.cer > 0 and b.order_score == 0.0
    assert (c.cer, c.bag_error, c.found) == (1.0, 1.0, False)
    # with headers the header-less output loses the running heads
    wh = {s.name: s for s in evaluate_dirs(gold, out, with_headers=True)}
    assert wh["a"].cer > 0 and wh["a"].n_chars > a.n_chars


def test_evaluate_dirs_without_any_output(tmp_path, dirs):
    gold, _ = dirs
    assert evaluate_dirs(gold, tmp_path / "empty") == []


def test_format_table():
    scores = [PageScore("p1", 0.1, 0.05, 1.0, 100), PageScore("p2", 0.3, 0.15, 0.5, 300),
              PageScore("p3", 1.0, 1.0, 0.0, 10, found=False)]
    md = format_table(scores).splitlines()
    assert md[0] == "| page | chars | CER | bag | order |"
    assert len(md) == 2 + 3 + 1
    assert md[2] == "| p1 | 100 | 0.1000 | 0.0500 | 1.000 |"
    assert "p3 (missing)" in md[4]
    assert md[-1] == "| mean (3) | 410 | 0.4667 | 0.4000 | 0.500 |"
    plain = format_table(scores, markdown=False).splitlines()
    assert len(plain) == 5 and "|" not in plain[0] and plain[-1].startswith("mean (3)")


def test_spread_halves_are_scored_left_then_right(tmp_path):
    from pipeline.evaluate.text import find_outputs
    gold, out = tmp_path / "gold", tmp_path / "out"
    _write(gold / "s.gt.txt", "\n".join([B1, B2, B3]) + "\n")
    _write(out / "s" / "page-0001L.txt", B1 + "\n" + B2 + "\n")
    _write(out / "s" / "page-0001R.txt", B3 + "\n")
    _write(out / "s.txt", B3 + "\n\f\n" + B1)        # the document text is not used
    assert find_outputs(out, "s") == [out / "s" / "page-0001L.txt", out / "s" / "page-0001R.txt"]
    (score,) = evaluate_dirs(gold, out)
    assert (score.cer, score.order_score, score.found) == (0, 1.0, True)
    # a spread that was not split is read from its one page
    (out / "s" / "page-0001L.txt").unlink()
    (out / "s" / "page-0001R.txt").unlink()
    _write(out / "s" / "page-0001.txt", B2 + "\n" + B1 + "\n" + B3 + "\n")
    (score,) = evaluate_dirs(gold, out)
    assert score.order_score == 0.5
