"""Digests whose papers are headings only, and links to a note's own headings."""

from __future__ import annotations

from notekb.pipeline.clean import clean_note
from notekb.pipeline.route import route_note
from notekb.records import RawNote
from notekb.registry import Registry

REGISTRY = Registry.load()


def note(text: str, lang: str | None = None):
    meta = {"lang": lang} if lang else {}
    raw = RawNote(rel="n.md", id="n", text=text, first_line=1, meta=meta, encoding="utf-8", digest="x")
    return route_note(clean_note(raw, REGISTRY), REGISTRY)


def test_a_digest_of_paper_titles_is_split_and_routed_per_paper():
    text = (
        "# 速递\n\n两篇。\n\n## Gemma: Open Models Based on Gemini Research and Technology\n\nGemma 的两个尺寸。\n\n"
        "## Gemini 1.5: Unlocking multimodal understanding across millions of tokens of context\n\nGemini 1.5 Pro 的长上下文。\n\n"
        "## 一个不是论文的小节\n\n杂谈。\n\n## Tiny Paper 2401.00001 about things\n\n别的。"
    )
    result = note(text)
    assert result.is_digest
    targets = [(p.title, p.target.kind, p.target.id) for p in result.parts]
    assert ("Gemma: Open Models Based on Gemini Research and Technology", "model", "gemma") in targets
    assert any(t[1:] == ("model", "gemini-1.5") for t in targets)
    assert any(p.arxiv == "2401.00001" for p in result.parts)
    assert any(p.title is None and any(s.title == "一个不是论文的小节" for s in p.sections) for p in result.parts)


def test_english_section_headings_of_a_note_are_not_papers():
    result = note("# Gemini 1.0 노트\n\n## 2. Model Architecture\n\n제미나이.\n\n## 3. Training Infrastructure\n\nTPU.", "ko")
    assert not result.is_digest


def test_a_table_of_contents_follows_the_headings_cleaning_renamed():
    text = "## 目录\n\n- [1. 模型架构](#1-模型架构)\n- [训练](#训练数据)\n- [附录](#没有这一节)\n\n## 1. 模型架构\n\n内容。\n\n## 训练数据\n\n内容。"
    body = note(text).parts[0].sections[0].body
    assert "[1. 模型架构](nkb:note/.#s1)" in body and "[训练](nkb:note/.#训练数据)" in body
    assert "附录" in body and "没有这一节" not in body
