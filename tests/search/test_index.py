"""The search index on its own: folding, tokens, synonyms, and the files the browser reads."""

from __future__ import annotations

import json

from notekb.registry import Registry
from notekb.search.index import Doc, IndexWriter, index_doc, normalize, page_docs, shard_of, synonym_groups, tokenize

REGISTRY = Registry.load()


def test_folding_makes_scripts_and_widths_one():
    assert normalize("混合專家 熱備份 ＭｏＥ") == "混合专家 热备份 moe"


def test_tokens_cover_bigrams_words_hangul_and_latin():
    tokens = tokenize(normalize("采用稀疏混合专家(MoE)架构 静默数据损坏 체크포인트는 Gemini1.5"), REGISTRY)
    assert {"混合", "合专", "专家", "静默数据损坏", "체크", "포인", "gemini", "1.5", "moe"} <= set(tokens)
    assert "체크포인트는" in tokens  # the whole word too


def test_synonym_groups_start_with_one_or_two_names_per_language():
    moe = next(g for g in synonym_groups(REGISTRY) if "混合专家" in g)
    reps = moe[1 : 1 + moe[0]]
    assert {"mixture of experts", "混合专家", "전문가 혼합", "moe"} <= set(reps)
    assert "sparse moe" in moe and "sparse moe" not in reps


def test_page_docs_split_at_headings_and_excerpts():
    html = ('<h1 id="gemma">Gemma</h1><p>lede</p><h2 id="architecture">模型架构</h2>'
            '<div id="x-architecture-003" class="nkb-excerpt" lang="zh-Hans"><p>RMSNorm 代码</p></div>'
            '<div id="x-architecture-004" class="nkb-excerpt" lang="zh-Hans"><p>另一篇</p></div>')
    docs = page_docs(html, "models/gemma/", "Gemma")
    urls = [d.url for d in docs]
    assert "models/gemma/#x-architecture-003" in urls and "models/gemma/#x-architecture-004" in urls
    excerpt = next(d for d in docs if d.url.endswith("003"))
    assert excerpt.title == "模型架构" and "RMSNorm" in excerpt.text


def _decoded(out):
    manifest = json.loads((out / "manifest.json").read_text())
    postings = {}
    for k in range(manifest["shards"]):
        for token, flat in json.loads((out / "s" / f"{k}.json").read_text()).items():
            if token == "~":
                continue
            doc, ids = 0, []
            for i in range(0, len(flat), 2):
                doc += flat[i]
                ids.append(doc)
            postings[token] = ids
    records = {}
    for path in (out / "d").glob("*.json"):
        for i, record in enumerate(json.loads(path.read_text())):
            if record:
                records[int(path.stem) * manifest["chunk"] + i] = record
    return manifest, postings, records


def test_an_incremental_update_matches_the_sections_it_holds(tmp_path):
    docs = {name: Doc(f"notes/{name}/", name, "", text) for name, text in (("a", "热备份与滚动维护"), ("b", "静默数据损坏"), ("c", "切片粒度的弹性"))}
    writer = IndexWriter()
    writer.update({k: index_doc(d, REGISTRY) for k, d in docs.items()})
    writer.write(tmp_path / "one", REGISTRY)
    docs["b"] = Doc("notes/b/", "b", "", "思考预算")  # edited
    docs["d"] = Doc("notes/d/", "d", "", "教师模型")  # added
    del docs["c"]  # removed
    writer.update({k + docs[k].text: index_doc(d, REGISTRY) for k, d in docs.items()})
    writer.write(tmp_path / "two", REGISTRY)
    manifest, postings, records = _decoded(tmp_path / "two")
    where = lambda token: {records[i]["u"] for i in postings.get(token, [])}
    assert where("热备") == {"notes/a/"} and where("预算") == {"notes/b/"} and where("教师") == {"notes/d/"}
    assert where("静默") == set() and where("切片") == set()
    assert sorted(r["u"] for r in records.values()) == ["notes/a/", "notes/b/", "notes/d/"]


def test_shard_of_is_stable_and_keys_latin_tokens_by_prefix():
    assert shard_of("gemini", 64) == shard_of("gemma", 64)  # same first two letters: prefix search works
    assert 0 <= shard_of("混合", 64) < 64


def test_writing_only_what_changed_over_the_last_build_gives_the_same_files(tmp_path):
    texts = {f"n{k}": f"第{k}篇：热备份、静默数据损坏与切片粒度的弹性 {k}" for k in range(40)}
    entries = lambda: {key + text: index_doc(Doc(f"notes/{key}/", key, "", text), REGISTRY) for key, text in texts.items()}
    writer = IndexWriter()
    writer.update(entries())
    writer.write(tmp_path / "previous", REGISTRY)
    texts["n3"] = "改过的笔记：思考预算"
    del texts["n7"]
    writer.write_previous(tmp_path / "incremental")  # a fresh site folder, while pages render
    writer.update(entries())
    writer.write(tmp_path / "incremental", REGISTRY, only_changed=True)
    writer.write(tmp_path / "full", REGISTRY)
    files = lambda root: {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.json")}
    assert files(tmp_path / "incremental") == files(tmp_path / "full")
    assert files(tmp_path / "full") != files(tmp_path / "previous")


def test_a_section_text_leaves_out_what_labels_it():
    """Issue 14: snippets began with a facts table's header row or an excerpt's source label."""
    html = ('<h1 id="gemma">Gemma</h1><div class="nkb-facts"><table><thead><tr><th>项目</th><th>内容</th></tr></thead>'
            '<tbody><tr><td>发布</td><td>2024-02-21 <small>（<a href="#">见笔记</a>）</small></td></tr></tbody></table></div>'
            '<h2 id="architecture">模型架构</h2><div id="x-architecture-003" class="nkb-excerpt" lang="zh-Hans">'
            '<div class="nkb-source" lang="zh-Hans"><p>来源：<a href="#">某篇笔记</a> · 简体中文</p></div>'
            '<p>沿用解码器。</p><div class="nkb-missing-figure" role="note" title="t1">原文此处有图，未随笔记提供：<code>t1</code></div></div>'
            '<p class="nkb-used">收录于 <a href="#">Gemma › 模型架构</a></p>'
            '<h2 id="meta">文件</h2><p><code class="nkb-path"><span>notes/</span><wbr><span>003_85ea77ce.txt</span></code> 之后</p>')
    docs = {d.url: d for d in page_docs(html, "models/gemma/", "Gemma")}
    assert docs["models/gemma/#gemma"].text == "2024-02-21"  # no "项目 内容", no "发布"
    assert docs["models/gemma/#x-architecture-003"].text == "沿用解码器。"
    assert docs["models/gemma/#meta"].text == "之后"  # a note's file path is no text to find


def test_glossary_and_reference_entries_are_sections_of_their_own():
    html = ('<h2 id="letter-m">M</h2><div class="nkb-entry-card"><h4 class="nkb-entry" id="moe">混合专家（MoE）</h4>'
            '<dl class="nkb-names"><dt>中文</dt><dd>混合专家</dd></dl><p>按输入选择专家。</p>'
            '<p class="nkb-entry-links">出现于：<a href="#">Gemini 2.5</a></p></div>'
            '<div class="nkb-entry-card"><h4 class="nkb-entry" id="mqa">多查询注意力（MQA）</h4><p>共享键值头。</p></div>')
    docs = {d.url: d for d in page_docs(html, "glossary/", "术语表")}
    assert docs["glossary/#moe"].title == "混合专家（MoE）" and docs["glossary/#moe"].text == "混合专家 按输入选择专家。"
    assert docs["glossary/#mqa"].text == "共享键值头。"


def test_letters_and_digits_run_together_are_a_token_too():
    tokens = tokenize(normalize("首个在 TPUv5p 上训练，另见 TPUv5e 与 16kHz"), REGISTRY)
    assert {"tpuv5p", "tpuv5e", "16khz", "tpuv", "5"} <= set(tokens)
    assert "tpuv5" not in tokens


def test_the_manifest_tells_the_page_of_every_section_and_the_stop_words(tmp_path):
    docs = {k: Doc(url, url, "", text) for k, url, text in (("a1", "models/a/#x", "热备份"), ("a2", "models/a/#y", "滚动维护"), ("b", "notes/b/", "切片"))}
    writer = IndexWriter()
    writer.update({k: index_doc(d, REGISTRY) for k, d in docs.items()})
    writer.update({k: index_doc(d, REGISTRY) for k, d in docs.items() if k != "a2"})  # a2 removed: its number is free
    writer.write(tmp_path, REGISTRY)
    manifest, _, records = _decoded(tmp_path)
    runs = manifest["pages"]
    pages = [p for k in range(0, len(runs), 2) for p in [runs[k]] * runs[k + 1]]
    assert len(pages) == manifest["n"] == 3
    assert pages[1] == -1 and pages[0] != pages[2]  # the free number, and two pages
    assert {"of", "the", "的"} <= set(manifest["stop"])


def test_japanese_is_indexed_as_written_and_still_found_by_a_folded_query():
    doc = Doc("notes/ja/", "日本語のノート", "", "AI競争が激しくなる中、約束された性能です。")
    weights, _ = index_doc(doc, None)
    assert "競争" in weights.tokens and "约束" in weights.tokens  # as written, and folded
    chinese = index_doc(Doc("notes/zh/", "中文", "", "AI競争很激烈。"), None)[0]
    assert "競争" not in chinese.tokens  # Chinese is folded only
