import json

import pytest

from pipeline.model import BBox, Block, Line, Page, Word
from pipeline.options import Options


def test_page_round_trips_through_json():
    page = Page(source="a.png", page_number=2, width=100, height=200, deskew_angle=1.25,
                columns=[(0, 50), (50, 100)], flags=["x"], engine="tesseract",
                options={"dpi": 300})
    page.blocks = [Block(id=0, kind="body", bbox=BBox(1, 2, 30, 40), span=(0, 1), order=0,
                         lines=[Line(BBox(1, 2, 30, 10), "中文", 91.5,
                                     [Word(BBox(1, 2, 30, 10), "中文", 91.5)])], text="中文")]
    again = Page.from_dict(json.loads(json.dumps(page.to_dict(), ensure_ascii=False)))
    assert again.to_dict() == page.to_dict()
    assert again.blocks[0].lines[0].words[0].bbox == BBox(1, 2, 30, 10)


def test_unknown_block_kind_is_rejected():
    with pytest.raises(ValueError):
        Block(id=0, kind="paragraph", bbox=BBox(0, 0, 1, 1))


def test_options_reject_unknown_keys_and_fingerprint_changes():
    with pytest.raises(ValueError, match="unknown option"):
        Options.from_dict({"dpi": 300, "colums": 3})
    a, b = Options(), Options(columns=3)
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == Options.from_dict(a.to_dict()).fingerprint()
    # a timeout does not change a page's result, so it does not change the fingerprint
    assert a.fingerprint() == Options(ocr_timeout=5).fingerprint()


def test_input_error_survives_pickling_between_processes():
    import pickle
    from pipeline.errors import InputError
    e = pickle.loads(pickle.dumps(InputError("a b.png", "empty file (0 bytes)")))
    assert (e.path, e.reason) == ("a b.png", "empty file (0 bytes)")


def test_flag_is_code_and_detail_serialised_as_a_string():
    import pickle

    from pipeline.model import Flag
    f = Flag("layout-fallback", "nonsense: blocks 1 and 2; used mended")
    assert f == "layout-fallback: nonsense: blocks 1 and 2; used mended"
    assert (f.code, f.detail) == ("layout-fallback", "nonsense: blocks 1 and 2; used mended")
    assert Flag("no-text-found") == "no-text-found" and Flag("no-text-found").detail == ""
    back = pickle.loads(pickle.dumps(f))
    assert type(back) is Flag and back == f and back.code == "layout-fallback"
    # written and read back as the plain strings the manifest and report read
    page = Page(source="x.png", page_number=1, width=10, height=10, flags=[f, Flag("order-cycle-broken")])
    d = json.loads(json.dumps(page.to_dict()))
    assert d["flags"] == [str(f), "order-cycle-broken"]
    assert [(g.code, g.detail) for g in Page.from_dict(d).flags] == [(f.code, f.detail),
                                                                    ("order-cycle-broken", "")]


def test_block_column_is_its_span():
    b = Block(id=0, kind="body", bbox=BBox(0, 0, 5, 5), span=(2, 4))
    assert b.column == 2 and b.to_dict()["column"] == 2
    assert Block(id=0, kind="figure", bbox=BBox(0, 0, 5, 5)).column is None
