"""PP-OCR text-line recognition: input tensors, CTC decoding, character boxes.

Pure numpy (plus cv2 for resizing); the onnxruntime session lives in
`ocr_ppocr`. The PP-OCRv4 recogniser reads a line image resized to a fixed
height and emits one class distribution per 8 input columns (CTC). The
column of each decoded character gives its x position for free, which is
how we produce per-character boxes without a second model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ...model import BBox, Line, Word
from ..clean import is_cjk

__all__ = ["Decoded", "prepare_batch", "ctc_decode", "to_line", "group_batches"]


@dataclass(frozen=True)
class Decoded:
    """One decoded character: its label, its centre column in the model
    input (pixels at model scale) and the CTC probability of its step."""
    char: str
    x: float
    prob: float


def _resized_width(h: int, w: int, height: int) -> int:
    return max(1, math.ceil(height * w / max(1, h)))


def prepare_batch(images: list[np.ndarray], height: int,
                  width_step: int = 1) -> tuple[np.ndarray, list[float]]:
    """Grayscale line images -> (N, 3, height, W) float32 and each image's
    x scale (model pixels per image pixel); W is the widest image's width
    rounded up to a multiple of ``width_step``.

    Normalised to [-1, 1]; the right-hand padding is 0 (mid grey), which is
    what PaddleOCR pads with at training time.
    """
    widths = [_resized_width(im.shape[0], im.shape[1], height) for im in images]
    out = np.zeros((len(images), 3, height, -(-max(widths) // width_step) * width_step), np.float32)
    scales = []
    for i, (im, w) in enumerate(zip(images, widths)):
        shrink = im.shape[0] > height
        r = cv2.resize(im, (w, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        out[i, :, :, :w] = r.astype(np.float32) / 127.5 - 1.0
        scales.append(w / max(1, im.shape[1]))
    return out, scales


def ctc_decode(preds: np.ndarray, charset: list[str], input_width: int) -> list[list[Decoded]]:
    """Greedy CTC: best class per step, repeats collapsed, blank (0) dropped."""
    idx = preds.argmax(axis=2)
    prob = preds.max(axis=2)
    steps = preds.shape[1]
    step_w = input_width / max(1, steps)
    out = []
    for i in range(preds.shape[0]):
        keep = np.ones(steps, bool)
        keep[1:] = idx[i, 1:] != idx[i, :-1]
        keep &= idx[i] != 0
        out.append([Decoded(charset[k], (t + 0.5) * step_w, float(prob[i, t]))
                    for t, k in zip(np.flatnonzero(keep).tolist(), idx[i, keep].tolist())])
    return out


def _is_word_char(c: str) -> bool:
    """Latin letters, digits and the marks inside numbers and words join a word."""
    return not c.isspace() and not is_cjk(c)


def to_line(chars: list[Decoded], scale: float, origin: int, x0: int, x1: int,
            y0: int, y1: int) -> Line | None:
    """A Line with one Word per Han character or Latin/number run.

    ``scale`` maps image pixels to model pixels; ``origin`` is the crop x of
    the image's first column, ``x0..x1`` the line's extent in the crop (boxes
    stay inside it), ``y0..y1`` the ink rows of the line. Character edges
    are the midpoints between neighbouring character centres, because CTC
    only says where a character is, not how wide.
    """
    chars = [c for c in chars if c.char]
    while chars and chars[0].char.isspace():
        chars.pop(0)
    while chars and chars[-1].char.isspace():
        chars.pop()
    if not chars:
        return None
    xs = [origin + c.x / scale for c in chars]
    gaps = np.diff(xs)
    half = float(np.median(gaps)) / 2 if len(xs) > 1 else (y1 - y0) / 2
    half = min(max(half, 2.0), float(y1 - y0))
    edges = [min(max(float(x0), xs[0] - half), xs[0])]
    edges += [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    edges.append(max(min(float(x1), xs[-1] + half), xs[-1]))
    words: list[Word] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            text = "".join(chars[k].char for k in run)
            conf = 100.0 * float(np.mean([chars[k].prob for k in run]))
            box = BBox(int(math.floor(edges[run[0]])), y0, int(math.ceil(edges[run[-1] + 1])), y1)
            words.append(Word(box, text, conf))
            run.clear()

    for k, c in enumerate(chars):
        if c.char.isspace():
            flush()
        elif _is_word_char(c.char):
            if run and not _is_word_char(chars[run[-1]].char):
                flush()
            run.append(k)
        else:
            flush()
            run.append(k)
            flush()
    flush()
    if not words:
        return None
    text = "".join(c.char for c in chars)
    conf = 100.0 * float(np.mean([c.prob for c in chars if not c.char.isspace()]))
    return Line(BBox.enclosing(w.bbox for w in words), text, conf, words)


def group_batches(widths: list[int], max_batch: int, max_width: int) -> list[list[int]]:
    """Indices grouped into batches of similar width, at most ``max_batch``
    lines and ``max_width`` model pixels of padded width in all.

    On one CPU thread a batch of full lines is slower than the same lines one
    by one (measured, see bench/ENGINES.md), so only short lines (headings,
    a paragraph's last line) share a call; sorting by width keeps the padding
    to the widest small.
    """
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < max_batch and \
                widths[i] * (len(batches[-1]) + 1) <= max_width:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches
