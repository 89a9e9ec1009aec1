"""The benchmark runner works end to end on a tiny corpus (its figures are not asserted: speed and
memory targets are benchmark results, reported in the README, not timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

# A static server for the edit-to-visible tests: `python -c SERVE HOST:PORT FOLDER`.
SERVE = (
    "import functools, http.server, sys; host, port = sys.argv[1].split(':'); "
    "http.server.ThreadingHTTPServer((host, int(port)), functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])).serve_forever()"
)


def _serve_module():
    sys.path.insert(0, str(ROOT / "bench"))
    import serve

    return serve


def test_edit_to_visible_times_an_edit_the_server_shows(tmp_path):
    serve = _serve_module()
    page = tmp_path / "site" / "page.html"
    page.parent.mkdir()
    page.write_bytes("<p>笔记</p>".encode("gbk"))
    result = serve.edit_to_visible([sys.executable, "-c", SERVE, "{addr}", str(page.parent)], "page.html", page,
                                   cwd=tmp_path, log=tmp_path / "serve.log", repeat=2, settle=0.1, start_timeout=60, visible_timeout=30)
    assert len(result["runs"]) == 2 and all(r > 0 for r in result["runs"]) and result["median_s"] > 0
    assert page.read_bytes() == "<p>笔记</p>".encode("gbk")  # restored


def test_edit_to_visible_fails_loudly_when_the_edit_never_shows(tmp_path):
    serve = _serve_module()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.html").write_text("<p>page</p>")
    note = tmp_path / "note.txt"  # not what the server serves: the edit never shows
    note.write_text("笔记\n", encoding="utf-8")
    with pytest.raises(serve.ServeError, match="did not show"):
        serve.edit_to_visible([sys.executable, "-c", SERVE, "{addr}", str(tmp_path / "site")], "page.html", note,
                              cwd=tmp_path, log=tmp_path / "serve.log", repeat=1, settle=0.1, start_timeout=60, visible_timeout=1.5)
    assert note.read_text(encoding="utf-8") == "笔记\n"


def test_corpus_generator_makes_distinct_notes_in_every_style(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import generate

    notes = generate(tmp_path / "c", 30)
    files = sorted(p for p in notes.rglob("*") if p.is_file())
    assert len(files) == 30
    contents = [p.read_bytes() for p in files]
    assert len(set(contents)) == 30
    assert any(c.startswith((b"\xff\xfe", b"\xfe\xff")) for c in contents)  # UTF-16
    assert any(b"Til next time" in c for c in contents) and any(b"# ELLA" in c for c in contents)


def test_runner_prints_the_table(tmp_path):
    result = subprocess.run(
        # Edit-to-visible at the larger size only, one edit per server: the four servers' first builds
        # are most of the cost.
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "6", "12", "--repeat", "1", "--serve-repeat", "1", "--serve-sizes", "12", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "| N | build with notekb | plain MkDocs build | overhead |" in out and "| with the zh-Hant edition | its cost |" in out
    assert "| 6 |" in out and "| 12 |" in out and "growth 6 -> 12 notes" in out
    rows = json.loads((tmp_path / "results.json").read_text())
    for row in rows:
        assert row["plugin_s"] > 0 and row["plain_s"] > 0 and row["rss_mb"] > 0
        assert row["layer_rebuild_s"] < row["layer_cold_s"]
        assert row["search_kb"] > 0 and row["load_kb"] > 0
        assert row["editions_s"] > 0 and row["editions_rebuild_s"] > 0
        assert row["zensical_s"] > 0 and len(row["all_zensical_s"]) == 1
        assert row["editions_process_s"] > row["editions_s"] > 0  # the process's wall time includes the build
        assert row["edited_page"].startswith("notes/")
    assert "| N | MkDocs + notekb cold build | Zensical cold build | edit-to-visible: notekb mkdocs serve |" in out
    small, large = rows
    assert small["serve"] is None and small["zensical_serve_s"] is None and "| 6 |" in out.split("| N | MkDocs + notekb")[1]
    # Each number is the time until the page showed the edit's marker (a marker that never shows raises).
    for name in ("mkdocs", "editions_mkdocs", "plain_mkdocs", "zensical"):
        value = large[f"{name}_serve_s"]
        assert isinstance(value, float) and value > 0, name
        assert len(large["serve"][name]["runs"]) == 1 and large["serve"][name]["startup_s"] > 0
