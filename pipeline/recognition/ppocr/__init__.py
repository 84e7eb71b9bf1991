"""PP-OCR recognition run by onnxruntime: the engine (engine), text lines cut
from a block (lines), batches and CTC decoding (ctc)."""
