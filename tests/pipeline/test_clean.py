"""Stage 2, clean: boilerplate out, metadata into fields, structure rebuilt, digests split.

Runs read_note + clean_note on the seed notes and on the small notes in tests/data/notes/.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import DATA, SEEDS, seed_sentences, squash
from notekb.pipeline.clean import clean_note
from notekb.pipeline.read import read_note
from notekb.registry import Registry

REGISTRY = Registry.load()
FIXTURES = DATA / "notes"


@lru_cache(maxsize=None)
def cleaned(path: Path):
    raw, _ = read_note(path, path.name, [m.id for m in REGISTRY.models])
    return clean_note(raw, REGISTRY)


def seed(key: str):
    return cleaned(SEEDS[key])


def fixture(name: str):
    return cleaned(FIXTURES / name)


def sections(note):
    return [s for p in note.parts for s in p.sections]


def bodies(note) -> str:
    return "\n\n".join(s.body for s in sections(note))


def section(note, title: str):
    """The section whose heading is `title` (compared without spaces and punctuation width)."""
    found = [s for s in sections(note) if s.title and squash(s.title) == squash(title)]
    assert len(found) == 1, (title, [s.title for s in sections(note)])
    return found[0]


def source_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def placeholders(markdown: str) -> list[str]:
    return re.findall(r'<div class="nkb-missing-figure"[^>]*>(.*?)</div>', markdown)


# ---------------------------------------------------------------------------------------------
# Boilerplate


REMOVED = {
    "002": [(1, "인공지능 개발자 수다(유튜브 바로가기) 자세히보기"), (3, "자연어처리/LLM 모델"), (9, "목차"), (11, "반응형"), (81, "반응형")],
    "003": [(1, "Home"), (101, "Til next time,"), (102, "gqjia at 00:00"), (104, "scribble")],
    "001": [(40, "如果您喜欢我的文章,可以考虑打赏以支持我继续创作.")],
}


@pytest.mark.parametrize("key", sorted(REMOVED))
def test_seed_boilerplate_is_removed_and_logged_with_its_line(key):
    note = seed(key)
    logged = {(r.line, r.text) for r in note.removed}
    for line, text in REMOVED[key]:
        assert (line, text) in logged, (line, text, sorted(logged))
    text = bodies(note) + "\n".join(s.title or "" for s in sections(note))
    for _, removed in REMOVED[key]:
        assert removed not in text
    assert all(r.rule for r in note.removed)


@pytest.mark.parametrize(
    "path",
    [SEEDS["001"], SEEDS["002"], SEEDS["003"], FIXTURES / "ko-gemma.md", FIXTURES / "front-matter-wins.md", FIXTURES / "zh-llama3-other.md"],
    ids=lambda p: p.name,
)
def test_every_removal_points_at_its_line_in_the_file(path):
    """The notes with boilerplate (000 and 004 have none: test_notes_without_boilerplate_lose_nothing)."""
    lines = source_lines(path)
    removed = cleaned(path).removed
    assert removed
    for removal in removed:
        assert lines[removal.line - 1].replace("\u00a0", " ").strip() == removal.text


def test_notes_without_boilerplate_lose_nothing():
    for note in (seed("000"), seed("004"), fixture("zh-hant-gemini15.md"), fixture("en-new-blog.md"), fixture("en-wrapped.txt")):
        assert note.removed == [], note.rel


def test_fixture_boilerplate_is_removed():
    ko = fixture("ko-gemma.md")
    assert {r.line for r in ko.removed} >= {1, 3, 9, 11, 31}
    assert "반응형" not in bodies(ko) and "목차" not in bodies(ko)
    llama = fixture("zh-llama3-other.md")
    assert [r.line for r in llama.removed] == [19]
    assert "打赏" not in bodies(llama)
    front = fixture("front-matter-wins.md")
    assert {r.line for r in front.removed} == {11, 13, 15, 17}  # counted from the top of the file


# ---------------------------------------------------------------------------------------------
# Metadata


def test_tistory_metadata_and_link_card_002():
    note = seed("002")
    assert note.author == "Suda_777"
    assert note.date == "2024-09-11"
    assert note.title == "[LLM] Google Gemini - 논문 요약"
    assert "https://arxiv.org/abs/2312.11805" in [s.url for s in note.sources]
    text = bodies(note)
    for card_line in ("제미나이 논문 링크", "This report introduces a new family", "Gemini: A Family of Highly Capable Multimodal Models"):
        assert card_line not in text
    assert not re.search(r"^arxiv\.org$", text, re.M)
    assert "논문 연도: 2023" in text  # the line above the card stays


def test_jekyll_metadata_and_source_links_003():
    note = seed("003")
    assert note.author == "gqjia"
    assert note.date == "2024-02-24"
    assert note.title == "Gemma 技术报告"
    urls = [s.url for s in note.sources]
    assert urls == [
        "https://blog.google/technology/developers/gemma-open-models/",
        "https://ai.google.dev/gemma/docs?hl=zh-cn",
        "https://storage.googleapis.com/deepmind-media/gemma/gemma-report.pdf",
    ]
    text = bodies(note)
    assert "博客地址" not in text and "技术报告:" not in text and "技术报告：" not in text
    for url in urls:
        assert url not in text


def test_tistory_metadata_of_a_korean_fixture():
    note = fixture("ko-gemma.md")
    assert (note.author, note.date) == ("ml_daily", "2024-03-05")
    assert note.title == "[논문 리뷰] 젬마 기술 보고서 정리"


def test_notes_without_metadata_get_none():
    for key in ("000", "001"):
        note = seed(key)
        assert note.author is None and note.date is None and note.sources == []
        assert note.title_inferred


def test_digest_004_is_split_into_one_part_per_paper():
    note = seed("004")
    lines = source_lines(SEEDS["004"])
    titles = [line[2:].strip() for line in lines if line.startswith("# ")]
    links = [re.match(r"\[(.+)\]\((.+)\)$", line.strip()) for line in lines if line.startswith("[")]
    assert len(titles) == len(links) == 12
    assert note.is_digest
    assert len(note.parts) == 12
    for part, title, link in zip(note.parts, titles, links):
        assert part.title == title
        assert part.title_lang == "en"
        assert squash(part.subtitle) == squash(link.group(1))
        assert re.search(r"[\u4e00-\u9fff]", part.subtitle)
        assert part.url == link.group(2)
        assert part.arxiv == link.group(2).rsplit("/", 1)[1]
        assert re.fullmatch(r"\d{4}\.\d{5}", part.arxiv)
        assert part.sections and all(s.lang == "zh-Hans" for s in part.sections)
    assert note.parts[0].arxiv == "2403.05530" and note.parts[8].arxiv == "2403.08295"
    # Each part holds its own paper's abstract and no other's.
    first_words = [squash(lines[k + 3][:20]) for k, line in enumerate(lines) if line.startswith("# ")]
    assert all(first_words) and len(set(first_words)) == 12
    for k, part in enumerate(note.parts):
        text = squash(part.text)
        assert first_words[k] in text
        assert not any(w in text for j, w in enumerate(first_words) if j != k)


# ---------------------------------------------------------------------------------------------
# Headings and their depths


def test_implicit_stage_headings_001():
    note = seed("001")
    pre, post = section(note, "Pretrain阶段"), section(note, "Post training")
    assert (pre.level, post.level) == (1, 1)
    assert pre.parent is None and post.parent is None
    for title in ("1.1 模型架构 (Model Architecture)", "1.2 训练数据集 (Training Dataset)", "1.3 训练基础设施 (Training Infrastructure)"):
        child = section(note, title)
        assert (child.level, child.parent) == (2, pre.anchor), title
    for title in ("2.1 后训练总览 (Post-training Overview)", "2.2 “思考”(Thinking)能力的专门训练", "2.3 针对小型模型的蒸馏 (Distillation for Smaller Models)"):
        child = section(note, title)
        assert (child.level, child.parent) == (2, post.anchor), title
    assert "这个阶段的目标是" in post.body
    assert section(note, "1.3 训练基础设施 (Training Infrastructure)").line == 13


def test_numbered_heading_depth_follows_its_parents_000():
    note = seed("000")
    orphan = section(note, "5.1.2 能力上的趋势")
    assert orphan.level == 1 and orphan.parent is None
    parent = section(note, "5.2 多模态")
    child = section(note, "5.2.3 图片生成")
    assert child.level == parent.level + 1
    assert child.parent == parent.anchor
    assert section(note, "2 模型架构").level == 1
    assert section(note, "6.4.2 Instruction Tuning").level == 1
    assert [s.line for s in sections(note) if s.title] == [3, 23, 36, 50, 60, 63, 66]


def test_numbered_lines_002_are_headings():
    note = seed("002")
    titles = [s.title for s in sections(note) if s.title]
    assert titles == ["0. abstract", "1. Introduction", "2. Model Architecture", "3. Training Infrastructure", "4. Training Dataset"]
    assert all(s.level == 1 for s in sections(note) if s.title)
    assert section(note, "4. Training Dataset").line == 64


def test_numbered_list_003_stays_a_list():
    note = seed("003")
    assert not [s for s in sections(note) if s.title]
    text = bodies(note)
    assert "1. Multi-Query Attention\n2. RoPE Embeddings\n3. GeGLU Activations\n4. Normalizer Location" in text


def test_numbered_headings_of_fixtures():
    llama = fixture("zh-llama3-other.md")
    assert [s.title for s in sections(llama) if s.title] == ["1. 模型架构", "2. 训练数据", "3. 评测"]
    ko = fixture("ko-gemma.md")
    assert [s.title for s in sections(ko) if s.title] == ["1. 개요", "2. 모델 구조", "3. 학습 인프라"]
    hant = fixture("zh-hant-gemini15.md")
    assert [(s.title, s.level) for s in sections(hant) if s.title] == [("模型架構", 1), ("長上下文", 1), ("評測", 1)]


# ---------------------------------------------------------------------------------------------
# Lists


def test_bullets_002_become_nested_markdown_lists():
    note = seed("002")
    arch = section(note, "2. Model Architecture").body
    assert (
        "- 세가지 모델 사이즈\n"
        "    - 울트라: 가장 뛰어난 모델, TPU에서 효율적인 작동\n"
        "    - 프로: 비용/대기시간 측면에서 효율적\n"
        "    - 나노: 기기 내에서 실행되도록 설계, 두가지 버전 있음(1.8B, 3.25B 파라미터), 4비트로 양자화\n"
        "- 입력  데이터: 텍스트, 이미지, 차트, 스크린샷, PDF, 비디오"
    ) in arch
    infra = section(note, "3. Training Infrastructure").body
    assert "- 체크포인트 사용 안함\n    - 젬마이니는 모델 상태의 중복 인메모리 사본을 사용\n    - 예상치 못한" in infra
    for s in sections(note):
        assert "•" not in s.body
        for line in s.body.split("\n"):
            if line.lstrip().startswith("- "):
                assert (len(line) - len(line.lstrip())) % 4 == 0, line


def test_whole_list_is_one_block_002():
    body = section(seed("002"), "4. Training Dataset").body
    assert "\n\n" not in body  # one list, no paragraph breaks between its items
    assert body.count("\n- ") + 1 == 8 and body.count("\n    - ") == 4


def test_colon_numbered_line_continues_the_ordered_list_000():
    body = section(seed("000"), "5.1.2 能力上的趋势").body
    items = [line for line in body.split("\n") if re.match(r"\d+\. ", line)]
    assert [line.split(".")[0] for line in items] == ["1", "2", "3", "4", "5"]
    assert items[4].startswith("5. 多语言任务")
    assert "5：" not in body and "5:" not in body
    list_start = body.index("1. ")
    assert "\n\n" not in body[list_start:]


def test_nested_bullets_of_a_korean_fixture():
    body = section(fixture("ko-gemma.md"), "2. 모델 구조").body
    assert "- 젬마의 주요 변경점\n    - 멀티 쿼리 어텐션 (2B 모델만)\n    - RoPE 임베딩, GeGLU 활성화 함수\n    - RMSNorm으로 입력과 출력을 정규화" in body


def test_paragraph_after_a_bullet_list_is_not_swallowed_by_its_last_item():
    body = section(fixture("zh-hant-gemini15.md"), "長上下文").body
    item = next(line for line in body.split("\n") if "音訊" in line)
    assert "長上下文讓模型" not in item
    assert re.search(r"^長上下文讓模型可以直接讀完一整本書", body, re.M)


def test_lazy_continuation_of_a_list_item_is_joined_001():
    # "- 自主思考 (Autonomous Thinking): 对于旗舰模型Gemini 2.5" / "Pro,它可以..." is one item.
    body = section(seed("001"), "2.2 “思考”(Thinking)能力的专门训练").body
    item = next(line for line in body.split("\n") if "自主思考" in line)
    assert "Gemini 2.5 Pro，它可以自主决定" in item


# ---------------------------------------------------------------------------------------------
# Code


def test_unfenced_python_003_becomes_one_fence():
    lines = source_lines(SEEDS["003"])
    start = lines.index("class Block(nn.Module):")
    end = lines.index("    return cache, outputs")
    expected = "```python\n" + "\n".join(line.rstrip() for line in lines[start : end + 1]) + "\n```"
    text = bodies(seed("003"))
    assert text.count("```") == 2
    assert expected in text
    fence = text[text.index("```python") :]
    fence = fence[: fence.index("```", 3) + 3]
    assert "预训练设置" not in fence and "代码如下" not in fence


def test_existing_fence_is_kept():
    text = bodies(fixture("en-new-blog.md"))
    assert "```python\ndef route(tokens, experts, k=2):\n    scores = gate(tokens)\n    return top_k(scores, k)\n```" in text


# ---------------------------------------------------------------------------------------------
# Figures


def test_missing_images_become_placeholders_000():
    note = seed("000")
    found = placeholders(bodies(note))
    for name in ("gemini-model-sizes.png", "gemini-interleaved-txt-img-audio-video-inputs.png"):
        assert any(name in p for p in found), name
    assert "](imgs/" not in bodies(note)


def test_bare_figure_lines_become_placeholders_003():
    note = seed("003")
    text = bodies(note)
    found = placeholders(text)
    for name in ("figure1", "table 6", "table1", "image-20240224110715607", "image-20240224132220296"):
        assert any(name in p for p in found), name
        assert not re.search(rf"^{name}$", text, re.M), name


def test_image_next_to_the_note_is_kept_and_missing_one_is_a_placeholder():
    note = cleaned(FIXTURES / "with-image" / "moe-figures.md")
    assert (FIXTURES / "with-image" / "img" / "moe-layer.png").is_file()
    text = bodies(note)
    # Kept as an image whose file is copied into the site (render resolves nkb:asset per page).
    assert re.search(r"!\[MoE 层\]\(nkb:asset/n[0-9a-f]+/img/moe-layer\.png\)", text)
    assert [a.path.split("/", 3)[-1] for a in note.assets] == ["img/moe-layer.png"]
    assert note.assets[0].source.endswith("with-image/img/moe-layer.png")
    assert not any("moe-layer" in p for p in placeholders(text))
    found = placeholders(text)
    assert any("figure2-routing.png" in p for p in found)
    assert any("figure 3" in p for p in found)
    assert "](img/figure2-routing.png)" not in text


def test_remote_image_is_a_placeholder_linking_to_it(tmp_path):
    """Images whose files are not on this site become the named placeholder (issue #12): pages work
    offline and tell no other site who reads them; the placeholder links to the image."""
    path = tmp_path / "remote.md"
    path.write_text("MoE 笔记\n\n![路由示意](https://example.com/moe.png)\n\n正文 ![小图](https://example.com/s.png) 完。\n", encoding="utf-8")
    text = bodies(cleaned(path))
    assert "](https://example.com" not in text
    assert '<div class="nkb-missing-figure" role="note" lang="zh-Hans" title="https://example.com/moe.png">原文此处有图，未随笔记提供：<a href="https://example.com/moe.png"><code>路由示意</code></a></div>' in text
    assert '<span class="nkb-missing-figure"' in text and "<code>小图</code>" in text


# ---------------------------------------------------------------------------------------------
# Languages


def test_korean_note_002():
    note = seed("002")
    assert note.lang == "ko"
    assert all(s.lang == "ko" for s in sections(note))
    assert section(note, "2. Model Architecture").title_lang == "en"


def test_digest_parts_have_english_titles_over_chinese_text_004():
    note = seed("004")
    for part in note.parts:
        assert part.title_lang == "en"
        assert all(s.lang == "zh-Hans" for s in part.sections)


def test_simplified_chinese_seeds():
    for key in ("000", "001", "003"):
        note = seed(key)
        assert note.lang == "zh-Hans"
        assert all(s.lang == "zh-Hans" for s in sections(note)), key


def test_traditional_chinese_note_is_zh_hant():
    note = fixture("zh-hant-gemini15.md")
    assert note.lang == "zh-Hant"
    assert all(s.lang == "zh-Hant" for s in sections(note))
    assert "長上下文" in bodies(note)  # kept in its own script


def test_korean_fixture_and_english_notes():
    assert fixture("ko-gemma.md").lang == "ko"
    assert fixture("en-wrapped.txt").lang == "en"
    assert fixture("en-new-blog.md").lang == "en"
    assert all(s.lang == "en" for s in sections(fixture("en-new-blog.md")))


# ---------------------------------------------------------------------------------------------
# English notes: wrapped lines, and Markdown that is already clean


def test_wrapped_english_lines_stay_one_paragraph():
    note = fixture("en-wrapped.txt")
    text = bodies(note)
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in text.split("\n\n")]
    source = (FIXTURES / "en-wrapped.txt").read_text(encoding="utf-8").strip().split("\n\n")
    for original in source[1:]:
        assert re.sub(r"\s+", " ", original).strip() in paragraphs, original[:40]


def test_clean_markdown_keeps_its_title_headings_and_depths():
    note = fixture("en-new-blog.md")
    assert note.title == "Reading notes: Gemini 1.5 and long context"
    hashes = [(s.title, s.level) for s in sections(note) if s.title and not s.title[0].isdigit()]
    assert hashes == [("Architecture", 1), ("Attention", 2), ("Code", 1), ("Evaluation", 1)]
    assert section(note, "Attention").parent == section(note, "Architecture").anchor


def test_clean_markdown_ordered_list_is_not_turned_into_headings():
    note = fixture("en-new-blog.md")
    assert not [s for s in sections(note) if s.title and "Multi-query" in s.title]
    text = bodies(note)
    assert "1. Multi-query attention\n2. Longer context windows\n3. Better data mixture" in text


def test_clean_markdown_keeps_links_inline_code_lists_and_quotes():
    text = bodies(fixture("en-new-blog.md"))
    assert "[Gemini 1.5 report](https://arxiv.org/abs/2403.05530)" in text
    assert "`needle-in-a-haystack`" in text
    assert (
        "- Routing: each token is sent to a few experts\n"
        "- Training: on TPUv4 accelerators\n"
        "    - spread over multiple data centers\n"
        "    - 4096 chips per pod\n"
        "- Modalities: text, images, audio and video"
    ) in text
    assert "> Recall stays above 99% up to 10M tokens." in text


def test_clean_markdown_table_rows_stay_together():
    text = bodies(fixture("en-new-blog.md"))
    assert "| Model | Context |\n| --- | --- |\n| Gemini 1.5 Pro | 10M tokens |" in text


def test_clean_markdown_wrapped_paragraph_stays_one_paragraph():
    text = bodies(fixture("en-new-blog.md"))
    paragraph = next(p for p in text.split("\n\n") if "These are my notes" in p)
    assert "straight in Markdown." in paragraph


# ---------------------------------------------------------------------------------------------
# Nothing is lost


@pytest.mark.parametrize(
    "path",
    [SEEDS["000"], SEEDS["001"], SEEDS["004"]] + [FIXTURES / n for n in ("zh-hant-gemini15.md", "zh-llama3-other.md", "en-wrapped.txt", "en-new-blog.md")],
    ids=lambda p: p.name,
)
def test_every_sentence_survives_cleaning(path):
    note = cleaned(path)
    removed = {r.text for r in note.removed}
    everything = squash(
        "\n".join([note.title] + [(p.title or "") + (p.subtitle or "") for p in note.parts] + [(s.title or "") + s.body for s in sections(note)])
    )
    # Images and digest link lines are checked on their own (placeholders, part subtitles and URLs).
    sentences = [s for s in seed_sentences(path, removed) if not s.startswith("![") and not re.match(r"\[.*\]\(https?://", s)]
    assert len(sentences) >= 5
    missing = [s for s in sentences if squash(s) not in everything]
    assert not missing, missing[:3]
