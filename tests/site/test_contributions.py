"""Adding notes by pull request: unseen notes of every kind land on the right pages, and a build
with every kind of bad file present completes, keeps the model pages intact and runs no script."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, article, make_project, mkdocs_build, squash

UNSEEN = {
    # file in tests/data -> (model page it must land on, a sentence of it that must be there)
    "notes/zh-hant-gemini15.md": ("gemini-1.5", "相比上一代，GEMINI-1.5 用少得多的訓練算力就達到了相近的效果。"),
    "notes/ko-gemma.md": ("gemma", "젬마는 제미나이 연구와 기술을 바탕으로 만든 경량 오픈 모델"),
    "unseen/en-gemini10.md": ("gemini-1.0", "which is how the English unseen note describes recovery"),
    "unseen/gbk-gemini15.txt": ("gemini-1.5", "GBK 文件里的这句测试句应出现在 Gemini 1.5 页面上"),
    "unseen/utf16-gemma.txt": ("gemma", "UTF-16 文件里的这句测试句应出现在 Gemma 页面上"),
    "notes/front-matter-wins.md": ("gemma", None),  # front matter says gemma, though the text is about both
}


@pytest.fixture(scope="module")
def unseen_site(tmp_path_factory):
    extra = {f"unseen/{name.split('/')[-1]}": (DATA / name).read_bytes() for name in UNSEEN}
    extra["unseen/digest-mixed-labs.md"] = (DATA / "unseen" / "digest-mixed-labs.md").read_bytes()
    extra["unseen/zh-llama3-other.md"] = (DATA / "notes" / "zh-llama3-other.md").read_bytes()
    extra["unseen/with-image/moe-figures.md"] = (DATA / "notes" / "with-image" / "moe-figures.md").read_bytes()
    extra["unseen/with-image/img/moe-layer.png"] = (DATA / "notes" / "with-image" / "img" / "moe-layer.png").read_bytes()
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
    page = _text(unseen_site, f"models/{model}/")
    # Traditional text is shown in Simplified on model pages.
    from notekb.text import to_simplified

    assert squash(sentence) in page or squash(to_simplified(sentence, "zh-TW")) in page, (name, sentence)
    for other in {"gemini-1.0", "gemini-1.5", "gemini-2.5", "gemma"} - {model}:
        assert squash(sentence) not in _text(unseen_site, f"models/{other}/"), (name, other)


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


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory):
    extra = {f"bad/{p.name}": p.read_bytes() for p in (DATA / "bad").iterdir() if p.is_file()}
    extra["bad/oversize.txt"] = ("Gemini 笔记。" * 100_000).encode()
    return make_project(tmp_path_factory.mktemp("bad"), extra_notes=extra)


def test_bad_notes_fail_strict_builds_with_their_names(bad_project):
    result = mkdocs_build(bad_project, strict=True)
    assert result.returncode != 0
    for name in ("bad-encoding-shiftjis.txt", "binary.txt", "empty.txt", "yaml-error.md", "unknown-model.md", "bad-date.md", "unsafe-slug.md", "oversize.txt"):
        assert f"bad/{name}" in result.stderr, name


def test_a_build_with_every_bad_note_completes_intact_and_runs_no_script(bad_project):
    result = mkdocs_build(bad_project, strict=False)
    assert result.returncode == 0, result.stderr
    site = bad_project / "site"
    # The model pages are intact.
    assert "热备份" in article(site, "models/gemini-1.0/").get_text()
    assert "class Block(nn.Module)" in article(site, "models/gemma/").get_text()
    assert "切片粒度的弹性" in article(site, "models/gemini-2.5/").get_text()
    # Nothing a note says runs: no script, handler, javascript: URL, iframe, object or embed.
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        content = soup.select_one("article.md-content__inner")
        if content is not None:  # the theme's own scripts live outside the content
            assert not content.find("script"), (page, str(content.find("script"))[:200])
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


def test_nothing_is_written_outside_the_site(bad_project, tmp_path):
    before = {p for p in bad_project.parent.rglob("*")} if bad_project.parent != bad_project else set()
    result = mkdocs_build(bad_project, strict=False)
    assert result.returncode == 0
    after = {p for p in bad_project.parent.rglob("*")}
    outside = {p for p in after - before if bad_project / "site" not in p.parents and p != bad_project / "site"}
    assert not outside, sorted(outside)[:5]


def test_an_image_next_to_a_note_is_on_its_pages(unseen_site):
    for url in ("notes/moe-figures/", "others/"):
        page = article(unseen_site, url)
        images = [img["src"] for img in page.find_all("img") if "moe-layer" in img["src"]]
        assert images, url
        target = (unseen_site / url / images[0]).resolve()
        assert target.is_file() and target.read_bytes() == (DATA / "notes" / "with-image" / "img" / "moe-layer.png").read_bytes()
