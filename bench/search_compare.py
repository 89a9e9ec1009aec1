"""Top-5 search recall of notekb's own search against Pagefind's extended build, on one built site.

    /tmp/venv/bin/python bench/search_compare.py        # from the repository root; about a minute

What it measures, on the same built site and the same queries:
  * the site: the repository's mkdocs.yml, docs/ and notes/, plus the Traditional Chinese test note
    tests/data/search/gemini15-zh-hant.md (as notes/extra/), built with `mkdocs build`;
  * the queries: LITERAL, OTHER_SCRIPT and SYNONYMS from tests/test_search_browser.py (imported, not
    copied), each a query and the set of pages that must be among the first five;
  * notekb: `window.notekbSearch.search(q)` in headless Chromium on the served site; its ranked page
    sections are turned into pages the way the header search box does (the first 10 sections it
    shows, grouped by page in order), top 5 pages;
  * Pagefind (`pip install "pagefind[extended]"`, CJK segmentation on), run over copies of the built
    site twice: indexing the whole <body> (its default, since the pages carry no data-pagefind-body),
    and with `--root-selector article.md-content__inner` so it indexes only the page content, as
    notekb does; queried through its JS API (`pagefind.js`, `search(q)`, the first five `data()`);
  * recall per query = |expected ∩ top 5| / |expected|, averaged per kind;
  * the bytes the browser fetches for a first search of 混合专家 after the page has loaded, until the
    results are there (notekb: typed into the search box until it shows them; Pagefind: its JS API
    from `import()` to the five results' data), and each engine's files on disk.

Needs Chromium (/usr/bin/chromium or NOTEKB_CHROMIUM), playwright and the pagefind package. Prints a
Markdown table and the misses per engine. Temporary folders are removed at the end.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_search_browser import LITERAL, OTHER_SCRIPT, SYNONYMS  # noqa: E402

KINDS = {"words on the page": LITERAL, "other Chinese script": OTHER_SCRIPT, "synonyms": SYNONYMS}
BYTES_QUERY = "混合专家"
PAGEFIND_ROOT = "article.md-content__inner"
BOX_SECTIONS = 10  # the search box shows the first 10 ranked sections, grouped by page
K = 5


# --------------------------------------------------------------------------------------------- site


def build_site(work: Path) -> Path:
    project = work / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "notes", project / "notes")
    (project / "notes" / "extra").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests" / "data" / "search" / "gemini15-zh-hant.md", project / "notes" / "extra" / "gemini15-zh-hant.md")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(project / "site")], cwd=project, capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{result.stderr[-3000:]}")
    return project / "site"


def pagefind_site(site: Path, dest: Path, root_selector: str | None) -> tuple[Path, float, str]:
    """A copy of the built site with a Pagefind bundle in it; returns (copy, seconds, pagefind's log)."""
    shutil.copytree(site, dest)
    args = [sys.executable, "-m", "pagefind", "--site", str(dest)]
    if root_selector:
        args += ["--root-selector", root_selector]
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"pagefind failed ({' '.join(args)}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return dest, seconds, result.stdout + result.stderr


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path) -> tuple[str, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def chromium_path() -> str:
    for candidate in (os.environ.get("NOTEKB_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("Chromium not found: install Debian's chromium or set NOTEKB_CHROMIUM")


def page_path(url: str) -> str:
    """'/models/gemma/#x' or 'models/gemma/index.html' -> 'models/gemma/'."""
    path = url.split("?")[0].split("#")[0].lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return path


def distinct(paths: list[str], k: int = K) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out[:k]


# ------------------------------------------------------------------------------------------ engines

NOTEKB_JS = """async ([q, sections]) => {
  const out = await window.notekbSearch.search(q);
  const ids = out.results.slice(0, sections).map(r => r[0]);
  const docs = await Promise.all(ids.map(id => window.notekbSearch.loadDoc(id)));
  return {n: out.results.length, urls: docs.map(d => d.u)};
}"""

PAGEFIND_JS = """async ([q, k]) => {
  const pf = await import('/pagefind/pagefind.js');
  await pf.init?.();
  const r = await pf.search(q);
  const data = await Promise.all(r.results.slice(0, k).map(x => x.data()));
  return {n: r.results.length, urls: data.map(d => d.url)};
}"""


def notekb_top(page, query: str, sections: int = BOX_SECTIONS) -> list[str]:
    got = page.evaluate(NOTEKB_JS, [query, sections])
    return distinct([page_path(u) for u in got["urls"]])


def pagefind_top(page, query: str) -> list[str]:
    got = page.evaluate(PAGEFIND_JS, [query, K])
    return distinct([page_path(u) for u in got["urls"]])


def recall(top_of) -> tuple[dict[str, float], list[tuple[str, str, list[str], list[str]]]]:
    """Per kind, the mean top-5 recall; and the misses as (kind, query, expected, got)."""
    per_kind, misses = {}, []
    for kind, queries in KINDS.items():
        total = 0.0
        for query, expected in queries:
            top = top_of(query)
            found = set(top) & expected
            total += len(found) / len(expected)
            if found != expected:
                misses.append((kind, query, sorted(expected), top))
        per_kind[kind] = total / len(queries)
    return per_kind, misses


def first_search_bytes(browser, base: str, run) -> int:
    """Bytes of response bodies fetched by `run(page)` after the home page has loaded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fetched: list[int] = []
    counting = [False]

    def on_response(response):
        if not counting[0]:
            return
        try:
            fetched.append(len(response.body()))
        except Exception:
            pass

    page.on("response", on_response)
    page.goto(base, wait_until="networkidle")
    counting[0] = True
    run(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    counting[0] = False
    page.close()
    return sum(fetched)


def notekb_type_search(page) -> None:
    """Type the query into the header search box and wait until it shows results."""
    if page.is_visible("label.md-header__button[for=__search]"):
        page.click("label.md-header__button[for=__search]")
    page.type("[data-notekb-query]", BYTES_QUERY)
    page.wait_for_function(
        "q => document.querySelector('[data-notekb-query]').value === q && "
        "document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state') === 'done' && "
        "document.querySelectorAll('[data-notekb-result]').length > 0",
        arg=BYTES_QUERY,
        timeout=60000,
    )


def pagefind_api_search(page) -> None:
    got = page.evaluate(PAGEFIND_JS, [BYTES_QUERY, K])
    assert got["urls"], "Pagefind found nothing for the bytes query"


# --------------------------------------------------------------------------------------------- main


def kb(n: int) -> str:
    return f"{n / 1000:.0f} kB" if n >= 10000 else f"{n / 1000:.1f} kB"


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="notekb-search-compare-"))
    servers = []
    try:
        site = build_site(work)
        pf_body, pf_body_s, pf_log = pagefind_site(site, work / "site-pagefind-body", None)
        pf_art, pf_art_s, _ = pagefind_site(site, work / "site-pagefind-article", PAGEFIND_ROOT)
        pf_version = subprocess.run([sys.executable, "-m", "pagefind", "--version"], capture_output=True, text=True).stdout.strip()

        rows, all_misses, notes = [], {}, []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium_path(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            )
            try:
                # notekb
                base, server = serve(site)
                servers.append(server)
                page = browser.new_page()
                page.goto(base, wait_until="networkidle")
                nk_recall, nk_misses = recall(lambda q: notekb_top(page, q))
                deep_recall, _ = recall(lambda q: notekb_top(page, q, sections=10**6))
                page.close()
                nk_bytes = first_search_bytes(browser, base, notekb_type_search)
                nk_size = dir_bytes(site / "search")
                name = "notekb (header search box)"
                rows.append((name, nk_recall, nk_bytes, f"{kb(nk_size)} (`search/`, + search.js {kb((ROOT / 'src/notekb/assets/search.js').stat().st_size)})"))
                all_misses[name] = nk_misses
                notes.append(
                    "notekb, walking all ranked sections instead of the first 10 the box shows: "
                    + ("the same recall" if deep_recall == nk_recall else ", ".join(f"{k} {v:.0%}" for k, v in deep_recall.items()))
                )

                # Pagefind, whole body and article only
                for label, pf_site, seconds in (
                    ("whole `<body>` (default)", pf_body, pf_body_s),
                    (f"`--root-selector {PAGEFIND_ROOT}`", pf_art, pf_art_s),
                ):
                    base, server = serve(pf_site)
                    servers.append(server)
                    page = browser.new_page()
                    page.goto(base, wait_until="networkidle")
                    pf_recall, pf_misses = recall(lambda q: pagefind_top(page, q))
                    page.close()
                    pf_bytes = first_search_bytes(browser, base, pagefind_api_search)
                    bundle = pf_site / "pagefind"
                    data = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and (f.parent.name in ("index", "fragment") or f.suffix == ".pf_meta"))
                    runtime = (bundle / "pagefind.js").stat().st_size + (bundle / "pagefind-worker.js").stat().st_size + sum(f.stat().st_size for f in bundle.glob("wasm.*.pagefind"))
                    total = dir_bytes(bundle)
                    name = f"{pf_version} extended, {label}"
                    rows.append((name, pf_recall, pf_bytes, f"{kb(total)} (`pagefind/`: index {kb(data)}, wasm+js {kb(runtime)}, UI {kb(total - data - runtime - (bundle / 'pagefind-entry.json').stat().st_size)})"))
                    all_misses[name] = pf_misses
                    notes.append(f"{pf_version}, {label}: indexing took {seconds:.2f} s")
            finally:
                browser.close()

        counts = {k: len(v) for k, v in KINDS.items()}
        print(f"\n| engine | words on the page ({counts['words on the page']}) | other Chinese script ({counts['other Chinese script']}) "
              f"| synonyms ({counts['synonyms']}) | first-search bytes ({BYTES_QUERY}) | index size |")
        print("|---|---|---|---|---|---|")
        for name, rec, fetched, size in rows:
            print(f"| {name} | {rec['words on the page']:.0%} | {rec['other Chinese script']:.0%} | {rec['synonyms']:.0%} | {kb(fetched)} | {size} |")
        print()
        for line in notes:
            print(f"- {line}")
        langs = [ln.strip() for ln in pf_log.splitlines() if any(w in ln for w in ("Discovered", "stemming", "Indexed", "data-pagefind-body"))]
        for line in dict.fromkeys(langs):
            print(f"- pagefind: {line}")
        printed: dict[str, list] = {}
        for name, misses in all_misses.items():
            same = next((other for other, m in printed.items() if m == misses), None)
            printed[name] = misses
            if same:
                print(f"\nMisses, {name}: the same {len(misses)} as {same}.")
                continue
            print(f"\nMisses, {name} ({len(misses)}):")
            for kind, query, expected, got in misses:
                print(f"- [{kind}] {query} → expected {', '.join(expected)}; got {', '.join(p or '(home)' for p in got) or '(nothing)'}")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
