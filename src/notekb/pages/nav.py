"""The site's navigation, shared by the MkDocs plugin and `notekb export` (which writes it to
.nav.yml for other engines).

Home, models (grouped by family, in release order), papers, notes, other notes, glossary,
references, then the hand-written pages. Notes are grouped by the model or family they landed on, and every long list is cut into sections of at most
NAV_CHUNK pages: Material renders the open section's navigation into every page, so one flat
section of a thousand notes makes the build quadratic.
"""

from __future__ import annotations

from notekb.registry import Registry
from notekb.pages.markdown import GLOSSARY_PATH, OTHERS_PATH, REFERENCES_PATH, family_path, model_path, note_path
from notekb.records import Note, Page

NAV_CHUNK = 50


def _chunked(paths: list[str]) -> list:
    """A list of pages as is when short, else sections of NAV_CHUNK pages labelled by position."""
    if len(paths) <= NAV_CHUNK:
        return paths
    return [{f"{k + 1}–{min(k + NAV_CHUNK, len(paths))}": paths[k : k + NAV_CHUNK]} for k in range(0, len(paths), NAV_CHUNK)]


def _models_nav(paths: set[str], registry: Registry) -> list:
    """Models grouped by family, each family's page first, then its members in release order."""
    out: list = ["models/index.md"]
    for family in registry.families:
        group = [family_path(family.id)] if family_path(family.id) in paths else []
        group += [model_path(m.id) for m in registry.members(family.id) if model_path(m.id) in paths]
        if group:
            out.append({family.name: group})
    out += [model_path(m.id) for m in sorted(registry.models, key=lambda m: m.release) if m.family not in registry.family_by_id and model_path(m.id) in paths]
    return out


def site_nav(pages: list[Page], notes: list[Note], registry: Registry, docs_pages: list[str]) -> list:
    """The nav structure (as in mkdocs.yml) for the generated pages and the hand-written ones."""
    paths = {p.path for p in pages}
    papers = [p.path for p in pages if p.path.startswith("papers/") and not p.path.endswith("index.md")]
    names = {m.id: m.name for m in registry.models}
    family_names = {f.id: f"{f.name} 家族" for f in registry.families}
    groups: dict[str, list[str]] = {}
    for note in notes:
        target = note.parts[0].target if note.parts else None
        if note.is_digest:
            label = "论文速递"
        elif target is not None and target.kind == "model":
            label = names.get(target.id, target.id)
        elif target is not None and target.kind == "family":
            label = family_names.get(target.id, target.id)
        else:
            label = "其他"
        groups.setdefault(label, []).append(note_path(note.id))
    order = []
    for family in registry.families:
        order += [m.name for m in registry.members(family.id)] + [family_names[family.id]]
    order += [m.name for m in sorted(registry.models, key=lambda m: m.release) if m.name not in order] + ["论文速递", "其他"]
    notes_nav: list = ["notes/index.md"]
    for label in sorted(groups, key=lambda g: order.index(g) if g in order else len(order)):
        notes_nav.append({label: _chunked(groups[label])})
    nav: list = []
    if "index.md" in docs_pages:
        nav.append({"首页": "index.md"})
    nav.append({"模型": _models_nav(paths, registry)})
    nav.append({"论文": ["papers/index.md", *_chunked(papers)]})
    nav.append({"笔记": notes_nav})
    nav.append({"其他笔记": OTHERS_PATH})
    nav.append({"术语表": GLOSSARY_PATH})
    nav.append({"参考文献": REFERENCES_PATH})
    nav += [page for page in docs_pages if page != "index.md"]
    return nav
