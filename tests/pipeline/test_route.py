"""Stage 3, route: which model each note (or digest part) is about, with evidence; section topics."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import DATA, SEEDS, squash
from notekb.pipeline.clean import clean_note
from notekb.pipeline.read import read_note
from notekb.registry import Registry
from notekb.pipeline.mentions import reader_for, tally
from notekb.pipeline.route import route_note

REGISTRY = Registry.load()
NAMES = {m.id: m.name for m in REGISTRY.models}
FIXTURES = DATA / "notes"


@lru_cache(maxsize=None)
def routed(path: Path):
    raw, _ = read_note(path, path.name, list(NAMES))
    return route_note(clean_note(raw, REGISTRY), REGISTRY)


def routed_text(tmp_path: Path, text: str, name: str = "note.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return routed(path)


def target(note):
    assert len(note.parts) == 1
    return note.parts[0].target


def sections(note):
    return [s for p in note.parts for s in p.sections]


def section(note, title):
    [found] = [s for s in sections(note) if s.title and squash(s.title) == squash(title)]
    return found


def counts(text):
    """(names counted per model, bare family names per family) in a text."""
    found, _ = tally(text, reader_for(REGISTRY), REGISTRY)
    return found.strong, found.family


# ---------------------------------------------------------------------------------------------
# Seeds


@pytest.mark.parametrize("key, model", [("000", "gemini-1.0"), ("001", "gemini-2.5"), ("002", "gemini-1.0"), ("003", "gemma")])
def test_seed_routes_to_its_model_with_evidence(key, model):
    t = target(routed(SEEDS[key]))
    assert (t.kind, t.id) == ("model", model)
    assert t.evidence and all(isinstance(e, str) and e.strip() for e in t.evidence)
    assert any(NAMES[model] in e for e in t.evidence), t.evidence


def test_digest_004_parts_route_to_models_and_papers():
    note = routed(SEEDS["004"])
    assert len(note.parts) == 12
    by_title = {p.title.split(":")[0]: p.target for p in note.parts}
    assert (by_title["Gemini 1.5"].kind, by_title["Gemini 1.5"].id) == ("model", "gemini-1.5")
    assert (by_title["Gemma"].kind, by_title["Gemma"].id) == ("model", "gemma")
    papers = [p for p in note.parts if p.title.split(":")[0] not in ("Gemini 1.5", "Gemma")]
    assert len(papers) == 10
    for part in papers:
        assert part.target.kind == "paper", (part.title, part.target)
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", part.target.id), part.target.id
        assert part.target.evidence
    assert len({p.target.id for p in papers}) == 10
    for part in note.parts:
        assert part.target.evidence and all(e.strip() for e in part.target.evidence)
    assert any("Gemini 1.5" in e for e in by_title["Gemini 1.5"].evidence)
    assert any("Gemma" in e for e in by_title["Gemma"].evidence)


def test_a_gemini_mention_in_a_gemma_note_does_not_move_it():
    t = target(routed(SEEDS["003"]))
    assert t.id == "gemma"
    assert any("Gemini" in e for e in t.evidence)  # counted, and outweighed


# ---------------------------------------------------------------------------------------------
# Alias matching


@pytest.mark.parametrize("spelling", ["Gemini 1.5", "Gemini1.5", "gemini 1.5", "GEMINI-1.5", "Gemini_1.5", "Ｇｅｍｉｎｉ １.５", "雙子座 1.5", "gemini1.5-pro"])
def test_alias_spellings_count_for_the_model(spelling):
    strong, weak = counts(f"这篇讲的是 {spelling} 的长上下文。")
    assert strong == {"gemini-1.5": 1}
    assert not weak


def test_a_longer_name_does_not_count_for_a_shorter_alias():
    strong, weak = counts("Gemini 1.5 Pro 和 Gemini 1.0 Pro 不同，Gemini 1.5 Pro 的上下文更长。")
    assert strong == {"gemini-1.5": 2, "gemini-1.0": 1}
    assert not weak
    strong, weak = counts("Gemini 1.50 和 Gemini 1.5.1")
    assert "gemini-1.5" not in strong


def test_gemini_1_5_pro_never_routes_to_gemini_1_0(tmp_path):
    text = "Gemini 1.5 Pro 读书笔记\n\nGemini 1.5 Pro 用了 MoE。\nGemini 1.5 Pro 能读完一整本书。\nGemini 1.5 Pro 的视频理解也很强。\n"
    t = target(routed_text(tmp_path, text))
    assert (t.kind, t.id) == ("model", "gemini-1.5")
    assert not any("Gemini 1.0" in e for e in t.evidence)


def test_korean_gemini_misspelling_is_not_gemma():
    strong, weak = counts("젬마이니는 모델 상태의 중복 인메모리 사본을 사용. 젬마이니 나노는 소형 모델")
    assert "gemma" not in strong and "gemma" not in weak
    # 젬마 is Gemma's bare family name; "7B" after it names the first Gemma (issue 13).
    strong, family = counts("젬마는 오픈 모델이고 젬마의 크기는 2B, 7B")
    assert strong == {"gemma": 1} and family == {"gemma": 1}
    t = target(routed(SEEDS["002"]))  # 002 says 젬마이니 twice
    assert not any("Gemma" in e for e in t.evidence)


def test_variant_spellings_route_a_note(tmp_path):
    text = "读书笔记\n\nGemini1.5 的架构是 MoE。\n\ngemini 1.5 可以处理 1000 万 token。\n\nGEMINI-1.5 的视频理解很强。\n"
    t = target(routed_text(tmp_path, text))
    assert (t.kind, t.id) == ("model", "gemini-1.5")


def test_bare_family_name_means_the_version_the_note_names():
    # Names "Gemini 2.5" three times, then says just "Gemini": a Gemini 2.5 note, not Gemini 1.0.
    t = target(routed(FIXTURES / "zh-gemini25-bare-family.md"))
    assert (t.kind, t.id) == ("model", "gemini-2.5"), t.evidence


def test_bare_family_name_alone_means_the_original_report(tmp_path):
    text = "Gemini 报告笔记\n\nGemini 是多模态模型家族，分 Ultra、Pro、Nano 三档。\nGemini 在 TPUv4 上训练，Gemini 的训练集是多语言的。\nGemini 可以原生输出图片，Gemini 的上下文长度是 32K。\n"
    t = target(routed_text(tmp_path, text))
    assert (t.kind, t.id) == ("model", "gemini-1.0")


# ---------------------------------------------------------------------------------------------
# Fixture notes


def test_front_matter_model_wins():
    note = routed(FIXTURES / "front-matter-wins.md")  # text is all about Gemini 1.5
    t = target(note)
    assert (t.kind, t.id) == ("model", "gemma")
    assert any("front matter" in e for e in t.evidence)


def test_front_matter_model_wins_over_a_seed_text(tmp_path):
    text = "---\nmodel: gemini-2.5\n---\n" + SEEDS["000"].read_text(encoding="utf-8")
    t = target(routed_text(tmp_path, text, "seed000-as-25.md"))
    assert (t.kind, t.id) == ("model", "gemini-2.5")


def test_other_labs_model_with_gemini_in_passing_goes_to_other():
    note = routed(FIXTURES / "zh-llama3-other.md")
    t = target(note)
    assert (t.kind, t.id) == ("other", note.id)
    assert any("Llama 3" in e for e in t.evidence)


def test_korean_gemma_note_goes_to_gemma():
    t = target(routed(FIXTURES / "ko-gemma.md"))
    assert (t.kind, t.id) == ("model", "gemma")
    assert any("Gemma" in e for e in t.evidence)


def test_korean_gemma_note_body_alone_is_enough(tmp_path):
    """Without its title (no blog header), the 젬마 mentions in the text still decide."""
    lines = (FIXTURES / "ko-gemma.md").read_text(encoding="utf-8").split("\n")
    body = "\n".join(lines[12:])
    t = target(routed_text(tmp_path, body, "ko-gemma-body.md"))
    assert (t.kind, t.id) == ("model", "gemma"), t.evidence


def test_traditional_chinese_gemini_1_5_note():
    note = routed(FIXTURES / "zh-hant-gemini15.md")
    t = target(note)
    assert (t.kind, t.id) == ("model", "gemini-1.5")
    assert note.lang == "zh-Hant"


def test_note_naming_no_model_goes_to_other():
    note = routed(FIXTURES / "with-image" / "moe-figures.md")
    t = target(note)
    assert (t.kind, t.id) == ("other", note.id)
    assert t.evidence


# ---------------------------------------------------------------------------------------------
# Topics


def test_topics_from_headings_001():
    note = routed(SEEDS["001"])
    assert section(note, "1.1 模型架构 (Model Architecture)").topic == "architecture"
    assert section(note, "1.2 训练数据集 (Training Dataset)").topic == "data"
    assert section(note, "1.3 训练基础设施 (Training Infrastructure)").topic == "infrastructure"
    assert section(note, "2.1 后训练总览 (Post-training Overview)").topic == "post-training"
    assert section(note, "2.3 针对小型模型的蒸馏 (Distillation for Smaller Models)").topic == "post-training"


def test_topics_from_english_headings_002():
    note = routed(SEEDS["002"])
    assert section(note, "2. Model Architecture").topic == "architecture"
    assert section(note, "3. Training Infrastructure").topic == "infrastructure"
    assert section(note, "4. Training Dataset").topic == "data"


def test_topics_from_traditional_and_korean_headings():
    hant = routed(FIXTURES / "zh-hant-gemini15.md")
    assert section(hant, "模型架構").topic == "architecture"
    assert section(hant, "長上下文").topic == "capabilities"
    assert section(hant, "評測").topic == "evaluation"
    ko = routed(FIXTURES / "ko-gemma.md")
    assert section(ko, "2. 모델 구조").topic == "architecture"
    assert section(ko, "3. 학습 인프라").topic == "infrastructure"


def test_topics_from_taiwan_words(tmp_path):
    """訓練資料 is Taiwan's 训练数据; 記憶體 (memory) is hardware, not 记忆 (memorization)."""
    text = "---\nlang: zh-TW\n---\n\n## 訓練資料\n\n資料經過清洗。\n\n## 硬體筆記\n\n記憶體不夠時要把批次調小。\n"
    note = routed_text(tmp_path, text, "tw-topics.md")
    assert section(note, "訓練資料").topic == "data"
    assert section(note, "硬體筆記").topic == "infrastructure"


def test_subsection_without_topic_words_inherits_its_parents_topic(tmp_path):
    text = "## 3 训练基础设施\n使用 TPUv4 来训练。\n\n### 3.1 一些细节\n他们每一到两周就会遇到一次这样的问题。\n"
    note = routed_text(tmp_path, text, "inherit.md")
    assert section(note, "3 训练基础设施").topic == "infrastructure"
    assert section(note, "3.1 一些细节").topic == "infrastructure"


def test_note_without_headings_003_is_split_by_topic():
    note = routed(SEEDS["003"])
    secs = sections(note)
    assert len(secs) >= 3
    topics = [s.topic for s in secs]
    assert len(set(topics)) >= 3
    code = [s for s in secs if "```python" in s.body]
    assert len(code) == 1 and code[0].topic == "architecture"
    assert "class Block(nn.Module):" in code[0].body and "return cache, outputs" in code[0].body
    infra = [s for s in secs if "16pods" in s.body or "TPUv5e" in s.body]
    assert infra and all(s.topic == "infrastructure" for s in infra)
    anchors = [s.anchor for s in secs]
    assert len(set(anchors)) == len(anchors)
    # Splitting loses nothing and keeps the order.
    unsplit = clean_note(read_note(SEEDS["003"], SEEDS["003"].name)[0], REGISTRY)
    assert "\n\n".join(s.body for s in secs) == "\n\n".join(s.body for s in unsplit.parts[0].sections)


def test_every_section_has_a_known_topic():
    known = {t.id for t in REGISTRY.topics}
    for path in [*SEEDS.values(), *sorted(FIXTURES.glob("*.md")), *sorted(FIXTURES.glob("*.txt"))]:
        for s in sections(routed(path)):
            assert s.topic in known, (path.name, s.title, s.topic)


# ---------------------------------------------------------------------------------------------
# The family grows (issue 13): fixtures in tests/data/family, written for these rules

FAMILY = DATA / "family"


@pytest.mark.parametrize(
    "name, model",
    [("zh-gemma2.md", "gemma-2"), ("ko-gemma3.md", "gemma-3"), ("zh-hant-gemini20.md", "gemini-2.0"), ("zh-news-log.md", "gemini-2.5")],
)
def test_each_generation_lands_on_its_own_page(name, model):
    t = target(routed(FAMILY / name))
    assert (t.kind, t.id) == ("model", model), t.evidence
    assert any(NAMES[model] in e for e in t.evidence)


def test_a_gemini_2_0_note_is_not_gemini_2_5():
    t = target(routed(FAMILY / "zh-hant-gemini20.md"))
    assert t.id == "gemini-2.0" and not any("Gemini 2.5" in e for e in t.evidence)
    assert any("compared with: Gemini 1.5" in e for e in t.evidence)  # "和 Gemini 1.5 Pro 相比"


def test_a_news_log_reads_versions_apart_from_the_family_name():
    t = target(routed(FAMILY / "zh-news-log.md"))
    assert any("Gemini … 2.5 Pro" in e and "Gemini … 2.5 版本" in e for e in t.evidence), t.evidence


def test_an_app_built_on_gemini_is_not_a_gemini_note():
    note = routed(FAMILY / "ko-app-readme.md")
    t = target(note)
    assert (t.kind, t.id) == ("other", note.id), t.evidence
    assert any(e.startswith("not counted, used") and "Gemini ×2" in e for e in t.evidence)  # title "Gemini 기반", "Gemini API를"
    assert any(e.startswith("not counted, in code blocks") for e in t.evidence)


def test_a_note_that_only_compares_against_gemma_is_not_about_it():
    note = routed(FAMILY / "zh-compare-only.md")
    t = target(note)
    assert (t.kind, t.id) == ("other", note.id), t.evidence
    assert any(e.startswith("not counted, compared with: Gemma ×4") for e in t.evidence)
    assert any(e.startswith("not counted, in tables") for e in t.evidence)


def test_a_note_about_the_whole_family_goes_to_the_family_and_names_the_members_it_discusses():
    t = target(routed(FAMILY / "en-gemma-family.md"))
    assert (t.kind, t.id) == ("family", "gemma"), t.evidence
    assert t.members == ["gemma", "gemma-2", "gemma-3"]


def test_several_members_alike_go_to_the_family(tmp_path):
    text = "Gemini 2.0 与 Gemini 2.5 读后\n\nGemini 2.0 Flash 原生调用工具。Gemini 2.5 Pro 会先思考。\n\nGemini 2.0 的上下文 100 万 token。Gemini 2.5 用了 MoE。\n"
    t = target(routed_text(tmp_path, text))
    assert (t.kind, t.id) == ("family", "gemini"), t.evidence
    assert t.members == ["gemini-2.0", "gemini-2.5"]


def test_a_note_naming_only_the_bare_family_goes_to_the_family(tmp_path):
    text = "Gemini 读后感\n\nGemini 是 Google 的多模态模型家族。Gemini 能读图片和视频，Gemini 也能写代码。\n"
    t = target(routed_text(tmp_path, text))
    assert (t.kind, t.id) == ("family", "gemini"), t.evidence
    assert t.members == []


@pytest.mark.parametrize(
    "sizes, model",
    [("2B and 7B", "gemma"), ("1B, 4B and 12B", "gemma-3"), ("9B and 27B", "gemma-2"), ("7B, 9B and 12B", None)],
)
def test_sizes_only_one_member_has_tell_which_member_a_bare_family_name_means(tmp_path, sizes, model):
    text = f"Notes on Gemma\n\nGemma is an open model family from Google, built with the same research as its larger models. The release has {sizes} sizes.\n\nGemma models ship both pretrained and instruction-tuned weights.\n"
    t = target(routed_text(tmp_path, text, f"sizes-{len(sizes)}.md"))
    if model is None:  # sizes of three generations: the family
        assert (t.kind, t.id) == ("family", "gemma"), t.evidence
    else:
        assert (t.kind, t.id) == ("model", model), t.evidence
        assert any("the only member with these sizes" in e for e in t.evidence)


def test_a_bare_family_name_in_a_title_is_weak_evidence(tmp_path):
    text = "Gemini 使用心得\n\n今天试了一下，回答挺快的，界面也不错，下次再写。顺便说一句，我也试了 Gemini 2.5 Pro。\n" + "生活随笔。" * 80 + "\n"
    t = target(routed_text(tmp_path, text))
    assert t.kind == "other", t.evidence
    before_issue_13 = "title uses Gemini"  # it counted as naming a model and routed the note
    assert any(before_issue_13 in e and "weak" in e for e in t.evidence)


def test_the_report_as_the_notes_source_counts_like_its_title():
    t = target(routed(SEEDS["002"]))
    assert any(e.startswith("its source is the Gemini 1.0 report") for e in t.evidence)
    assert t.evidence[-1].startswith("→ Gemini 1.0: its report is the note's source")


@pytest.mark.parametrize("text, model", [("PaliGemma 读书笔记\n\nPaliGemma 把 SigLIP 和语言模型接在一起。", "gemma"),
                                         ("ShieldGemma 笔记\n\nShieldGemma 是安全分类器。", "gemma-2"),
                                         ("Gemma 3n 笔记\n\nGemma 3n 面向手机。", "gemma-3")])
def test_an_offshoot_lands_on_its_base_generation(tmp_path, text, model):
    t = target(routed_text(tmp_path, text + "\n", f"offshoot-{model}.md"))
    assert (t.kind, t.id) == ("model", model), t.evidence
    assert any("offshoots:" in e for e in t.evidence)


def test_the_seed_notes_route_as_before():
    expected = {"000": "gemini-1.0", "001": "gemini-2.5", "002": "gemini-1.0", "003": "gemma"}
    for key, model in expected.items():
        t = target(routed(SEEDS[key]))
        assert (t.kind, t.id) == ("model", model)
    digest = routed(SEEDS["004"])
    assert [p.target.id for p in digest.parts if p.target.kind == "model"] == ["gemini-1.5", "gemma"]
