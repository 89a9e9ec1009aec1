"""The two safety layers: note Markdown made harmless, and the final HTML allow-list."""

from __future__ import annotations

import pytest

from notekb.safety import neutralize_markdown, sanitize_html, unsafe_url


@pytest.mark.parametrize(
    "note, must_not_contain",
    [
        ("<script>alert(1)</script>", "<script"),
        ("<SCRIPT src=//evil.example/x.js></SCRIPT>", "<SCRIPT"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<object data="x.swf"></object><embed src="x.swf">', "<embed"),
        ('<img src="x.png" onerror="alert(1)">', "<img"),
        ('<b onclick="alert(1)">bold</b>', "onclick"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[click](java&#115;cript:alert(1))", "cript:alert"),
        ("<javascript:alert(1)>", "<javascript:"),
        ("[ref]: javascript:alert(1)", "javascript:"),
        ('<svg/onload=alert(1)>', "<svg"),
        ('{: onclick="alert(1)" }', "\n{:"),
    ],
)
def test_unsafe_markup_in_a_note_is_neutralized(note, must_not_contain):
    out = neutralize_markdown(note)
    assert must_not_contain not in "\n" + out


def test_formatting_tags_stay_and_lose_their_attributes():
    assert neutralize_markdown('<b style="x" onclick="y">粗体</b> 和 <sup>2</sup>') == "<b>粗体</b> 和 <sup>2</sup>"


def test_code_is_left_as_written():
    note = "```html\n<script>alert(1)</script>\n```\n\n用 `<iframe>` 嵌入"
    assert neutralize_markdown(note) == note


def test_safe_links_and_text_comparisons_are_untouched():
    note = "[论文](https://arxiv.org/abs/2403.05530) <https://example.com> a < b > c [维基](https://en.wikipedia.org/wiki/Transformer_(deep_learning))"
    assert neutralize_markdown(note) == note


def test_unsafe_url_sees_through_disguises():
    assert unsafe_url(" JaVaScRiPt:alert(1)") and unsafe_url("java\tscript:x") and unsafe_url("data:text/html,<b>")
    assert not unsafe_url("https://example.com/javascript:") and not unsafe_url("mailto:a@b.c")


def test_final_html_allow_list():
    html = (
        '<div class="nkb-excerpt" lang="ko" id="x" data-k="1"><p onclick="x()">文</p><script>bad()</script>'
        '<a href="javascript:alert(1)">j</a><a href="../notes/a/#s1" class="headerlink">ok</a><iframe src="x"></iframe></div>'
    )
    out = sanitize_html(html)
    assert "<script" not in out and "onclick" not in out and "javascript:" not in out and "<iframe" not in out
    assert 'class="nkb-excerpt"' in out and 'lang="ko"' in out and 'data-k="1"' in out and 'href="../notes/a/#s1"' in out
