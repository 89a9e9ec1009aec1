"""A `mkdocs serve` rebuild reuses what the last build made (notes, pages, the link graph); its
pages must be exactly those a fresh build of the same notes makes."""

from __future__ import annotations

import shutil
import sys

from conftest import DATA, NOTES, ROOT

from notekb.pipeline import NoteCache, build_site
from notekb.records import Page
from notekb.registry import Registry

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

REGISTRY = Registry.load()
HOME = [Page("index.md", "首页", "# 首页\n\n<!-- notekb:family -->\n\n见 [模型](models/index.md)。\n")]


def _pages(site) -> dict[str, str]:
    return {p.path: p.markdown for p in site.pages + site.docs_pages}


def test_rebuilds_after_edits_give_the_pages_of_a_fresh_build(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    shutil.copytree(generate(tmp_path / "corpus", 30), notes / "corpus")
    cache = NoteCache()
    build_site(notes, REGISTRY, cache, HOME)

    edited = sorted((notes / "corpus").rglob("*.txt"))[3]
    mentions = notes / "mentions.md"
    mentions.write_text("# Gemma 读书笔记\n\nGemma 使用 RoPE 和 GeGLU，提到混合专家与知识蒸馏，比 Gemini 1.5 小。\n", encoding="utf-8")
    build_site(notes, REGISTRY, cache, HOME)
    steps = [
        # Same pages, fewer links: the glossary must stop listing this note under the terms.
        lambda: mentions.write_text("# Gemma 读书笔记\n\nGemma 的这一段不再提到任何术语，比 Gemini 1.5 小。\n", encoding="utf-8"),
        # A new title: every page listing this note among its backlinks must show it, also the
        # Gemini 1.5 page, whose own Markdown does not change.
        lambda: mentions.write_text("# Gemma 新的标题\n\nGemma 的这一段不再提到任何术语，比 Gemini 1.5 小。\n", encoding="utf-8"),
        lambda: (notes / "001_0fd4e0d5ad12595e.txt").write_bytes((notes / "001_0fd4e0d5ad12595e.txt").read_bytes() + "\n\n补充：Gemini 2.5 的思考预算可以调节。\n".encode()),
        lambda: shutil.copy(DATA / "unseen" / sorted(p.name for p in (DATA / "unseen").iterdir())[0], notes / "new-note.md"),
        lambda: edited.unlink(),
        lambda: (notes / "003_85ea77ce08776b2e.txt").rename(notes / "003-renamed.txt"),
    ]
    for step in steps:
        step()
        rebuilt = build_site(notes, REGISTRY, cache, HOME)
        fresh = build_site(notes, REGISTRY, None, HOME)
        assert rebuilt.processed < len(rebuilt.notes)
        assert _pages(rebuilt) == _pages(fresh)
