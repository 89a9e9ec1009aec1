"""The two safety layers: note Markdown made harmless, and the final HTML allow-list."""

from __future__ import annotations

import pytest

from notekb.formats.html import unsafe_url
from notekb.formats.markdown import neutralize_markdown


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


# ---------------------------------------------------------------------------------------------
# safe_markdown: balanced HTML, stray delimiters, and what Markdown engines must never see


from notekb.formats.markdown import plain_inline, safe_markdown, split_long  # noqa: E402
from notekb.pages.markdown import md_escape  # noqa: E402
from notekb.publish.sanitize import plain_title  # noqa: E402


def test_note_html_is_a_balanced_fragment():
    assert safe_markdown("<b>bold <i>both</b> after") == "<b>bold <i>both</i></b> after"
    assert safe_markdown("</i>stray close <sup>open") == "stray close <sup>open</sup>"
    # An embedded page is a line that says so (and links to it); half a tag is text.
    assert safe_markdown('<iframe\n  src="https://v.example/e/1"\n/>') == '<span class="nkb-missing-figure nkb-embed" role="note" lang="zh-Hans">原文此处嵌入了外部内容：<a href="https://v.example/e/1">v.example/e/1</a></span>'
    assert "<iframe" not in safe_markdown('<iframe src="javascript:alert(1)"></iframe>') and "javascript" not in safe_markdown('<iframe src="javascript:alert(1)">')
    assert safe_markdown("<iframe") == "&lt;iframe"  # the first line of one
    assert safe_markdown("a <!-- hidden --> b") == "a  b"
    deep = safe_markdown("<b>" * 50 + "x" + "</b>" * 50)
    assert deep.count("<b>") == 8 and deep.count("</b>") == 8


def test_delimiters_that_pair_with_nothing_show_as_themselves():
    assert safe_markdown("当 n<k 时") == "当 n&lt;k 时"
    assert safe_markdown("[[[ x") == "\\[\\[\\[ x"
    assert safe_markdown("![a](never") == "![a]\\(never"
    assert safe_markdown("a ``` b") == "a \\`\\`\\` b"
    assert safe_markdown("*****a*****") == "\\*\\*\\*\\*\\*a\\*\\*\\*\\*\\*"
    kept = "[Gemma](https://x.org) `a<b` $x<y$ https://x.org/?a=1&b=2 ***bold***"
    assert safe_markdown(kept) == kept


def test_plain_text_is_escaped_for_every_markdown_context():
    assert md_escape("a<b & c>d *e* _f_ [g] |h| `i` {j} $k \\") == "a&lt;b &amp; c&gt;d \\*e\\* \\_f\\_ \\[g\\] \\|h\\| \\`i\\` \\{j\\} &#36;k \\\\"


def test_titles_are_plain_text():
    assert plain_inline("**Gemini** 1.5 [论文](https://x) `code` snake_case _em_ &lt;b&gt;") == "Gemini 1.5 论文 code snake_case em <b>"
    assert plain_inline("<b>x</b> <!-- y --> n<k") == "x n<k"
    assert plain_title("&lt;/title&gt;&lt;script&gt;x") == "&lt;/title&gt;&lt;script&gt;x"
    assert plain_title('<code>a</code> &amp; "b"') == "a &amp; &quot;b&quot;"


def test_long_paragraphs_are_cut_between_words_outside_code():
    text = ("word " * 5000) + "`" + "c " * 3000 + "`"
    out = split_long(text, limit=4000)
    pieces = out.split("\n\n")
    assert len(pieces) > 3 and all(len(p) <= 4000 for p in pieces if "`" not in p)
    assert "`" + "c " * 3000 + "`" in out  # code is never cut
    assert split_long("short") == "short"
    solid = split_long("\\[" * 5000, limit=1000)
    assert all(p.startswith("\\[") and p.endswith("\\[") for p in solid.split("\n\n"))  # never inside an escape
