"""The one place that talks to Tesseract.

Two ways in: its C++ API through tesserocr (`TessApi`: the model is loaded
once per process and every block is one in-process call, so no process
start and no model load per block), and the `tesseract` program through
pytesseract (`image_to_data`), for machines without tesserocr.

Tesseract's OpenMP threads make it several times slower on a small machine
when pages already run in parallel, so OMP_THREAD_LIMIT=1 is set before
either is loaded. A `chi_sim.traineddata` dropped into `models/tessdata/`
(or the folder named by MAGSCAN_TESSDATA) is preferred over the system one.
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


# Where Debian, Fedora, Homebrew and source builds put their models.
_SYSTEM_TESSDATA = [Path("/usr/share/tesseract-ocr/5/tessdata"),
                    Path("/usr/share/tesseract-ocr/4.00/tessdata"), Path("/usr/share/tessdata"),
                    Path("/usr/local/share/tessdata"), Path("/opt/homebrew/share/tessdata")]


def _has_models(d: Path, lang: str) -> bool:
    return d.is_dir() and all((d / f"{part}.traineddata").is_file() for part in lang.split("+"))


def tessdata_dir(lang: str) -> Path | None:
    """A project tessdata folder holding every model `lang` needs, if any."""
    env = os.environ.get("MAGSCAN_TESSDATA")
    for d in ([Path(env)] if env else []) + [_REPO_TESSDATA]:
        if _has_models(d, lang):
            return d
    return None


def any_tessdata_dir(lang: str) -> Path | None:
    """The project folder if it has the models, else the system one (for the API,
    which is built separately and does not know the system's default path)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [Path(prefix)] if prefix else []
    found = tessdata_dir(lang)
    if found is not None:
        return found
    return next((d for d in candidates + _SYSTEM_TESSDATA if _has_models(d, lang)), None)


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


def api_available() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


class TessApi:
    """One loaded Tesseract model, kept for the life of the worker process."""

    def __init__(self, lang: str):
        import tesserocr

        d = any_tessdata_dir(lang)
        if d is None:
            raise EngineMissing(f"Tesseract language model {lang} is not installed; {INSTALL_HINT}")
        self._t = tesserocr
        try:
            # LSTM only: the legacy engine is slower and worse on Han text
            self._api = tesserocr.PyTessBaseAPI(path=f"{d}/", lang=lang,
                                                oem=tesserocr.OEM.LSTM_ONLY)
        except RuntimeError as e:
            raise EngineMissing(f"Tesseract could not load {lang} from {d} ({e}); "
                                f"{INSTALL_HINT}") from e
        # Chinese has no word spaces; this stops Tesseract inventing them
        self._api.SetVariable("preserve_interword_spaces", "1")
        self.version = tesserocr.tesseract_version().split()[1]

    def layout(self, image) -> list[tuple]:
        """Tesseract's page segmentation of ``image`` (see ``page_layout``)."""
        from PIL import Image

        t = self._t
        api = self._api
        api.SetPageSegMode(t.PSM.AUTO)
        api.SetImage(Image.fromarray(image))
        it = api.AnalyseLayout()
        names = {getattr(t.PT, n): n for n in dir(t.PT) if n.isupper()}
        out: list[tuple] = []
        if it is None:
            return out
        while True:
            if it.IsAtBeginningOf(t.RIL.BLOCK):
                kind = _PT_KINDS.get(names.get(it.BlockType(), ""), None)
                box = it.BoundingBox(t.RIL.BLOCK)
                out.append([kind, box, []] if box else [None, None, []])
            if it.IsAtBeginningOf(t.RIL.TEXTLINE) and out and out[-1][0] is not None:
                box = it.BoundingBox(t.RIL.TEXTLINE)
                if box:
                    out[-1][2].append(box)
            if not it.Next(t.RIL.TEXTLINE):
                break
        api.Clear()
        return [tuple(b) for b in out if b[0] is not None and b[1] is not None]

    def recognize(self, image, psm: int, timeout: float, dpi: int = 300,
                  reject_noise_rows: bool = True) -> list[tuple]:
        """Words of one image grouped by text line:
        [(line_box, [(word_box, text, conf), ...]), ...], boxes as (x0, y0, x1, y1).

        ``reject_noise_rows=False`` turns off Tesseract's filter of rows it
        takes for noise, which throws away whole lines of heavy display type."""
        from PIL import Image

        t = self._t
        api = self._api
        api.SetVariable("textord_noise_rejrows", "1" if reject_noise_rows else "0")
        api.SetPageSegMode(psm)
        api.SetImage(Image.fromarray(image))
        api.SetSourceResolution(int(dpi))
        if not api.Recognize(timeout=int(timeout * 1000)):
            api.Clear()
            raise EngineTimeout(f"tesseract took longer than {timeout:.0f} s")
        out: list[tuple] = []
        it = api.GetIterator()
        if it is None:
            return out
        level = t.RIL.WORD
        while True:
            if it.IsAtBeginningOf(t.RIL.TEXTLINE):
                out.append((it.BoundingBox(t.RIL.TEXTLINE), []))
            try:
                text = it.GetUTF8Text(level)
            except RuntimeError:
                # tesserocr raises for a word with no text (an empty blob, often
                # a dash read as nothing); the rest of the line is still good
                text = ""
            box = it.BoundingBox(level)
            if text and box and out:
                out[-1][1].append((box, text, float(it.Confidence(level))))
            if not it.Next(level):
                break
        return [(box, words) for box, words in out if words]


# Tesseract's block types (tesserocr.PT) as our block kinds; rules and noise are dropped
_PT_KINDS = {"FLOWING_TEXT": "body", "PULLOUT_TEXT": "body", "VERTICAL_TEXT": "body",
             "HEADING_TEXT": "heading", "CAPTION_TEXT": "caption", "TABLE": "table",
             "EQUATION": "equation", "INLINE_EQUATION": "body", "FLOWING_IMAGE": "figure",
             "HEADING_IMAGE": "figure", "PULLOUT_IMAGE": "figure"}


def page_layout(image, lang: str, timeout: float, api: "TessApi | None" = None) -> list[tuple]:
    """Tesseract's own page segmentation (psm 3), without recognition:
    [(kind, block box, [line boxes])] with boxes as (x0, y0, x1, y1), in
    Tesseract's order. Through the API when tesserocr is there (a layout
    analysis only), else through the program (which also recognises)."""
    if api is not None or api_available():
        api = api or TessApi(lang)
        return api.layout(image)
    data = image_to_data(image, lang, 3, timeout)
    blocks: dict[int, list] = {}
    for i in range(len(data["level"])):
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        box = (x, y, x + w, y + h)
        b = int(data["block_num"][i])
        if data["level"][i] == 2:
            blocks[b] = ["body", box, []]
        elif data["level"][i] == 4 and b in blocks:
            blocks[b][2].append(box)
    return [tuple(v) for _k, v in sorted(blocks.items()) if v[2]]
