"""Links between pages: nkb: links resolved per page, the link graph kept between rebuilds, and
"what links here" on every page."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from functools import lru_cache

from notekb.pages.markdown import GLOSSARY_PATH, MAX_LISTED, REFERENCES_PATH, family_path, link, md_escape, model_path, note_path, paper_path
from notekb.pages.memo import remember
from notekb.records import Page
from notekb.registry import Registry


def finished_markdown(path: str, markdown: str, sources: tuple[tuple[str, str], ...], unpaged: tuple[tuple[str, str], ...] = ()) -> str:
    """A page's final Markdown: links resolved, "what links here" added from the (page, title)
    of every page linking to it (memoised across rebuilds). `unpaged`: ("model/<id>", the page to
    link instead or "") for models and families that have no page yet."""
    return with_backlinks(resolve_links(markdown, path, dict(unpaged)), path, dict(sources))


# A label holds no unescaped bracket and a target no bracket, parenthesis or space: each match
# attempt stops at the next bracket, so that a note of a thousand "[" or "](" costs linear time.
_NKB = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\])*+)\]\(nkb:(model|family|term|ref|asset|note|paper|find)/([^()#\s\[\]]++)(?:#([^()\s\[\]]++))?\)")
_NKB_SRC = re.compile(r'src="nkb:asset/([^"<>\s]++)"')
_MD_LINK = re.compile(r"\]\(([^()\s\[\]]++)\)|href=\"([^\"]++)\"")


def nkb_target(kind: str, target: str, anchor: str | None) -> tuple[str, str]:
    if kind == "model":
        return model_path(target), anchor or ""
    if kind == "family":
        return family_path(target), anchor or ""
    if kind == "term":
        return GLOSSARY_PATH, target
    if kind == "asset":
        return f"assets/notes/{target}", ""
    if kind == "note":
        return note_path(target), anchor or ""
    if kind == "paper":
        return paper_path(target), anchor or ""
    return REFERENCES_PATH, target


def resolve_links(markdown: str, from_page: str, unpaged: dict[str, str] | None = None) -> str:
    """nkb: links -> relative links from this page; a link to this very page becomes plain text,
    and so does a link to a model or family without a page (or it leads to its family's page)."""

    def replace(match: re.Match) -> str:
        label, kind, target, anchor = match.groups()
        if kind == "find":  # named nothing on the site (pipeline.crosslinks): text
            return label
        if unpaged and f"{kind}/{target}" in unpaged:
            instead = unpaged[f"{kind}/{target}"]
            if not instead or instead == from_page:
                return label
            return f"[{label}]({link(from_page, instead)})"
        path, anchor = nkb_target(kind, target, anchor)
        if path == from_page and kind in ("model", "family"):
            return label
        return f"[{label}]({link(from_page, path, anchor)})"

    markdown = _NKB.sub(replace, markdown)
    if 'src="nkb:' in markdown:  # images a note wrote as HTML
        markdown = _NKB_SRC.sub(lambda m: f'src="{link(from_page, nkb_target("asset", m.group(1), None)[0])}"', markdown)
    return markdown


def _page_links(path: str, markdown: str) -> tuple[tuple[str, str], ...]:
    """Every (target page, anchor) a page's Markdown links to (LinkGraph keeps the result for the
    pages that do not change between two `mkdocs serve` rebuilds)."""
    out = []
    for match in _NKB.finditer(markdown):
        if match.group(2) != "find":
            out.append(nkb_target(match.group(2), match.group(3), match.group(4)))
    folder = posixpath.dirname(path)
    for match in _MD_LINK.finditer(markdown):
        url = match.group(1) or match.group(2)
        if not url or url.startswith(("http:", "https:", "nkb:", "mailto:", "#")):
            continue
        target, _, anchor = url.partition("#")
        out.append((_joined(folder, target), anchor))
    return tuple(out)


@lru_cache(maxsize=65536)
def _joined(folder: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(folder, target))


class LinkGraph:
    """The link graph, kept between builds and updated for the pages whose Markdown changed.

    A page's links depend only on its Markdown. Links to pages that do not exist are kept too:
    nothing looks them up (backlinks are asked for existing pages only), and so adding, removing
    or renaming a note changes only the entries of the pages that changed. On a `mkdocs serve`
    rebuild after one edit, only the few pages that changed are read again."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, list[tuple[str, tuple[str, str]]]]] = {}  # path -> (markdown, its links)
        self.edges: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def update(self, pages: list[Page]) -> dict[str, set[tuple[str, str]]]:
        """target page -> {(source page, target anchor)}; the sets are the graph's own, not to be altered."""
        current = {p.path: p.markdown for p in pages}
        for path, (markdown, links) in list(self.pages.items()):
            now = current.get(path)
            if now is None or (now is not markdown and now != markdown):
                for target, edge in links:
                    self.edges[target].discard(edge)
                del self.pages[path]
        for page in pages:
            if page.path in self.pages:
                continue
            links = [(target, (page.path, anchor)) for target, anchor in _page_links(page.path, page.markdown) if target != page.path]
            for target, edge in links:
                self.edges[target].add(edge)
            self.pages[page.path] = (page.markdown, links)
        return self.edges


def _graph(cache: dict | None, name: str) -> LinkGraph:
    if cache is None:
        return LinkGraph()
    return cache.setdefault(f"graph:{name}", LinkGraph())


def with_backlinks(markdown: str, path: str, linking: dict[str, str]) -> str:
    """Append "what links here" to a page, from {page linking to it: its title}."""
    titles = linking
    sources = sorted(linking, key=_page_order(titles))
    if not sources:
        return markdown
    items = "\n".join(f"- [{md_escape(titles.get(s, s))}]({link(path, s)})" for s in sources[:MAX_LISTED])
    if len(sources) > MAX_LISTED:
        items += f"\n- ……另有 {len(sources) - MAX_LISTED} 个页面"
    return markdown.rstrip() + "\n\n" + f'<div class="nkb-backlinks" markdown>\n\n**链接到本页**\n\n{items}\n\n</div>\n'


def _page_order(titles: dict[str, str]):
    """Model pages first, then papers and other pages, notes last; by title within each (by path
    between equal titles, so that every build lists them in the same order)."""
    rank = {"models": 0, "families": 0, "papers": 1, "notes": 3}
    return lambda p: (rank.get(p.split("/")[0], 2), titles.get(p, p), p)


def _mentions(edges: dict, page: str) -> dict[str, list[str]]:
    """For each anchor of a page (a glossary term, a reference), the pages that link to it."""
    by_anchor: dict[str, set[str]] = defaultdict(set)
    for source, anchor in edges.get(page, ()):
        by_anchor[anchor].add(source)
    order = _page_order({})
    return {anchor: sorted(sources, key=order) for anchor, sources in by_anchor.items()}


def _mention_list(pages: list[str], from_page: str, titles: dict[str, str]) -> str:
    shown = "、".join(f"[{md_escape(titles.get(p, _short(p)))}]({link(from_page, p)})" for p in pages[:MAX_LISTED])
    return shown + (f" 等 {len(pages)} 个页面" if len(pages) > MAX_LISTED else "")


def _cached_listing(make, path: str, registry: Registry, edges: dict, titles: dict[str, str], cache: dict | None) -> Page:
    """The glossary or the references: they change only when the links to them, or the titles of
    the pages linking, change."""
    incoming = frozenset(edges.get(path, ()))
    sources = frozenset((s, titles.get(s, s)) for s, _ in incoming)
    return remember(cache, "listing", (path, incoming, sources), lambda: make(registry, edges, titles))


def _short(path: str) -> str:
    """A compact label for a page path in lists of mentions: models/gemma.md -> gemma."""
    return md_escape(posixpath.splitext(path)[0].replace("/index", "/"))
