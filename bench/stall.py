"""How the cost of hostile notes grows with their size: every stage must stay linear.

    python bench/stall.py            # every shape of bench/hostile.py at 1x and 4x its base size
    python bench/stall.py --only backticks "open brackets"

For each shape it builds a notes folder with that one note, runs the notes layer (read, clean,
route, link: `pipeline.build_site`, which also renders the Markdown pages), then converts every
generated page to HTML with Python-Markdown and the site's extensions (what MkDocs does) and
sanitizes and indexes it (what the plugin does), and prints the seconds of each at 1x and 4x and their ratio. Linear work gives a ratio near 4; a
quadratic stage gives 16, a cubic one 64. tests/test_hostile.py asserts the same ratio per shape.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from hostile import shapes  # noqa: E402

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"]


def measure(text: str, registry, work: Path, repeat: int = 2) -> tuple[float, float]:
    """(seconds in the notes layer, seconds turning its pages into published HTML): the least of
    `repeat` runs. The second part is what MkDocs and the plugin do after the notes layer: convert
    each page with Python-Markdown, sanitize it, cut it into search sections and tokenize them."""
    import markdown

    from notekb.pipeline import build_site
    from notekb.publish.sanitize import sanitize_html
    from notekb.search.index import index_doc, page_docs

    notes = work / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    (notes / "note.md").write_text(text, encoding="utf-8")
    layer = convert = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        site = build_site(notes, registry)
        middle = time.process_time()
        md = markdown.Markdown(extensions=EXTENSIONS)
        for page in site.pages:
            html = sanitize_html(md.reset().convert(page.markdown))
            for doc in page_docs(html, page.path.removesuffix(".md") + "/", page.title):
                index_doc(doc, registry)
        ended = time.process_time()
        layer, convert = min(layer, middle - started), min(convert, ended - middle)
    return layer, convert


def growth(name: str, registry, work: Path) -> dict:
    small, large = shapes(1)[name], shapes(4)[name]
    layer1, convert1 = measure(small, registry, work / "x1")
    layer4, convert4 = measure(large, registry, work / "x4")
    total1, total4 = layer1 + convert1, layer4 + convert4
    return {
        "shape": name,
        "bytes": len(large.encode("utf-8")),
        "layer": (layer1, layer4),
        "convert": (convert1, convert4),
        "ratio": total4 / max(total1, 1e-3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="shapes to measure (default: all)")
    args = parser.parse_args()
    from notekb.registry import Registry

    registry = Registry.load()
    names = args.only or list(shapes(1))
    print("| a note made of … | size at 4x | notes layer 1x / 4x | HTML and search 1x / 4x | growth 1x -> 4x |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for k, name in enumerate(names):
            row = growth(name, registry, Path(tmp) / str(k))
            print(
                f"| {name} | {row['bytes'] / 1000:,.0f} kB | {row['layer'][0]:.2f} s / {row['layer'][1]:.2f} s "
                f"| {row['convert'][0]:.2f} s / {row['convert'][1]:.2f} s | {row['ratio']:.1f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
