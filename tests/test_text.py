"""Text helpers every stage relies on: the name scanner and the language guess."""

from __future__ import annotations

from notekb.text import NameScanner, detect_lang, scan_form, traditional_ratio

SCANNER = NameScanner([
    ("TPU v5e", "tpu"),
    ("Gemini 1.5", "g15"),
    ("Gemini 1.5 Pro", "g15pro"),
    ("混合专家", "moe"),
    ("RL", "rl"),
])


def found(text: str) -> list[tuple[str, object]]:
    return [(text[start:end], payload) for start, end, payload in SCANNER.scan(text)]


def test_names_match_in_any_case_width_spacing_and_chinese_script():
    text = "在ＴＰＵ-V5E上训练 gemini-1.5 pro，混合專家模型"
    assert found(text) == [("ＴＰＵ-V5E", "tpu"), ("gemini-1.5 pro", "g15pro"), ("混合專家", "moe")]


def test_longest_name_wins_and_a_shorter_one_is_tried_when_it_fails_a_word_boundary():
    assert found("Gemini 1.5 Pro 的上下文") == [("Gemini 1.5 Pro", "g15pro")]
    assert found("Gemini 1.5 Protocol") == [("Gemini 1.5", "g15")]


def test_latin_names_match_whole_words_only():
    assert found("hello world, RLHF") == []
    assert found("用 RL 微调") == [("RL", "rl")]


def test_version_numbers_are_not_prefixes_of_longer_ones():
    assert found("Gemini 1.5.1") == []
    assert found("Gemini 15") == []


def test_a_name_never_spans_a_line_break_or_a_nul():
    assert found("Gemini\n1.5") == []
    assert found("TPU\x00v5e") == []


def test_the_scan_form_keeps_every_index():
    for text in ["TPU v5e", "混合專家（MoE）", "Gemini 1.5. 然后", "a\x00b"]:
        assert len(scan_form(text)) == len(text)


def test_language_guess():
    assert detect_lang("這是一篇關於長上下文與混合專家模型的讀書筆記。") == "zh-Hant"
    assert detect_lang("这是一篇关于长上下文与混合专家模型的读书笔记。") == "zh-Hans"
    assert detect_lang("제미나이 1.5는 긴 컨텍스트를 처리합니다. MoE 구조를 씁니다.") == "ko"
    assert detect_lang("Gemini 1.5 handles long context with a mixture of experts.") == "en"
    assert traditional_ratio("这是简体中文") == 0.0 < traditional_ratio("這是繁體中文")


def test_japanese_is_its_own_language():
    assert detect_lang("2023年12月6日、Google は Gemini を発表しました。AI競争が激しくなる中です。") == "ja"
    assert detect_lang("这是一篇中文笔记，提到了片假名アルファ一次，Gemini 的训练数据很多。") == "zh-Hans"
    assert detect_lang("한국어 노트입니다. 제미나이는 멀티모달 모델입니다.") == "ko"


def test_invisible_and_control_characters_are_removed():
    from notekb.text import visible

    assert visible("\u200eGemini \u200b1.0\u00ad x\ufeffy \u202eevil\u202c a\u200db\x07") == "Gemini 1.0 xy evil ab"
    assert visible("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # a joiner between emoji stays
    assert visible("\ufff9 0 \ufffb") == " 0 "  # notekb's own token characters cannot come from a note
