"""magscan: OCR layout repair for simplified-Chinese magazine scans.

The public API (README, "Architecture"); each name is imported on first use
(PEP 562), so ``import pipeline`` and ``magscan --help`` stay light::

    import pipeline
    pages = pipeline.convert_file("scan.png", pipeline.Options(lang="chi_sim"))
    print(pages[0].text())
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> the module that defines it
_PUBLIC = {
    "convert_file": "api", "analyse_image": "api", "repair_file": "api",
    "resolve_order": "api", "run_batch": "api", "run_settings": "api",
    "Options": "options",
    "Page": "model", "Block": "model", "Line": "model", "Word": "model", "BBox": "model",
    "ExitCode": "errors", "MagscanError": "errors", "InputError": "errors",
    "EngineMissing": "errors", "OutputBusy": "errors", "OutputError": "errors",
}
__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:
    from .api import analyse_image, convert_file, repair_file, resolve_order, run_batch, run_settings
    from .errors import (EngineMissing, ExitCode, InputError, MagscanError, OutputBusy,
                         OutputError)
    from .model import BBox, Block, Line, Page, Word
    from .options import Options


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value   # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
