"""Boilerplate found by a rule: calls to follow, like or share at a note's edges, and
machine-written appendices at its end; nothing that carries content is removed."""

from __future__ import annotations

from notekb.formats.blog import strip_calls_to_action
from notekb.pipeline.clean import names_something
from notekb.records import Line
from notekb.registry import Registry

REGISTRY = Registry.load()


def run(text: str) -> tuple[list[str], list[int]]:
    lines = [Line(k + 1, t) for k, t in enumerate(text.split("\n"))]
    kept, removed = strip_calls_to_action(lines, REGISTRY, lambda t: names_something(t, REGISTRY))
    return [line.text for line in kept if line.text.strip()], [r.line for r in removed]


def test_calls_in_every_language_at_the_end_and_the_start():
    text = "欢迎关注我的公众号\n\n正文讲 Gemma 的 RoPE。\n\n第二段正文。\n\n---\n\n觉得有用请点赞、在看、转发！\n\n구독과 좋아요 부탁드립니다\n\nフォローといいねをお願いします"
    kept, removed = run(text)
    assert kept == ["正文讲 Gemma 的 RoPE。", "第二段正文。"]
    assert removed == [1, 9, 11, 13]


def test_a_paragraph_that_names_a_model_or_term_is_content():
    kept, _ = run("正文。\n\n关注一下 Gemma 7B 的 MoE 结构变化。")
    assert kept == ["正文。", "关注一下 Gemma 7B 的 MoE 结构变化。"]


def test_long_paragraphs_are_content_whatever_they_say():
    long = "欢迎关注" + "这是一段很长的正文，讲了很多东西。" * 20
    assert run(f"正文。\n\n{long}")[0][-1] == long


def test_a_machine_written_appendix_at_the_end_goes_whole():
    kept, _ = run("一\n\n二\n\n三\n\n## 事实核查（AI 生成）\n\nGemma 的说法核对无误。\n\n- 第一条")
    assert kept == ["一", "二", "三"]
    early, _ = run("## Fact-check summary\n\n一\n\n二\n\n三\n\n四")
    assert early[0] == "## Fact-check summary"  # not at the end: a section like any other
