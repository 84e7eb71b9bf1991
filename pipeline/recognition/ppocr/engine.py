"""PP-OCR behind `OcrEngine`: the PP-OCRv4 models that the
`rapidocr-onnxruntime` package ships, run by onnxruntime (engine `ppocr`)
or, for the recogniser, by OpenVINO (`ppocr-openvino`; runtime.py).

Only the model files are taken from that package (nothing is downloaded at
run time); its Python pipeline is not used, so the threads, the line
crops and the batching are ours:

- our layout analysis has found the block and its line count, so a block
  is cut into lines by horizontal projection (`ppocr_lines`) and only the
  recogniser runs; the detector runs only on blocks whose projection is
  irregular (touching lines, mixed sizes), where it is worth its cost;
- the runtime gets one thread, because pages already run in parallel
  across worker processes and oversubscribing two cores makes everything
  slower;
- the models are loaded once per engine object, which the batch runner
  creates once per worker process.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import cv2
import numpy as np

from ...errors import EngineMissing, extra_install_hint
from ...model import BBox, Line
from ...options import Options
from .lines import Band, split_lines
from .ctc import ctc_decode, group_batches, prepare_batch, to_line
from .runtime import Model, RuntimeName, load_model

__all__ = ["PpocrEngine", "ENGINE_RUNTIMES", "INSTALL_HINT", "models_dir", "fix_ppocr_text"]

# magscan's engine names for the PP-OCR models, by the runtime that runs the recogniser
ENGINE_RUNTIMES: dict[str, RuntimeName] = {"ppocr": "onnxruntime", "ppocr-openvino": "openvino"}

INSTALL_HINT = f"the ppocr engine needs magscan's ppocr extra; {extra_install_hint('ppocr')}"
OPENVINO_HINT = (f"the ppocr-openvino engine needs magscan's openvino extra; "
                 f"{extra_install_hint('openvino')}")
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"

# Height of the recogniser's input. The model was trained at 48, but on our
# 300 dpi crops 32 reads as well or better and costs less than half (see
# bench/ENGINES.md for the measurement).
REC_HEIGHT = 32
MAX_BATCH = 8
MAX_BATCH_WIDTH = 640   # model pixels of (padded) line width in one call
# Paper added left and right of each line beyond the 0.3 line heights that
# the band already has (measured: more does not help, see bench/ENGINES.md).
PAD_LEFT, PAD_RIGHT = 0.0, 0.0
# The recogniser costs about 38 us a model pixel (one onnxruntime thread) on
# lines of 240-480 px, 45 at 640 and 55 at 2,000: a vertical column set out as
# one line (pipeline/vertical/read.py) is read in pieces of at most this many
# characters (about 600 px). On 18 unseen vertical pages recognition took 18%
# less time at the same CER (0.0056 against 0.0055; pieces of 8 or 12: 0.0060,
# 0.0059). Cutting horizontal lines at a blank gap instead saved 6% and cost
# accuracy: marks were read at the cuts.
LINE_CHARS = 16
# OpenVINO runs a shape it has run before faster (it keeps the kernels it
# compiled for each): a batch is padded on the right to a multiple of this
# many model pixels (measured on 3 pages: its share of recognition 4.75 ->
# 3.81 s, 4% more pixels). onnxruntime gains nothing from it and is left
# unpadded, so `ppocr` reads as before.
OPENVINO_WIDTH_STEP = 32
# and lines one at a time: fewer shapes, so less memory kept and a little
# faster (10 pages: 33.1 -> 31.1 s; onnxruntime: no difference either way)
OPENVINO_MAX_BATCH = 1
# Text height the detector sees: DB finds lines well at 15-30 px, and a
# smaller image is quadratically cheaper.
DET_TEXT_PX = 20.0
# The detector's memory grows with its input (onnxruntime: 150 MB more for a
# block of 1,440 x 608 model pixels, the peak of a page's worker): a taller
# block is read in strips of this many rows overlapping by DET_OVERLAP or more,
# three text lines at DET_TEXT_PX, so that every row is taken from a strip
# with a line and a half of context above and below it.
DET_STRIP = 512
DET_OVERLAP = 64


def models_dir(runtime: RuntimeName = "onnxruntime") -> Path:
    """The folder holding the PP-OCR models, or EngineMissing saying how to install."""
    if runtime == "openvino" and importlib.util.find_spec("openvino") is None:
        raise EngineMissing(f"{OPENVINO_HINT} (openvino is not installed)")
    try:
        import onnxruntime  # noqa: F401 - the runtime must import, not just exist
        spec = importlib.util.find_spec("rapidocr_onnxruntime")
    except (ImportError, ValueError) as e:
        raise EngineMissing(f"{INSTALL_HINT} ({e})") from e
    if spec is None or not spec.origin:
        raise EngineMissing(f"{INSTALL_HINT} (rapidocr-onnxruntime is not installed)")
    d = Path(spec.origin).parent / "models"
    missing = [m for m in (REC_MODEL, DET_MODEL) if not (d / m).is_file()]
    if missing:
        raise EngineMissing(f"{INSTALL_HINT} ({', '.join(missing)} not found in {d})")
    return d


# PP-OCR reads the enumeration comma 、 of serif fonts as a hyphen, a tilde
# or a ">" sign; none of them stands between two Han characters in Chinese
# typesetting (a range is written with "—" or "～" in full width).
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_COMMA_LOOKALIKE = re.compile(rf"(?<={_HAN})[-~>](?={_HAN})")
# Chinese line-breaking rules never start a line with these marks; PP-OCR
# reads one into the blank indent of a paragraph's first line.
_LEADING_MARK = re.compile(r"^[\s\u3000]*[，。、；：,.;:](?=[\s\u3000]*\S)")


# CTC cannot emit the same class twice without a blank between, and the two
# em dashes of the Chinese dash "——" are one unbroken stroke: PP-OCR reads
# one. A lone em dash is not used in Chinese text; between digits it is a
# range (1—5) and stays.
_LONE_DASH = re.compile(r"(?<![—0-9])—(?![—0-9])")


# The comma of some serif and kai faces is read as a closing single quote;
# in Chinese text ’ only closes a ‘ (quotes inside quotes).
_COMMA_AS_QUOTE = re.compile(rf"(?<={_HAN})’(?={_HAN})")


# A small full stop read as a degree sign: a degree follows a number, never
# a Han character or a percent sign.
_STOP_AS_DEGREE = re.compile(rf"(?<={_HAN}|%)°")


# Three or more 一 in a row are not Chinese: a dash read as "one" strokes.
# (Two are: 一一对应 "one to one".)
_DASH_AS_ONES = re.compile("一{3,}")


def fix_ppocr_text(text: str) -> str:
    """PP-OCR's own confusions, fixed before the shared `clean_text`."""
    # 丶 is a dictionary radical, never running text: it is the comma 、
    text = text.replace("丶", "、")
    text = _DASH_AS_ONES.sub(lambda m: "—" * len(m.group()), text)
    text = _COMMA_LOOKALIKE.sub("、", text)
    text = _STOP_AS_DEGREE.sub("。", text)
    if "‘" not in text:
        text = _COMMA_AS_QUOTE.sub("，", text)
    text = _LONE_DASH.sub("——", text)
    return _LEADING_MARK.sub("", text)


class PpocrEngine:
    """PP-OCRv4 recognition on our line crops (detection only where needed).

    ``runtime`` runs the recogniser: onnxruntime (engine ``ppocr``) or
    OpenVINO (``ppocr-openvino``, faster and larger; see runtime.py). The
    detector, which runs on a few irregular blocks, always runs on
    onnxruntime: its inputs are whole blocks, and OpenVINO would keep the
    largest block's buffers for the life of the worker.
    """

    line_chars = LINE_CHARS

    def __init__(self, options: Options, rec_height: int = REC_HEIGHT,
                 detector: str = "auto", max_batch: int | None = None,
                 max_batch_width: int = MAX_BATCH_WIDTH, runtime: RuntimeName = "onnxruntime"):
        if detector not in ("auto", "never", "always"):
            raise ValueError(f"detector must be auto, never or always, not {detector!r}")
        self.options = options
        self.rec_height = rec_height
        self.detector = detector
        self.max_batch = max_batch if max_batch is not None else (
            OPENVINO_MAX_BATCH if runtime == "openvino" else MAX_BATCH)
        self.max_batch_width = max_batch_width
        self.runtime: RuntimeName = runtime
        self.name = next(name for name, rt in ENGINE_RUNTIMES.items() if rt == runtime)
        self.width_step = OPENVINO_WIDTH_STEP if runtime == "openvino" else 1
        self._rec: Model | None = None
        self._det: Model | None = None
        self._charset: list[str] = []
        self.stats = {"blocks": 0, "detector_blocks": 0, "lines": 0}

    def check(self) -> None:
        models_dir(self.runtime)

    def _load_rec(self) -> Model:
        if self._rec is None:
            self._rec = load_model(models_dir(self.runtime) / REC_MODEL, self.runtime,
                                   input_height=self.rec_height, metadata_keys=("character",))
            # class 0 is the CTC blank; the space class comes after the dictionary
            self._charset = ["", *self._rec.metadata["character"].splitlines(), " "]
        return self._rec

    def _load_det(self) -> Model:
        if self._det is None:
            self._det = load_model(models_dir() / DET_MODEL, "onnxruntime")
        return self._det

    def recognize(self, crop: np.ndarray, kind: str, n_lines: int) -> list[Line]:
        self.stats["blocks"] += 1
        split = split_lines(crop, n_lines)
        bands = split.bands
        use_det = self.detector == "always" or (
            self.detector == "auto" and not split.regular and n_lines > 1)
        if use_det and bands:
            self.stats["detector_blocks"] += 1
            bands = self.detect(crop, split.line_height)
        lines = self.read_bands(crop, bands)
        self.stats["lines"] += len(lines)
        return _rows(lines)

    def read_bands(self, crop: np.ndarray, bands: list[Band]) -> list[Line]:
        """Recognise each band; lines come back in band order."""
        if not bands:
            return []
        sess = self._load_rec()
        images, lefts = [], []
        for b in bands:
            im = crop[b.y0:b.y1, b.x0:b.x1]
            # The recogniser drops a final 、。， that has little paper after
            # it (a justified column's last glyph can touch the block edge):
            # every line gets the margin of paper the others have.
            left = b.short_l + int(PAD_LEFT * b.height)
            right = b.short_r + int(PAD_RIGHT * b.height)
            paper = int(np.percentile(im, 90)) if im.size else 255
            images.append(cv2.copyMakeBorder(im, 0, 0, left, right, cv2.BORDER_CONSTANT, value=paper))
            lefts.append(left)
        widths = [int(np.ceil(self.rec_height * im.shape[1] / max(1, im.shape[0]))) for im in images]
        out: list[Line | None] = [None] * len(bands)
        for idx in group_batches(widths, self.max_batch, self.max_batch_width):
            x, scales = prepare_batch([images[i] for i in idx], self.rec_height, self.width_step)
            decoded = ctc_decode(sess.run(x), self._charset, x.shape[3])
            for i, chars, s in zip(idx, decoded, scales):
                b = bands[i]
                ln = to_line(chars, s, b.x0 - lefts[i], b.x0, b.x1, b.ink_y0, b.ink_y1)
                if ln is not None:
                    ln.text = fix_ppocr_text(ln.text)
                out[i] = ln
        return [ln for ln in out if ln is not None and ln.text.strip()]

    def detect(self, crop: np.ndarray, line_height: float) -> list[Band]:
        """PP-OCR's DB detector on one block: axis-aligned line boxes, top to bottom."""
        sess = self._load_det()
        h, w = crop.shape
        s = float(np.clip(DET_TEXT_PX / max(line_height, 1.0), 0.2, 1.0))
        dh, dw = max(32, int(round(h * s / 32)) * 32), max(32, int(round(w * s / 32)) * 32)
        img = cv2.resize(crop, (dw, dh), interpolation=cv2.INTER_AREA)
        x = np.repeat((img.astype(np.float32) / 127.5 - 1.0)[None, None], 3, axis=1)
        prob = _in_strips(sess.run, x)
        mask = cv2.dilate((prob > 0.3).astype(np.uint8), np.ones((2, 2), np.uint8))
        n, labels, st, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        sx, sy = w / dw, h / dh
        boxes = []
        for k in range(1, n):
            x0, y0, bw, bh, _area = st[k]
            if min(bw, bh) < 3 or float(prob[labels == k].mean()) < 0.5:
                continue
            # DB predicts a shrunk text kernel; grow it back as PaddleOCR's
            # unclip does (offset = area * ratio / perimeter, ratio 1.6)
            d = bw * bh * 1.6 / (2 * (bw + bh))
            boxes.append((max(0, int((x0 - d) * sx)), max(0, int((y0 - d) * sy)),
                          min(w, int(np.ceil((x0 + bw + d) * sx))), min(h, int(np.ceil((y0 + bh + d) * sy)))))
        boxes.sort(key=lambda b: (b[1] + b[3], b[0]))
        return [Band(x0, y0, x1, y1, y0, y1) for x0, y0, x1, y1 in boxes]


def _in_strips(run, x: np.ndarray, strip: int = DET_STRIP, overlap: int = DET_OVERLAP) -> np.ndarray:
    """The detector's probability map of ``x`` (1, 3, H, W), run on strips
    of at most ``strip`` rows that overlap by at least ``overlap``, each row taken
    from the strip where it lies farthest from a cut."""
    h = x.shape[2]
    if h <= strip:
        return run(x)[0, 0]
    prob = np.empty(x.shape[2:], np.float32)
    # as few strips as the overlap allows, spread evenly, on the 32-row grid
    # the detector needs (rounding to it may move two starts 32 rows apart)
    n = 1 + -(-(h - strip) // (strip - overlap - 32))
    starts = [32 * round(k * (h - strip) / 32 / (n - 1)) for k in range(n)]
    for k, y0 in enumerate(starts):
        # rows up to the middle of the overlap with the next strip
        lo = 0 if k == 0 else (starts[k - 1] + strip + y0) // 2
        hi = h if k == len(starts) - 1 else (y0 + strip + starts[k + 1]) // 2
        prob[lo:hi] = run(x[:, :, y0:y0 + strip])[0, 0, lo - y0:hi - y0]
    return prob


def _rows(lines: list[Line]) -> list[Line]:
    """Detector boxes of one text row (split at a wide space) joined into one
    Line, left to right; projection bands are already one per row."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda l: l.bbox.cy):
        if rows:
            last = BBox.enclosing(l.bbox for l in rows[-1])
            if ln.bbox.y_overlap(last) > 0.5 * min(ln.bbox.height, last.height):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    out = []
    for row in rows:
        if len(row) == 1:
            out.append(row[0])
            continue
        row.sort(key=lambda l: l.bbox.x0)
        words = [w for l in row for w in l.words]
        n = sum(len(l.text) for l in row)
        out.append(Line(BBox.enclosing(l.bbox for l in row), " ".join(l.text for l in row),
                        sum(l.conf * len(l.text) for l in row) / max(1, n), words))
    return out
