import pytest

from pipeline.ingest.pageselect import SelectionError, parse_pages


def test_ranges_and_lists():
    sel = parse_pages(["mag:3,5-7"])
    assert [n for n in range(1, 10) if sel.matches("mag", n)] == [3, 5, 6, 7]
    assert not sel.matches("other", 3)


def test_bare_stem_selects_all_and_wins_over_numbers():
    sel = parse_pages(["a", "a:2", "b:1", "b:4"])
    assert sel.matches("a", 99)
    assert sel.matches("b", 4) and sel.matches("b", 1) and not sel.matches("b", 2)


def test_stem_with_colon_uses_last_colon():
    assert parse_pages(["x:y:2"]).matches("x:y", 2)


@pytest.mark.parametrize("bad", ["a:x", "a:3-1", "a:0", ":3"])
def test_bad_specs_raise(bad):
    with pytest.raises(SelectionError):
        parse_pages([bad])


def test_missing_pages_come_as_ranges_of_any_size():
    sel = parse_pages(["a:1-10,20", "b", "c:1-100000000000"])
    assert sel.missing("a", {2, 3, 7, 20, 99}) == [(1, 1), (4, 6), (8, 10)]
    assert sel.missing("a", set(range(1, 11)) | {20}) == []
    assert sel.missing("b", {1}) == []
    assert sel.missing("c", {1, 2}) == [(3, 100000000000)]
    assert parse_pages(["d:1-5,3-8"]).missing("d", {4}) == [(1, 3), (5, 8)]
