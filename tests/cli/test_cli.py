"""The `notekb` console script: `route` shows where each seed note (each digest part) lands and why;
`export` writes the pages to a folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "notes").glob("*.txt"))

_SCRIPT = Path(sys.executable).parent / ("notekb.exe" if os.name == "nt" else "notekb")
NOTEKB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "notekb.cli"]


def notekb(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUTF8="1", NO_MKDOCS_2_WARNING="1")
    return subprocess.run(NOTEKB + list(args), cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def parse_route(output: str) -> dict[str, dict]:
    """{file: {"target": url, "evidence": [...]} or {"parts": [(title, url, evidence), ...]}}."""
    notes: dict[str, dict] = {}
    current: dict | None = None
    evidence: list[str] | None = None
    for line in output.splitlines():
        if not line.strip():
            continue
        if m := re.match(r"^(\S+) → (\S+)  \(note page (\S+)\)$", line):
            evidence = []
            current = notes[m.group(1)] = {"target": m.group(2), "page": m.group(3), "evidence": evidence}
        elif m := re.match(r"^(\S+): digest of (\d+) papers \(note page (\S+)\)$", line):
            current = notes[m.group(1)] = {"parts": [], "count": int(m.group(2)), "page": m.group(3)}
        elif m := re.match(r'^  part "(.*)" → (\S+)$', line):
            assert current is not None
            evidence = []
            current["parts"].append((m.group(1), m.group(2), evidence))
        elif line.startswith("    "):
            assert evidence is not None, line
            evidence.append(line.strip())
        else:
            notes[line] = {"unparsed": True}
    return notes


@pytest.fixture(scope="module")
def seed_routes() -> dict[str, dict]:
    result = notekb("route", *[f"notes/{p.name}" for p in SEEDS])
    assert result.returncode == 0, result.stderr
    routes = parse_route(result.stdout)
    assert not [k for k, v in routes.items() if v.get("unparsed")], result.stdout
    return routes


@pytest.mark.parametrize(
    "seed,model,evidence",
    [
        ("000_0a32c9c4a1112e15.txt", "gemini-1.0", "Gemini 1.0"),
        ("001_0fd4e0d5ad12595e.txt", "gemini-2.5", "Gemini 2.5 ×6"),
        ("002_0b0be4c744a787e9.txt", "gemini-1.0", "title uses Gemini"),
        ("003_85ea77ce08776b2e.txt", "gemma", "title uses Gemma"),  # a bare family name (issue 13)
    ],
)
def test_whole_note_routes_with_evidence(seed_routes, seed, model, evidence):
    route = seed_routes[f"notes/{seed}"]
    assert route["target"] == f"models/{model}/"
    assert route["page"] == f"notes/{seed.removesuffix('.txt')}/"
    assert any(evidence in e for e in route["evidence"]), route["evidence"]
    assert route["evidence"][-1].startswith("→ ")


def test_digest_parts_route_with_evidence(seed_routes):
    route = seed_routes["notes/004_c634153634caeac2.txt"]
    parts = route["parts"]
    assert route["count"] == len(parts) == 12
    models = [(title, url) for title, url, _ in parts if url.startswith("models/")]
    assert [url for _, url in models] == ["models/gemini-1.5/", "models/gemma/"]
    assert models[0][0].startswith("Gemini 1.5: Unlocking multimodal understanding")
    assert models[1][0].startswith("Gemma: Open Models Based on Gemini")
    papers = [(title, url) for title, url, _ in parts if url.startswith("papers/")]
    assert len(papers) == 10
    assert ("ELLA: Equip Diffusion Models with LLM for Enhanced Semantic Alignment", "papers/ella/") in papers
    assert len({url for _, url in papers}) == 10
    for title, url, evidence in parts:
        assert evidence and evidence[-1].startswith("→ "), (title, evidence)
    gemini_15 = parts[0][2]
    assert any("title names Gemini 1.5 ×2" in e for e in gemini_15)
    assert all(e[-1].startswith("→ paper page:") for _, url, e in parts if url.startswith("papers/"))


def test_route_a_folder_and_front_matter(tmp_path):
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "sub" / "fm.md").write_text("---\nmodel: gemma\n---\n随便写几句，没有提到任何模型。\n", encoding="utf-8")
    (notes / "other.md").write_text("# 读书笔记\n\n今天读了一篇关于检索的论文。\n", encoding="utf-8")
    result = notekb("route", "notes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    routes = parse_route(result.stdout)
    assert routes["notes/sub/fm.md"]["target"] == "models/gemma/"
    assert routes["notes/sub/fm.md"]["evidence"] == ["front matter says model: gemma"]
    assert routes["notes/other.md"]["target"] == "others/"
    assert routes["notes/other.md"]["evidence"][-1].startswith("→ other notes:")


def test_route_unreadable_file_exits_1():
    result = notekb("route", "tests/data/bad/bad-encoding-latin1.txt", "notes/003_85ea77ce08776b2e.txt")
    assert result.returncode == 1
    assert "tests/data/bad/bad-encoding-latin1.txt: cannot be read" in result.stdout
    assert "error: tests/data/bad/bad-encoding-latin1.txt:3: unsupported encoding" in result.stdout
    assert "notes/003_85ea77ce08776b2e.txt → models/gemma/" in result.stdout


def test_export_writes_pages(tmp_path):
    out = tmp_path / "out"
    result = notekb("export", str(out))
    assert result.returncode == 0, result.stderr
    assert re.search(r"wrote \d+ pages from 5 notes", result.stdout)
    for page in [
        "models/gemini-1.0.md",
        "models/gemini-1.5.md",
        "models/gemini-2.5.md",
        "models/gemma.md",
        "notes/003_85ea77ce08776b2e.md",
        "papers/ella.md",
        "index.md",
        "contributing.md",
        "assets/notekb.css",
    ]:
        assert (out / page).is_file(), page
    # A title front matter (HTML-escaped: themes write it as HTML), then the content between the
    # comments the step after an engine's build finds it by (publish.export).
    gemma = (out / "models/gemma.md").read_text(encoding="utf-8")
    assert gemma.startswith("---\ntitle: Gemma\n---\n\n<!-- notekb:generated -->\n\n# Gemma\n")
    assert gemma.endswith("<!-- /notekb:content -->\n")


def test_help_lists_the_commands():
    result = notekb("--help")
    assert result.returncode == 0
    for command in ("check", "route", "export"):
        assert command in result.stdout
