"""Issue 14, the pages as a reader meets them: every note has a human title, an excerpt never
repeats the heading it sits under, a paper's title is shown once, missing figures one after the
other are one line, and a heading over nothing but missing figures is not a section.

Built from the seed notes plus the small notes in tests/data/reading/ (written for these tests)."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import DATA, NOTES
from notekb.pages.excerpts import display_title
from notekb.pages.headings import heading_key, repeats_topic
from notekb.pipeline import build_site
from notekb.registry import Registry

READING = DATA / "reading"
REGISTRY = Registry.load()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reading-notes")
    for path in list(NOTES.iterdir()) + list(READING.iterdir()):
        shutil.copy(path, folder / path.name)
    return build_site(folder, REGISTRY)


def pages(site) -> dict[str, str]:
    return {p.path: p.markdown for p in site.pages}


def note(site, note_id: str):
    return next(n for n in site.notes if n.id == note_id)


def excerpt(markdown: str, topic: str, note_id: str) -> str:
    """The Markdown of one note's excerpt under one topic of a model page."""
    start = markdown.index(f'<div id="x-{topic}-{note_id}"')
    ends = [e for e in (markdown.find('<div id="x-', start + 10), markdown.find("\n## ", start)) if e != -1]
    return markdown[start : min(ends, default=len(markdown))]


def headings(markdown: str) -> list[str]:
    return [re.sub(r"\s*\{[^}]*\}\s*$", "", line.lstrip("#").strip()) for line in markdown.splitlines() if re.match(r"#{1,6} ", line)]


# ---------------------------------------------------------------------------------------------
# Titles


def test_notes_without_a_title_are_named_after_their_model_and_what_is_known_of_them(site):
    assert note(site, "000_0a32c9c4a1112e15").title == "Gemini 1.0 笔记"
    assert note(site, "001_0fd4e0d5ad12595e").title == "Gemini 2.5 笔记"
    assert note(site, "gemma-untitled").title == "Gemma 笔记（林小舟，2024-03-02）"  # front matter's author and date
    assert note(site, "gemini-2-5-thinking-budget-notes-copied-from-a-blog-post-without-a-title").title == "Gemini 2.5 笔记（blog.example.net，2024-05-01）"  # no author: the site
    assert re.fullmatch(r"论文速递：Gemini 1\.5 等 \d+ 篇论文", note(site, "004_c634153634caeac2").title)


def test_titles_the_note_gives_are_kept(site):
    assert note(site, "003_85ea77ce08776b2e").title == "Gemma 技术报告"  # its title line
    assert note(site, "002_0b0be4c744a787e9").title == "[LLM] Google Gemini - 논문 요약"  # the blog's title


def test_two_notes_that_would_share_a_made_up_title_are_told_apart(site):
    assert note(site, "gemma-bare-one").title == "Gemma 笔记"
    assert note(site, "gemma-bare-two").title == "Gemma 笔记之二"


def test_no_page_shows_a_file_name_as_a_title_and_urls_stay(site):
    stems = {path.stem for path in list(NOTES.iterdir()) + list(READING.iterdir())}
    for n in site.notes:
        assert n.id in stems  # notes/<file name>/ as before
        assert not any(stem in n.title for stem in stems), n.title
    for path, markdown in pages(site).items():
        for label in re.findall(r"(?<!!)\[((?:\\.|[^\]\\])*)\]\(", markdown):
            assert not any(stem.replace("_", "\\_") in label or stem in label for stem in stems), (path, label)


def test_the_file_name_is_metadata_on_the_note_page(site):
    markdown = pages(site)["notes/000_0a32c9c4a1112e15.md"]
    assert '| 文件 | <code class="nkb-path"><span>notes/</span><wbr><span>000_0a32c9c4a1112e15.txt</span></code> |' in markdown  # wraps after "/"
    assert markdown.startswith("# Gemini 1.0 笔记\n")


def test_a_label_does_not_repeat_what_the_title_says(site):
    markdown = pages(site)["models/gemma.md"]
    label = re.search(r"来源：\[Gemma 笔记（林小舟，2024-03-02）\]\([^)]*\)([^\n]*)", markdown).group(1)
    assert "林小舟" not in label and "2024-03-02" not in label and "简体中文" in label
    # a title of its own: the author and date are said in the label
    assert re.search(r"来源：\[Gemma 技术报告\]\([^)]*\) · gqjia · 2024-02-24 · 简体中文", markdown)


def test_display_title_never_falls_back_to_the_file_name(site):
    for n in site.notes:
        assert display_title(n, REGISTRY) == n.title or n.title.startswith(display_title(n, REGISTRY))


# ---------------------------------------------------------------------------------------------
# Headings that repeat the topic, titles shown once


@pytest.mark.parametrize(
    "title, topic, same",
    [
        ("2 模型架构", "architecture", True),
        ("4 训练集", "data", True),
        ("1.1 模型架构 (Model Architecture)", "architecture", True),
        ("2. Model Architecture", "architecture", True),
        ("3. Training Infrastructure", "infrastructure", True),
        ("Post training", "post-training", True),
        ("訓練數據", "data", True),  # Traditional script
        ("2.1 后训练总览（Post-training Overview）", "post-training", False),  # says more
        ("5.2 多模态", "capabilities", False),  # a part of the topic, not the topic
        ("2.1 数据过滤", "data", False),
        ("0. abstract", "overview", False),
        ("2 模型架构", "data", False),  # under another topic it is news
    ],
)
def test_which_headings_repeat_their_topic(title, topic, same):
    assert repeats_topic(title, topic, REGISTRY) is same


def test_heading_key_sets_numbering_brackets_and_case_aside():
    assert heading_key("1.1 模型架构 (Model Architecture)") == heading_key("模型架构")
    assert heading_key("**2. Model  Architecture**") == "modelarchitecture"


def test_an_excerpt_never_repeats_the_heading_it_sits_under(site):
    markdown = pages(site)["models/gemma.md"]
    arch = excerpt(markdown, "architecture", "gemma-untitled")
    data = excerpt(markdown, "data", "gemma-untitled")
    assert headings(arch) == []  # "1 模型架构" under 模型架构
    assert headings(data) == ["2.1 数据过滤"]  # "2 训练集" under 训练数据; its subsection stays
    assert "256k 个词条" in data and "多查询注意力" in arch
    note_page = pages(site)["notes/gemma-untitled.md"]
    assert {"1 模型架构", "2 训练集", "2.1 数据过滤"} <= set(headings(note_page))  # the note keeps them
    seed = pages(site)["models/gemini-1.0.md"]
    assert "2 模型架构" not in headings(seed) and "4 训练集" not in headings(seed) and "2. Model Architecture" not in headings(seed)


def test_no_model_page_has_a_heading_that_repeats_its_topic(site):
    # Issue 13: only models a note is about have a page; family pages show excerpts by topic too (h3).
    paths = [f"models/{m.id}.md" for m in REGISTRY.models] + [f"families/{f.id}.md" for f in REGISTRY.families]
    shown = [p for p in paths if p in pages(site)]
    assert "models/gemma.md" in shown and "families/gemma.md" in shown
    for path in shown:
        markdown = pages(site)[path]
        for topic in REGISTRY.topics:
            found = re.search(rf"^(#+) {re.escape(topic.title)} \{{ #{topic.id} \}}", markdown, re.M)
            if found is None:
                continue
            level = len(found.group(1))
            after = re.search(rf"^#{{1,{level}}} ", markdown[found.end() :], re.M)
            end = found.end() + after.start() if after else len(markdown)
            for title in headings(markdown[found.start() : end])[1:]:
                assert not repeats_topic(title.split(" › ")[-1], topic.id, REGISTRY), (path, topic.id, title)


def test_a_paper_page_shows_the_paper_title_once(site):
    papers = {p: md for p, md in pages(site).items() if p.startswith("papers/") and p != "papers/index.md"}
    assert len(papers) >= 10
    for path, markdown in papers.items():
        title = markdown.splitlines()[0][2:].split(" {")[0]
        body = markdown.split('<div class="nkb-backlinks"')[0]
        assert body.count(title) == 1, (path, title)


def test_the_model_page_of_a_report_gives_the_report_title_in_its_facts_only(site):
    markdown = pages(site)["models/gemma.md"].split('<div class="nkb-backlinks"')[0]
    assert markdown.count("Gemma: Open Models Based on Gemini Research and Technology") == 1
    assert "本项工作推出了 Gemma" in markdown.replace("[Gemma](gemma.md)", "Gemma")


# ---------------------------------------------------------------------------------------------
# Missing figures


def test_missing_figures_one_after_the_other_are_one_line_naming_them_all(site):
    for path in ("models/gemma.md", "notes/gemma-untitled.md"):
        markdown = pages(site)[path]
        boxes = re.findall(r'<div class="nkb-missing-figure"[^>]*>(.*?)</div>', markdown)
        three = [b for b in boxes if "arch-overview.png" in b]
        assert len(three) == 1, boxes
        assert re.search(r"arch-overview\.png.*layer-table\.png.*size-table\.png", three[0])
        assert "3 张图" in three[0]
    seed = pages(site)["models/gemma.md"]
    assert re.search(r"<code>figure1</code>、<code>table 6</code></div>", seed)  # 003's figure1 and table 6


def test_a_heading_over_nothing_but_missing_figures_is_not_a_section_of_the_model_page(site):
    markdown = pages(site)["models/gemma.md"]
    assert 'id="x-evaluation-gemma-untitled"' not in markdown
    assert "benchmark-table.png" not in markdown
    note_page = pages(site)["notes/gemma-untitled.md"]
    section = note_page[note_page.index("## 3 评测") : note_page.index("## 4 读后感")]
    assert "benchmark-table.png" in section and "收录于" not in section  # shown in the note, used nowhere


# ---------------------------------------------------------------------------------------------
# Stray emphasis


def test_a_stray_bold_marker_is_not_shown(site):
    markdown = pages(site)["models/gemini-2.5.md"]
    assert "（RL）进行专门训练" in markdown.replace("](../glossary.md#rl)", "").replace("[强化学习", "强化学习")
    assert "**进行" not in markdown
    assert "核心做法是按阶段调整数据配比" in pages(site)["models/gemma.md"]
