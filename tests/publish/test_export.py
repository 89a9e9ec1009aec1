"""Pages as Markdown files for another engine (publish.export): a plain title, marked content, and
prose made safe for Zensical's link scanner without changing what a page says."""

from __future__ import annotations

import time

import markdown
import pytest

from notekb.publish.export import END, GENERATED, generated_markdown, hand_written_markdown, scanner_safe
from notekb.publish.extension import SanitizeExtension
from notekb.records import Page
from notekb.spans import map_prose

PAGE = """# Gemma 笔记

价格是 $5，公式 \\(x\\) 和 \\[注\\] 在正文里。

```python
cost = "$5 \\\\[x]"
```

行内代码 `a$b \\[c` 保持原样，链接 [论文](https://arxiv.org/abs/2403.08295?a=$1) 也是。

    缩进的代码 $x \\[y

最后一段：$$E=mc^2$$ 与 \\(y\\)。
"""


def test_prose_delimiters_become_references_code_and_links_stay_as_written():
    out = scanner_safe(PAGE)
    assert "价格是 &#36;5" in out and "&#40;x\\)" in out and "&#91;注\\]" in out
    assert 'cost = "$5 \\\\[x]"' in out  # fenced code
    assert "`a$b \\[c`" in out  # inline code
    assert "(https://arxiv.org/abs/2403.08295?a=$1)" in out  # a link target
    assert "    缩进的代码 $x \\[y" in out  # indented code


@pytest.mark.parametrize("text", [PAGE.replace("    缩进", "缩进"), PAGE.replace("```", "~~~").replace("    缩进", "缩进"), "```\n$ unclosed fence\n\n\\[x\n", "a\n\n\n\n$b\n  \n\\(c", "x" * 10 + " " * 80 + "$y"])
def test_paragraph_by_paragraph_gives_what_the_whole_page_gives(text):
    from notekb.publish.export import _KEPT, _defuse

    assert scanner_safe(text) == map_prose(text, _defuse, _KEPT)


def test_the_rendered_page_says_the_same():
    def render(text):
        return markdown.markdown(text, extensions=["fenced_code"])

    assert render(scanner_safe(PAGE)).replace("&#36;", "$").replace("&#40;", "(").replace("&#91;", "[") == render(PAGE)


def test_thousands_of_escaped_brackets_cost_linear_time():
    def cost(n):
        text = "\n\n".join("段落 \\[ 里 $ 有 \\( 括号" * 20 for _ in range(n))
        started = time.perf_counter()
        scanner_safe(text)
        return time.perf_counter() - started

    cost(10)
    small, large = cost(50), cost(500)
    assert large < small * 10 * 4  # ten times the text: about ten times the time, never a hundred


def test_a_generated_page_carries_a_plain_title_and_its_content_between_comments():
    out = generated_markdown(Page("notes/x.md", "</title><script>alert(1)</script>", "# 标题\n\n正文"))
    front, body = out.split("---\n")[1], out.split("---\n", 2)[2]
    assert "&lt;/title&gt;&lt;script&gt;" in front and "<script>" not in front
    assert body.strip().startswith(GENERATED) and body.strip().endswith(END) and "正文" in body
    assert hand_written_markdown("---\ntitle: 关于\n---\n# 关于\n").startswith("---\ntitle: 关于\n---\n<!-- notekb:content -->")


def test_the_extension_sanitizes_generated_pages_as_they_render():
    md = markdown.Markdown(extensions=[SanitizeExtension()])
    out = md.convert(f"{GENERATED}\n\n笔记 <img src=x onerror=alert(1)> 与 <script>alert(2)</script>\n\n{END}")
    assert "onerror" not in out and "<script" not in out and "笔记" in out
    assert out.startswith(GENERATED) and out.rstrip().endswith(END)
    md.reset()
    hand = md.convert("文档 <span onclick=x()>点</span>")  # a hand-written page (docs/): trusted, as written
    assert "onclick" in hand
