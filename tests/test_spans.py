"""spans.scan: the one decision of what in a note's Markdown is code, math, a URL, HTML or a link,
and which delimiters pair with nothing."""

from __future__ import annotations

import pytest

from notekb.spans import closes_fence, fence_opener, mask, protected_spans, scan


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in scan(text).spans]


def strays(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], what) for a, b, what in scan(text).stray]


def test_code_spans_pair_runs_of_equal_length():
    assert kinds("a `x` b ``y ` z`` c") == [("`x`", "code"), ("``y ` z``", "code")]
    assert strays("a `` b") == [("``", "backticks")]
    assert kinds("\\`not code` here`") == [("\\`", "escape"), ("` here`", "code")]


def test_code_spans_do_not_cross_a_blank_line():
    assert strays("a `b\n\nc` d") == [("`", "backticks"), ("`", "backticks")]


def test_fences_open_and_close_as_in_commonmark():
    text = "intro\n```python {onclick=x}\n<script>\n```\nafter `x`"
    assert kinds(text)[0] == ("```python {onclick=x}\n<script>\n```", "fence")
    assert fence_opener("  ~~~~ js") == ("~~~~", " js") and fence_opener("``` a`b") is None
    assert closes_fence("~~~~~", "~~~~") and not closes_fence("~~~", "~~~~") and not closes_fence("``` x", "```")
    unclosed = "```\ncode to the end\n[a](b)"
    assert kinds(unclosed) == [(unclosed, "fence")]


def test_math_in_every_delimiter_and_prices_stay_text():
    assert kinds("$x_1$ and $$\\sum_i a_i$$") == [("$x_1$", "math"), ("$$\\sum_i a_i$$", "math")]
    assert kinds("\\(a^2\\) \\[b_1\\] \\begin{cases}x\\\\y\\end{cases}") == [
        ("\\(a^2\\)", "math"), ("\\[b_1\\]", "math"), ("\\begin{cases}x\\\\y\\end{cases}", "math"),
    ]
    assert kinds("| Pro | $2 | $8 |") == []
    assert kinds("costs $5 and $10 a month") == []
    assert kinds("\\[1\\] is a citation") == [("\\[", "escape"), ("\\]", "escape")]


def test_links_labels_and_targets():
    text = "see [Gemma](https://x.org/a_(b)) and ![fig](a.png) [1]"
    assert kinds(text) == [("[Gemma]", "label"), ("(https://x.org/a_(b))", "target"), ("![fig]", "label"), ("(a.png)", "target")]
    assert strays("[a](never closes") == [("(", "paren")]


def test_html_tags_comments_autolinks_and_urls():
    text = "<b>x</b> <!-- hidden --> <https://a.org> https://b.org/x_(y). 了 {: .cls }"
    assert kinds(text) == [
        ("<b>", "tag"), ("</b>", "tag"), ("<!-- hidden -->", "comment"), ("<https://a.org>", "autolink"),
        ("https://b.org/x_(y)", "url"), ("{: .cls }", "attrs"),
    ]


def test_what_would_start_markup_but_is_text_is_stray():
    assert strays("n<k and <iframe\nsrc=x") == [("<", "lt"), ("<", "lt")]
    assert strays("a < b > c <<<") == []  # no engine reads these as tags
    assert strays("]] [[[[x]]]]") == [("]", "bracket"), ("]", "bracket"), ("[", "bracket"), ("]", "bracket")]
    assert strays("*****a") == [("*****", "emphasis")] and strays("****") == []  # a rule, alone on its line


def test_kinds_can_be_chosen_and_masked():
    text = "a `<script>` b https://x.org"
    assert [k for _, _, k in [(a, b, s.kind) for a, b, s in protected_spans(text, frozenset({"code"}))]] == ["code"]
    masked = mask(text)
    assert masked == "a            b https://x.org" and len(masked) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "`" * 20000, "~" * 20000 + "\n", "[" * 20000, "](" * 20000, "![a](" * 10000, "<a" * 20000, "<!--" * 10000,
        "{:" * 20000, "$a " * 20000, "\\[" * 20000 + "=\\]", "\\begin{x}" * 5000, "\\" * 40000 + "`", "http://" * 10000,
    ],
)
def test_every_shape_is_scanned_in_linear_time(text):
    """The scan's work per character is bounded: a quarter of the text costs about a quarter."""
    import time

    def cost(t: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            scan(t)
            best = min(best, time.process_time() - started)
        return best

    small, large = cost(text[: len(text) // 4]), cost(text)
    assert large < 8 * max(small, 0.002), (small, large)
