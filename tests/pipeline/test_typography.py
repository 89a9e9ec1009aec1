"""Chinese typography: spaces between Han and Latin/digits, full-width punctuation after Han
characters; never inside code, URLs, link targets or math; Korean left as written."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from conftest import DATA, SEEDS
from notekb.pipeline.clean import clean_note
from notekb.pipeline.read import read_note
from notekb.registry import Registry
from notekb.pipeline.typography import polish

REGISTRY = Registry.load()


@lru_cache(maxsize=None)
def cleaned(path):
    raw, _ = read_note(path, path.name, [m.id for m in REGISTRY.models])
    return clean_note(raw, REGISTRY)


def bodies(note) -> str:
    return "\n\n".join(s.body for p in note.parts for s in p.sections)


# ---------------------------------------------------------------------------------------------
# Spacing


@pytest.mark.parametrize(
    "text, expected",
    [
        ("使用了SentencePiece tokenizer来分词", "使用了 SentencePiece tokenizer 来分词"),
        ("训练支持32K token length", "训练支持 32K token length"),
        ("数据截止日期为2025年1月", "数据截止日期为 2025 年 1 月"),
        ("在Google最新的TPUv5p芯片上训练", "在 Google 最新的 TPUv5p 芯片上训练"),
        ("数据占比99%的样本", "数据占比 99% 的样本"),
        ("在**TPUv5e**上训练", "在 **TPUv5e** 上训练"),
        ("调用`layers.RMSNorm()`之后", "调用 `layers.RMSNorm()` 之后"),
        ("见[论文](https://arxiv.org/abs/2403.05530)第3节", "见 [论文](https://arxiv.org/abs/2403.05530) 第 3 节"),
    ],
)
def test_space_between_han_and_latin_or_digits(text, expected):
    assert polish(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "使用 SentencePiece tokenizer 来分词",  # already spaced: no double spaces
        "Gemini 1.5 Pro, Gemini 2.0 Flash; e.g. (MoE) works: yes!",  # English: untouched
        "基于 Transformer decoder 架构，针对 TPU 做了推理优化。",
    ],
)
def test_already_correct_text_is_unchanged(text):
    assert polish(text) == text


# ---------------------------------------------------------------------------------------------
# Punctuation


@pytest.mark.parametrize(
    "text, expected",
    [
        ("在TPUv5e上训练,速度很快.", "在 TPUv5e 上训练，速度很快。"),
        ("这是什么?好的!", "这是什么？好的！"),
        ("核心架构: 稀疏MoE", "核心架构：稀疏 MoE"),
        ("模型参数如下:", "模型参数如下："),
        ("数据质量;数据数量", "数据质量；数据数量"),
        ("稀疏混合专家(MoE)Transformer架构", "稀疏混合专家（MoE）Transformer 架构"),
        ("相比于 PaLM-2,这种方法更快", "相比于 PaLM-2，这种方法更快"),
    ],
)
def test_full_width_punctuation_after_han(text, expected):
    assert polish(text) == expected


def test_colon_after_a_parenthesis_in_chinese_text_is_full_width():
    # 001, line 31: "- 自主思考 (Autonomous Thinking): 对于旗舰模型Gemini 2.5"
    assert polish("自主思考 (Autonomous Thinking): 对于旗舰模型") == "自主思考（Autonomous Thinking）：对于旗舰模型"
    assert polish("事实性(Factuality): 书籍里的检索(retrieval)，问答任务") == "事实性（Factuality）：书籍里的检索（retrieval），问答任务"


def test_polish_is_idempotent_on_the_seed_lines():
    unstable = []
    for path in SEEDS.values():
        for line in path.read_text(encoding="utf-8").split("\n"):
            once = polish(line)
            if polish(once) != once:
                unstable.append((path.name, line))
    assert not unstable, unstable[:3]


# ---------------------------------------------------------------------------------------------
# What is never touched


@pytest.mark.parametrize(
    "text",
    [
        "使用 `pre_attention_norm(x),y` 做归一化",  # inline code
        "变量 `x_中文,a:b` 和",  # inline code with Han inside
        "损失函数是 $L=\\sum_i x_i,y$ 其中",  # inline math
        "公式 $$a,b:c(d)$$ 中文",  # display math
        "链接 https://example.com/path,a:b?x=1&y=2 里面",  # bare URL
        "见 <https://ai.google.dev/gemma/docs?hl=zh-cn> 文档",  # autolink
    ],
)
def test_code_math_and_urls_are_untouched(text):
    protected = re.findall(r"`[^`]+`|\$\$.*?\$\$|\$[^$]+\$|<https?://[^>]+>|https?://\S+", text)
    assert protected
    result = polish(text)
    for piece in protected:
        assert piece in result, (piece, result)


def test_url_with_parentheses_is_untouched():
    url = "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)"
    assert url in polish(f"参考 {url} 这个词条")


def test_link_target_is_untouched_but_its_label_is_polished():
    result = polish("见 [报告,第2节](https://example.com/a,b:c(1)) 的说明")
    assert "(https://example.com/a,b:c(1))" in result
    assert "[报告，第 2 节]" in result
    result = polish("见[报告](https://example.com/中文,路径)说明")
    assert "(https://example.com/中文,路径)" in result


def test_fenced_code_is_untouched():
    code = "```python\nx = 1  # 中文,注释:好\nprint(x)  # 第2行(测试)\n```"
    text = f"代码如下:\n\n{code}\n\n之后的说明,很简短."
    result = polish(text)
    assert code in result
    assert result.startswith("代码如下：")
    assert result.endswith("之后的说明，很简短。")


@pytest.mark.parametrize(
    "text",
    [
        "트랜스포머 디코더, TPU(Google’s Tensor Processing Units)에서 모델 최적화",
        "훈련 장비:  TPUv5e 및 TPUv4 가속기를 사용, 가속기 가 적으면 기기가 자주 고장남",
        "젬마는 제미나이 연구와 기술을 바탕으로 만든 경량 오픈 모델. 2B, 7B 두 가지!",
        "SentencePiece 토크나이저(Kudo and Richardson, 2018)를 사용",
    ],
)
def test_korean_is_untouched(text):
    assert polish(text) == text


# ---------------------------------------------------------------------------------------------
# The typography the clean stage applies to the seeds


def test_cleaned_chinese_seed_is_spaced_and_uses_full_width_punctuation():
    text = bodies(cleaned(SEEDS["000"]))
    assert "可以在 10s 左右自动重新配置" in text  # source: "可以在10s左右"
    assert "图标（charts），截图" in text  # source: "图标(charts)，截图"
    text = bodies(cleaned(SEEDS["001"]))
    assert "数据截止日期为 2025 年 1 月" in text
    assert "动态地、智能地选择激活一小部分最相关的专家来处理信息。" in text  # " ," and " 。" fixed
    assert not re.search(r"[\u4e00-\u9fff],[\u4e00-\u9fff]", text)


def test_cleaned_code_keeps_its_punctuation():
    text = bodies(cleaned(SEEDS["003"]))
    assert "attn_output = self.pre_ffw_norm(attn_output)  # attention 之后,MLP 之前 再做一次" in text
    assert "inputs_normalized = self.pre_attention_norm(x)  # 先做一次 RMSNorm" in text


def test_cleaned_korean_seed_keeps_every_bullet_as_written():
    text = bodies(cleaned(SEEDS["002"]))
    source = SEEDS["002"].read_text(encoding="utf-8").split("\n")
    # (the cleaner turns the blog's non-breaking spaces into plain spaces)
    items = [line.replace("\u00a0", " ").strip().lstrip("•").strip() for line in source if line.strip().startswith("•")]
    assert len(items) > 30
    missing = [item for item in items if item not in text]
    assert not missing, missing[:3]


def test_cleaned_traditional_chinese_note_is_polished_too():
    text = bodies(cleaned(DATA / "notes" / "zh-hant-gemini15.md"))
    assert "長上下文和混合專家（MoE）架構" in text
    assert "以 Transformer 為基礎，每個輸入只會啟動一部分專家，" in text
