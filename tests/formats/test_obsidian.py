"""Obsidian's wiki links, embeds, highlights and tags."""

from __future__ import annotations

from notekb.formats.obsidian import from_obsidian
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Registry

REGISTRY = Registry.load()


def run(text: str) -> tuple[str, list[str]]:
    trusted = Trusted()
    lines, tags = from_obsidian([Line(k + 1, t) for k, t in enumerate(text.split("\n"))], REGISTRY, trusted)
    return "\n".join(trusted.put_back(line.text) for line in lines), tags


def test_wiki_links_name_models_terms_notes_and_headings():
    out, _ = run("[[Gemma]]、[[Gemini 1.5|这一代]]、[[混合专家]]、[[我的另一篇笔记#训练]]、[[#本文小节]]、[[Gemma 2]]、[[제미나이]]")
    # Issue 13: a bare family name names the family (a model named like it, too: "Gemma" is the family).
    assert "[Gemma](nkb:family/gemma)" in out and "[这一代](nkb:model/gemini-1.5)" in out
    assert "[Gemma 2](nkb:model/gemma-2)" in out and "[제미나이](nkb:family/gemini)" in out
    assert "[混合专家](nkb:term/moe)" in out
    assert "[我的另一篇笔记 › 训练](nkb:find/%E6%88%91%E7%9A%84%E5%8F%A6%E4%B8%80%E7%AF%87%E7%AC%94%E8%AE%B0#%E8%AE%AD%E7%BB%83)" in out
    assert "(nkb:note/.#%E6%9C%AC%E6%96%87%E5%B0%8F%E8%8A%82)" in out


def test_embeds_highlights_and_tags():
    out, tags = run("#paper #google/gemma\n![[arch.png|架构]] 与 ![[别的笔记]]\n==重点== 与 a == b 与 `==code==` 以及 #训练 和 C# 和 &#123; 和 https://x.org/#frag")
    assert out.startswith("![架构](<arch.png>)") and "[别的笔记](nkb:find/" in out
    assert "<mark>重点</mark>" in out and "a == b" in out and "`==code==`" in out
    assert '<span class="nkb-tag">#训练</span>' in out and "C#" in out and "&#123;" in out and "https://x.org/#frag" in out
    assert tags == ["paper", "google/gemma", "训练"]
    assert "#paper" not in out  # a line of tags only is the note's tags


def test_code_is_left_alone():
    out, _ = run("```\n[[not a link]] ==x== #tag\n```")
    assert out == "```\n[[not a link]] ==x== #tag\n```"
