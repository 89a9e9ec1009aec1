"""`mkdocs serve` picks up an edited note and a new note without a restart, in both editions."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

from conftest import MKDOCS, make_project


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, needle: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _get(url)
        if body is not None and needle in body:
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_a_note_is_edited_or_added(tmp_path):
    project = make_project(tmp_path)
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen(MKDOCS + ["serve", "-a", f"127.0.0.1:{port}"], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(f"{base}/models/gemma/", "RMSNorm"), "serve never came up"
        note = project / "notes" / "003_85ea77ce08776b2e.txt"
        note.write_text(note.read_text(encoding="utf-8").replace("模型参数如下:", "模型参数如下（编辑测试句）:"), encoding="utf-8")
        assert _wait_for(f"{base}/models/gemma/", "编辑测试句"), "the edited note did not reach the served page"
        assert _wait_for(f"{base}/zh-Hant/models/gemma/", "編輯測試句"), "nor the page's Traditional edition"
        added = project / "notes" / "new" / "gemma-extra.md"
        added.parent.mkdir()
        added.write_text("---\nmodel: gemma\nauthor: 测试者\n---\n\nGemma 的新笔记：这是一个全新的测试段落。\n", encoding="utf-8")
        assert _wait_for(f"{base}/models/gemma/", "这是一个全新的测试段落"), "the new note did not reach the model page"
        assert _wait_for(f"{base}/notes/gemma-extra/", "测试者")
        assert _wait_for(f"{base}/zh-Hant/notes/gemma-extra/", "測試者")
        # The search index was updated too (incrementally, by the helper process).
        import json

        manifest = json.loads(_get(f"{base}/search/manifest.json"))
        chunks = range(0, manifest["n"], manifest["chunk"])
        records = "".join(_get(f"{base}/search/d/{k // manifest['chunk']}.json") or "" for k in chunks)
        assert "这是一个全新的测试段落" in records and "编辑测试句" in records
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
