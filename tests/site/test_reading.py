"""Issue 14's "done when", on the built site: every page of the seed site loads at 1280 px and at
390 px (a phone) with no console error, no failed request (Material's own search index is never
asked for) and no sideways scroll; no page shows a file hash as a title or link text, stray
Markdown, or a heading that repeats the section it sits in; the glossary is in pinyin order;
anchors land below the sticky header; model and note pages end with previous/next links.

A second site adds the small notes of tests/data/reading/ in a deep folder, for long paths."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import DATA, NOTES, SEEDS, article, make_project, mkdocs_build, page_soup, serve_dir

WIDTHS = [1280, 390]
STEMS = {p.stem for p in SEEDS.values()}
DEEP = "2024-spring-reading-group/google-model-reports/gemma-family"


def site_urls(site) -> list[str]:
    """Every page of a built site, as a URL relative to its root ("", "models/gemma/", "404.html")."""
    urls = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site)
        if "assets" not in rel.parts:
            urls.append("" if rel.as_posix() == "index.html" else rel.parent.as_posix() + "/" if rel.name == "index.html" else rel.as_posix())
    return sorted(urls)


@pytest.fixture(scope="module")
def reading_site(tmp_path_factory):
    """The seeds plus the reading notes, filed in a deep folder."""
    project = make_project(tmp_path_factory.mktemp("reading"), notes=NOTES)
    folder = project / "notes" / DEEP
    folder.mkdir(parents=True)
    for path in (DATA / "reading").iterdir():
        shutil.copy(path, folder / path.name)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    base, server = serve_dir(project / "site")
    yield project / "site", base
    server.shutdown()
    server.server_close()


def load_every_page(browser, base: str, urls: list[str], width: int) -> dict[str, list[str]]:
    """Open each page at this width; return the problems seen on each."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: dict[str, list[str]] = {}
    current = {"url": ""}

    def note(message: str) -> None:
        problems.setdefault(current["url"], []).append(message)

    page.on("console", lambda m: note(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: note(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: note(f"failed request: {r.url}"))
    page.on("response", lambda r: note(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: note(f"asked for Material's search index: {r.url}") if "search_index.json" in r.url else None)
    for url in urls:
        current["url"] = url
        page.goto(base + url, wait_until="networkidle")
        overflow = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if overflow[0] > overflow[1]:
            widest = page.evaluate(
                """() => Array.from(document.querySelectorAll('body *'))
                     .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                     .slice(-3).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60))"""
            )
            note(f"scrolls sideways: {overflow[0]} > {overflow[1]} px ({widest})")
    page.close()
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_seed_page_loads_without_errors_failed_requests_or_sideways_scroll(browser, built_site, served_site, width):
    urls = site_urls(built_site)
    assert len(urls) >= 25 and "glossary/" in urls and "models/gemma/" in urls
    problems = load_every_page(browser, served_site, urls, width)
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_of_notes_in_deep_folders_do_not_scroll_sideways_either(browser, reading_site, width):
    site, base = reading_site
    urls = [u for u in site_urls(site) if u.startswith(("notes/gemma", "notes/gemini-2-5", "models/gemma", "models/gemini-2.5"))]
    assert len(urls) >= 5
    problems = load_every_page(browser, base, urls, width)
    assert not problems, problems


LONG = "gemini-2-5-thinking-budget-notes-copied-from-a-blog-post-without-a-title"


@pytest.mark.parametrize("note, wraps_at", [("gemma-untitled", "/"), (LONG, "")])
def test_a_long_path_wraps_on_a_phone_at_its_separators_first(browser, reading_site, note, wraps_at):
    """A deep path wraps after a "/"; a file name longer than the screen wraps too, inside."""
    site, base = reading_site
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(base + f"notes/{note}/")
    rows = page.evaluate(
        """() => { const c = document.querySelector('code.nkb-path'); const r = document.createRange(); r.selectNodeContents(c);
                   const rects = Array.from(r.getClientRects());
                   const wrap = c.closest('.md-typeset__scrollwrap') || c.closest('table');
                   return {right: Math.max(...rects.map(x => x.right)),
                           width: document.documentElement.clientWidth, inner: wrap.scrollWidth - wrap.clientWidth}; }"""
    )
    lines = page.evaluate(  # the path as shown, line by line
        """() => { const c = document.querySelector('code.nkb-path'), lines = new Map(), walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
                   while (walk.nextNode()) { const n = walk.currentNode;
                     for (let i = 0; i < n.length; i++) { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                       const top = Math.round(r.getBoundingClientRect().top); lines.set(top, (lines.get(top) || '') + n.data[i]); } }
                   return [...lines.keys()].sort((a, b) => a - b).map(k => lines.get(k)); }"""
    )
    page.close()
    assert len(lines) >= 2 and rows["right"] <= rows["width"] and rows["inner"] <= 0, (rows, lines)  # wraps, nothing cut off
    assert "".join(lines) == f"notes/{DEEP}/{note}.md"  # still the path
    if wraps_at:
        assert all(line.endswith(wraps_at) for line in lines[:-1]), lines


# ---------------------------------------------------------------------------------------------
# What the built pages show


def all_pages(site):
    return [p for p in site.rglob("*.html") if "assets" not in p.parts]


def test_no_page_shows_a_file_hash_as_a_title_or_link_text(built_site):
    hashes = {stem.split("_", 1)[1] for stem in STEMS}
    for path in all_pages(built_site):
        soup = page_soup(built_site, str(path.relative_to(built_site)))
        shown = [soup.title.get_text() if soup.title else ""] + [h.get_text() for h in soup.select("h1, h2, h3, h4")]
        shown += [a.get_text() for a in soup.find_all("a")]
        leaked = [t.strip() for t in shown if any(h in t for h in hashes)]
        assert not leaked, (path, leaked[:5])


def test_the_note_page_keeps_its_file_name_as_metadata(built_site):
    stem = "000_0a32c9c4a1112e15"
    meta = article(built_site, f"notes/{stem}/").select_one(".nkb-meta")
    assert f"notes/{stem}.txt" in meta.get_text()


STRAY = [r"\*\*", r"(?<![\w])__|__(?![\w])", r"\]\(", r"(?m)^\s*#{1,6}\s", r"`", r"\{:", r"\\[*_\[\]`#]"]


def test_no_page_shows_stray_markdown(built_site):
    for path in all_pages(built_site):
        soup = article(built_site, str(path.relative_to(built_site)))
        for element in soup.select("pre, code, script, style"):
            element.decompose()
        text = soup.get_text("\n")
        found = [(pattern, text[max(0, m.start() - 30) : m.end() + 30]) for pattern in STRAY for m in re.finditer(pattern, text)]
        assert not found, (path, found[:3])


def _said(title: str) -> str:
    """What a heading says, by this test's own reckoning: numbering and brackets aside."""
    title = re.sub(r"^\s*\d+(?:\.\d+)*\.?\s*", "", title.replace("¶", ""))
    title = re.sub(r"[（(][^）)]*[）)]", "", title)
    return re.sub(r"\W+", "", title).lower()


SAME = {"模型架构": {"模型架构", "modelarchitecture"}, "训练数据": {"训练数据", "训练集", "训练数据集", "trainingdataset"},
        "训练基础设施": {"训练基础设施", "traininginfrastructure"}, "后训练与对齐": {"posttraining", "后训练"}}


def test_no_heading_repeats_the_section_it_sits_in(built_site):
    for model in ("gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"):
        soup = article(built_site, f"models/{model}/")
        for h2 in soup.find_all("h2"):
            topic = h2.get_text().replace("¶", "").strip()
            said = SAME.get(topic, {_said(topic)})
            for sibling in h2.find_next_siblings():
                if sibling.name == "h2":
                    break
                for h4 in sibling.find_all(["h3", "h4", "h5"]):
                    assert _said(h4.get_text().split("›")[-1]) not in said, (model, topic, h4.get_text())


def test_a_paper_page_shows_its_title_once(built_site):
    for path in sorted((built_site / "papers").glob("*/index.html")):
        soup = article(built_site, f"papers/{path.parent.name}/")
        title = soup.find("h1").get_text().replace("¶", "").strip()
        for block in soup.select(".nkb-backlinks"):
            block.decompose()
        assert soup.get_text().count(title) == 1, (path.parent.name, title)


# ---------------------------------------------------------------------------------------------
# Glossary and references


def entries(site, url):
    return [(h.get("id"), h.get_text().replace("¶", "").strip()) for h in article(site, url).select("h4.nkb-entry")]


def test_the_glossary_is_in_pinyin_order(built_site):
    titles = [title for _, title in entries(built_site, "glossary/")]
    assert len(titles) >= 40
    position = {t.split("（")[0]: k for k, t in enumerate(titles)}
    # chang < ci < dan < duo < fen < GeGLU < GSPMD < guang < hou < JAX < ji < ... < suo < SuperPod < ... < zhu:
    # pinyin and letters in one order, letters without regard to case
    chain = ["长上下文", "词表", "单控制器", "多查询注意力", "分词器", "GeGLU 激活", "GSPMD 切分器", "光路交换机", "后训练", "JAX",
             "计算最优缩放", "SentencePiece", "上下文窗口", "缩放定律", "SuperPod", "TPU v4", "TPU v5e", "Transformer 解码器",
             "芯片间互联", "XLA 编译器", "旋转位置编码", "注意力机制"]
    assert [position[name] for name in chain] == sorted(position[name] for name in chain), [(n, position[n]) for n in chain]


def test_the_glossary_is_filed_under_letters_with_a_jump_bar_and_a_short_table_of_contents(built_site):
    soup = page_soup(built_site, "glossary/")
    page = soup.select_one("article.md-content__inner")
    letters = [h.get_text().replace("¶", "").strip() for h in page.find_all("h2")]
    assert letters == sorted(letters) and all(len(x) == 1 for x in letters)
    under = {}
    for h2 in page.find_all("h2"):
        for entry in h2.find_next_siblings():
            if entry.name == "h2":
                break
            for h4 in entry.select("h4.nkb-entry"):
                under[h4["id"]] = h2.get_text().replace("¶", "").strip()
    assert under["long-context"] == "C" and under["tpu"] == "Z" and under["geglu"] == "G" and under["mqa"] == "D"
    bar = [a.get_text() for a in page.select(".nkb-jump a")]
    assert bar == letters
    assert all(page.find(id=a["href"][1:]) for a in page.select(".nkb-jump a"))
    toc = [a.get_text(strip=True) for a in soup.select(".md-sidebar--secondary .md-nav__link")]
    assert toc == letters  # one line per letter, not per term


def test_glossary_names_sit_in_one_aligned_column(browser, served_site):
    """Each language's names on one line beside their label, wrapping under themselves."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(served_site + "glossary/")
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('#long-context ~ dl.nkb-names dt')).map(dt => {
             const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
             return {labelRight: a.right, labelTop: Math.round(a.top), valueLeft: Math.round(b.left), valueTop: Math.round(b.top), valueHeight: b.height, lineHeight: parseFloat(getComputedStyle(dd).lineHeight)};
           })"""
    )
    page.close()
    assert len(rows) == 3
    assert len({r["valueLeft"] for r in rows}) == 1, rows  # one column of values
    assert all(r["valueLeft"] > r["labelRight"] and abs(r["valueTop"] - r["labelTop"]) <= 2 for r in rows), rows  # beside the label
    assert any(r["valueHeight"] > 1.5 * r["lineHeight"] for r in rows), rows  # a value that wraps stays in its column


def test_references_are_a_compact_list_that_keeps_its_anchors(browser, built_site, served_site):
    ids = [i for i, _ in entries(built_site, "references/")]
    assert {"flamingo", "ella", "gemma-report", "chinchilla"} <= set(ids)
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(served_site + "references/")
    heights = page.evaluate("() => Array.from(document.querySelectorAll('.nkb-entry-card')).map(e => e.getBoundingClientRect().height)")
    page.close()
    assert len(heights) == len(ids) and sum(heights) / len(heights) < 200, heights  # was 280 px each on a phone


def test_cited_by_never_lists_the_entry_own_page(built_site):
    page = article(built_site, "references/")
    for ref, own in (("ella", "papers/ella/"), ("gemma-report", "models/gemma/"), ("gemini-1-5-report", "models/gemini-1.5/")):
        card = page.find(id=ref).find_parent(class_="nkb-entry-card")
        cited = card.select_one(".nkb-entry-links")
        assert cited is None or not any(a["href"].endswith(own) for a in cited.find_all("a", href=True)), (ref, cited)
        assert any(a["href"].endswith(own) for a in card.find_all("a", href=True)), ref  # it links there as its own page


# ---------------------------------------------------------------------------------------------
# Chrome


@pytest.mark.parametrize("url", ["models/gemma/", "models/gemini-1.0/", "notes/000_0a32c9c4a1112e15/", "notes/003_85ea77ce08776b2e/"])
def test_model_and_note_pages_end_with_previous_and_next_links(built_site, url):
    soup = page_soup(built_site, url)
    assert soup.select_one("a.md-footer__link--prev") and soup.select_one("a.md-footer__link--next")


ANCHORS = ["models/gemma/#x-architecture-003_85ea77ce08776b2e", "glossary/#mqa", "references/#flamingo", "notes/001_0fd4e0d5ad12595e/#s2-2", "models/gemini-2.5/#post-training"]


@pytest.mark.parametrize("width", WIDTHS)
def test_anchors_land_below_the_sticky_header(browser, served_site, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    for url in ANCHORS:
        page.goto(served_site + url, wait_until="networkidle")
        page.wait_for_timeout(100)
        top, header = page.evaluate(
            "id => [document.getElementById(id).getBoundingClientRect().top, document.querySelector('.md-header').getBoundingClientRect().bottom]",
            url.split("#")[1],
        )
        assert header <= top <= header + 120, (width, url, top, header)
    page.close()
