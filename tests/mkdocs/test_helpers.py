"""Helper processes: a large site built with them is the same, byte for byte, as one built without.

The seed site is too small for helpers (the plugin starts them from PARALLEL_MIN notes and hands
pages over from page_worker.PARALLEL_MIN pages), so these tests build a benchmark corpus of 100
notes, and drive the page worker directly with a real process pool and with a broken one.
"""

from __future__ import annotations

import concurrent.futures as cf
import filecmp
import multiprocessing
import re
import shutil
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import DATA, ROOT, make_project, mkdocs_build

from notekb.mkdocs.helpers import PageWorker
from notekb.publish.prepare import prepare
from notekb.mkdocs.helpers import PARALLEL_MIN

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

PAGES = [
    (f"notes/n{k}.md", f'<h1 id="t{k}">笔记 {k}</h1><p>第 {k} 段：MoE 与长上下文。</p><script>alert({k})</script><h2 id="s{k}">小节</h2><p onclick="x()">正文 {k}</p>', f"notes/n{k}/", f"笔记 {k}")
    for k in range(70)
]


def _run(worker: PageWorker) -> list:
    out = []
    for k, (name, html, url, title) in enumerate(PAGES):
        worker.submit(name, (html, url, title, True, True))
        out += worker.ready()
    return out + worker.ready(wait=True)


def test_page_worker_with_helpers_gives_what_is_done_here_in_the_same_order():
    expected = [(name, prepare(html, url, title, True, True)) for name, html, url, title in PAGES]
    assert "<script" not in expected[0][1].html and "onclick" not in expected[0][1].html
    assert expected[0][1].docs and expected[0][1].keys
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        worker = PageWorker(pool)
        got = _run(worker)
    assert not worker.failed and worker.submitted == len(PAGES)
    assert got == expected


class _BrokenExecutor(cf.Executor):
    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        future.set_exception(cf.process.BrokenProcessPool("a helper died"))
        return future


def test_page_worker_does_the_work_here_when_a_helper_breaks():
    expected = [(name, prepare(html, url, title, True, True)) for name, html, url, title in PAGES]
    worker = PageWorker(_BrokenExecutor())
    assert _run(worker) == expected
    assert worker.failed


def with_injection(project: Path) -> Path:
    """The project with tests/data/hooks/inject_unsafe.py as a MkDocs hook: unsafe HTML added to
    every generated page after notekb's cleaning, which only the sanitizing of the rendered page
    can remove (markers 注入标记一 and 注入标记二 show that it was added)."""
    shutil.copy(DATA / "hooks" / "inject_unsafe.py", project / "inject_unsafe.py")
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("\nhooks:\n  - inject_unsafe.py\n")
    return project


UNSAFE = re.compile(r"<script|\son\w+\s*=|javascript:", re.IGNORECASE)


def assert_neutralized(html: str, where) -> None:
    """The injected markers are there, and nothing of what came with them could run."""
    assert "注入标记一" in html and "注入标记二" in html, where
    assert not UNSAFE.search(html), (where, UNSAFE.search(html) and html[UNSAFE.search(html).start() - 80:][:200])


def _files(site) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())


def test_a_large_site_is_the_same_with_and_without_helper_processes(tmp_path):
    notes = generate(tmp_path / "corpus", 100)
    assert 100 >= PARALLEL_MIN
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_helpers = with_injection(make_project(tmp_path / "a", notes=notes))
    without = with_injection(make_project(tmp_path / "b", notes=notes))
    config = (without / "mkdocs.yml").read_text(encoding="utf-8")
    assert "      notes_dir: notes\n" in config
    (without / "mkdocs.yml").write_text(config.replace("      notes_dir: notes\n", "      notes_dir: notes\n      helpers: false\n"), encoding="utf-8")

    built = mkdocs_build(with_helpers, strict=False, verbose=True)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "processed in helper processes" in built.stderr
    assert "pages sanitized and cut for search in helper processes" in built.stderr
    plain = mkdocs_build(without, strict=False, verbose=True)
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert "processed in this process" in plain.stderr and "in helper processes" not in plain.stderr

    a, b = with_helpers / "site", without / "site"
    files = _files(a)
    assert files == _files(b)
    assert len([f for f in files if f.endswith("index.html")]) >= 200
    assert any(f.startswith("search/s/") for f in files)
    _, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    assert not mismatch and not errors, mismatch[:10]
    # Both sanitized the same, and what the hook injected after cleaning is neutralized: in the
    # pages the helper processes sanitized and in their Traditional copies.
    generated = [f for f in files if f.endswith("index.html") and f.split("/")[0 if not f.startswith("zh-Hant/") else 1] in ("models", "notes", "papers", "families")]
    assert len(generated) >= 200 and any(f.startswith("zh-Hant/") for f in generated)
    for name in generated:
        content = BeautifulSoup((a / name).read_text(encoding="utf-8"), "html.parser").select_one("article.md-content__inner")
        assert_neutralized(str(content).replace("注入標記", "注入标记"), name)


def test_sanitized_html_is_in_place_before_any_template_is_rendered(tmp_path, monkeypatch):
    """With the page helpers in use (forced here on the small seed site), every generated page's
    content is the sanitized HTML by the end of notekb's on_env: other plugins' on_env hooks,
    static templates and every page's template only ever see that. The pages carry unsafe HTML
    added after notekb's cleaning (with_injection), so only the helpers' sanitizing removes it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import notekb.mkdocs.plugin as plugin_module
    import notekb.mkdocs.publishing as publishing

    monkeypatch.setattr(publishing, "PAGES_PARALLEL_MIN", 0)
    monkeypatch.setattr(plugin_module, "PARALLEL_MIN", 0)
    seen = {}
    original = plugin_module.NotekbPlugin.on_env

    def on_env(self, env, *, config, files):
        env = original(self, env, config=config, files=files)
        publisher = self.publisher
        seen["submitted"] = publisher.worker.submitted if publisher.worker else 0
        seen["awaiting"] = dict(publisher.awaiting)
        seen["contents"] = {f.src_uri: f.page.content for f in files.documentation_pages() if f.src_uri in publisher.generated}
        return env

    monkeypatch.setattr(plugin_module.NotekbPlugin, "on_env", on_env)
    project = with_injection(make_project(tmp_path))
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    assert seen["submitted"] > 20
    assert seen["awaiting"] == {}
    injected = {uri: html for uri, html in seen["contents"].items() if uri.startswith(("models/", "notes/"))}
    assert len(injected) > 10
    for uri, html in injected.items():
        assert_neutralized(html, uri)
