"""Compare two output folders of `magscan convert` (or of bench/ runs): every
text and JSON file, after taking out what legitimately differs between two
runs of the same code (timings, dates, where the checkout and the output
folder are). Prints each file that differs, or is in one folder only, and
exits 1 if any does, else 0.

    python bench/compare_outputs.py BEFORE AFTER [--root OLD=NEW ...]

Normalising: JSON keys named in IGNORED_KEYS are dropped at any depth; a
string that is an absolute path is replaced by its last two components
(``/work/main/scans/a.png`` and ``/tmp/x/scans/a.png`` are the same input);
``--root`` rewrites a prefix first. Text files are compared as they are.
The manifest (SQLite) is not compared: its rows are the JSONs' summary
plus dates.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IGNORED_KEYS = frozenset({"timings", "seconds", "created_at", "updated_at", "peak_mb"})
SUFFIXES = (".txt", ".json")


def normalise(value, roots: list[tuple[str, str]]):
    """``value`` (parsed JSON) without run-dependent keys and path prefixes."""
    if isinstance(value, dict):
        return {k: normalise(v, roots) for k, v in value.items() if k not in IGNORED_KEYS}
    if isinstance(value, list):
        return [normalise(v, roots) for v in value]
    if isinstance(value, str):
        for old, new in roots:
            if value.startswith(old):
                value = new + value[len(old):]
        if value.startswith("/"):
            value = "/".join(Path(value).parts[-2:])
    return value


def files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")
            if p.is_file() and p.suffix in SUFFIXES and "report" not in p.relative_to(folder).parts}


def differs(a: Path, b: Path, roots: list[tuple[str, str]]) -> str | None:
    """Why the two files differ, or None."""
    if a.suffix == ".json":
        try:
            ja, jb = (normalise(json.loads(p.read_text(encoding="utf-8")), roots) for p in (a, b))
        except ValueError as e:
            return f"unreadable JSON ({e})"
        if ja == jb:
            return None
        if isinstance(ja, dict) and isinstance(jb, dict):
            keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
            return "JSON differs in " + ", ".join(keys)
        return "JSON differs"
    ta, tb = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    if ta == tb:
        return None
    la, lb = ta.splitlines(), tb.splitlines()
    first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
    return f"text differs from line {first + 1}"


def compare(before: Path, after: Path, roots: list[tuple[str, str]]) -> list[str]:
    fa, fb = files(before), files(after)
    out = [f"{p}: only in {before}" for p in sorted(fa - fb)]
    out += [f"{p}: only in {after}" for p in sorted(fb - fa)]
    for p in sorted(fa & fb):
        why = differs(before / p, after / p, roots)
        if why:
            out.append(f"{p}: {why}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--root", action="append", default=[], metavar="OLD=NEW",
                    help="rewrite this path prefix in JSON strings before comparing")
    args = ap.parse_args(argv)
    roots = [tuple(r.split("=", 1)) for r in args.root]
    for d in (args.before, args.after):
        if not d.is_dir():
            print(f"compare_outputs: {d}: not a folder", file=sys.stderr)
            return 2
    problems = compare(args.before, args.after, roots)
    for line in problems:
        print(line)
    n = len(files(args.before) | files(args.after))
    print(f"{n} text/JSON file(s) compared, {len(problems)} differ", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
