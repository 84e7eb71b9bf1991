"""The PP-OCRv4 recogniser under onnxruntime and OpenVINO, one thread each,
on the same inputs (not a test: timings are the machine's).

    .venv/bin/python bench/runtimes.py [--widths 320,480,640] [--repeat 10]

For each line width (model pixels, at magscan's 32-pixel line height) it
prints milliseconds a call in each runtime, their ratio, the largest
difference between the two outputs and whether every time step picks the
same character. Inputs are random (the cost does not depend on them).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.recognition.ppocr.engine import REC_HEIGHT, REC_MODEL, models_dir  # noqa: E402
from pipeline.recognition.ppocr.runtime import load_model  # noqa: E402


def per_call(run, x: np.ndarray, repeat: int) -> float:
    run(x)   # the first call of a shape compiles or plans it
    t = time.perf_counter()
    for _ in range(repeat):
        run(x)
    return (time.perf_counter() - t) / repeat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", default="320,480,640")
    ap.add_argument("--repeat", type=int, default=10)
    a = ap.parse_args()
    path = models_dir("openvino") / REC_MODEL
    ort = load_model(path, "onnxruntime", input_height=REC_HEIGHT)
    ov = load_model(path, "openvino", input_height=REC_HEIGHT)
    rng = np.random.default_rng(0)
    print("| width | onnxruntime ms | OpenVINO ms | OpenVINO / onnxruntime | largest difference | same characters |")
    print("|---:|---:|---:|---:|---:|---|")
    for w in (int(v) for v in a.widths.split(",")):
        x = rng.uniform(-1, 1, (1, 3, REC_HEIGHT, w)).astype(np.float32)
        t_ort, t_ov = per_call(ort.run, x, a.repeat), per_call(ov.run, x, a.repeat)
        y_ort, y_ov = ort.run(x), ov.run(x)
        same = bool((y_ort.argmax(-1) == y_ov.argmax(-1)).all())
        print(f"| {w} | {t_ort * 1e3:.1f} | {t_ov * 1e3:.1f} | {t_ov / t_ort:.2f} | "
              f"{float(np.abs(y_ort - y_ov).max()):.1e} | {'yes' if same else 'no'} |")


if __name__ == "__main__":
    main()
