"""The one place that talks to Tesseract.

Two ways in: its C++ API through tesserocr (`TessApi`: the model is loaded
once per process and every block is one in-process call, so no process
start and no model load per block), and the `tesseract` program through
pytesseract (`image_to_data`), for machines without tesserocr.

Tesseract's OpenMP threads make it several times slower on a small machine
when pages already run in parallel, so OMP_THREAD_LIMIT=1 (unless the user
set it) is in the environment of every tesseract program run, and in this
process's just before libtesseract is loaded (never on import: a program
that only imports magscan keeps its environment). A `chi_sim.traineddata` dropped into `models/tessdata/`
(or the folder named by MAGSCAN_TESSDATA) is preferred over the system one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytesseract

from ..errors import EngineError, EngineMissing, EngineTimeout, one_line


def thread_limited_env() -> dict[str, str]:
    """The environment Tesseract runs in: OMP_THREAD_LIMIT=1 unless set."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


def _limit_threads_here() -> None:
    # OpenMP reads the variable when libtesseract is loaded into the process
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


INSTALL_HINT = ("install it with: sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim "
                "(or run `make setup` in the magscan checkout, which installs both)")

# Debian's packages of the `script/...` models are named by ISO 15924 codes
# (tesseract-ocr-script-latn holds script/Latin), which the model's name does not give
_SCRIPT_CODES = {"latin": "latn", "cyrillic": "cyrl", "arabic": "arab", "greek": "grek",
                 "hebrew": "hebr", "devanagari": "deva", "hangul": "hang", "japanese": "jpan",
                 "hans": "hans", "hant": "hant", "thai": "thai", "fraktur": "frak"}


def debian_package(model: str) -> str:
    """The Debian package holding a Tesseract model: chi_tra -> tesseract-ocr-chi-tra,
    chi_sim_vert -> tesseract-ocr-chi-sim-vert, script/Latin -> tesseract-ocr-script-latn."""
    if model.lower().startswith("script/"):
        name = model.split("/", 1)[1].lower()
        return f"tesseract-ocr-script-{_SCRIPT_CODES.get(name, name)}"
    return "tesseract-ocr-" + model.lower().replace("_", "-")


def model_hint(models: list[str]) -> str:
    """How to install the Tesseract models `models` (the parts of a --lang)."""
    pkgs = " ".join(debian_package(m) for m in models)
    return (f"install it with: sudo apt-get install {pkgs} (Debian/Ubuntu), or put "
            f"{models[0]}.traineddata in models/tessdata/ of the magscan checkout "
            "or in the folder MAGSCAN_TESSDATA names")

_REPO_TESSDATA = Path(__file__).resolve().parents[2] / "models" / "tessdata"


# Where Debian, Fedora, Homebrew and source builds put their models.
_SYSTEM_TESSDATA = [Path("/usr/share/tesseract-ocr/5/tessdata"),
                    Path("/usr/share/tesseract-ocr/4.00/tessdata"), Path("/usr/share/tessdata"),
                    Path("/usr/local/share/tessdata"), Path("/opt/homebrew/share/tessdata")]


def check_models(lang: str) -> None:
    """Raise EngineMissing naming the package for each model of ``lang`` that
    no tessdata folder holds (for the API, which reads the files itself)."""
    missing = [p for p in lang.split("+") if any_tessdata_dir(p) is None]
    if missing:
        raise EngineMissing(f"Tesseract language model {'+'.join(missing)} is not installed; "
                            f"{model_hint(missing)}")


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


def _tessdata_args(lang: str) -> list[str]:
    d = tessdata_dir(lang)
    return ["--tessdata-dir", str(d)] if d is not None else []


# `tesseract --version` and `--list-langs` answer in well under a second; a
# program that does not answer in this time will not, and must not hang `convert`.
CHECK_TIMEOUT = 30.0


def tesseract_cmd() -> str:
    return pytesseract.pytesseract.tesseract_cmd


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """The child is killed with the process that started it: a worker stopped
    for its page's time limit takes its Tesseract with it."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _kill_group(proc: subprocess.Popen) -> None:
    import signal
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_tesseract(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run the tesseract program in its own process group, so that a time-out
    (or this process being stopped) kills it and whatever it started; no shell."""
    cmd = [tesseract_cmd(), *args]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True,
                                env=thread_limited_env(),
                                preexec_fn=_die_with_parent)
    except FileNotFoundError as e:
        raise EngineMissing(f"tesseract is not installed; {INSTALL_HINT}") from e
    except OSError as e:
        raise EngineError(f"tesseract cannot be started ({e.strerror})") from e
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise EngineTimeout(f"tesseract took longer than {timeout:.0f} s") from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _stderr_line(r: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in r.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return one_line(lines[-1] if lines else f"exit code {r.returncode}")


@lru_cache(maxsize=8)
def check_installed(lang: str = "chi_sim") -> str:
    """Return Tesseract's version, or raise EngineMissing saying how to install."""
    if shutil.which(tesseract_cmd()) is None:
        raise EngineMissing(f"tesseract is not installed; {INSTALL_HINT}")
    try:
        ver = run_tesseract(["--version"], CHECK_TIMEOUT)
        langs = run_tesseract(["--list-langs", *_tessdata_args(lang)], CHECK_TIMEOUT)
    except EngineTimeout as e:
        raise EngineMissing(f"tesseract does not answer (`tesseract --version` ran over "
                            f"{CHECK_TIMEOUT:.0f} s); {INSTALL_HINT}") from e
    except EngineError as e:
        raise EngineMissing(f"tesseract does not run ({e}); {INSTALL_HINT}") from e
    if ver.returncode != 0:
        raise EngineMissing(f"tesseract does not run ({_stderr_line(ver)}); {INSTALL_HINT}")
    text = (ver.stdout + ver.stderr).decode("utf-8", "replace").split()
    version = text[1] if len(text) > 1 else "unknown"
    listed = langs.stdout.decode("utf-8", "replace").splitlines()[1:]
    missing = [p for p in lang.split("+") if p not in {ln.strip() for ln in listed}]
    if missing:
        raise EngineMissing(f"Tesseract language model {'+'.join(missing)} is not installed; "
                            f"{model_hint(missing)}")
    return version


def image_to_data(image, lang: str, psm: int, timeout: float) -> dict:
    """Word-level TSV from Tesseract as a dict of columns (pytesseract.Output.DICT).

    The image and Tesseract's output go to a temporary folder of our own,
    removed whatever happens (inside a batch it lies in the batch's temporary
    folder, which the batch removes even if this process is killed)."""
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="magscan-tess-") as d:
        src, base = Path(d) / "input.png", Path(d) / "out"
        Image.fromarray(image).save(src, format="PNG")
        # the arguments pytesseract gave, so results do not change
        args = [str(src), str(base), "-l", lang, "-c", "tessedit_create_tsv=1", "--psm", str(psm),
                *_tessdata_args(lang), "-c", "preserve_interword_spaces=1"]
        r = run_tesseract(args, timeout)
        if r.returncode != 0:
            raise EngineError(f"tesseract failed: {_stderr_line(r)}")
        tsv = (base.parent / "out.tsv").read_text(encoding="utf-8")
    return pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)


def detect_osd(image, timeout: float, dpi: int = 300) -> dict[str, str] | None:
    """Tesseract's orientation and script detection (`--psm 0`, osd.traineddata)
    of a grayscale image: its answer as a dict ("Rotate", "Orientation
    confidence", "Script", ...), or None when it found too little text to say."""
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="magscan-osd-") as d:
        src, base = Path(d) / "input.png", Path(d) / "out"
        Image.fromarray(image).save(src, format="PNG")
        r = run_tesseract([str(src), str(base), "--psm", "0", "--dpi", str(int(dpi)),
                           *_tessdata_args("osd")], timeout)
        osd = base.parent / "out.osd"
        if r.returncode != 0 or not osd.is_file():
            err = r.stderr.decode("utf-8", "replace")
            if "Too few characters" in err or "0 dpi" in err or r.returncode == 0:
                return None
            if "osd.traineddata" in err or "Failed loading language" in err:
                raise EngineMissing("Tesseract's orientation model osd.traineddata is not installed; "
                                    "install it with: sudo apt-get install tesseract-ocr")
            raise EngineError(f"tesseract orientation detection failed: {_stderr_line(r)}")
        text = osd.read_text(encoding="utf-8", errors="replace")
    out = {}
    for ln in text.splitlines():
        k, sep, v = ln.partition(":")
        if sep:
            out[k.strip()] = v.strip()
    return out or None


def api_available() -> bool:
    _limit_threads_here()
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


class TessApi:
    """One loaded Tesseract model, kept for the life of the worker process."""

    def __init__(self, lang: str):
        _limit_threads_here()
        import tesserocr

        d = any_tessdata_dir(lang)
        if d is None:
            missing = [m for m in lang.split("+") if any_tessdata_dir(m) is None] or lang.split("+")
            raise EngineMissing(f"Tesseract language model {'+'.join(missing)} is not installed; "
                                f"{model_hint(missing)}")
        self._t = tesserocr
        try:
            # LSTM only: the legacy engine is slower and worse on Han text
            self._api = tesserocr.PyTessBaseAPI(path=f"{d}/", lang=lang,
                                                oem=tesserocr.OEM.LSTM_ONLY)
        except RuntimeError as e:
            raise EngineMissing(f"Tesseract could not load {lang} from {d} ({e}); "
                                f"{model_hint(lang.split('+'))}") from e
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
