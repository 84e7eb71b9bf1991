"""The package's import graph, read from the source (ast), not by importing:
no module may import itself back through other modules (an import circle),
and nothing the package runs imports pipeline.synth, the generated-page
tooling that only tests and bench/ use. Lazy imports inside functions count:
a circle that only closes at call time is still a circle in the design.
Imports under ``if TYPE_CHECKING:`` are for type checkers only, never run,
and are left out."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "pipeline"


def module_name(path: Path) -> str:
    parts = ("pipeline",) + path.relative_to(PKG).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that `name` imports. `from X import y` counts
    as importing X.y when X.y is a module, else X; importing a module also
    runs its packages' __init__, which are left out: they are kept light."""
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in _run_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _type_checking(node: ast.AST) -> bool:
    t = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        isinstance(t, ast.Name) and t.id == "TYPE_CHECKING"
        or isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _run_nodes(tree: ast.AST):
    """Every node of the module except the bodies of ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if _type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {n: imports(n, p, known) for n, p in mods.items()}


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_graph_is_read():
    # the walk must see the package, or an empty graph would pass
    g = graph()
    assert "pipeline.cli.main" in g and "pipeline.cli.common" in g["pipeline.cli.main"]
    assert "pipeline.model" in g["pipeline.convert"]
    assert sum(len(v) for v in g.values()) > 100


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    found = circles(graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_runtime_does_not_import_synth():
    g = graph()
    bad = sorted(f"{m} -> {t}" for m, ts in g.items() if not m.startswith("pipeline.synth")
                 for t in ts if t == "pipeline.synth" or t.startswith("pipeline.synth."))
    assert not bad, bad


def test_no_string_imports_of_the_package():
    # commands and stages are imported by name so that this test (and any
    # reader) sees them; only the engine plug-in (module:Class) is dynamic
    bad = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "__import__"):
                bad.append(f"{name}:{node.lineno}")
    assert not bad, bad


def test_console_script_resolves():
    import importlib
    import re

    text = (PKG.parent / "pyproject.toml").read_text(encoding="utf-8")
    target = re.search(r'^magscan = "([\w.]+):(\w+)"', text, re.M)
    assert target, "no magscan console script in pyproject.toml"
    assert callable(getattr(importlib.import_module(target[1]), target[2]))
    # scripts installed from the entry point before the CLI became a package
    from pipeline.cli import run
    assert callable(run)


def test_type_checking_imports_are_no_edges():
    import textwrap

    src = textwrap.dedent("""
        from typing import TYPE_CHECKING
        import pipeline.model
        if TYPE_CHECKING:
            import pipeline.options
    """)
    got = {n.names[0].name for n in _run_nodes(ast.parse(src)) if isinstance(n, ast.Import)}
    assert got == {"pipeline.model"}


def test_exit_codes_come_from_the_one_list():
    # every way the commands end names an ExitCode member (README's table is
    # that list, tests/test_cli_conventions.py): no literal 0, 1 or 2 of its own
    bad = []
    for name, path in modules().items():
        if not name.startswith("pipeline.cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if called in ("exit", "_exit", "fail", "Exit"):
                args = list(node.args) + [k.value for k in node.keywords]
                if any(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in args):
                    bad.append(f"{name}:{node.lineno}")
    assert not bad, bad


# The flow, lowest first: a module may import its own floor and the floors
# below it, never one above. The neutral floor (model, kinds, options, errors,
# the package's own __init__ for its version) is what every stage reads.
# vertical finds vertical columns and reads them with Tesseract's vertical
# model, for the recognition stage (which hands it vertical blocks): it sits
# with recognition. orientation (Tesseract's OSD) runs recognition's wrapper
# before the page is laid out, so it sits above it; the converters run the
# stages and sit above all of them; logs writes past the batch's progress bar.
FLOORS = [
    ("pipeline", "pipeline.model", "pipeline.kinds", "pipeline.options", "pipeline.errors",
     "pipeline.disjoint"),
    ("pipeline.ingest",),
    ("pipeline.image",),
    ("pipeline.layout",),
    ("pipeline.recognition", "pipeline.vertical"),
    ("pipeline.orientation",),
    ("pipeline.readingorder",),
    ("pipeline.text",),
    ("pipeline.outputs", "pipeline.evaluate"),
    ("pipeline.convert", "pipeline.convert_boxes"),
    ("pipeline.batch", "pipeline.logs"),
    ("pipeline.cli", "pipeline.api", "pipeline.ocrmypdf_plugin", "pipeline.__main__"),
]

# Imports up the flow kept on purpose, each with why a move would be worse.
UPWARD_ALLOWED = {
    # the layout's fallback scores Tesseract's own page segmentation as one
    # candidate; Tesseract is wrapped in one module, which lives with the
    # recognition engines (one module per external program)
    ("pipeline.layout.fallback", "pipeline.recognition.tesseract"),
    # the report reads the run's manifest for the pages' status (to move
    # under outputs/ or batch/ with the report's reading of it)
    ("pipeline.outputs.report.collect", "pipeline.batch.manifest"),
    # Page.text(), the public API's, runs the text stage on the model
    ("pipeline.model", "pipeline.text.assemble"),
}


def floor(module: str) -> int:
    best = None
    for i, names in enumerate(FLOORS):
        for n in names:
            if (module == n or module.startswith(n + ".")) and (best is None or len(n) > best[1]):
                best = (i, len(n))
    assert best is not None, f"{module} is on no floor of the flow: add it to FLOORS"
    return best[0]


def upward(g: dict[str, set[str]]) -> list[str]:
    return sorted(f"{m} -> {t}" for m, ts in g.items() if not m.startswith("pipeline.synth")
                  for t in ts if floor(t) > floor(m) and (m, t) not in UPWARD_ALLOWED)


def test_upward_imports_are_found():
    assert upward({"pipeline.layout.x": {"pipeline.readingorder.resolve"},
                   "pipeline.readingorder.resolve": {"pipeline.model", "pipeline.layout.x"}}) \
        == ["pipeline.layout.x -> pipeline.readingorder.resolve"]
    assert floor("pipeline") == 0 and floor("pipeline.convert_boxes") == floor("pipeline.convert")


def test_imports_only_go_down_the_flow():
    bad = upward(graph())
    assert not bad, "imports pointing up the flow (ingest -> image -> layout -> recognition -> " \
                    "readingorder -> text -> outputs -> convert -> batch -> cli): " + "; ".join(bad)
