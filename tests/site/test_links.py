"""Cross-links on the built site: every link resolves, relations and mentions are links, the glossary
and references hold their entries with backlinks, and every page shows what links to it."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import SEEDS, article, page_soup

NOTE_IDS = {k: p.stem.lower() for k, p in SEEDS.items()}
MODELS = ["gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"]


def site_pages(site):
    return sorted(p for p in site.rglob("index.html") if not {"assets", "search"} & set(p.relative_to(site).parts))


def test_every_internal_link_and_anchor_resolves(built_site):
    ids_cache: dict = {}

    def ids_of(path):
        if path not in ids_cache:
            soup = page_soup(built_site, path.relative_to(built_site).as_posix())
            ids_cache[path] = {el.get("id") for el in soup.find_all(id=True)} | {a.get("name") for a in soup.find_all("a", attrs={"name": True})}
        return ids_cache[path]

    broken, checked = [], 0
    for page in site_pages(built_site):
        soup = page_soup(built_site, page.relative_to(built_site).as_posix())
        for a in soup.find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            if parts.scheme:  # javascript:, data: and the like have no place in a built page
                broken.append((page.relative_to(built_site).as_posix(), href, "scheme"))
                continue
            if parts.path.startswith("/"):  # the site is served at the root of its host
                target_path = built_site / unquote(parts.path).lstrip("/")
            elif parts.path:
                target_path = Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), unquote(parts.path))))
            else:
                target_path = page
            if target_path.is_dir():
                target_path = target_path / "index.html"
            checked += 1
            if not target_path.exists():
                broken.append((page.relative_to(built_site).as_posix(), href, "missing page"))
            elif parts.fragment and target_path.suffix == ".html" and unquote(parts.fragment) not in ids_of(target_path):
                broken.append((page.relative_to(built_site).as_posix(), href, "missing anchor"))
    assert checked > 300
    assert not broken, broken[:10]


def _links_to(soup, target: str, page: str = "") -> list[str]:
    """Texts of the links in `soup` (on the page at URL `page`) that point at the page `target`."""
    out = []
    for a in soup.find_all("a", href=True):
        path = urlsplit(a["href"]).path
        if not path or urlsplit(a["href"]).scheme:
            continue
        resolved = posixpath.normpath(posixpath.join(page or ".", path)) if not path.startswith("/") else path
        if resolved.rstrip("/").endswith(target):
            out.append(a.get_text())
    return out


@pytest.mark.parametrize(
    "page, text, target",
    [
        ("models/gemma/", "Gemini", "models/gemini-1.0"),  # "Gemma 与 Gemini 有相似的结构"
        ("models/gemini-2.5/", "1.5 系列", "models/gemini-1.5"),  # "相比于1.5系列"
        ("models/gemini-1.5/", "Gemini 1.0 Ultra", "models/gemini-1.0"),  # "超过了 Gemini 1.0 Ultra"
    ],
)
def test_relations_in_the_text_are_links(built_site, page, text, target):
    excerpts = article(built_site, page).select(".nkb-excerpt")
    assert any(text in _links_to(e, target, page) for e in excerpts)


def test_model_mentions_link_once_per_section(built_site):
    note = article(built_site, f"notes/{NOTE_IDS['000']}/")
    section = note.find(id="s3")  # 3 训练基础设施: Gemini Ultra ... Gemini Ulta ... Gemini 的规模
    texts = []
    for sibling in section.find_next_siblings():
        if sibling.name in ("h2", "h3"):
            break
        if "nkb-used" not in (sibling.get("class") or []):
            texts += _links_to(sibling, "models/gemini-1.0", f"notes/{NOTE_IDS['000']}/")
    assert len(texts) == 1


def test_related_models_box(built_site):
    facts = article(built_site, "models/gemini-1.5/").select_one(".nkb-facts")
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1] for tr in facts.find_all("tr") if tr.find_all("td")}
    assert _links_to(rows["前代"], "models/gemini-1.0", "models/gemini-1.5/") and _links_to(rows["后继"], "models/gemini-2.5", "models/gemini-1.5/")
    gemma = article(built_site, "models/gemma/").select_one(".nkb-facts")
    assert any("源自" in tr.get_text() and _links_to(tr, "models/gemini-1.0", "models/gemma/") for tr in gemma.find_all("tr"))


GLOSSARY = ["moe", "mqa", "rope", "geglu", "rmsnorm", "sdc", "sentencepiece", "tpu-v4", "tpu-v5e", "tpu-v5p", "gspmd", "xla",
            "distillation", "sft", "reward-model", "rlhf", "compute-optimal", "long-context", "redundant-checkpointing"]


def test_glossary_entries_with_names_definitions_and_backlinks(built_site):
    page = article(built_site, "glossary/")
    for term in GLOSSARY:
        heading = page.find(id=term)
        # A compact entry under its letter (issue 14): a small heading with the term's anchor.
        assert heading is not None and heading.name == "h4", term
        block = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            block.append(sibling)
        text = " ".join(b.get_text(" ") for b in block)
        assert "中文" in text and "English" in text, term
        assert any(len(b.get_text()) > 15 and b.name == "p" and not b.get("class") for b in block), f"{term} has no definition"
    # Terms that the notes mention list the pages that mention them.
    for term, page_url in (("moe", "models/gemini-2.5"), ("sdc", "models/gemini-1.0"), ("rmsnorm", "models/gemma"), ("sentencepiece", "models/gemini-1.0")):
        heading = page.find(id=term)
        mentioned = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            mentioned += [a["href"] for a in sibling.find_all("a", href=True)]
        assert any(page_url in h for h in mentioned), (term, mentioned)


def test_term_mentions_link_to_the_glossary_in_every_language(built_site):
    korean = article(built_site, f"notes/{NOTE_IDS['002']}/")
    assert any("glossary/#quantization" in a["href"] for a in korean.find_all("a", href=True) if "양자화" in a.get_text())
    chinese = article(built_site, "models/gemini-2.5/")
    assert any(a["href"].endswith("glossary/#moe") for a in chinese.find_all("a", href=True))


REFERENCES = {
    "flamingo": "2204.14198", "coca": "2205.01917", "pali": "2209.06794", "dalle": "2102.12092", "parti": "2206.10789",
    "chinchilla": "2203.15556", "llama": "2302.13971", "llama-2": "2307.09288", "limo": "2502.03387", "usm": "2303.01037",
    "sentencepiece": "1808.06226", "ella": "2403.05135", "mm1": "2403.09611",
}


def test_references_entries_with_links_and_backlinks(built_site):
    page = article(built_site, "references/")
    for ref, arxiv in REFERENCES.items():
        heading = page.find(id=ref)
        assert heading is not None, ref
        block = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            block.append(sibling)
        hrefs = [a["href"] for b in block for a in b.find_all("a", href=True)]
        assert f"https://arxiv.org/abs/{arxiv}" in hrefs, ref
        assert any(not h.startswith("http") for h in hrefs), f"{ref}: no page cites it"
    # The citation in the text links to the entry.
    note = article(built_site, f"notes/{NOTE_IDS['000']}/")
    cited = {a["href"].rsplit("#", 1)[-1] for a in note.find_all("a", href=True) if "references/#" in a["href"]}
    assert {"flamingo", "coca", "pali", "dalle", "parti", "chinchilla", "llama", "llama-2"} <= cited


@pytest.mark.parametrize("model, seeds", [("gemini-1.0", ["000", "002"]), ("gemini-1.5", ["004"]), ("gemini-2.5", ["001"]), ("gemma", ["003", "004"])])
def test_each_model_page_links_to_each_of_its_source_notes(built_site, model, seeds):
    soup = article(built_site, f"models/{model}/")
    for seed in seeds:
        assert _links_to(soup, f"notes/{NOTE_IDS[seed]}", f"models/{model}/"), seed


def test_note_pages_link_back_to_where_their_parts_are_used(built_site):
    note = article(built_site, f"notes/{NOTE_IDS['001']}/")
    used = [a["href"] for p in note.select(".nkb-used") for a in p.find_all("a", href=True)]
    assert any(h.endswith("models/gemini-2.5/#infrastructure") for h in used)
    assert any(h.endswith("models/gemini-2.5/#post-training") for h in used)


def test_every_page_shows_what_links_to_it(built_site):
    for url in ["", *[f"models/{m}/" for m in MODELS], "glossary/", "references/", "papers/ella/", *[f"notes/{n}/" for n in NOTE_IDS.values()]]:
        soup = article(built_site, url)
        box = soup.select_one(".nkb-backlinks")
        assert box is not None and box.find("a"), url
    gemma = article(built_site, "models/gemma/").select_one(".nkb-backlinks")
    assert _links_to(gemma, f"notes/{NOTE_IDS['003']}", "models/gemma/")


def test_home_overview_timeline_and_comparison(built_site):
    home = article(built_site, "")
    items = home.select(".nkb-timeline li")
    # One timeline per family, each in release order (issue 13).
    assert [li.find("time")["datetime"] for li in items] == ["2023-12-06", "2024-02-15", "2025-06-17", "2024-02-21"]
    gemma_item = next(li for li in items if "Gemma" in li.get_text())
    assert _links_to(gemma_item, "models/gemini-1.0")  # derived from (the home page is at the root)
    table = home.select_one(".nkb-compare table")
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[1:] for tr in table.find_all("tr") if tr.find_all("td")}
    assert set(rows) >= {"架构", "注意力", "上下文长度", "规模", "训练硬件", "模态"}
    for label, cells in rows.items():
        for cell in cells:
            assert cell.find("a", href=True) or "笔记中未提及" in cell.get_text(), (label, cell)
    assert any("笔记中未提及" in c.get_text() for c in rows["注意力"])
