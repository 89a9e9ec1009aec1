"""The benchmark runner works end to end on a tiny corpus (its figures are not asserted: speed and
memory targets are benchmark results, reported in the README, not timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


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
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "6", "12", "--repeat", "1", "--work", str(tmp_path)],
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
