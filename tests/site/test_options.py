"""The plugin options and list limits of the README, as a user meets them (issue 17).

One project is built once with `mkdocs build --strict`: the seed notes, a `data_dir` whose
glossary.yml adds a term (a phrase a seed note already uses) and whose models.yml gives Gemma 2 an
alias only an added note uses, and N_MANY short notes about Gemma 3 that all mention 数据飞轮 and
link one hub note. The site's navigation is rebuilt from the HTML, page by page (Material prunes
what a page does not need), and compared with what the fixture says and with `notekb export`'s
.nav.yml; the lists of pages are compared with the links the built pages really hold. A short
`mkdocs serve` checks that an edit of a file in `data_dir` reaches the served site.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import ROOT, article, make_project, mkdocs_build, mkdocs_serve, page_soup

PACKAGED = ROOT / "src" / "notekb" / "data"
DATA_DIR = "kb-data"

N_MANY = 53  # notes on one model: more than a navigation section (50) and than a list shows (40)
SECTION = 50
SHOWN = 40

TERM_ID, TERM_NAME = "ablation-xp", "消融实验"  # in seed note 003's text, not in the packaged glossary
TERM_DEFINITION = "每次拿掉或替换系统里的一个部件再比较结果，用来判断那个部件到底贡献了多少。"
SEED_WITH_TERM = "notes/003_85ea77ce08776b2e/"
ALIAS = "宝石二型"  # a made-up name for Gemma 2, known only from data_dir's models.yml
ALIAS_SENTENCE = "我觉得宝石二型的思路很务实"
MENTIONED_TERM = "data-flywheel"  # packaged glossary entry (数据飞轮) every many-note mentions
HUB = "opt-hub"

TOPICS = ["分组查询注意力", "局部层与全局层的交替", "图像编码器", "长上下文的显存开销", "指令微调用的数据", "多语言能力", "量化后的精度", "安全评测的做法"]


def many_note(k: int) -> bytes:
    topic = TOPICS[k % len(TOPICS)]
    return f"""---
model: gemma-3
author: 读者{k:02d}
---

# Gemma 3 读书小记 {k:02d}

这是第 {k} 篇练习笔记，写的是我读 Gemma 3 技术报告时对{topic}的理解，序号 {k * 7919}。

报告说团队让模型自己挑选合成数据，转起了数据飞轮；我的第 {k} 个疑问是这样会不会放大偏差。

总的阅读计划记在 [[{HUB}]] 里。
""".encode()


def many_url(k: int) -> str:
    return f"notes/gemma3-{k:02d}/"


EXTRA_NOTES = {f"opt/gemma3-{k:02d}.md": many_note(k) for k in range(1, N_MANY + 1)}
EXTRA_NOTES[f"opt/{HUB}.md"] = "---\nmodel: gemma\n---\n\n# 阅读计划总览\n\n这一页只记每周打算读哪几份报告，以及读完以后的一两句感想。\n".encode()
EXTRA_NOTES["opt/alias-note.md"] = f"# {ALIAS}读后感\n\n{ALIAS}的报告读完了。{ALIAS}在小尺寸上靠蒸馏训练，{ALIAS_SENTENCE}。\n".encode()


def write_data_dir(project: Path, definition: str = TERM_DEFINITION) -> Path:
    """data_dir: the packaged glossary plus one term, the packaged registry plus one alias; and
    mkdocs.yml pointing the plugin at it."""
    folder = project / DATA_DIR
    folder.mkdir(exist_ok=True)
    glossary = (PACKAGED / "glossary.yml").read_text(encoding="utf-8")
    assert TERM_NAME not in glossary and f"id: {TERM_ID}" not in glossary
    glossary += f"\n  - id: {TERM_ID}\n    title: {TERM_NAME}\n    names:\n      en: [ablation experiment]\n      zh: [{TERM_NAME}]\n    definition: {definition}\n"
    (folder / "glossary.yml").write_text(glossary, encoding="utf-8")
    models = (PACKAGED / "models.yml").read_text(encoding="utf-8")
    assert ALIAS not in models
    start = models.index("  - id: gemma-2\n")
    at = models.index("    aliases: {}\n", start)
    models = models[:at] + f"    aliases:\n      zh: [{ALIAS}]\n" + models[at + len("    aliases: {}\n") :]
    (folder / "models.yml").write_text(models, encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n      notes_dir: notes\n" in config and "\nnav:" not in config  # the seed config: nav built by the plugin
    config = config.replace("\n      notes_dir: notes\n", f"\n      notes_dir: notes\n      data_dir: {DATA_DIR}\n")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("options"), extra_notes=EXTRA_NOTES)
    write_data_dir(project)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module")
def site(project) -> Path:
    return project / "site"


# ---------------------------------------------------------------------------------------------
# Reading the built site


def resolve(page: str, href: str) -> tuple[str, str]:
    """(site URL of the target page, anchor) of a relative link on the page at `page`."""
    parts = urlsplit(href)
    if not parts.path:
        return page, unquote(parts.fragment)
    path = posixpath.normpath(posixpath.join(page or ".", unquote(parts.path)))
    return ("" if path == "." else path + "/"), unquote(parts.fragment)


def site_pages(site: Path) -> list[str]:
    """Every page of the Simplified edition, as site URLs ("" is the home page)."""
    out = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        if rel.split("/")[0] not in ("zh-Hant", "search", "assets"):
            out.append("" if rel == "." else rel + "/")
    return out


@pytest.fixture(scope="module")
def content_links(site) -> dict[str, set[tuple[str, str]]]:
    """Page -> every (page, anchor) its content links to, leaving out its own "what links here"."""
    out = {}
    for url in site_pages(site):
        body = article(site, url)
        for block in body.select(".nkb-backlinks"):
            block.decompose()
        out[url] = {resolve(url, a["href"]) for a in body.find_all("a", href=True) if not urlsplit(a["href"]).scheme}
    return out


def linking(content_links, target: str, anchor: str | None = None) -> set[str]:
    """The other pages whose content links to `target` (to that anchor of it, if given)."""
    return {page for page, links in content_links.items() if page != target and any(t == target and (anchor is None or a == anchor) for t, a in links)}


# The navigation, as Material renders it: ("page", url) | ("section", label, index url, items).
# With navigation.prune a page holds only the sections on its own path; a pruned section links to
# its first page, whose navigation has it open.


def _nav_items(ul, page: str) -> list:
    items = []
    for li in ul.find_all("li", recursive=False):
        classes = li.get("class", [])
        label = " ".join(li.find(class_="md-ellipsis").get_text().split())
        container = li.find("div", class_="md-nav__container", recursive=False)
        own = li.find("a", class_="md-nav__link", recursive=False) or (container.find("a", recursive=False) if container else None)
        url = resolve(page, own["href"])[0] if own is not None else None
        if "md-nav__item--nested" not in classes:
            items.append(("page", url))
        elif "md-nav__item--pruned" in classes:
            items.append(("pruned", label, url))
        else:
            items.append(("section", label, url, _nav_items(li.find("nav", recursive=False).find("ul", recursive=False), page)))
    return items


def page_nav(site: Path, url: str) -> list:
    return _nav_items(page_soup(site, url).select_one("nav.md-nav--primary > ul"), url)


def _graft(known: list, seen: list) -> list:
    """The navigation known so far, with the sections another page shows open put in."""
    assert len(known) == len(seen), (known, seen)
    out = []
    for old, new in zip(known, seen):
        if old[0] == "page" or new[0] == "page":
            assert old == new, (old, new)
            out.append(old)
            continue
        assert old[1] == new[1], (old, new)
        if old[0] == "pruned":
            out.append(new)
        elif new[0] == "section":
            out.append(("section", old[1], old[2], _graft(old[3], new[3])))
        else:
            out.append(old)
    return out


def _first_pruned(items: list):
    for item in items:
        if item[0] == "pruned":
            return item
        if item[0] == "section" and (found := _first_pruned(item[3])):
            return found
    return None


@pytest.fixture(scope="module")
def site_navigation(site) -> list:
    """The whole navigation of the built site: every pruned section opened by visiting its page."""
    nav, visited = page_nav(site, ""), {""}
    while (pruned := _first_pruned(nav)) is not None:
        if pruned[2] in visited:  # its first page opened another section: it is listed twice
            nav = _replace(nav, pruned, ("section", pruned[1], None, [("page", pruned[2])]))
        else:
            visited.add(pruned[2])
            nav = _graft(nav, page_nav(site, pruned[2]))
    return nav


def _replace(items: list, old: tuple, new: tuple) -> list:
    return [new if item is old else ("section", *item[1:3], _replace(item[3], old, new)) if item[0] == "section" else item for item in items]


def nav_pages(items: list) -> list[str]:
    """Every page the navigation lists, with repeats (a section's index page counts)."""
    out = []
    for item in items:
        if item[0] == "page":
            out.append(item[1])
        else:
            out += ([item[2]] if item[2] is not None else []) + nav_pages(item[3])
    return out


def section(items: list, *labels: str) -> tuple:
    for item in items:
        if item[0] == "section" and item[1] == labels[0]:
            return item if len(labels) == 1 else section(item[3], *labels[1:])
    raise AssertionError(f"no section {labels[0]!r} in {[i[1] for i in items if i[0] == 'section']}")


# ---------------------------------------------------------------------------------------------
# 1. data_dir


def test_data_dir_glossary_replaces_the_packaged_one(site):
    entry = article(site, "glossary/").find(id=TERM_ID)
    assert entry is not None and TERM_NAME in entry.get_text(), "the glossary page does not list the data_dir term"
    card = entry.find_parent(class_="nkb-entry-card")
    assert TERM_DEFINITION in card.get_text()
    mentioned_on = {resolve("glossary/", a["href"])[0] for a in card.select(".nkb-entry-links a")}
    assert SEED_WITH_TERM in mentioned_on
    # The seed note's section links the term where it uses it.
    links = [a.get_text(strip=True) for a in article(site, SEED_WITH_TERM).find_all("a", href=True) if resolve(SEED_WITH_TERM, a["href"]) == ("glossary/", TERM_ID)]
    assert links == [TERM_NAME]


def test_data_dir_models_alias_routes_and_links(site):
    note = "notes/alias-note/"
    links = [a.get_text(strip=True) for a in article(site, note).find_all("a", href=True) if resolve(note, a["href"])[0] == "models/gemma-2/"]
    assert ALIAS in links, "the alias from data_dir's models.yml is not linked to its model"
    model = article(site, "models/gemma-2/")
    assert ALIAS_SENTENCE in model.get_text(), "the note named only by the alias did not land on its model's page"
    assert note in {resolve("models/gemma-2/", a["href"])[0] for a in model.find_all("a", href=True)}
    assert ALIAS_SENTENCE not in article(site, "others/").get_text()


def test_serve_watches_data_dir(tmp_path):
    project = make_project(tmp_path)
    data = write_data_dir(project)
    with mkdocs_serve(project) as served:
        served.wait_for("/glossary/", TERM_DEFINITION, "serve never showed the glossary of data_dir")
        edited = "改过的定义：逐个去掉部件，看分数掉了多少。"
        (data / "glossary.yml").write_text((data / "glossary.yml").read_text(encoding="utf-8").replace(TERM_DEFINITION, edited), encoding="utf-8")
        served.wait_for("/glossary/", edited, "an edit in data_dir did not reach the served glossary")


# ---------------------------------------------------------------------------------------------
# 2. nav: built by the plugin, notes in sections of at most 50


def test_nav_splits_a_models_notes_into_sections_of_at_most_50(site_navigation):
    group = section(site_navigation, "笔记", "Gemma 3")
    chunks = group[3]
    assert all(item[0] == "section" for item in chunks), "more than 50 notes on one model, and not cut into sections"
    sizes = [len(nav_pages(chunk[3])) for chunk in chunks]
    assert all(size <= SECTION for size in sizes), sizes
    assert len(chunks) == math.ceil(N_MANY / SECTION), sizes
    assert sorted(nav_pages(chunks)) == sorted(many_url(k) for k in range(1, N_MANY + 1))


def test_nav_lists_every_note_exactly_once(site, site_navigation):
    listed = nav_pages(site_navigation)
    notes = [url for url in site_pages(site) if url.startswith("notes/") and url != "notes/"]
    assert len(notes) == 5 + N_MANY + 2
    assert {url: listed.count(url) for url in notes if listed.count(url) != 1} == {}


# ---------------------------------------------------------------------------------------------
# 3. notekb export DIR writes DIR/.nav.yml: the navigation MkDocs shows


def _md_url(path: str) -> str:
    path = path.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index")
    return path + "/" if path else ""


def _yaml_items(entries: list) -> list:
    """mkdocs.yml's nav form as the navigation Material shows (with navigation.indexes, a
    section's first page named index.md is the section's own page)."""
    items = []
    for entry in entries:
        if isinstance(entry, str):
            items.append(("page", _md_url(entry)))
            continue
        ((label, value),) = entry.items()
        if isinstance(value, str):
            items.append(("page", _md_url(value)))
            continue
        index = None
        if value and isinstance(value[0], str) and (value[0] == "index.md" or value[0].endswith("/index.md")):
            index, value = _md_url(value[0]), value[1:]
        items.append(("section", label, index, _yaml_items(value)))
    return items


def test_export_writes_the_sites_navigation(project, site_navigation, tmp_path):
    out = tmp_path / "exported"
    command = [sys.executable, "-m", "notekb", "export", str(out), "--notes", "notes", "--docs", "docs", "--data", DATA_DIR]
    result = subprocess.run(command, check=False, cwd=project, capture_output=True, text=True, timeout=600, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stderr
    nav_file = out / ".nav.yml"
    assert nav_file.is_file(), "notekb export wrote no .nav.yml"
    data = yaml.safe_load(nav_file.read_text(encoding="utf-8"))
    entries = data["nav"] if isinstance(data, dict) else data
    assert isinstance(entries, list) and entries
    exported = _yaml_items(entries)
    assert exported == site_navigation
    # The pages it lists are the pages it wrote.
    files = {_md_url(p.relative_to(out).as_posix()) for p in out.rglob("*.md")}
    assert set(nav_pages(exported)) <= files


# ---------------------------------------------------------------------------------------------
# 4. Lists of pages show 40 and count the rest


def test_glossary_mentions_show_40_and_count_the_rest(site, content_links):
    mentioning = linking(content_links, "glossary/", MENTIONED_TERM)
    assert {many_url(k) for k in range(1, N_MANY + 1)} <= mentioning
    assert len(mentioning) > SHOWN
    card = article(site, "glossary/").find(id=MENTIONED_TERM).find_parent(class_="nkb-entry-card")
    paragraph = card.select_one(".nkb-entry-links")
    shown, after = [], False
    for node in paragraph.descendants:
        if isinstance(node, str) and "出现于" in node:
            after = True
        if after and getattr(node, "name", None) == "a":
            shown.append(resolve("glossary/", node["href"])[0])
    tail = paragraph.get_text().split("出现于", 1)[1]
    assert len(shown) == SHOWN and len(set(shown)) == SHOWN, shown
    assert set(shown) <= mentioning
    # "A、B… 等 N 个页面": N pages in all, so the rest are N - 40.
    count = re.search(r"等\s*(\d+)\s*个页面\s*$", tail)
    assert count is not None, tail[-80:]
    assert int(count.group(1)) == len(mentioning)


def test_what_links_here_shows_40_and_counts_the_rest(site, content_links):
    hub = f"notes/{HUB}/"
    linking_hub = linking(content_links, hub)
    assert {many_url(k) for k in range(1, N_MANY + 1)} <= linking_hub
    block = article(site, hub).select_one(".nkb-backlinks")
    assert block is not None
    shown = [resolve(hub, a["href"])[0] for a in block.select("li a")]
    assert len(shown) == SHOWN and len(set(shown)) == SHOWN, shown
    assert set(shown) <= linking_hub
    rest = re.search(r"另有\s*(\d+)\s*个页面", block.select("li")[-1].get_text())
    assert rest is not None, block.get_text()[-80:]
    assert int(rest.group(1)) == len(linking_hub) - SHOWN
