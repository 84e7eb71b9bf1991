"""The one place that runs the `tesseract` program (through pytesseract).

Tesseract's OpenMP threads make it several times slower on a small machine
when pages already run in parallel, so every call gets OMP_THREAD_LIMIT=1.
A `chi_sim.traineddata` dropped into `models/tessdata/` (or the folder named
by MAGSCAN_TESSDATA) is preferred over the system one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytesseract

from .errors import EngineError, EngineMissing, EngineTimeout

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

INSTALL_HINT = ("install it with: sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim "
                "(or run `make demo`, which installs it)")

_REPO_TESSDATA = Path(__file__).resolve().parent.parent / "models" / "tessdata"


def tessdata_dir(lang: str) -> Path | None:
    """A project tessdata folder holding every model `lang` needs, if any."""
    env = os.environ.get("MAGSCAN_TESSDATA")
    for d in ([Path(env)] if env else []) + [_REPO_TESSDATA]:
        if d.is_dir() and all((d / f"{part}.traineddata").is_file() for part in lang.split("+")):
            return d
    return None


def _config(lang: str, psm: int, extra: str = "") -> str:
    cfg = f"--psm {psm}"
    d = tessdata_dir(lang)
    if d is not None:
        # pytesseract splits the config with shlex, so a quoted path with spaces survives
        cfg += f' --tessdata-dir "{d}"'
    # Chinese has no word spaces; keeping this on stops Tesseract from
    # inventing spaces inside runs of Han characters.
    cfg += " -c preserve_interword_spaces=1"
    return (cfg + " " + extra).strip()


@lru_cache(maxsize=8)
def check_installed(lang: str = "chi_sim") -> str:
    """Return Tesseract's version, or raise EngineMissing saying how to install."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise EngineMissing(f"tesseract is not installed; {INSTALL_HINT}")
    try:
        version = str(pytesseract.get_tesseract_version())
        langs = set(pytesseract.get_languages(config=_config(lang, 3).split(" -c")[0]))
    except (pytesseract.TesseractError, OSError, subprocess.SubprocessError) as e:
        raise EngineMissing(f"tesseract does not run ({e}); {INSTALL_HINT}") from e
    missing = [p for p in lang.split("+") if p not in langs]
    if missing:
        raise EngineMissing(f"Tesseract language model {'+'.join(missing)} is not installed; "
                            f"{INSTALL_HINT}, or put {missing[0]}.traineddata in models/tessdata/")
    return version


def image_to_data(image, lang: str, psm: int, timeout: float) -> dict:
    """Word-level TSV from Tesseract as a dict of columns (pytesseract.Output.DICT)."""
    try:
        return pytesseract.image_to_data(image, lang=lang, config=_config(lang, psm),
                                         output_type=pytesseract.Output.DICT, timeout=timeout)
    except RuntimeError as e:  # pytesseract raises RuntimeError on its timeout
        if "timeout" in str(e).lower():
            raise EngineTimeout(f"tesseract took longer than {timeout:.0f} s") from e
        raise EngineError(f"tesseract failed: {e}") from e
    except pytesseract.TesseractNotFoundError as e:
        raise EngineMissing(f"tesseract is not installed; {INSTALL_HINT}") from e
    except pytesseract.TesseractError as e:
        raise EngineError(f"tesseract failed: {e.message.strip() or e.status}") from e
