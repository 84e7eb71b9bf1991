"""Clean-up of Chinese OCR text: spacing, punctuation, character width.

Simplified-Chinese magazines follow one typesetting convention (GB/T 15834):
full-width punctuation in Chinese text, no spaces around Han characters,
ASCII punctuation only inside Latin words and numbers ("1.5", "3,000",
"U.S."). OCR output breaks it in predictable ways: Tesseract's chi_sim puts
a space between most Han characters (tesseract-ocr/tesseract#991), reads
full-width punctuation as ASCII, splits "……" and "——" into dot and hyphen
runs, and sometimes returns full-width letters and digits. ``clean_text``
maps one line of OCR text back to the convention.

``clean_text`` is idempotent, so later stages (paragraph joining, the CLI)
may clean again without double conversion. It reaches that by repeating a
cleaning pass to a fixed point: every rewrite only turns ASCII into
full-width, removes white space or shortens dot/dash runs, so the loop ends.
"""
from __future__ import annotations

import re

__all__ = ["clean_text", "is_han", "is_cjk", "is_latin"]

# Full-width letters and digits (Ａ１ａ) to ASCII: NFKC on these only, because
# NFKC would also turn full-width punctuation ，：（ into ASCII, the opposite
# of what Chinese text wants.
_FW_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
             for c in range(r[0], r[1] + 1)}

# Punctuation that belongs to Chinese text even though it lies outside the
# CJK blocks: curly quotes, dashes, ellipsis, the middle dot of foreign names
# (汤马索·姜尼拉), the ratio sign of scores (3∶0), and the marks magazines put
# before author names and captions (□ ▲ ◎).
_CJK_EXTRA = frozenset("“”‘’—―…·∶□■▲△▼▽◆◇○●◎★☆※§№")

_ASCII_TO_FW = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_OPENERS = frozenset("（([{《〈「『【〔“‘")
_CLOSERS = frozenset("）)]}》〉」』】〕”’")
# After these a quote is being opened: ：“ ……
_OPEN_BEFORE = _OPENERS | frozenset("：:")
# Before these a quote is being closed: ”， ”。 ……
_CLOSE_AFTER = _CLOSERS | frozenset("，,。、；;：:？?！!…")

# Runs of hyphen-like marks are an OCR reading of the Chinese dash "——".
# A run made only of em dashes is what the engine saw glyph by glyph, so its
# length is kept (some magazines set "———"); any other run becomes "——".
_DASH_RUN = re.compile(r"[-‐‑‒–—―─－](?:[ \u3000]*[-‐‑‒–—―─－])+")
_EM_DASHES = frozenset("—―")
# Three or more dots of any kind (spaced ". . ." too), or any run of "…", is
# one Chinese ellipsis.
_DOTS = r"\.(?: ?\.){2,}|。(?: ?。){2,}|[·・](?: ?[·・]){2,}"
_ELLIPSIS = re.compile(rf"(?:…|{_DOTS})(?: ?(?:…|{_DOTS}))*")
_FW_POINT = re.compile(r"(?<=[0-9])．(?=[0-9])")   # "1．5" after digit conversion
_SPACE_RUN = re.compile(r"[\s\u200b\ufeff]+")
_MAX_PASSES = 8


def is_han(ch: str) -> bool:
    """Han ideograph: URO, Ext A, compatibility ideographs, Ext B and later."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F)


def is_cjk(ch: str | None) -> bool:
    """Han, or punctuation/symbols that live in Chinese text (not white space)."""
    if not ch:
        return False
    if is_han(ch) or ch in _CJK_EXTRA:
        return True
    o = ord(ch)
    return (0x3001 <= o <= 0x30FF          # CJK punctuation (not U+3000 space), kana
            or 0xFE10 <= o <= 0xFE1F or 0xFE30 <= o <= 0xFE4F   # vertical/compat forms
            or 0xFF01 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFEE)  # full-width forms


def is_latin(ch: str | None) -> bool:
    """Letter or digit of a Latin-script word or number (not Han, not kana)."""
    return bool(ch) and ch.isalnum() and not is_cjk(ch)


def _prev_sig(chars: list[str], i: int) -> str | None:
    """Nearest non-space character before ``i``: OCR spaces must not hide context."""
    for j in range(i - 1, -1, -1):
        if not chars[j].isspace():
            return chars[j]
    return None


def _next_sig(chars: list[str], i: int) -> str | None:
    for j in range(i + 1, len(chars)):
        if not chars[j].isspace():
            return chars[j]
    return None


def _convert_parens(chars: list[str]) -> None:
    """ASCII ( ) in Chinese text to （ ）, converting matched pairs together.

    Pairing keeps "(GDP)" consistent: its inside is Latin, but the pair sits in
    Chinese text, so both halves become full-width, never just one.
    """
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, c in enumerate(chars):
        if c in "(（":
            stack.append(i)
        elif c in ")）" and stack:
            pairs.append((stack.pop(), i))
    paired = {i for p in pairs for i in p}
    for i, j in pairs:
        if chars[i] == "(" or chars[j] == ")":
            chinese = (chars[i] == "（" or chars[j] == "）"
                       or is_cjk(_prev_sig(chars, i)) or is_cjk(_next_sig(chars, j))
                       or any(is_cjk(c) for c in chars[i + 1:j]))
            if chinese:
                chars[i], chars[j] = "（", "）"
    for i, c in enumerate(chars):
        if c in "()" and i not in paired and (is_cjk(_prev_sig(chars, i))
                                              or is_cjk(_next_sig(chars, i))):
            chars[i] = _ASCII_TO_FW[c]


def _quote_direction(chars: list[str], i: int, expect_open: bool) -> bool:
    """True if the quote at ``i`` opens. Context first, alternation when unclear.

    Context decides across line breaks too (a quote closed at the start of
    the next line), where pure alternation within the line would flip it.
    """
    # Quotes only convert in lines with Chinese text, where spaces are OCR
    # artefacts, so look past them: only the line's ends are "blank".
    left, right = _prev_sig(chars, i), _next_sig(chars, i)
    left_blank, right_blank = left is None, right is None
    opens = (left_blank or left in _OPEN_BEFORE) and not (right_blank or right in _CLOSE_AFTER)
    closes = (right_blank or right in _CLOSE_AFTER) and not (left_blank or left in _OPEN_BEFORE)
    if opens != closes:
        return opens
    return expect_open


def _year_elision(chars: list[str], i: int) -> bool:
    """An apostrophe eliding a century: ’97 (two digits, no Latin letter before)."""
    if i > 0 and chars[i - 1].isalpha() and is_latin(chars[i - 1]):
        return False   # "Rock'90s" style: part of a Latin word
    j = i + 1
    while j < len(chars) and chars[j].isspace():
        j += 1
    digits = "".join(chars[j:j + 3])
    return len(digits) >= 2 and digits[:2].isdigit() and not digits[2:].isdigit()


def _convert_quotes(chars: list[str]) -> None:
    """ASCII " and ' in a line of Chinese text to “ ” and ‘ ’.

    Chinese typesetting quotes Latin words with “ ” too ('“GDP”增长'), so
    every quote of a line holding Chinese text converts; deciding per quote
    by its neighbours left pairs half converted ('"GDP”增长'). Apostrophes
    inside Latin words ("It's") stay ASCII.
    """
    has_cjk = any(is_cjk(c) for c in chars)
    expect = {'"': True, "'": True}        # next ambiguous quote opens?
    curly = {'"': "“”", "'": "‘’"}
    for i, c in enumerate(chars):
        if c in "“”":
            expect['"'] = c == "”"
            continue
        if c in "‘’":
            expect["'"] = c == "’"
            continue
        if c not in "\"'":
            continue
        if not has_cjk:
            continue   # a Latin-only line keeps its ASCII quotes
        if c == "'" and _year_elision(chars, i):
            chars[i] = "’"  # year elision: ’97—’98; an apostrophe, not a quote
            continue
        if c == "'" and 0 < i < len(chars) - 1 and is_latin(chars[i - 1]) and is_latin(chars[i + 1]):
            continue   # apostrophe inside a word
        opening = _quote_direction(chars, i, expect[c])
        chars[i] = curly[c][0] if opening else curly[c][1]
        expect[c] = not opening


def _convert_punct(chars: list[str]) -> None:
    """ASCII , : ; ? ! . next to Chinese text to their full-width forms.

    A mark is Chinese when its nearest non-space neighbour on either side is
    Chinese; between two digits or Latin letters ("3,000", "U.S.", "12:30")
    it stays ASCII.
    """
    has_han = any(is_han(c) for c in chars)
    for i, c in enumerate(chars):
        if c in ",:;?!":
            if is_cjk(_prev_sig(chars, i)) or is_cjk(_next_sig(chars, i)):
                chars[i] = _ASCII_TO_FW[c]
        elif c == "." and _sentence_point(chars, i, has_han):
            chars[i] = "。"


def _sentence_point(chars: list[str], i: int, has_han: bool) -> bool:
    """Whether the ASCII point at ``i`` ends a Chinese sentence.

    After Han (or a closing mark such as ”）), a point is a full stop unless a
    Latin letter follows it directly ("新华网.com"). After a digit or
    % it is one only at the end of a Chinese line or before Han ("增长8%."),
    so "1.5", "U.S." and "2023.7" stay.
    """
    before, after = _prev_sig(chars, i), _next_sig(chars, i)
    if before is None:
        return False
    nxt = chars[i + 1] if i + 1 < len(chars) else None
    if is_han(before) or (before in _CLOSERS and is_cjk(before)):
        return not (nxt is not None and nxt.isalpha() and is_latin(nxt))
    if has_han and (before.isdigit() or before == "%"):
        return after is None or is_han(after)
    return False


def _fix_spaces(s: str) -> str:
    """Drop white space touching Chinese text, collapse the rest to one space.

    Chinese typesetting has no spaces between Han characters nor between Han
    and Latin/digits ("GDP增长", "2023年"); spaces between Latin words and
    numbers are real and kept, one each.
    """
    def repl(m: re.Match) -> str:
        a = s[m.start() - 1] if m.start() > 0 else None
        b = s[m.end()] if m.end() < len(s) else None
        if a is None or b is None or is_cjk(a) or is_cjk(b):
            return ""
        if a.isdigit() and b in "%‰":
            return ""  # "46 %" is one quantity
        return " "
    return _SPACE_RUN.sub(repl, s)


def _dash(m: re.Match) -> str:
    run = m.group()
    marks = [c for c in run if not c.isspace()]
    return "—" * len(marks) if set(marks) <= _EM_DASHES else "——"


# chi_sim reads the enumeration comma 、 as a backtick or backslash, which
# never stand between Chinese characters in magazine text.
_SLANT_COMMA = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s*[`\\]\s*(?=[\u3400-\u9fff\uf900-\ufaff])")


# A dash opening a subtitle or a quotation is read as 一一 (two "one"s).
_DASH_AS_ONES = re.compile(r"^\s*一\s*一\s*(?=[《“「])")


def _clean_pass(s: str) -> str:
    s = s.translate(_FW_ALNUM)
    s = _SLANT_COMMA.sub("、", s)
    s = _DASH_AS_ONES.sub("——", s)
    s = _FW_POINT.sub(".", s)
    s = _ELLIPSIS.sub("……", s)
    s = _DASH_RUN.sub(_dash, s)
    chars = list(s)
    _convert_parens(chars)
    _convert_punct(chars)      # first: a quote's side depends on 。 or ， next to it
    _convert_quotes(chars)
    return _fix_spaces("".join(chars))


def clean_text(s: str) -> str:
    """Clean one line of Chinese OCR text (see the module docstring).

    >>> clean_text('中 国 经 济 , GDP 增 长 3.5 % , 他 说 : "好 ."')
    '中国经济，GDP增长3.5%，他说：“好。”'
    """
    if not s:
        return ""
    for _ in range(_MAX_PASSES):
        out = _clean_pass(s)
        if out == s:
            break
        s = out
    return s
