"""The "other notes" page: notes (and digest parts) that land on no model, with the reason."""

from __future__ import annotations

import html

from notekb.pages.excerpts import excerpt_markdown, group_excerpts
from notekb.pages.markdown import OTHERS_PATH, heading
from notekb.records import Note, Page, Part
from notekb.registry import Registry


def others_page(items: list[tuple[Note, Part]], registry: Registry) -> Page:
    out = [heading(1, "其他笔记"), "这些笔记（或笔记中的部分）没有归入任何模型页：下面是全文，以及路由给出的理由。"]
    if not items:
        out.append("目前没有。")
    for note, part in items:
        title = part.title or note.title
        out.append(heading(2, title, f"{note.id}-{part.anchor}".strip("-"), part.title_lang if part.title else note.lang))
        if part.target and part.target.evidence:
            out.append('<p class="nkb-evidence">路由依据：' + html.escape("；".join(part.target.evidence)) + "</p>")
        for excerpt in group_excerpts(note, part):
            out.append(excerpt_markdown(excerpt, OTHERS_PATH))
    return Page(OTHERS_PATH, "其他笔记", "\n\n".join(out) + "\n")
