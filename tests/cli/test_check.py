"""`notekb check`: every kind of bad input in tests/data/bad/ is named with the right message and
exit code, the seed notes pass, and the text checks behave on their own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notekb.cli.check import check_paths, duplicate_key, mask_code, unsafe_html
from notekb.pipeline.read import MAX_BYTES
from notekb.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
SEED_003 = ROOT / "notes" / "003_85ea77ce08776b2e.txt"

_SCRIPT = Path(sys.executable).parent / ("notekb.exe" if os.name == "nt" else "notekb")
NOTEKB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "notekb.cli"]


def notekb(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the installed console script as a contributor would; output decoded as UTF-8."""
    env = dict(os.environ, PYTHONUTF8="1", NO_MKDOCS_2_WARNING="1")
    return subprocess.run(NOTEKB + list(args), cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def lines_for(output: str, level: str, path: str) -> list[str]:
    """The diagnostic lines `<level>: <path>[:<line>]: …` of one file."""
    return [l for l in output.splitlines() if re.match(rf"{level}: {re.escape(path)}(:\d+)?: ", l)]


# (file, exit code, level, line(s) or None, pattern the message must match). The patterns and
# lines allow for read.py's wording and line choices to be refined (e.g. a YAML error reported
# where the bracket opens rather than where the parser noticed it).
BAD_FILES = [
    ("bad-encoding-latin1.txt", 1, "error", 3, r"(?i)encoding.*UTF-8"),
    ("bad-encoding-shiftjis.txt", 1, "error", 1, r"(?i)encoding.*UTF-8"),
    ("binary.txt", 1, "error", None, r"(?i)binary"),
    ("empty.txt", 1, "error", None, r"(?i)empty|no text"),
    ("whitespace-only.txt", 1, "error", None, r"(?i)empty|no text|whitespace"),
    ("yaml-error.md", 1, "error", (3, 4), r"front matter is not valid YAML"),
    ("unknown-field.md", 0, "warning", 3, r"unknown front matter field 'modle': did you mean 'model'\? \(known fields: title, model, lang, author, date, source, tags, slug\)"),
    ("unknown-model.md", 1, "error", 3, r"unknown model 'gemma-next' \(known models: gemini-1\.0, gemini-1\.5, gemini-2\.0, gemini-2\.5, gemini-3, gemma, gemma-2, gemma-3\)"),
    ("bad-date.md", 1, "error", 3, r"date '去年春天' is not a date \(expected YYYY-MM-DD"),
    ("bad-date-impossible.md", 1, "error", 3, r"date '2024-02-30' is not a date that exists$"),
    ("unsafe-slug.md", 1, "error", 3, r"slug '\.\./\.\./etc' would put the note's page outside the site's notes/ folder"),
    ("script-tag.md", 1, "error", 5, r"unsafe HTML: <script> "),
    ("iframe.md", 1, "error", 5, r"unsafe HTML: <iframe> "),
    ("event-handler.md", 1, "error", 5, r"unsafe HTML: event handler attribute onerror= on <img>"),
    ("javascript-url.md", 1, "error", 5, r"unsafe link: a javascript: URL"),
    ("lands-on-other-notes.md", 0, "warning", None, r"lands on other notes: no model of the registry is named"),
]


@pytest.mark.parametrize("name,code,level,line,pattern", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_named_with_its_problem(name, code, level, line, pattern):
    path = f"tests/data/bad/{name}"
    result = notekb("check", path)
    assert result.returncode == code, result.stdout + result.stderr
    found = [l for l in lines_for(result.stdout, level, path) if re.search(pattern, l)]
    assert found, result.stdout
    if line is not None:
        lines = line if isinstance(line, tuple) else (line,)
        assert any(re.match(rf"{level}: {re.escape(path)}:({'|'.join(map(str, lines))}): ", l) for l in found), result.stdout
    if code == 0:
        assert not lines_for(result.stdout, "error", path), result.stdout
    else:
        assert result.stdout.rstrip().endswith("in 1 file(s)")


def test_object_and_embed_are_both_reported_with_their_lines():
    path = "tests/data/bad/object-embed.md"
    result = notekb("check", path)
    assert result.returncode == 1
    assert f"error: {path}:5: unsafe HTML: <object> " in result.stdout
    assert f"error: {path}:7: unsafe HTML: <embed> " in result.stdout


def test_every_bad_file_has_a_test():
    tested = {b[0] for b in BAD_FILES} | {"object-embed.md", "duplicate-of-seed-003.txt"}
    assert {p.name for p in BAD.iterdir()} == tested


def test_oversize_file(tmp_path):
    big = tmp_path / "oversize.txt"
    big.write_bytes(("Gemma 读书笔记。" * 60_000).encode()[: MAX_BYTES + 1])
    result = notekb("check", str(big))
    assert result.returncode == 1
    [line] = lines_for(result.stdout, "error", big.as_posix())
    assert f"{MAX_BYTES:,}" in line and "limit" in line


def test_duplicate_of_a_note_in_the_same_folder(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SEED_003, notes / SEED_003.name)
    shutil.copy(BAD / "duplicate-of-seed-003.txt", notes / "duplicate-of-seed-003.txt")
    assert (notes / "duplicate-of-seed-003.txt").read_bytes() != SEED_003.read_bytes()
    result = notekb("check", cwd=tmp_path)  # default: notes/
    assert result.returncode == 0, result.stdout
    dup = lines_for(result.stdout, "warning", "notes/duplicate-of-seed-003.txt")
    assert len(dup) == 1 and f"duplicate note: same text as notes/{SEED_003.name}" in dup[0], result.stdout
    assert not lines_for(result.stdout, "warning", f"notes/{SEED_003.name}")


def test_new_note_is_compared_with_the_notes_folder():
    path = "tests/data/bad/duplicate-of-seed-003.txt"
    result = notekb("check", path)
    assert result.returncode == 0
    assert f"warning: {path}: duplicate note: same text as notes/{SEED_003.name}" in result.stdout


def test_duplicate_ignores_front_matter_nfkc_and_whitespace():
    a = "Gemma 有 2B 和 7B 两个尺寸。\n\n架构：Multi-Query Attention\n"
    b = "Ｇｅｍｍａ 有 2B 和 7B   两个尺寸。\r\n架构：Multi-Query  Attention"
    assert duplicate_key(a) == duplicate_key(b)
    assert duplicate_key(a) != duplicate_key(a.replace("7B", "8B"))
    assert duplicate_key(" \n\t") is None


def test_seed_notes_pass():
    result = notekb("check", "notes")
    assert result.returncode == 0, result.stdout
    assert not [l for l in result.stdout.splitlines() if l.startswith("error:")], result.stdout
    default = notekb("check")
    assert default.returncode == 0 and default.stdout == result.stdout


def test_folder_is_searched_at_any_depth(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.md").write_bytes((BAD / "script-tag.md").read_bytes())
    (tmp_path / "a" / "ignored.png").write_bytes(b"\x89PNG\x00")
    result = notekb("check", "a", cwd=tmp_path)
    assert result.returncode == 1
    assert "error: a/b/deep.md:5: unsafe HTML: <script>" in result.stdout
    assert "ignored.png" not in result.stdout


def test_missing_path_is_an_error(tmp_path):
    result = notekb("check", "no-such-note.md", cwd=tmp_path)
    assert result.returncode == 1
    assert "error: no-such-note.md: no such file or folder" in result.stdout


def test_accepted_encodings_pass(tmp_path):
    text = SEED_003.read_text(encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    (tmp_path / "gb18030.txt").write_bytes(("# 另一篇\n\nGemma 的词表有 256k。" + "\n").encode("gb18030"))
    (tmp_path / "utf8-bom.md").write_bytes("\ufeff# Gemma 笔记（BOM）\n\nGemma 2B 与 Gemma 7B。\n".encode("utf-8"))
    (tmp_path / "utf16.md").write_bytes("# Gemma 笔记（UTF-16）\n\nGemma 2B 与 Gemma 7B，UTF-16。\n".encode("utf-16"))
    result = notekb("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "error:" not in result.stdout, result.stdout


def test_github_annotations():
    result = notekb("check", "--format", "github", "tests/data/bad/script-tag.md", "tests/data/bad/unknown-field.md")
    assert result.returncode == 1
    assert "::error file=tests/data/bad/script-tag.md,line=5::unsafe HTML: <script>" in result.stdout
    assert "::warning file=tests/data/bad/unknown-field.md,line=3::unknown front matter field 'modle'" in result.stdout


# ---------------------------------------------------------------------------------------------
# The checks as functions


def test_check_paths_returns_diagnostics():
    registry = Registry.load()
    found = check_paths([BAD / "iframe.md", BAD / "unknown-field.md"], registry)
    assert [(Path(d.path).name, d.level, d.line) for d in found] == [("iframe.md", "error", 5), ("unknown-field.md", "warning", 3)]
    assert check_paths([ROOT / "notes"], registry) == []


@pytest.mark.parametrize(
    "text",
    [
        "```html\n<script>alert(1)</script>\n```\n",
        "~~~\n<iframe src=x></iframe>\n~~~\n",
        "用 `<script>` 标签，或 ``<embed src=x>``。\n",
        "\\<script> 只是文字\n",
        "[链接](https://example.com/javascript:foo) 和 JavaScript: 一门语言\n",
        "公式 x<y 且 onload 这个词没关系\n",
        "<p class=\"note\">普通 HTML</p>\n",
    ],
)
def test_safe_text_is_not_reported(text):
    assert unsafe_html(text, "x.md") == []


@pytest.mark.parametrize(
    "text,line,what",
    [
        ("a\n<SCRIPT SRC=x></SCRIPT>\n", 2, "<script>"),
        ("<a href=\"java&#115;cript:alert(1)\">x</a>\n", 1, "javascript:"),
        ("<a href=\"java\tscript:alert(1)\">x</a>\n", 1, "javascript:"),
        ("[x][y]\n\n[y]: javascript:alert(1)\n", 3, "javascript:"),
        ("![图](JavaScript:alert(1))\n", 1, "javascript:"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)\n", 1, "data:text/html"),
        ("<img\n  src=x\n  onerror=alert(1)>\n", 3, "onerror="),
        ("<svg onload=alert(1)>\n", 1, "onload="),
        ("[x](https://a.example/){ onclick=\"alert(1)\" }\n", 1, "onclick="),
        ("```\ncode\n```\n<iframe src=x>\n", 4, "<iframe>"),
        ("<applet code=x>\n", 1, "<applet>"),
    ],
)
def test_unsafe_text_is_reported_with_its_line(text, line, what):
    found = unsafe_html(text, "x.md")
    assert found and found[0].line == line and what in found[0].message and found[0].level == "error"


def test_mask_code_keeps_lines():
    text = "a `b` c\n```\nx\n```\nd"
    masked = mask_code(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert masked.startswith("a     c") and masked.endswith("d")



def test_check_reads_each_file_once(tmp_path, monkeypatch):
    from pathlib import Path as _Path

    note = tmp_path / "note.md"
    note.write_text("---\ntitle: 一篇\n---\n\nGemma 的笔记。Gemma Gemma。\n", encoding="utf-8")
    reads = []
    original = _Path.read_bytes
    monkeypatch.setattr(_Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    check_paths([note], Registry.load())
    assert reads.count("note.md") == 1
