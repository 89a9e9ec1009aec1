"""The search box of the built site, driven in headless Chromium like a reader would use it.

At least 40 queries in Simplified Chinese, Traditional Chinese, Korean and English, in three kinds:
words that are on the page, the same words in the other Chinese script, and synonyms across
languages. Top-5 recall (distinct pages in result order, as the box groups them) is printed per
kind; every kind must reach 100%, as the README's table says.
"""

from __future__ import annotations

import pytest

from conftest import DATA, make_project, mkdocs_build, serve_dir

G10, G15, G25, GEMMA = "models/gemini-1.0/", "models/gemini-1.5/", "models/gemini-2.5/", "models/gemma/"

# (query, pages that must be in the top 5)
LITERAL = [
    ("切片粒度的弹性", {G25}), ("슈퍼팟", {G10}), ("教师模型", {G25}), ("양자화", {G10}), ("Gemini1.5", {G15}),
    ("gemini 1.5", {G15}), ("混合专家", {G25, G15}), ("思考预算", {G25}), ("词表大小", {GEMMA}), ("热备份", {G10}),
    ("토크나이저", {G10}), ("체크포인트", {G10}), ("静默数据损坏", {G25}), ("光学交换机", {G10}), ("数据飞轮", {G25}),
    ("可验证奖励", {G25}), ("数据截止日期", {G25}), ("Kalamang", {G15}), ("RMSNorm", {GEMMA}),
    ("multi-query attention", {GEMMA, G10}), ("16kHz", {G10}), ("단일 컨트롤러", {G10}), ("모델 병렬성", {G10}),
    ("인간 전문가", {G10}), ("TPUv5p", {G25}), ("k-sparse", {G25}), ("SentencePiece", {G10}), ("确定性重放", {G25}),
    ("毛坯", {G25}), ("GeGLU", {GEMMA}), ("instruct 模型", {GEMMA}), ("多语言任务", {G10}), ("8960", {G25}),
    ("大海捞针", {G15}),  # in the Traditional Chinese note (大海撈針): Simplified finds Traditional
    ("卡拉曼语的语法手册", {G15}),
]
OTHER_SCRIPT = [
    ("混合專家", {G25, G15}), ("熱備份", {G10}), ("訓練基礎設施", {G10, G25}), ("切片粒度的彈性", {G25}),
    ("教師模型", {G25}), ("思考預算", {G25}), ("詞表大小", {GEMMA}), ("靜默數據損壞", {G25}), ("長上下文", {G15}),
    ("光學交換機", {G10}), ("數據飛輪", {G25}), ("可驗證獎勵", {G25}), ("蒸餾", {G25}), ("內存冗餘拷貝", {G10}),
    ("稀疏混合專家", {G25}), ("多語言任務", {G10}), ("容錯機制", {G15}),
]
SYNONYMS = [
    ("MoE", {G25, G15}), ("mixture of experts", {G25, G15}), ("mixture-of-experts", {G25, G15}), ("전문가 혼합", {G25, G15}),
    ("MQA", {GEMMA, G10}), ("多查询注意力", {GEMMA, G10}), ("멀티 쿼리 어텐션", {GEMMA}), ("SDC", {G10, G25}),
    ("silent data corruption", {G10, G25}), ("침묵 데이터 손상", {G10, G25}), ("제미나이", {G10}), ("旋转位置编码", {GEMMA}),
    ("rotary position embedding", {GEMMA}), ("knowledge distillation", {G25}), ("지식 증류", {G25}), ("量化", {G10}),
    ("quantization", {G10}), ("分词器", {G10, GEMMA}), ("检查点", {G10}), ("reinforcement learning", {G25}),
    ("강화 학습", {G25}), ("supervised fine-tuning", {G25}), ("奖励模型", {G25}), ("long context", {G15}),
    ("hot spare", {G10}), ("均方根归一化", {GEMMA}), ("data flywheel", {G25}), ("thinking budget", {G25}),
    ("사고 예산", {G25}), ("双子座 1.5", {G15}),
]


@pytest.fixture(scope="session")
def search_site(tmp_path_factory):
    """The seed notes plus a Traditional Chinese note (for Simplified queries on Traditional text)."""
    project = make_project(tmp_path_factory.mktemp("search"), extra_notes={"extra/gemini15-zh-hant.md": (DATA / "search" / "gemini15-zh-hant.md").read_bytes()})
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    base, server = serve_dir(project / "site")
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def search_page(browser, search_site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(search_site)
    yield page
    page.close()


def run_query(page, query: str) -> tuple[str, list[str]]:
    """Type into the header search box; return the result count line and the result links."""
    page.click("label.md-header__button[for=__search]") if page.is_visible("label.md-header__button[for=__search]") else None
    page.fill("[data-notekb-query]", "")
    page.type("[data-notekb-query]", query, delay=10)
    page.wait_for_function(
        "q => document.querySelector('[data-notekb-query]').value === q && "
        "['done','error'].includes(document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state'))",
        arg=query,
        timeout=15000,
    )
    # Let the debounce settle so the result is for the full query, not a prefix typed earlier.
    page.wait_for_timeout(250)
    page.wait_for_function("document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state') !== 'busy'")
    meta = page.inner_text("[data-notekb-meta]")
    links = page.eval_on_selector_all("[data-notekb-result]", "els => els.map(e => e.getAttribute('href'))")
    return meta, links


def top_pages(links: list[str], base_path: str = "/", k: int = 5) -> list[str]:
    pages: list[str] = []
    for href in links:
        path = href.split("?")[0].split("#")[0]
        path = path[len(base_path):] if path.startswith(base_path) else path
        if path not in pages:
            pages.append(path)
    return pages[:k]


def test_search_recall_by_kind(search_page, capsys):
    kinds = {"words on the page": LITERAL, "other Chinese script": OTHER_SCRIPT, "synonyms": SYNONYMS}
    assert sum(len(v) for v in kinds.values()) >= 40
    report, misses, recall = [], {}, {}
    for kind, queries in kinds.items():
        total = 0.0
        for query, expected in queries:
            _, links = run_query(search_page, query)
            found = set(top_pages(links)) & expected
            total += len(found) / len(expected)
            if found != expected:
                misses.setdefault(kind, []).append((query, sorted(expected - found), top_pages(links)))
        recall[kind] = total / len(queries)
        report.append(f"{kind:<22} {len(queries):>3} queries   top-5 recall {recall[kind]:.0%}")
    with capsys.disabled():
        print("\nsearch recall\n" + "\n".join(report))
        for kind, items in misses.items():
            for query, missing, got in items:
                print(f"  miss [{kind}] {query!r}: missing {missing}, top-5 {got}")
    assert recall["words on the page"] == 1.0, misses.get("words on the page")
    assert recall["other Chinese script"] == 1.0, misses.get("other Chinese script")
    assert recall["synonyms"] == 1.0, misses.get("synonyms")


def test_result_links_to_the_matching_section_and_highlights_it(search_page, search_site):
    meta, links = run_query(search_page, "热备份")
    first = links[0]
    # The section that matched: the infrastructure topic, at the excerpt of the note that says it.
    assert first.split("?")[0].endswith("models/gemini-1.0/") and "#x-infrastructure-" in first
    search_page.click("[data-notekb-result]")
    search_page.wait_for_selector("mark[data-md-highlight]")
    marked = search_page.eval_on_selector_all("mark[data-md-highlight]", "els => els.map(e => e.textContent)")
    assert "热备份" in marked
    search_page.goto(search_site)


def test_model_page_section_ranks_before_passing_mentions(search_page):
    _, links = run_query(search_page, "RMSNorm")
    assert top_pages(links)[0] == GEMMA
    _, links = run_query(search_page, "切片粒度的弹性")
    assert links[0].split("?")[0].endswith(G25) and "#x-infrastructure-" in links[0]


def test_no_match_says_so(search_page):
    meta, links = run_query(search_page, "不存在的词组合")
    assert links == [] and ("没有" in meta or "No matching" in meta)
    meta, links = run_query(search_page, "qwertyuiop")
    assert links == [] and ("没有" in meta or "No matching" in meta)


def _typed(page, query: str) -> tuple[str | None, str, int]:
    """Type a query as a reader does and give the box time to answer: (state, message, results)."""
    page.fill("[data-notekb-query]", "")
    page.type("[data-notekb-query]", query)
    page.wait_for_timeout(400)
    page.wait_for_function("document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state') !== 'busy'")
    state = page.get_attribute("[data-notekb-search]", "data-notekb-state")
    return state, page.inner_text("[data-notekb-meta]"), len(page.query_selector_all("[data-notekb-result]"))


@pytest.mark.parametrize("query", ["模", "a", "。", "!!", "、，"])
def test_one_character_or_punctuation_asks_for_more(search_page, query):
    """Too little to search: the box answers at once that it needs two characters or a word, and
    shows nothing (rather than every page with a 模 in it)."""
    state, meta, results = _typed(search_page, query)
    assert state == "done" and results == 0
    assert "至少两个字" in meta, meta


def test_blank_query_shows_the_prompt_again(search_page):
    _typed(search_page, "模型")
    state, meta, results = _typed(search_page, "  ")
    assert state is None and results == 0
    assert meta == "键入以开始搜索", meta  # Material's own prompt, in the site's language


def test_a_common_word_shows_ten_pages_and_a_button_for_the_rest(search_page):
    """模型 is on most pages: the box shows the ten best pages, at most three sections each, says how
    many pages matched, and offers the rest behind a button instead of flooding the list."""
    state, meta, results = _typed(search_page, "模型")
    assert state == "done"
    pages = int(search_page.get_attribute("[data-notekb-meta]", "data-notekb-pages"))
    assert pages > 20 and f"{pages} 个页面" in meta, meta
    groups = search_page.query_selector_all("[data-notekb-page]")
    assert len(groups) == 10
    assert all(1 <= len(g.query_selector_all("[data-notekb-result]")) <= 3 for g in groups)
    more = search_page.query_selector("[data-notekb-more]")
    assert more is not None and str(pages - 10) in more.inner_text()
    more.click()
    search_page.wait_for_function("document.querySelectorAll('[data-notekb-page]').length > 10")
    assert len(search_page.query_selector_all("[data-notekb-page]")) == min(20, pages)


def test_search_box_on_a_phone(browser, search_site):
    """At 390 px the box opens over the page and its first result is the page that explains the
    term, inside the screen."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(search_site + "models/gemma/")
    page.click("label.md-header__button[for=__search]")
    page.type("[data-notekb-query]", "切片粒度的弹性")
    page.wait_for_function("document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state') === 'done'")
    first = page.query_selector("[data-notekb-result]")
    assert first is not None and first.is_visible()
    assert top_pages([first.get_attribute("href")], "/") == [G25] and "#x-infrastructure-" in first.get_attribute("href")
    # Once Material's opening transition is over (its overlay is scaled up while it runs), nothing
    # is wider than the screen and the result sits inside it.
    page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=3000)
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.close()
