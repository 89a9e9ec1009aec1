"""Stage 5, render: notes and the registry -> every page of the site, as Markdown.

Each kind of page has its builder (model, note, paper, others, home, glossary, references); this
module puts them together: which note part lands on which page, the link graph between pages,
"what links here", and what is remembered between `mkdocs serve` rebuilds.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from notekb.pages.excerpts import Excerpt, group_excerpts
from notekb.pages.family import cached_family_page
from notekb.pages.glossary import glossary_page
from notekb.pages.home import FAMILY_MARKER, family_overview, models_index, notes_index, papers_index
from notekb.pages.links import _cached_listing, _graph, finished_markdown
from notekb.pages.markdown import GLOSSARY_PATH, REFERENCES_PATH, family_path
from notekb.pages.memo import keep_used, remember, retitled
from notekb.pages.model import _cached_model_page
from notekb.pages.note import _cached_note_page
from notekb.pages.others import others_page
from notekb.pages.paper import _cached_paper_page
from notekb.pages.references import references_page
from notekb.records import Note, Page, Part
from notekb.registry import Registry


def render_site(notes: list[Note], registry: Registry, docs_pages: list[Page] = (), page_cache: dict | None = None) -> tuple[list[Page], dict]:
    """All generated pages; also the hand-written `docs_pages` with the family overview filled in
    and backlinks added (returned in extra["docs"]), since links go both ways between the two."""
    notes_by_id = {n.id: n for n in notes}
    excerpts: dict[str, list[Excerpt]] = defaultdict(list)
    family_excerpts: dict[str, list[Excerpt]] = defaultdict(list)
    shared: dict[str, list[tuple[Note, str]]] = defaultdict(list)  # model id -> family notes discussing it
    papers: dict[str, list[tuple[Note, Part]]] = defaultdict(list)
    others: list[tuple[Note, Part]] = []
    for note in notes:
        for part in note.parts:
            target = part.target
            if target is None:
                continue
            if target.kind == "model" and target.id in registry.model_by_id:
                excerpts[target.id] += group_excerpts(note, part)
            elif target.kind == "family" and target.id in registry.family_by_id:
                family_excerpts[target.id] += group_excerpts(note, part)
                for member in target.members:
                    if (note, target.id) not in shared[member]:
                        shared[member].append((note, target.id))
            elif target.kind == "paper":
                papers[target.id].append((note, part))
            else:
                others.append((note, part))
    counts = {m: len({e.note.id for e in ex}) for m, ex in excerpts.items()}
    # A model has a page once a note is about it; a family once one of its members or a note about
    # the whole family has one.
    with_page = {m for m, n in counts.items() if n}
    families = {f.id for f in registry.families if family_excerpts.get(f.id) or any(m.id in with_page for m in registry.members(f.id))}
    pages = [_cached_model_page(m, excerpts[m.id], registry, notes_by_id, page_cache, with_page, families, [s for s in shared.get(m.id, []) if s[1] in families]) for m in registry.models if m.id in with_page]
    pages += [cached_family_page(f, family_excerpts.get(f.id, []), registry, notes_by_id, counts, with_page, families, page_cache) for f in registry.families if f.id in families]
    pages.append(models_index(registry, counts, notes_by_id, any(d.path == "index.md" for d in docs_pages), with_page, families))
    pages += [_cached_paper_page(slug, sources, registry, page_cache) for slug, sources in papers.items()]
    pages.append(papers_index(papers))
    pages += [_cached_note_page(n, registry, page_cache) for n in notes]
    pages.append(notes_index(notes, registry))
    pages.append(others_page(others, registry))
    docs = [Page(d.path, d.title, d.markdown.replace(FAMILY_MARKER, family_overview(registry, counts, d.path, notes_by_id, with_page, families))) for d in docs_pages]
    # A hand-written page replaces the generated page of the same name: only its links count.
    written = {d.path for d in docs}
    edges = _graph(page_cache, "pages").update([p for p in pages if p.path not in written] + docs)
    titles = {p.path: p.title for p in pages + docs}
    listings = [_cached_listing(make, path, registry, edges, titles, page_cache) for make, path in ((glossary_page, GLOSSARY_PATH), (references_page, REFERENCES_PATH))]
    edges = dict(edges)  # the graph's own sets are not altered: the listings' links are added to copies
    for target, sources in _graph(page_cache, "listings").update([p for p in listings if p.path not in written]).items():
        edges[target] = edges.get(target, set()) | sources
    pages += listings
    titles.update((p.path, p.title) for p in listings)

    changed_titles = retitled(page_cache, titles)

    # A mention of a model no note is about yet leads to its family's page, if that has one.
    unpaged = tuple(sorted(
        [(f"model/{m.id}", family_path(m.family) if m.family in families else "") for m in registry.models if m.id not in with_page]
        + [(f"family/{f.id}", "") for f in registry.families if f.id not in families]
    ))

    def finish(page: Page) -> Page:
        # Keyed by the pages linking to it; made again where one of them has a new title. So the
        # sorted list of (page, title) is made only for the pages whose backlinks changed.
        linking = frozenset(s for s, _ in edges.get(page.path, ()))
        make = lambda: finished_markdown(page.path, page.markdown, tuple(sorted((s, titles.get(s, s)) for s in linking)), unpaged)  # noqa: E731
        stale = bool(changed_titles) and not changed_titles.isdisjoint(linking)
        return dataclasses.replace(page, markdown=remember(page_cache, "finished", (page.path, page.markdown, linking, unpaged), make, fresh=stale))

    done = [finish(p) for p in pages], {"counts": counts, "docs": [finish(d) for d in docs], "families": families}
    keep_used(page_cache, {n.digest for n in notes})
    return done
