"""The runtimes that run the PP-OCR models, behind one small interface
(`Model.run`): onnxruntime (engine `ppocr`) or OpenVINO (`ppocr-openvino`).

Why two: on one thread OpenVINO's CPU plugin runs the PP-OCRv4 recogniser
in 0.55 to 0.65 of onnxruntime's time at float32, with the same outputs to
3e-6 (bench/runtimes.py), but a worker running it peaks about 200 MB
higher (its libraries, the compiled model, and memory it keeps for the
line widths it has read: 678 to 697 MB against 481 to 500 in
bench/SPEED.md, over the 600 MB target);
onnxruntime, which magscan needs anyway for the layout detector, stays the
default.

Both run on one thread: pages already run in parallel across worker
processes, and oversubscribing two cores makes everything slower.
OpenVINO is told not to pin its thread to a core, since two worker
processes would otherwise both pin to the first one, and to compute in
float32: on CPUs with bfloat16 units it would otherwise pick bfloat16
by itself, and the text would depend on the machine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from ...errors import EngineError

__all__ = ["Model", "RuntimeName", "load_model"]

RuntimeName = Literal["onnxruntime", "openvino"]


@dataclass
class Model:
    """One loaded model: ``run(x)`` gives its first output for input ``x``."""
    runtime: RuntimeName
    metadata: dict[str, str] = field(repr=False)
    _infer: Callable[[np.ndarray], np.ndarray] = field(repr=False)

    def run(self, x: np.ndarray) -> np.ndarray:
        try:
            return self._infer(x)
        except Exception as e:  # noqa: BLE001 - the runtimes' errors share no base class
            raise EngineError(f"ppocr failed ({self.runtime}): {type(e).__name__}: {e}") from e


def load_model(path: Path, runtime: RuntimeName, input_height: int | None = None,
               metadata_keys: tuple[str, ...] = ()) -> Model:
    """Load ``path`` for ``runtime``. ``input_height`` is the fixed input
    height the model will be run at, when it has one (the recogniser);
    ``metadata_keys`` are the model's custom metadata entries to read."""
    if runtime == "openvino":
        return _load_openvino(path, input_height, metadata_keys)
    return _load_onnxruntime(path, metadata_keys)


def _load_onnxruntime(path: Path, metadata_keys: tuple[str, ...]) -> Model:
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # line widths and block sizes vary call to call; an arena keeps the
    # largest one's memory for the life of the worker (measured: no slower)
    so.enable_cpu_mem_arena = False
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    meta = sess.get_modelmeta().custom_metadata_map
    name = sess.get_inputs()[0].name
    return Model("onnxruntime", {k: meta[k] for k in metadata_keys},
                 lambda x: sess.run(None, {name: x})[0])


def _load_openvino(path: Path, input_height: int | None, metadata_keys: tuple[str, ...]) -> Model:
    import openvino as ov
    core = ov.Core()
    model = core.read_model(str(path))
    metadata = {k: model.get_rt_info(["framework", k]).astype(str) for k in metadata_keys}
    if input_height is not None:
        _fit_pools(model, input_height)
    compiled = core.compile_model(model, "CPU", {
        "INFERENCE_NUM_THREADS": 1,
        "NUM_STREAMS": 1,
        "INFERENCE_PRECISION_HINT": "f32",
        "ENABLE_CPU_PINNING": False,
        "PERFORMANCE_HINT": "LATENCY",
    })
    request = compiled.create_infer_request()
    out = compiled.output(0)

    def infer(x: np.ndarray) -> np.ndarray:
        # copied: the request's output buffer is reused by its next call
        return request.infer([x])[out].copy()
    return Model("openvino", metadata, infer)


def _fit_pools(model, input_height: int) -> None:
    """Shrink an average pool taller than its input to the rows it has.

    The PP-OCRv4 recogniser ends in a 3-row average pool over a map 1/16 of
    the input tall, made for 48-pixel lines; magscan reads at 32, where the
    map has 2 rows. onnxruntime averages the two rows that exist (the pool
    excludes padding); OpenVINO infers an empty output. A pool of the rows
    that exist is what onnxruntime computes, in both runtimes.
    """
    rows = max(1, input_height // 16)
    changed = False
    for op in model.get_ops():
        if op.get_type_name() != "AvgPool":
            continue
        attrs = op.get_attributes()
        kernel = list(attrs["kernel"])
        if kernel[0] > rows and attrs.get("exclude-pad", False):
            kernel[0] = rows
            op.set_attribute("kernel", kernel)
            changed = True
    if changed:
        model.validate_nodes_and_infer_types()
