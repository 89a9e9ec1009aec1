"""Boxes from Docusaurus, VitePress and Obsidian become Material admonitions."""

from __future__ import annotations

from notekb.formats.admonitions import callouts, directives, no_headings_in_boxes
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Registry

FORMATS = Registry.load().formats


def run(text: str) -> str:
    trusted = Trusted()
    lines = [Line(k + 1, t) for k, t in enumerate(text.split("\n"))]
    lines = no_headings_in_boxes(callouts(directives(lines, trusted, FORMATS), trusted, FORMATS), trusted)
    return "\n".join(trusted.put_back(line.text) for line in lines)


def test_directives_with_titles_in_brackets_or_after_the_type():
    out = run(":::tip[小技巧]\n内容一\n:::\n\n::: warning 注意事项\n内容二\n:::\n\n:::caution\n无标题\n:::")
    assert '<div class="admonition tip" markdown="1">\n<p class="admonition-title">小技巧</p>' in out
    assert '<p class="admonition-title">注意事项</p>' in out and '<div class="admonition warning"' in out
    assert out.count('<div class="admonition warning"') == 2 and '<p class="admonition-title" lang="zh-Hans">警告</p>' in out
    assert ":::" not in out and out.count("</div>") == 3


def test_nested_and_unclosed_directives_are_balanced():
    out = run("::::note\n外层\n:::tip\n内层\n:::\n::::\n\n:::danger\n没有结束")
    assert out.count("<div") == out.count("</div>") == 3


def test_obsidian_callouts_fold_nest_and_keep_their_markdown():
    out = run("> [!warning]- 折叠\n> 第一行 **粗**\n> > [!note]+ 嵌套\n> > 里面\n\n之后的正文")
    assert '<details class="warning" markdown="1">\n<summary>折叠</summary>' in out
    assert '<details class="note" open markdown="1">\n<summary>嵌套</summary>' in out
    assert "第一行 **粗**" in out and "[!" not in out and out.endswith("之后的正文")


def test_a_heading_inside_a_box_does_not_cut_the_note():
    out = run(":::info\n## 小标题\n内容\n:::\n\n## 外面的标题")
    assert "**小标题**" in out and "## 外面的标题" in out


def test_unknown_types_are_notes_and_titles_are_text():
    out = run("> [!weird] a <b>x</b> *y*\n> 内容")
    assert '<div class="admonition note"' in out and "a &lt;b&gt;x&lt;/b&gt; &#42;y&#42;" in out
