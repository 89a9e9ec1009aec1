"""Stage 1, read: bytes -> text, front matter -> fields, file names -> note ids.

Encoded notes are fixture files in tests/data/encodings/ (made from the UTF-8 references there by
make_fixtures.py); small one-off inputs are written to tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import DATA, NOTES, SEEDS
from notekb.pipeline.clean import clean_note
from notekb.pipeline.read import find_notes, note_id, read_note
from notekb.registry import Registry
from notekb.records import Diagnostic, NoteError

ENC = DATA / "encodings"
FIXTURES = DATA / "notes"
REGISTRY = Registry.load()
MODEL_IDS = [m.id for m in REGISTRY.models]


def read(path: Path, rel: str | None = None):
    return read_note(path, rel or path.name, MODEL_IDS)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def errors_of(path: Path, rel: str) -> list[Diagnostic]:
    """Every error reading the file reports: a NoteError, or error-level diagnostics."""
    try:
        _, problems = read(path, rel)
    except NoteError as exc:
        return [exc.diagnostic]
    return [d for d in problems if d.level == "error"]


def first_non_ascii_line(data: bytes) -> int:
    index = next(i for i, b in enumerate(data) if b > 0x7F)
    return data.count(b"\n", 0, index) + 1


# ---------------------------------------------------------------------------------------------
# Encodings


REFERENCE = (ENC / "zh.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("zh.md", "utf-8"),
        ("zh.utf8-bom.md", "utf-8-sig"),
        ("zh.utf16le-bom.txt", "utf-16"),
        ("zh.utf16be-bom.txt", "utf-16"),
        ("zh.gbk.txt", "gb18030"),
    ],
)
def test_supported_encodings_decode_to_the_same_text(name, encoding):
    raw, problems = read(ENC / name, f"enc/{name}")
    assert raw.text == REFERENCE  # no BOM, no CR left, every character right
    assert "\ufeff" not in raw.text and "\r" not in raw.text
    assert raw.encoding.replace("_", "-").lower() == encoding
    assert raw.first_line == 1
    assert not [d for d in problems if d.level == "error"]


def test_utf16_bom_note_with_front_matter_and_crlf(tmp_path):
    text = "---\r\ntitle: 双子座笔记\r\nauthor: 小王\r\n---\r\n正文第一行\r\n第二行\r\n"
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        raw, _ = read(write(tmp_path, f"{codec}.md", bom + text.encode(codec)))
        assert raw.meta == {"title": "双子座笔记", "author": "小王"}
        assert raw.text == "正文第一行\n第二行\n"
        assert raw.first_line == 5


def test_gbk_note_with_common_symbols_decodes():
    """A GBK note full of what Chinese ML notes use: ——, ①②③, ≈, α/β, ±, ℃."""
    raw, _ = read(ENC / "zh-symbols.gbk.txt", "enc/zh-symbols.gbk.txt")
    assert raw.text == (ENC / "zh-symbols.md").read_text(encoding="utf-8")
    assert raw.encoding == "gb18030"


def test_gb18030_four_byte_character_decodes():
    data = (ENC / "zh-ext.gb18030.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # the fixture really needs GB18030
    raw, _ = read(ENC / "zh-ext.gb18030.txt", "enc/zh-ext.gb18030.txt")
    assert raw.text == (ENC / "zh-ext.md").read_text(encoding="utf-8")
    assert "𠮷" in raw.text


@pytest.mark.parametrize("name", ["ja.shift-jis.txt", "de.latin1.txt", "fr.latin1.txt"])
def test_unsupported_encoding_is_an_error_naming_file_and_line(name):
    path = ENC / name
    rel = f"imports/{name}"
    with pytest.raises(NoteError) as info:
        read(path, rel)
    diagnostic = info.value.diagnostic
    assert diagnostic.level == "error"
    assert diagnostic.path == rel
    assert diagnostic.line == first_non_ascii_line(path.read_bytes()) == 3
    assert str(info.value).startswith(f"{rel}:3: ")
    assert "UTF-8" in diagnostic.message


def test_binary_file_is_an_error(tmp_path):
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    path = write(tmp_path, "figure.md", data)
    with pytest.raises(NoteError) as info:
        read(path, "figs/figure.md")
    assert info.value.diagnostic.level == "error"
    assert info.value.diagnostic.path == "figs/figure.md"
    assert "binary" in info.value.diagnostic.message


def test_text_with_a_nul_byte_is_an_error_with_its_line(tmp_path):
    path = write(tmp_path, "note.txt", "第一行\n第二行\n坏\x00掉了\n".encode("utf-8"))
    with pytest.raises(NoteError) as info:
        read(path, "note.txt")
    assert info.value.diagnostic.line == 3


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \n\n\t\n", b"\xff\xfe"])
def test_empty_file_is_an_error(tmp_path, data):
    path = write(tmp_path, "empty.md", data)
    with pytest.raises(NoteError) as info:
        read(path, "empty.md")
    assert info.value.diagnostic.level == "error"
    assert info.value.diagnostic.path == "empty.md"


def test_front_matter_without_text_is_an_error(tmp_path):
    path = write(tmp_path, "only-meta.md", "---\ntitle: 只有标题\n---\n\n")
    with pytest.raises(NoteError):
        read(path, "only-meta.md")


def test_seed_notes_read_as_utf8_without_problems():
    for key, path in SEEDS.items():
        raw, problems = read(path, path.name)
        assert raw.encoding == "utf-8"
        assert raw.meta == {}
        assert raw.text == path.read_text(encoding="utf-8")
        assert problems == []


# ---------------------------------------------------------------------------------------------
# Front matter


def test_front_matter_fields_are_read():
    path = FIXTURES / "front-matter-wins.md"
    raw, problems = read(path, "front-matter-wins.md")
    assert problems == []
    assert raw.meta == {
        "title": "Gemma 和 Gemini 1.5 的对比笔记",
        "model": "gemma",
        "lang": "zh-Hans",
        "author": "小林",
        "date": "2024-03-10",
        "source": "https://example.com/blog/gemma-vs-gemini-15",
        "tags": ["gemma", "对比"],
        "slug": "gemma-vs-gemini15",
    }
    assert raw.id == "gemma-vs-gemini15"
    assert raw.first_line == 11
    assert raw.text.startswith("Home\n")
    assert "---" not in raw.text.split("\n")[0]


def test_front_matter_wins_over_what_the_text_says():
    raw, _ = read(FIXTURES / "front-matter-wins.md", "front-matter-wins.md")
    note = clean_note(raw, REGISTRY)
    # The jekyll header in the text says gqjia, 24 Feb 2024, "Gemini 1.5 技术报告".
    assert note.author == "小林"
    assert note.date == "2024-03-10"
    assert note.title == "Gemma 和 Gemini 1.5 的对比笔记"
    assert note.model == "gemma"
    assert note.lang == "zh-Hans"
    assert note.tags == ["gemma", "对比"]
    assert note.sources and note.sources[0].url == "https://example.com/blog/gemma-vs-gemini-15"


@pytest.mark.parametrize(
    "text, line",
    [
        ("---\ntitle: Gemma 笔记\nauthor: 小王: 老王\n---\n正文\n", 3),
        ("---\ntitle: Gemma 笔记\ntags:\n  - gemma\n - 对比\nauthor: 小王\n---\n正文\n", 5),
        # An unclosed quote: the mistake is where the quote opens, not at the closing '---'.
        ("---\ntitle: Gemma 笔记\nauthor: 小王\ndate: 2024-03-01\nsource: \"https://example.com\n---\n正文\n", 5),
    ],
    ids=["mapping-value", "bad-indent", "unclosed-quote"],
)
def test_yaml_error_is_reported_with_its_line(tmp_path, text, line):
    path = write(tmp_path, "broken.md", text)
    with pytest.raises(NoteError) as info:
        read(path, "notes-dir/broken.md")
    diagnostic = info.value.diagnostic
    assert diagnostic.level == "error"
    assert diagnostic.path == "notes-dir/broken.md"
    assert diagnostic.line == line
    assert "YAML" in diagnostic.message


def test_yaml_error_line_counts_from_the_file_start_after_a_bom(tmp_path):
    path = write(tmp_path, "bom.md", b"\xef\xbb\xbf" + "---\ntitle: x\nauthor: a: b\n---\n正文\n".encode())
    with pytest.raises(NoteError) as info:
        read(path, "bom.md")
    assert info.value.diagnostic.line == 3


def test_a_misspelled_field_is_a_warning_with_its_line(tmp_path):
    path = write(tmp_path, "extra.md", "---\ntitle: 笔记\ntitel: 论文\n---\n正文\n")
    raw, problems = read(path, "extra.md")
    assert raw.meta == {"title": "笔记", "extra": {"titel": "论文"}}
    assert raw.text == "正文\n"
    [warning] = problems
    assert warning.level == "warning"
    assert warning.line == 3
    assert "did you mean 'title'" in warning.message


def test_other_engines_fields_are_kept_and_reported_at_debug_level_only(tmp_path):
    text = "---\nlayout: post\npermalink: /x/\nquiz: [a, b]\ncategories: [论文, Gemma]\n---\n正文\n"
    raw, problems = read(write(tmp_path, "jekyll.md", text), "jekyll.md")
    assert raw.meta["extra"] == {"layout": "post", "permalink": "/x/", "quiz": ["a", "b"]}
    assert raw.meta["tags"] == ["论文", "Gemma"]
    assert {p.level for p in problems} == {"debug"}


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("lang", "zh-tw", "zh-TW"), ("lang", "zh_TW", "zh-TW"), ("lang", "zh-Hant-TW", "zh-TW"), ("lang", "ja-JP", "ja"),
        ("lang", "ko-KR", "ko"), ("lang", "en-US", "en"), ("lang", "ZH-HANS", "zh-Hans"),
        ("date", "2025-07-13 19:20:20", "2025-07-13"), ("date", "2025-07-13 19:20:20 +0800", "2025-07-13"),
        ("date", "2025-07-13T19:20:20+08:00", "2025-07-13"), ("date", "2025/7/3", "2025-07-03"),
        ("tags", "a, b,c", ["a", "b", "c"]), ("tags", "[x, '#y']", ["x", "y"]),
        ("author", "[甲, 乙]", "甲, 乙"), ("author", "{name: 丙, url: 'https://x.org'}", "丙"),
    ],
)
def test_front_matter_as_blog_engines_write_it(tmp_path, field, value, expected):
    raw, problems = read(write(tmp_path, "n.md", f"---\n{field}: {value}\n---\n正文\n"), "n.md")
    assert raw.meta[field] == expected and not [p for p in problems if p.level in ("error", "warning")]


def test_toml_front_matter(tmp_path):
    text = '+++\ntitle = "Hugo 笔记"\ndate = 2025-01-02T03:04:05Z\ntags = ["gemma"]\ndraft = false\n+++\n正文\n'
    raw, problems = read(write(tmp_path, "hugo.md", text), "hugo.md")
    assert raw.meta["title"] == "Hugo 笔记" and raw.meta["date"] == "2025-01-02" and raw.meta["tags"] == ["gemma"]
    assert raw.first_line == 7 and raw.text == "正文\n"
    broken = write(tmp_path, "broken.md", '+++\ntitle = "x\n+++\n正文\n')
    with pytest.raises(NoteError, match="not valid TOML"):
        read(broken, "broken.md")


@pytest.mark.parametrize("value", ["last tuesday", "2024/13/01", "2024-13-45", "2024-02-30"])
def test_bad_date_is_an_error(tmp_path, value):
    path = write(tmp_path, "dated.md", f"---\ntitle: 笔记\ndate: {value}\n---\n正文\n")
    errors = errors_of(path, "dated.md")  # must not crash with anything but a NoteError
    assert errors, f"date {value!r} accepted"
    assert all(e.path == "dated.md" for e in errors)
    assert any(e.line == 3 for e in errors)


def test_valid_dates_are_normalised(tmp_path):
    for value in ("2024-03-01", "'2024-03-01'"):
        raw, problems = read(write(tmp_path, "d.md", f"---\ndate: {value}\n---\n正文\n"))
        assert raw.meta["date"] == "2024-03-01" and problems == []


def test_unknown_model_is_an_error_listing_known_ids(tmp_path):
    path = write(tmp_path, "m.md", "---\ntitle: 笔记\nmodel: gemini-9\n---\n正文\n")
    errors = errors_of(path, "m.md")
    assert len(errors) == 1
    assert errors[0].line == 3
    assert "gemini-9" in errors[0].message
    for model_id in MODEL_IDS:
        assert model_id in errors[0].message
    raw, _ = read(path, "m.md")
    assert "model" not in raw.meta


@pytest.mark.parametrize("slug", ["../x", "a/b", "../../etc/passwd", "has space", ".hidden"])
def test_unsafe_slug_is_an_error(tmp_path, slug):
    path = write(tmp_path, "s.md", f"---\ntitle: 笔记\nslug: \"{slug}\"\n---\n正文\n")
    errors = errors_of(path, "s.md")
    assert errors and errors[0].line == 3
    raw, _ = read(path, "s.md")
    assert raw.id == "s"
    assert "/" not in raw.id and ".." not in raw.id


def test_front_matter_needs_its_closing_line(tmp_path):
    path = write(tmp_path, "open.md", "---\ntitle: 笔记\n正文\n")
    raw, problems = read(path, "open.md")
    assert raw.text.startswith("---\n")
    assert problems and problems[0].level == "warning"


# ---------------------------------------------------------------------------------------------
# Note ids and finding notes


def test_seed_ids_are_their_file_names():
    for path in SEEDS.values():
        raw, _ = read(path, path.name)
        assert raw.id == path.stem


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("001_0fd4e0d5ad12595e.txt", "001_0fd4e0d5ad12595e"),
        ("papers/Gemma-Notes.md", "gemma-notes"),
        ("2024/gemini_15.TXT", "gemini_15"),
    ],
)
def test_plain_file_names_are_the_id(rel, expected):
    assert note_id(rel, {}) == expected


def test_other_file_names_become_url_safe_unique_ids():
    names = ["Gemini 1.5 读书笔记.md", "双子座笔记.md", "其他笔记.md", "a/My Note.txt", "b/My Note.txt"]
    ids = [note_id(n, {}) for n in names]
    for i in ids:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", i), i
    assert len(set(ids)) == len(ids)
    assert ids[0].startswith("gemini-1-5")
    assert ids[3].startswith("my-note")
    assert ids == [note_id(n, {}) for n in names]  # stable


def test_slug_is_the_id():
    assert note_id("whatever name.md", {"slug": "gemma-vs-gemini15"}) == "gemma-vs-gemini15"


def test_find_notes_finds_md_and_txt_at_any_depth(tmp_path):
    for rel in ["a.md", "b.txt", "deep/er/c.md", "deep/d.TXT", "x/y/z/e.markdown"]:
        write(tmp_path, rel, "正文\n")
    for rel in ["img/f.png", "notes.yml", "deep/readme.rst", ".git/h.md", "deep/.hidden/i.md"]:
        write(tmp_path, rel, "x\n")
    found = find_notes(tmp_path)
    rels = [rel for _, rel in found]
    assert sorted(rels) == sorted(["a.md", "b.txt", "deep/er/c.md", "deep/d.TXT", "x/y/z/e.markdown"])
    assert rels == [rel for _, rel in find_notes(tmp_path)]  # stable order
    for path, rel in found:
        assert path == tmp_path / rel


def test_find_notes_on_the_seeds():
    assert [rel for _, rel in find_notes(NOTES)] == sorted(p.name for p in SEEDS.values())


# ---------------------------------------------------------------------------------------------
# Untrusted input: front matter bombs, symbolic links, long names (issue #10)


from notekb.pipeline.read import MAX_ID, scan_notes_folder  # noqa: E402


def test_front_matter_aliases_are_refused_with_their_line(tmp_path):
    path = write(tmp_path, "bomb.md", "---\ntitle: x\na: &a [1, 2]\ntags: *a\n---\n\n正文\n")
    with pytest.raises(NoteError) as info:
        read(path)
    assert info.value.diagnostic.line == 4 and "aliases" in info.value.diagnostic.message


def test_front_matter_nesting_and_size_are_capped(tmp_path):
    deep = write(tmp_path, "deep.md", "---\ntags: " + "[" * 50 + "]" * 50 + "\n---\n\n正文\n")
    with pytest.raises(NoteError, match="nested more than"):
        read(deep)
    big = write(tmp_path, "big.md", "---\ntags: [" + ", ".join(["x"] * 10000) + "]\n---\n\n正文\n")
    with pytest.raises(NoteError, match="over the 16,384-byte limit"):
        read(big)


def test_symbolic_links_out_of_the_notes_folder_are_not_followed(tmp_path):
    notes = tmp_path / "notes"
    write(notes, "real.md", "正文")
    write(tmp_path, "secret.md", "秘密")
    (notes / "out.md").symlink_to(tmp_path / "secret.md")
    (notes / "in.md").symlink_to(notes / "real.md")
    (notes / "folder").symlink_to(tmp_path)
    found = scan_notes_folder(notes)
    assert [rel for _, rel in found.notes] == ["in.md", "real.md"]
    refused = {d.path: d for d in found.refused}
    assert refused["out.md"].level == "error" and "outside the notes folder" in refused["out.md"].message
    assert refused["folder"].level == "error"


def test_files_that_are_not_notes_are_listed(tmp_path):
    write(tmp_path, "a.md", "正文")
    write(tmp_path, "data.json", "{}")
    write(tmp_path, "img/fig.png", b"\x89PNG")
    assert scan_notes_folder(tmp_path).others == ["data.json", "img/fig.png"]


def test_long_file_names_give_short_distinct_ids():
    a, b = note_id("g" * 250 + ".md", {}), note_id("g" * 250 + ".txt", {})
    assert a != b and len(a) <= MAX_ID and len(b) <= MAX_ID and a.startswith("ggg")
    assert note_id("003_85ea77ce08776b2e.txt", {}) == "003_85ea77ce08776b2e"  # short names keep their id
