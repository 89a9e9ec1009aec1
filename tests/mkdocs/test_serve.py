"""`mkdocs serve` picks up an edited note and a new note without a restart, in both editions."""

from __future__ import annotations

import json

from conftest import make_project, mkdocs_serve


def test_serve_rebuilds_when_a_note_is_edited_or_added(tmp_path):
    project = make_project(tmp_path)
    with mkdocs_serve(project) as served:
        served.wait_for("/models/gemma/", "RMSNorm", "serve never came up")
        note = project / "notes" / "003_85ea77ce08776b2e.txt"
        note.write_text(note.read_text(encoding="utf-8").replace("模型参数如下:", "模型参数如下（编辑测试句）:"), encoding="utf-8")
        served.wait_for("/models/gemma/", "编辑测试句", "the edited note did not reach the served page")
        served.wait_for("/zh-Hant/models/gemma/", "編輯測試句", "nor the page's Traditional edition")
        added = project / "notes" / "new" / "gemma-extra.md"
        added.parent.mkdir()
        added.write_text("---\nmodel: gemma\nauthor: 测试者\n---\n\nGemma 的新笔记：这是一个全新的测试段落。\n", encoding="utf-8")
        served.wait_for("/models/gemma/", "这是一个全新的测试段落", "the new note did not reach the model page")
        served.wait_for("/notes/gemma-extra/", "测试者", "the new note's page is not served")
        served.wait_for("/zh-Hant/notes/gemma-extra/", "測試者", "nor its Traditional edition")
        # The search index was updated too (incrementally, by the helper process).
        manifest = json.loads(served.get("/search/manifest.json")[1])
        chunks = [served.get(f"/search/d/{k}.json") for k in range(-(-manifest["n"] // manifest["chunk"]))]
        assert chunks and all(status == 200 for status, _ in chunks)
        records = "".join(body for _, body in chunks)
        assert "这是一个全新的测试段落" in records and "编辑测试句" in records
