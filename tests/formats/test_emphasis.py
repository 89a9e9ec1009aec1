"""Emphasis markers that pair with nothing are taken out (issue 14): a stray `**` never shows,
and nothing that pairs, nothing in code, math or a URL, and no horizontal rule is touched."""

from __future__ import annotations

import markdown
import pytest

from notekb.formats.emphasis import balance_emphasis


@pytest.mark.parametrize(
    "text, expected",
    [
        ("通过强化学习（RL）**进行专门训练", "通过强化学习（RL）进行专门训练"),  # the opening marker was lost
        ("**要点**：先读摘要，再看**实验", "**要点**：先读摘要，再看实验"),  # two pair, the third does not
        ("训练分三步** 然后评测", "训练分三步 然后评测"),  # a closing run that nothing opened
        ("只有这个 *** 孤零零", "只有这个  孤零零"),
        ("**外层 __内层** 收尾", "**外层 内层** 收尾"),  # opened inside a pair, closed nowhere
        ("__要点 没有收尾", "要点 没有收尾"),
        ("__要点 见 max__len", "要点 见 max__len"),  # "_" inside a word closes nothing
    ],
)
def test_unpaired_runs_are_removed(text, expected):
    assert balance_emphasis(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "**模型架构**：沿用解码器",  # paired
        "这是 **加粗** 和 *斜体* 和 ***两者***",
        "**通过强化学习（RL）**进行",  # paired across CJK punctuation, as Python-Markdown pairs it
        "变量名 max__len 与 __init__ 方法",  # inside words / pairing underscores
        "GPT-4* 的脚注和 3 * 4 的乘法",  # a single "*" means the character
        "代码 `a ** b` 与公式 $x^{**}$ 不动",
        "链接 https://example.org/a**b 不动",
        "***",  # a horizontal rule
        "填空：___ 处写答案",  # a blank to fill in
        "转义的 \\*\\* 保持原样",
    ],
)
def test_what_pairs_or_is_not_emphasis_is_kept(text):
    assert balance_emphasis(text) == text


def test_the_result_renders_without_stray_markers():
    for text in ("**要点**：先读摘要，再看**实验", "通过强化学习（RL）**进行专门训练", "训练分三步** 然后评测"):
        rendered = markdown.markdown(balance_emphasis(text))
        assert "**" not in rendered, rendered
        assert "**" in markdown.markdown(text)  # what the engine shows without the repair
