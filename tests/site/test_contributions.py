"""Adding notes by pull request: unseen notes of every kind land on the right pages, and a build
with every kind of bad file present completes, keeps the model pages intact and runs no script."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, article, make_project, mkdocs_build, squash

UNSEEN = {
    # file in tests/data -> (model page it must land on, a sentence of it that must be there, as the
    # model page shows it: Traditional Chinese in Simplified, written out by hand)
    "notes/zh-hant-gemini15.md": ("gemini-1.5", "相比上一代，GEMINI-1.5 用少得多的训练算力就达到了相近的效果。"),
    "notes/ko-gemma.md": ("gemma", "젬마는 제미나이 연구와 기술을 바탕으로 만든 경량 오픈 모델"),
    "unseen/en-gemini10.md": ("gemini-1.0", "which is how the English unseen note describes recovery"),
    "unseen/gbk-gemini15.txt": ("gemini-1.5", "GBK 文件里的这句测试句应出现在 Gemini 1.5 页面上"),
    "unseen/utf16-gemma.txt": ("gemma", "UTF-16 文件里的这句测试句应出现在 Gemma 页面上"),
    "notes/front-matter-wins.md": ("gemma", None),  # front matter says gemma, though the text is about both
}

# Traditional Chinese is shown in Simplified on model pages with the table of the note's region
# (README, Decisions): each sentence as written, and as the model page must show it. Each expected
# sentence is what only the right table gives: tw2sp turns Taiwan words into Mainland ones (软件,
# 数据, 内存); hk2s knows Hong Kong's character forms (衞 -> 卫); tw2s, for a note without a region,
# converts 著 in verbs (看着, which t2s leaves as 看著) and leaves vocabulary alone (软体).
REGIONS = {
    "regions/tw-gemma.md": (
        "tw-gemma",
        "我們用這個軟體讀取資料，記憶體不夠時就先看著日誌再調整批次大小。",
        "我们用这个软件读取数据，内存不够时就先看着日志再调整批量大小。",
    ),
    "regions/hk-gemma.md": (
        "hk-gemma",
        "衞星站裏的離線伺服器也能跑 Gemma 的小型版本，這是我覺得最實用的一點。",
        "卫星站里的离线伺服器也能跑 Gemma 的小型版本，这是我觉得最实用的一点。",
    ),
    "regions/plain-hant-gemma.md": (
        "plain-hant-gemma",
        "研究者一直看著基準分數的變化，軟體版本換了以後結果也跟著變。",
        "研究者一直看着基准分数的变化，软体版本换了以后结果也跟着变。",
    ),
}


@pytest.fixture(scope="module")
def unseen_site(tmp_path_factory):
    extra = {f"unseen/{name.split('/')[-1]}": (DATA / name).read_bytes() for name in UNSEEN}
    extra["unseen/digest-mixed-labs.md"] = (DATA / "unseen" / "digest-mixed-labs.md").read_bytes()
    extra["unseen/zh-llama3-other.md"] = (DATA / "notes" / "zh-llama3-other.md").read_bytes()
    extra["unseen/with-image/moe-figures.md"] = (DATA / "notes" / "with-image" / "moe-figures.md").read_bytes()
    extra["unseen/with-image/img/moe-layer.png"] = (DATA / "notes" / "with-image" / "img" / "moe-layer.png").read_bytes()
    extra.update({f"unseen/{name}": (DATA / name).read_bytes() for name in REGIONS})
    project = make_project(tmp_path_factory.mktemp("unseen"), extra_notes=extra)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def _text(site, url):
    return squash(article(site, url).get_text())


def _first_sentence(path) -> str:
    from notekb.pipeline.read import decode, split_front_matter

    text, _ = decode(path.read_bytes(), path.name)
    _, body, _, _ = split_front_matter(text.replace("\r\n", "\n"), path.name)
    return next(l for l in body.split("\n") if len(l.strip()) > 20 and not l.startswith(("#", "[", "•", "-")) and "자세히보기" not in l).strip()


@pytest.mark.parametrize("name", list(UNSEEN))
def test_unseen_notes_land_on_their_model_page(unseen_site, name):
    model, sentence = UNSEEN[name]
    sentence = sentence or _first_sentence(DATA / name)
    assert squash(sentence) in _text(unseen_site, f"models/{model}/"), (name, sentence)
    for other in {"gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"} - {model}:
        assert squash(sentence) not in _text(unseen_site, f"models/{other}/"), (name, other)


def test_traditional_note_is_simplified_on_the_model_page_and_kept_on_its_own(unseen_site):
    written = "相比上一代，GEMINI-1.5 用少得多的訓練算力就達到了相近的效果。"
    assert squash(written) not in _text(unseen_site, "models/gemini-1.5/")
    assert squash(written) in _text(unseen_site, "notes/zh-hant-gemini15/")


@pytest.mark.parametrize("name", list(REGIONS))
def test_the_conversion_table_follows_the_notes_region(unseen_site, name):
    note_id, written, simplified = REGIONS[name]
    model_page = _text(unseen_site, "models/gemma/")
    assert squash(simplified) in model_page, (name, simplified)
    assert squash(written) not in model_page, name
    # The note's own page keeps the script it was written in.
    own = _text(unseen_site, f"notes/{note_id}/")
    assert squash(written) in own and squash(simplified) not in own, name


def test_digest_mixing_these_models_with_other_labs(unseen_site):
    assert squash("这一部分笔记专门测试混合周报") in _text(unseen_site, "models/gemini-2.5/")
    assert squash("这句是 Gemma 2 周报测试句") in _text(unseen_site, "models/gemma-2/")  # Gemma 2 has its page (issue 13)
    assert squash("这句是 Gemma 2 周报测试句") not in _text(unseen_site, "models/gemma/")
    llama = squash("这段话只为测试周报中的其他实验室论文")
    qwen = squash("这段是通义千问周报测试句")
    for model in ("gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"):
        assert llama not in _text(unseen_site, f"models/{model}/") and qwen not in _text(unseen_site, f"models/{model}/")
    papers = {p.parent.name for p in (unseen_site / "papers").glob("*/index.html")}
    llama_page = next(p for p in papers if "llama" in p)
    assert llama in _text(unseen_site, f"papers/{llama_page}/")
    assert any(qwen in _text(unseen_site, f"papers/{p}/") for p in papers if "qwen" in p)


def test_passing_mention_of_gemini_is_not_a_gemini_note_and_is_not_lost(unseen_site):
    sentence = squash("Meta 发布了 Llama 3，这篇笔记记录一下技术报告里的要点")
    for model in ("gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"):
        assert sentence not in _text(unseen_site, f"models/{model}/")
    assert sentence in _text(unseen_site, "others/")
    assert sentence in _text(unseen_site, "notes/zh-llama3-other/")


# ---------------------------------------------------------------------------------------------
# Every kind of bad input at once


class BadProject(NamedTuple):
    project: Path
    before: dict[str, str]  # every file under `root` before the first build, with its hash
    root: Path  # the project, plus the HOME and TMPDIR every build of it runs with
    env: dict[str, str]


def _snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every file, folder and link under `root`, except under `skip`, with a hash of each file."""
    out = {}
    for path in root.rglob("*"):
        if skip in path.parents or path == skip:
            continue
        kind = "link" if path.is_symlink() else "folder" if path.is_dir() else None
        out[str(path.relative_to(root))] = kind or hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory) -> BadProject:
    root = tmp_path_factory.mktemp("bad")
    for folder in ("project", "home", "tmp"):
        (root / folder).mkdir()
    extra = {f"bad/{p.name}": p.read_bytes() for p in (DATA / "bad").iterdir() if p.is_file()}
    extra["bad/oversize.txt"] = ("Gemini 笔记。" * 100_000).encode()
    project = make_project(root / "project", extra_notes=extra)
    home = root / "home"
    env = {"HOME": str(home), "TMPDIR": str(root / "tmp")}
    env.update({f"XDG_{kind}_HOME": str(home / f".{kind.lower()}") for kind in ("CACHE", "CONFIG", "DATA", "STATE")})
    return BadProject(project, _snapshot(root, project / "site"), root, env)


def test_bad_notes_fail_strict_builds_with_their_names(bad_project):
    result = mkdocs_build(bad_project.project, strict=True, env=bad_project.env)
    assert result.returncode != 0
    for name in ("bad-encoding-shiftjis.txt", "binary.txt", "empty.txt", "yaml-error.md", "unknown-model.md", "bad-date.md", "unsafe-slug.md", "oversize.txt"):
        assert f"bad/{name}" in result.stderr, name


def test_a_build_with_every_bad_note_completes_intact_and_runs_no_script(bad_project):
    result = mkdocs_build(bad_project.project, strict=False, env=bad_project.env)
    assert result.returncode == 0, result.stderr
    site = bad_project.project / "site"
    # The model pages are intact.
    assert "热备份" in article(site, "models/gemini-1.0/").get_text()
    assert "class Block(nn.Module)" in article(site, "models/gemma/").get_text()
    assert "切片粒度的弹性" in article(site, "models/gemini-2.5/").get_text()
    # Nothing a note says runs: no script, handler, javascript: URL, iframe, object or embed. The
    # only scripts are the theme's and notekb's own, outside the content, from the site's assets.
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        content = soup.select_one("article.md-content__inner")
        assert content is not None, page  # every page, 404 included, has its content there
        assert not content.find("script"), (page, str(content.find("script"))[:200])
        for script in soup.find_all("script"):
            assert _own_script(script), (page, str(script)[:200])
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (page, str(tag)[:200])
                if attr in ("href", "src", "action", "formaction"):
                    assert not str(value).strip().lower().startswith(("javascript:", "vbscript:", "data:text")), (page, str(tag)[:200])
        assert not soup.find(["iframe", "object", "embed", "frame", "applet"]), page
    # A note that could not be read is still on the site, as escaped text, saying why.
    unreadable = [p for p in (site / "notes").glob("unreadable-*/index.html")]
    assert unreadable
    texts = " ".join(p.read_text(encoding="utf-8") for p in unreadable)
    assert "这篇笔记无法处理" in texts
    # The script note's own text is shown, its script as text.
    script_note = article(site, "notes/script-tag/")
    assert "<script>alert('hi')</script>" in script_note.get_text()


# The inline scripts of Material's templates: its scope and palette set-up, the anchor fix-up and
# its configuration (JSON, not run).
THEME_INLINE = ("__md_scope=new URL(", "var palette=__md_get(", "var target=document.getElementById(location.hash")


def _own_script(script) -> bool:
    """A script the theme or notekb writes: a file of the site's assets, or one of the theme's
    few inline scripts."""
    src = script.get("src")
    if src is not None:
        path = src.split("?")[0].lstrip("/")
        while path.startswith("../"):
            path = path[3:]
        return path.startswith("assets/") and path.endswith(".js") and ".." not in path and ":" not in path
    if script.get("id") == "__config":
        return script.get("type") == "application/json"
    return script.get_text().startswith(THEME_INLINE)


def test_a_build_writes_only_into_the_site_folder(bad_project):
    """`notes/`, `docs/`, `mkdocs.yml`, HOME (and the XDG folders in it) and the temporary folder are
    as they were before the first build, byte for byte, with no new folder; the one file a build may
    add outside the site is jieba's dictionary cache in the temporary folder (jieba writes it once
    per machine)."""
    result = mkdocs_build(bad_project.project, strict=False, env=bad_project.env)
    assert result.returncode == 0, result.stderr
    after = _snapshot(bad_project.root, bad_project.project / "site")
    added = sorted(set(after) - set(bad_project.before))
    assert added in ([], ["tmp/jieba.cache"]), added
    changed = sorted(p for p in bad_project.before if after.get(p) != bad_project.before[p])
    assert not changed, changed
    assert "project/notes/000_0a32c9c4a1112e15.txt" in bad_project.before and "project/docs/contributing.md" in bad_project.before


def test_an_image_next_to_a_note_is_on_its_pages(unseen_site):
    for url in ("notes/moe-figures/", "others/"):
        page = article(unseen_site, url)
        images = [img["src"] for img in page.find_all("img") if "moe-layer" in img["src"]]
        assert images, url
        target = (unseen_site / url / images[0]).resolve()
        assert target.is_file() and target.read_bytes() == (DATA / "notes" / "with-image" / "img" / "moe-layer.png").read_bytes()
