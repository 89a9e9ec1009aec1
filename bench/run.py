"""The notekb benchmark: prints one table of build time, memory, rebuild cost and search bytes.

    python bench/run.py                  # N = 100 and 1,000 (several minutes on 2 cores)
    python bench/run.py --sizes 20       # a quick run (the test suite does this)

For each N it generates a synthetic corpus (bench/corpus.py), then measures:
  * a build with the notekb plugin (mkdocs build, cold, in a fresh process): time and peak memory;
  * a plain MkDocs build of the pages `notekb export` wrote, with the same theme, extensions and
    navigation, but no notekb plugin (and so no search); the ratio is the notes layer's overhead;
  * the notes layer's own time (the plugin's hooks) cold, and on a rebuild after one note changed
    with the same plugin instance, as `mkdocs serve` does;
  * the same site with its Traditional Chinese edition (zh-Hant/, issue #15, on by default): the
    builds above are of the Simplified edition alone (`traditional: false`), the one-edition site a
    plain MkDocs build makes; the ratio of the two is the edition's cost;
  * the bytes headless Chromium fetches to load the home page, then to answer a first search entered
    into the search box;
  * (issue #16, the second table, "engines") a cold build with Zensical, `notekb build --engine
    zensical` on the default project (the one with the edition), in a fresh process, its work folder
    (.notekb/zensical/, with Zensical's cache) deleted first; against the MkDocs build of that project,
    both as the wall time of the process, from its start to the end of the build;
  * edit-to-visible while serving (bench/serve.py): the server is started on a free port and, once
    it answers the note's page, one note is edited (a marker sentence appended) and its page asked
    for every 50 ms until the marker is in it, three times (--serve-repeat), by
      - notekb's `mkdocs serve` (the plugin project, Simplified edition only, as the plain build),
      - the same with the zh-Hant edition (the default project: what users get),
      - plain MkDocs serving the exported pages (the marker appended to the note's exported page),
      - `notekb serve --engine zensical` (the default project);
    a marker that never shows fails the run (no number is reported for it).
Each build is run three times (--repeat), alternating with and without the plugin; the table shows
medians.
Targets (issue #6): overhead <= 1.25x, time(1000) <= 11 x time(100), memory(1000) < 1 GB,
rebuild <= 10% of cold, first search <= 600 kB at 1,000 notes; (issue #15) two editions <= 1.5x one;
(issue #16) edit-to-visible with `notekb serve --engine zensical` < 1 s at 1,000 notes, and
notekb's `mkdocs serve` edit-to-visible <= 1.25x plain MkDocs' (serving the exported pages).

    python bench/run.py --no-serve       # builds only
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402
from serve import edit_to_visible  # noqa: E402

QUERY = "混合专家"
SERVERS = ("mkdocs", "editions_mkdocs", "plain_mkdocs", "zensical")  # see _serve_times


def _run_build(config: Path, rebuild_after: Path | None = None) -> dict:
    args = [sys.executable, str(HERE / "_build.py"), str(config)]
    if rebuild_after:
        args += ["--rebuild-after", str(rebuild_after)]
    args += ["--started-at", repr(time.time())]  # for process_seconds: a cold build's wall time
    result = subprocess.run(args, capture_output=True, text=True, cwd=config.parent, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"build failed ({config}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _run_zensical_build(config: Path, site_dir: Path) -> dict:
    """`notekb build --engine zensical`, cold: in a fresh process, with notekb's work folder (the
    exported pages, Zensical's site and .cache) deleted first. Wall time of the whole command."""
    shutil.rmtree(config.parent / ".notekb" / "zensical", ignore_errors=True)
    args = [sys.executable, "-m", "notekb.cli", "build", "--engine", "zensical", "-f", str(config), "--site-dir", str(site_dir)]
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, cwd=config.parent, timeout=3600)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"zensical build failed ({config}):\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    if not (site_dir / "index.html").is_file():
        raise SystemExit(f"zensical build of {config} wrote no {site_dir / 'index.html'}:\n{result.stdout[-2000:]}")
    # notekb's summary line: "... in T s (export a s, zensical b s, sanitize and index c s; ...)"
    parts = re.search(r"\(export ([\d.]+) s, zensical ([\d.]+) s, sanitize and index ([\d.]+) s", result.stdout)
    return {"seconds": seconds, "parts": dict(zip(("export", "zensical", "sanitize_index"), map(float, parts.groups()))) if parts else {}}


def _project(out: Path, notes: Path, traditional: bool = True) -> Path:
    """A notekb project over the corpus: the repository's mkdocs.yml and docs/ (with or without
    the Traditional edition)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs", out / "docs", dirs_exist_ok=True)
    setting = "" if traditional else "\n      traditional: false"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("notes_dir: notes", f"notes_dir: {notes}{setting}")
    (out / "mkdocs.yml").write_text(text, encoding="utf-8")
    return out / "mkdocs.yml"


def _plain_project(out: Path, notes: Path):
    """The pages `notekb export` writes, built by MkDocs alone with the same theme and nav; and the
    notekb Site they were exported from."""
    from notekb.cli.export import export

    if out.exists():
        shutil.rmtree(out)
    site = export(notes, out / "docs", ROOT / "docs")
    nav = yaml.safe_load((out / "docs" / ".nav.yml").read_text(encoding="utf-8"))["nav"]
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("plugins:\n  - notekb:\n      notes_dir: notes\n", "plugins: []\nextra_css: [assets/notekb.css]\n")
    text += "\n" + yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False)
    (out / "mkdocs.yml").write_text(text, encoding="utf-8")
    return out / "mkdocs.yml", site


def _note_page(site, notes: Path, edited: Path, *built: Path) -> str:
    """The page path (notes/<id>/) of the edited note, from the site notekb exported (ids can be
    renamed to settle collisions: never guessed from the file name), checked against the built sites."""
    rel = edited.relative_to(notes).as_posix()
    ids = [note.id for note in site.notes if note.rel == rel]
    if len(ids) != 1:
        raise SystemExit(f"{rel}: not one note of the exported site ({ids})")
    page = f"notes/{ids[0]}/"
    for site_dir in built:
        if not (site_dir / page / "index.html").is_file():
            raise SystemExit(f"{rel}: its page {page} is not in the built site {site_dir}")
    return page


def _serve_times(n: int, work: Path, edited: Path, page: str, projects: dict[str, Path], plain_page: Path, repeat: int) -> dict:
    """Edit-to-visible with each server (see bench/serve.py), one after the other."""
    mkdocs = [sys.executable, "-m", "mkdocs", "serve", "-a", "{addr}", "-f"]
    zensical = [sys.executable, "-m", "notekb.cli", "serve", "--engine", "zensical", "--dev-addr", "{addr}", "-f"]
    servers = {  # name: (command, edited file, text printed once ready)
        "mkdocs": (mkdocs + [str(projects["plugin"])], edited, "Serving on"),
        "editions_mkdocs": (mkdocs + [str(projects["editions"])], edited, "Serving on"),
        "plain_mkdocs": (mkdocs + [str(projects["plain"])], plain_page, "Serving on"),
        "zensical": (zensical + [str(projects["editions"])], edited, "notekb: watching"),
    }
    out = {}
    for name, (command, file, ready) in servers.items():
        cwd = Path(command[-1]).parent
        out[name] = edit_to_visible(command, page, file, cwd=cwd, log=work / f"serve{n}_{name}.log", repeat=repeat, ready=ready)
        print(f"N={n}: {name} serve: edit-to-visible {', '.join(f'{x:.2f}' for x in out[name]['runs'])} s "
              f"(first build {out[name]['startup_s']:.1f} s)", file=sys.stderr, flush=True)
    return out


def _browser_bytes(site: Path) -> tuple[int, int]:
    """Bytes fetched to load the home page, and then to answer a first search."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    fetched: list[int] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()

            def on_response(response):
                try:
                    fetched.append(len(response.body()))
                except Exception:
                    pass

            page.on("response", on_response)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="networkidle")
            load = sum(fetched)
            fetched.clear()
            page.click("label.md-header__button[for=__search]") if page.is_visible("label.md-header__button[for=__search]") else None
            # Entered at once (as if pasted): typed key by key, the searches for its prefixes would
            # make the figure depend on typing speed.
            page.fill("[data-notekb-query]", QUERY)
            page.wait_for_function("document.querySelector('[data-notekb-search]').getAttribute('data-notekb-state') === 'done'", timeout=60000)
            page.wait_for_load_state("networkidle")
            search = sum(fetched)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return load, search


def measure(n: int, work: Path, repeat: int = 3, serve: bool = True, serve_repeat: int = 3) -> dict:
    """Builds with and without the plugin, and with Zensical, alternately, `repeat` times each;
    times are medians (a single build on a shared machine varies by several percent), memory is the
    largest. Then (with `serve`) edit-to-visible with each server, `serve_repeat` edits each."""
    notes = generate(work / f"corpus{n}", n)
    project = _project(work / f"site{n}", notes, traditional=False)
    editions_project = _project(work / f"editions{n}", notes)
    plain_project, plain_site = _plain_project(work / f"plain{n}", notes)
    edited = sorted(p for p in notes.rglob("*") if p.is_file())[n // 2]
    zensical_site = editions_project.parent / "zensical-site"
    plugins, plains, editions, zensicals = [], [], [], []
    for _ in range(repeat):
        plugins.append(_run_build(project, rebuild_after=edited))
        plains.append(_run_build(plain_project))
        editions.append(_run_build(editions_project, rebuild_after=edited))
        zensicals.append(_run_zensical_build(editions_project, zensical_site))
    page = _note_page(plain_site, notes, edited, project.parent / "site", editions_project.parent / "site", plain_project.parent / "site", zensical_site)
    load, search = _browser_bytes(editions_project.parent / "site")
    served = None
    if serve:
        projects = {"plugin": project, "editions": editions_project, "plain": plain_project}
        served = _serve_times(n, work, edited, page, projects, plain_project.parent / "docs" / (page.rstrip("/") + ".md"), serve_repeat)
    median = statistics.median
    return {
        "n": n,
        "runs": repeat,
        "plugin_s": median(r["seconds"] for r in plugins),
        "plain_s": median(r["seconds"] for r in plains),
        "rss_mb": max(r["max_rss_mb"] for r in plugins),
        "helpers_mb": max(r.get("helpers_peak_mb", 0.0) for r in plugins),
        "layer_cold_s": median(sum(r["timings"].values()) for r in plugins),
        "layer_rebuild_s": median(sum(r["rebuild_timings"].values()) for r in plugins),
        "timings": {k: median(r["timings"][k] for r in plugins) for k in plugins[0]["timings"]},
        "rebuild_timings": {k: median(r["rebuild_timings"].get(k, 0.0) for r in plugins) for k in plugins[0]["timings"]},
        "editions_s": median(r["seconds"] for r in editions),
        "editions_rebuild_s": median(sum(r["rebuild_timings"].values()) for r in editions),
        "editions_mb": max(r["max_rss_mb"] + r.get("helpers_peak_mb", 0.0) for r in editions),
        "all_plugin_s": [r["seconds"] for r in plugins],
        "all_plain_s": [r["seconds"] for r in plains],
        "all_editions_s": [r["seconds"] for r in editions],
        "editions_process_s": median(r["process_seconds"] for r in editions),
        "all_editions_process_s": [r["process_seconds"] for r in editions],
        "load_kb": load / 1000,
        "search_kb": search / 1000,
        "zensical_s": median(r["seconds"] for r in zensicals),
        "all_zensical_s": [r["seconds"] for r in zensicals],
        "zensical_parts": {k: median(r["parts"][k] for r in zensicals) for k in zensicals[0]["parts"]},
        "edited_note": edited.relative_to(notes).as_posix(),
        "edited_page": page,
        "serve": served,  # name -> {"runs": [s, ...], "median_s", "startup_s"}, or None (--no-serve)
        **{f"{name}_serve_s": (served[name]["median_s"] if served else None) for name in SERVERS},
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| N | build with notekb | plain MkDocs build | overhead | peak memory (MkDocs + helpers) | notes layer cold | notes layer rebuild (1 note edited) | rebuild / cold | with the zh-Hant edition | its cost | page load | first search |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['plugin_s']:.1f} s | {r['plain_s']:.1f} s | {r['plugin_s'] / r['plain_s']:.2f}x | {r['rss_mb'] + r['helpers_mb']:.0f} MB ({r['rss_mb']:.0f} + {r['helpers_mb']:.0f}) | "
            f"{r['layer_cold_s']:.2f} s | {r['layer_rebuild_s']:.2f} s | {r['layer_rebuild_s'] / r['layer_cold_s']:.0%} | "
            f"{r['editions_s']:.1f} s | {r['editions_s'] / r['plugin_s']:.2f}x | "
            f"{r['load_kb']:.0f} kB | {r['search_kb']:.0f} kB |"
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        lines.append("")
        lines.append(
            f"growth {a['n']:,} -> {b['n']:,} notes ({b['n'] / a['n']:.0f}x): build time {b['plugin_s'] / a['plugin_s']:.1f}x, "
            f"peak memory {(b['rss_mb'] + b['helpers_mb']) / (a['rss_mb'] + a['helpers_mb']):.1f}x, first search bytes {b['search_kb'] / a['search_kb']:.1f}x"
        )
    lines.append("")
    lines.append("medians of " + ", ".join(f"N={r['n']}: {r['runs']} runs (with notekb {', '.join(f'{x:.1f}' for x in r['all_plugin_s'])} s; plain {', '.join(f'{x:.1f}' for x in r['all_plain_s'])} s)" for r in rows))
    lines.append("with the zh-Hant edition: " + "; ".join(
        f"N={r['n']}: {', '.join(f'{x:.1f}' for x in r['all_editions_s'])} s, notes layer rebuild {r['editions_rebuild_s']:.2f} s, peak memory {r['editions_mb']:.0f} MB" for r in rows))
    lines.append("notes layer parts, cold -> rebuild (s): " + "; ".join(
        f"N={r['n']}: " + ", ".join(f"{k} {r['timings'][k]:.2f} -> {r['rebuild_timings'].get(k, 0):.2f}" for k in r["timings"]) for r in rows))
    return "\n".join(lines)


def engines_table(rows: list[dict]) -> str:
    """The second table (issue #16): cold builds by engine, and edit-to-visible while serving."""

    def secs(value: float | None, digits: int = 2) -> str:
        return "–" if value is None else f"{value:.{digits}f} s"

    lines = [
        "| N | MkDocs + notekb cold build | Zensical cold build | edit-to-visible: notekb mkdocs serve | notekb mkdocs serve, with the zh-Hant edition | plain MkDocs serve (exported pages) | notekb serve --engine zensical | notekb mkdocs serve / plain mkdocs serve |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = f"{r['mkdocs_serve_s'] / r['plain_mkdocs_serve_s']:.2f}x" if r["serve"] else "–"
        lines.append(
            f"| {r['n']:,} | {r['editions_process_s']:.1f} s | {r['zensical_s']:.1f} s | {secs(r['mkdocs_serve_s'])} | {secs(r['editions_mkdocs_serve_s'])} | "
            f"{secs(r['plain_mkdocs_serve_s'])} | {secs(r['zensical_serve_s'])} | {ratio} |"
        )
    lines.append("")
    lines.append(
        "cold builds: of the default project (with the zh-Hant edition), wall time of a fresh process (Python's start and imports included; "
        "the first table's build times are of MkDocs' build call alone); edit-to-visible: from saving the edit to the page showing it; medians"
    )
    lines.append("engines, runs: " + "; ".join(
        f"N={r['n']}: MkDocs + notekb cold {', '.join(f'{x:.1f}' for x in r['all_editions_process_s'])} s, "
        f"Zensical cold {', '.join(f'{x:.1f}' for x in r['all_zensical_s'])} s"
        + (f" ({', '.join(f'{k} {v:.1f}' for k, v in r['zensical_parts'].items())} s)" if r["zensical_parts"] else "")
        + "".join(
            f", {name} serve {', '.join(f'{x:.2f}' for x in r['serve'][name]['runs'])} s (first build {r['serve'][name]['startup_s']:.1f} s)"
            for name in SERVERS if r["serve"]
        )
        + f", edited {r['edited_note']} -> /{r['edited_page']}"
        for r in rows))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="notekb benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind per size (medians are shown)")
    parser.add_argument("--serve-repeat", type=int, default=3, help="edits per server for edit-to-visible (medians are shown)")
    parser.add_argument("--serve-sizes", type=int, nargs="*", default=None, help="the sizes at which to measure edit-to-visible (default: all)")
    parser.add_argument("--no-serve", action="store_true", help="skip the edit-to-visible measurements")
    args = parser.parse_args()
    if args.repeat < 1 or args.serve_repeat < 1:
        parser.error("--repeat and --serve-repeat must be at least 1")
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    serve_sizes = set() if args.no_serve else set(args.sizes if args.serve_sizes is None else args.serve_sizes)
    rows = [measure(n, args.work, args.repeat, n in serve_sizes, args.serve_repeat) for n in args.sizes]
    print(table(rows))
    print()
    print(engines_table(rows))
    (args.work / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
