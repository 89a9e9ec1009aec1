"""The package's rooms and the direction of its imports (issue #11): imports only run down, and the
two front doors (the MkDocs plugin and the command line) share nothing but what lies below them."""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "src" / "notekb"

# Each room, and the rooms it may import from (besides itself). Base modules import only base.
BASE = {"notekb.text", "notekb.spans", "notekb.records", "notekb.processes", "notekb.registry"}
MAY_IMPORT = {
    "formats": {"base"},
    "pipeline": {"base", "formats", "pages"},  # pages: only pipeline.build, which runs the render stage
    "pages": {"base"},
    "search": {"base"},
    "publish": {"base", "search", "formats"},  # formats: what the math converter writes, allowed
    "cli": {"base", "formats", "pipeline", "pages", "publish", "search"},
    "mkdocs": {"base", "formats", "pipeline", "pages", "publish", "search"},
}


def room(module: str) -> str:
    if module in BASE:
        return "base"
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in MAY_IMPORT else module


def imports() -> dict[str, set[str]]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("notekb"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("notekb")}
        out[module] = found
    return out


def test_the_folder_listing_shows_the_architecture():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert rooms == {"pipeline", "formats", "pages", "search", "publish", "mkdocs", "cli"}
    for name in ("read", "clean", "route", "link", "build"):
        assert (PACKAGE / "pipeline" / f"{name}.py").exists()


def test_imports_only_run_down():
    wrong = []
    for module, targets in imports().items():
        mine = room(module)
        if mine not in MAY_IMPORT:
            if mine == "base" or module == "notekb.plugin":  # the one-release alias of the plugin
                bad = [t for t in targets if room(t) != "base" and module != "notekb.plugin"]
                wrong += [(module, t) for t in bad]
            continue
        for target in targets:
            other = room(target)
            if other != mine and other not in MAY_IMPORT[mine]:
                wrong.append((module, target))
            if mine == "pipeline" and other == "pages" and module != "notekb.pipeline.build":
                wrong.append((module, target))
            if mine == "pages" and other == "pipeline":
                wrong.append((module, target))
    assert wrong == []


def test_modules_are_small_enough_to_read_in_one_sitting():
    long = {p.relative_to(PACKAGE).as_posix(): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
