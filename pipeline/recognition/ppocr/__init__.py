"""PP-OCR recognition: the engine (engine), the runtimes that run its models
(runtime: onnxruntime, OpenVINO), text lines cut from a block (lines),
batches and CTC decoding (ctc)."""
