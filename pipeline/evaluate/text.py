"""Scores of converted pages against ground truth: the engine of ``magscan eval``.

Three numbers per page, all on normalised text (NFKC, white space removed, the
scoring convention of the development pages in /work/shared/devpages):

- ``cer``: character error rate, edit distance over the gold length. It
  mixes recognition errors with reading-order errors, because text in the
  wrong order costs edits too.
- ``bag_error``: the same count ignoring order (compares character
  multisets). It measures recognition alone; ``cer - bag_error`` is roughly
  what the reading order costs.
- ``order_score``: the fraction of consecutive gold blocks that the output
  has in the same order. It measures reading order alone.

Gold layout (per page NAME): ``NAME.gt.txt`` one block per line in reading
order, running header first and footer last; ``NAME.gt_body.txt`` the same
without them; ``NAME.gt.json`` the blocks with ``kind`` and ``text``.
Converter output: ``OUT/NAME/page-0001.txt`` (the page text), for a two-page
spread ``OUT/NAME/page-0001L.txt`` and ``page-0001R.txt`` (scored together, left
then right, against the spread's gold, which runs through both pages in that
order), or ``OUT/NAME.txt`` (the document text).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..model import RUNNING_KINDS

__all__ = ["normalise", "cer", "bag_error", "order_score", "locate_blocks", "PageScore",
           "gold_pages", "gold_blocks", "find_output", "find_outputs", "score_page", "evaluate_dirs",
           "format_table", "MIN_BLOCK_CHARS", "MATCH_THRESHOLD"]

MIN_BLOCK_CHARS = 4      # shorter gold blocks ("79", "▲") match anywhere: not placed
MATCH_THRESHOLD = 60.0   # partial_ratio below this: the block is not in the output

_WS = re.compile(r"\s+")


def normalise(s: str) -> str:
    """NFKC, then remove all white space: layout and width differences are not errors."""
    return _WS.sub("", unicodedata.normalize("NFKC", s or ""))


def _rate(errors: int, gold: str, hyp: str) -> float:
    if not gold:
        return 0.0 if not hyp else 1.0
    return errors / len(gold)


def cer(gold: str, hyp: str) -> float:
    """Levenshtein distance of the normalised strings over the normalised gold length.

    Gold empty: 0.0 if the output is empty too, else 1.0. Can exceed 1.0
    when the output is much longer than the gold.
    """
    g, h = normalise(gold), normalise(hyp)
    return _rate(Levenshtein.distance(g, h), g, h)


def bag_error(gold: str, hyp: str) -> float:
    """Order-independent character error rate.

    With ``missing`` = gold characters the output lacks (sum of positive
    count differences) and ``extra`` = output characters the gold lacks,
    errors = max(missing, extra). An edit removes at most one missing and
    one extra character (a substitution both, a deletion or insertion one),
    so this is a lower bound of the edit distance: ``bag_error <= cer``,
    equal when the output only has character errors in the right order, and
    0 for any permutation of the gold characters. (``missing + extra`` would
    count a substitution twice; their mean would undercount insertions.)
    """
    g, h = normalise(gold), normalise(hyp)
    cg, ch = Counter(g), Counter(h)
    missing = sum((cg - ch).values())
    extra = sum((ch - cg).values())
    return _rate(max(missing, extra), g, h)


def locate_blocks(gold_blocks: Sequence[str], hyp_text: str,
                  min_chars: int = MIN_BLOCK_CHARS,
                  threshold: float = MATCH_THRESHOLD) -> list[int | None]:
    """Start of each gold block in the normalised output, or None.

    None for blocks shorter than ``min_chars`` (too short to place: "79"
    occurs in many places) and for blocks whose best fuzzy match scores
    below ``threshold``. An exact occurrence is taken first; otherwise the
    best-matching window of ``fuzz.partial_ratio_alignment``, which
    tolerates recognition errors inside the block.
    """
    hyp = normalise(hyp_text)
    out: list[int | None] = []
    for block in gold_blocks:
        b = normalise(block)
        if len(b) < min_chars or not hyp:
            out.append(None)
            continue
        pos = hyp.find(b)
        if pos >= 0:
            out.append(pos)
            continue
        al = fuzz.partial_ratio_alignment(b, hyp)
        out.append(al.dest_start if al is not None and al.score >= threshold else None)
    return out


def _placeable(block: str, min_chars: int) -> bool:
    return len(normalise(block)) >= min_chars


def order_score(gold_blocks: Sequence[str], hyp_text: str,
                min_chars: int = MIN_BLOCK_CHARS,
                threshold: float = MATCH_THRESHOLD) -> float:
    """Fraction of consecutive gold block pairs that the output keeps in order.

    Blocks shorter than ``min_chars`` are left out of the sequence (the pair
    is formed across them). A pair counts when both blocks are found and the
    second starts after the first; a block missing from the output spoils
    both pairs it is in. 1.0 when there is no pair to judge.
    """
    blocks = [b for b in gold_blocks if _placeable(b, min_chars)]
    if len(blocks) < 2:
        return 1.0
    pos = locate_blocks(blocks, hyp_text, min_chars, threshold)
    good = sum(1 for a, b in zip(pos, pos[1:]) if a is not None and b is not None and a < b)
    return good / (len(blocks) - 1)


@dataclass(frozen=True)
class PageScore:
    name: str
    cer: float
    bag_error: float
    order_score: float
    n_chars: int          # normalised gold characters
    found: bool = True    # False: no output for this page (scored as empty text)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace")


def gold_pages(gold_dir: str | Path) -> list[str]:
    """Names of the gold pages in ``gold_dir`` (NAME.gt.txt or NAME.gt.json)."""
    gold_dir = Path(gold_dir)
    names = set()
    for suffix in (".gt.txt", ".gt.json"):
        names |= {p.name[: -len(suffix)] for p in gold_dir.glob("*" + suffix) if p.is_file()}
    return sorted(names)


def gold_blocks(gold_dir: str | Path, name: str, with_headers: bool = False) -> list[str]:
    """The gold blocks of one page in reading order.

    Without headers: ``gt_body.txt``, else the ``gt.json`` blocks that are
    not header or footer, else all of ``gt.txt`` (nothing better to go on).
    With headers: ``gt.txt``, else all ``gt.json`` blocks.
    """
    d = Path(gold_dir)
    txt, body, js = d / f"{name}.gt.txt", d / f"{name}.gt_body.txt", d / f"{name}.gt.json"
    if not with_headers and body.is_file():
        return _lines(_read(body))
    if with_headers and txt.is_file():
        return _lines(_read(txt))
    if js.is_file():
        blocks = _json_blocks(js, with_headers)
        if blocks is not None:
            return blocks
    if txt.is_file():
        return _lines(_read(txt))
    return []


def _json_blocks(path: Path, with_headers: bool) -> list[str] | None:
    try:
        blocks = json.loads(_read(path))["blocks"]
        blocks = sorted(blocks, key=lambda b: b.get("order", 0))
        return [b.get("text") or "" for b in blocks
                if (with_headers or b.get("kind") not in RUNNING_KINDS)
                and (b.get("text") or "").strip()]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None   # unreadable json: fall back to gt.txt


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def find_output(out_dir: str | Path, name: str) -> Path | None:
    """The converter's text for gold page ``name``: its first page, else its document."""
    found = find_outputs(out_dir, name)
    return found[0] if found else None


def find_outputs(out_dir: str | Path, name: str) -> list[Path]:
    """The converter's text files for gold image ``name``, in reading order:
    its first page; or, for a two-page spread split into halves, the left then
    the right page; else the document text. Empty when there is none."""
    out_dir = Path(out_dir)
    whole = out_dir / name / "page-0001.txt"
    if whole.is_file():
        return [whole]
    halves = [out_dir / name / f"page-0001{part}.txt" for part in ("L", "R")]
    if any(p.is_file() for p in halves):
        return [p for p in halves if p.is_file()]
    doc = out_dir / f"{name}.txt"
    return [doc] if doc.is_file() else []


def score_page(name: str, blocks: Sequence[str], hyp: str, found: bool = True) -> PageScore:
    gold = "\n".join(blocks)
    return PageScore(name=name, cer=cer(gold, hyp), bag_error=bag_error(gold, hyp),
                     order_score=order_score(blocks, hyp), n_chars=len(normalise(gold)),
                     found=found)


def evaluate_dirs(gold_dir: str | Path, out_dir: str | Path,
                  with_headers: bool = False) -> list[PageScore]:
    """Score every gold page in ``gold_dir`` against the output in ``out_dir``.

    The main text leaves running headers and footers out by default, so it is
    compared with ``gt_body`` unless ``with_headers``. A gold page without
    output is scored as an empty page (``found=False``) so a crash cannot
    improve the mean; an empty list means no gold page has any output.
    """
    scores = []
    for name in gold_pages(gold_dir):
        outs = find_outputs(out_dir, name)
        # a spread's gold runs through the left page, then the right one
        blocks = gold_blocks(gold_dir, name, with_headers)
        hyp = "\n".join(_read(p) for p in outs)
        scores.append(score_page(name, blocks, hyp, found=bool(outs)))
    if not any(s.found for s in scores):
        return []
    return scores


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def format_table(scores: Sequence[PageScore], markdown: bool = True) -> str:
    """One row per page, then the mean over pages (the chars column: the total).

    ``markdown=False`` gives aligned plain text for a terminal.
    """
    head = ["page", "chars", "CER", "bag", "order"]
    rows = [[s.name + ("" if s.found else " (missing)"), str(s.n_chars), f"{s.cer:.4f}",
             f"{s.bag_error:.4f}", f"{s.order_score:.3f}"] for s in scores]
    rows.append([f"mean ({len(scores)})", str(sum(s.n_chars for s in scores)),
                 f"{_mean([s.cer for s in scores]):.4f}",
                 f"{_mean([s.bag_error for s in scores]):.4f}",
                 f"{_mean([s.order_score for s in scores]):.3f}"])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 4) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(head)] + [fmt(r) for r in rows])
