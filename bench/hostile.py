"""Hostile notes: what a pull request could add to `notes/` to attack the site or stall its build.

Used by `bench/stall.py` (which prints how the cost of each shape grows with its size) and by the
tests (tests/test_hostile.py builds a site with every one of them next to the seed notes).

`shapes(k)` gives notes whose size grows with k: each should cost time linear in k. `write_attacks`
writes the crafted notes, the files beside them and the symbolic links into a notes folder.
"""

from __future__ import annotations

import os
from pathlib import Path

# A few words about a model, so that each shape lands on a model page and goes through every stage.
_LEAD = "# Gemma 笔记\n\nGemma 的报告。Gemma 2B 与 Gemma 7B。Gemma 的数据。\n\n"


def shapes(k: int) -> dict[str, str]:
    """Notes made of one repeated construct, k times a base size; every stage must stay linear."""
    return {
        "backticks": _LEAD + "a " + "`" * (750 * k) + " b\n",
        "tildes": _LEAD + "~" * (1250 * k) + "\n",
        "fence lines": _LEAD + "```\n" * (500 * k),
        "open brackets": _LEAD + "x " + "[" * (10000 * k) + "\n",
        "bracket paren": _LEAD + "](" * (12500 * k),
        "unclosed images": _LEAD + "![a](" * (5000 * k),
        "less-than": _LEAD + "<" * (25000 * k),
        "tag starts": _LEAD + "<a" * (12500 * k),
        "attribute lists": _LEAD + "{:" * (12500 * k),
        "open comments": _LEAD + "<!--" * (6250 * k),
        "stars around a letter": _LEAD + "*" * (2000 * k) + "a" + "*" * (2000 * k),
        "nested brackets": _LEAD + "[" * (2000 * k) + "x" + "]" * (2000 * k),
        "dollars": _LEAD + "$a " * (8000 * k),
        "math openers": _LEAD + "\\[" * (10000 * k) + "x=1\\]",
        "environments": _LEAD + "\\begin{x}" * (2500 * k),
        "backslashes": _LEAD + "\\" * (25000 * k),
        "parentheses in Chinese": _LEAD + "（" + "(" + "模型" * (10000 * k) + "\n",
        "headings of hashes": _LEAD + "# " + " #" * (10000 * k) + "x\n",
        "numbered headings": _LEAD + "".join(f"{i % 20 + 1}.{i % 9 + 1} 标题\n" for i in range(1500 * k)),
        "short lines then blanks": _LEAD + "".join("Pretrain阶段\n" + "\n" * 20 for _ in range(300 * k)) + "1.1 模型架构\n",
        "bullets": _LEAD + "• x\n" * (5000 * k),
        "quotes": _LEAD + ">" * (2000 * k) + " x\n",
        "html nesting": _LEAD + "<b>" * (2000 * k) + "x" + "</b>" * (2000 * k),
        "emphasis pairs": _LEAD + "*a " * (8000 * k),
        "entities": _LEAD + "&#" * (12500 * k),
        "urls": _LEAD + "http://" * (5000 * k),
        "Chinese without punctuation": _LEAD + "模型训练数据" * (5000 * k),
        "brackets in math": _LEAD + "$x" + "[" * (2000 * k) + "$\n",
        "spaced heading": _LEAD + "# a" + " " * (1000 * k) + "b\n",
        "equal headings": _LEAD + "## a\n\nx\n\n" * (2000 * k),
        "label lines": _LEAD + "a:\n" * (20000 * k),
        "link cards": _LEAD + "论文链接\n\nGemma: Open Models\n\nA description line\n\narxiv.org\n\n" * (500 * k),
    }


def deep_nesting(levels: int) -> dict[str, str]:
    """Notes that recurse once per level in a Markdown engine (RecursionError, not slowness)."""
    return {
        "nested bullets.txt": _LEAD + "".join("  " * i + "• 第 %d 层\n" % i for i in range(levels)),
        "nested list.md": _LEAD + "".join("    " * i + "- level %d\n" % i for i in range(levels)),
        "nested quotes.md": _LEAD + "".join(">" * (i + 1) + " q\n" for i in range(levels)),
        "nested html.md": _LEAD + "<b><i>" * levels + "x" + "</i></b>" * levels,
        "nested emphasis.md": _LEAD + "*" * (4 * levels) + "a" + "*" * (4 * levels) + "\n",
    }


ALIAS_BOMB = (
    "---\n"
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "tags: *e\n"
    "---\n" + _LEAD
)

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
LONG_NAME = "g" * 250


def write_attacks(notes: Path, outside: Path) -> dict[str, str]:
    """Write the crafted notes into `notes` (and a secret file into `outside`, which must not be
    under `notes`). Returns {what: relative path} for the notes that the tests look up."""
    notes.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text("NOTEKB_SECRET_VALUE remote = git@example.com:private/repo.git\n", encoding="utf-8")
    files: dict[str, str] = {}

    def write(rel: str, text: str | bytes) -> None:
        path = notes / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    # Script through a title: a first heading, a YAML title, a digest's paper heading, a file name.
    files["heading title"] = "hostile-heading-title.md"
    write(files["heading title"], f"# {ESCAPED_SCRIPT}\n\nGemma 的笔记。Gemma 使用 RoPE。\n")
    files["yaml title"] = "hostile-yaml-title.md"
    write(files["yaml title"], '---\ntitle: "\\x3c/title\\x3e\\x3cscript\\x3ealert(1)\\x3c/script\\x3e"\n---\n\nGemma 的笔记。Gemma Gemma。\n')
    files["digest heading"] = "hostile-digest.md"
    write(
        files["digest heading"],
        f"# {ESCAPED_SCRIPT}: A Paper\n[{ESCAPED_SCRIPT}](https://arxiv.org/abs/2401.00001)\n\n一段摘要。\n\n"
        "# Another Paper: Title\n[另一篇](https://arxiv.org/abs/2401.00002)\n\n另一段摘要。\n",
    )
    files["file name"] = "<img src=x onerror=alert(1)>.md"
    write(files["file name"], "Gemma 的笔记，没有标题。Gemma 使用 GeGLU。Gemma 很小。\n")
    files["theme id"] = "hostile-theme-id.md"
    write(files["theme id"], "---\ntitle: __config\n---\n\n## __search\n\nGemma 的笔记。Gemma Gemma。\n")
    # Files beside a note, shown as images.
    files["images"] = "beside/hostile-images.md"
    write(files["images"], "# 图\n\nGemma 的图。Gemma Gemma。\n\n![a](evil.html)\n\n![b](evil.svg)\n\n![c](page.mdown)\n\n![d](fake.png)\n\n![e](real.png)\n\n![f](passwd.png)\n\n![g](/etc/passwd)\n\n![h](../../secret.txt)\n")
    write("beside/evil.html", f"<html><body>{SCRIPT}</body></html>")
    write("beside/evil.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    write("beside/page.mdown", f"# Page\n\n{SCRIPT}\n")
    write("beside/fake.png", f"<!doctype html>{SCRIPT}")
    write("beside/real.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    # Symbolic links out of the folder: a note, an image, the process environment.
    _link(notes / "beside" / "passwd.png", secret)
    files["link note"] = "linked-secret.txt"
    _link(notes / files["link note"], secret)
    files["link environ"] = "linked-environ.txt"
    _link(notes / files["link environ"], Path("/proc/self/environ"))
    # One note taking down or over others.
    files["escapes"] = "hostile-escapes.md"
    write(files["escapes"], "# Gemma 中 n<k 的情况\n\n当 n<k 时，Gemma 的 a|b 与 *x* 和 _y_ 和 [z] & w > v。\n")
    files["slug"] = "!first/impostor.md"
    write(files["slug"], "---\nslug: 003_85ea77ce08776b2e\n---\n\n# 冒名\n\nGemma Gemma Gemma。\n")
    files["same stem"] = "003_85ea77ce08776b2e.md"
    write(files["same stem"], "# 同名\n\nGemma Gemma Gemma。\n")
    files["long name md"] = LONG_NAME + ".md"
    files["long name txt"] = LONG_NAME + ".txt"
    write(files["long name md"], "Gemma Gemma Gemma 长文件名。\n")
    write(files["long name txt"], "Gemma Gemma Gemma 长文件名二。\n")
    files["iframe"] = "!iframe-unclosed.md"
    write(files["iframe"], 'Llama 的笔记。\n\n<iframe\n  src="https://example.com/embed"\n  width="560"\n/>\n\n<div class="x">\n')
    # Through math, inline code and indented fences (which a Markdown engine does not read as this
    # project does): HTML that would close the page's own elements, or put an id in its contents.
    payload = "</div><h2 id='a&#34;&#62;&#60;img src=x on&#101;rror&#61;alert(7)&#62;' markdown=\"1\">T</h2>"
    files["math payload"] = "hostile-math.md"
    write(files["math payload"], f"# 数学\n\nGemma 的报告。Gemma 2B 与 Gemma 7B。 ${payload}$ 与 $x</div><details>y$\n\n$$\\begin{{x}}{payload}\\end{{x}}$$\n")
    files["code payload"] = "hostile-code.md"
    write(files["code payload"], f"# 代码\n\nGemma 的报告。Gemma Gemma。 `{payload}` 和 `</div><details>`\n\n     ```\n{payload}\n     ```\n\nGemma。\n")
    files["math recursion"] = "hostile-math-recursion.md"
    write(files["math recursion"], "Gemma 的报告。Gemma Gemma Gemma。 $" + "*" * 3000 + "a" + "*" * 3000 + "$\n")
    files["source payload"] = "hostile-source.md"
    write(files["source payload"], '---\nsource: "https://x.com/\\" )<img src=x onerror=alert(35)>"\nauthor: "Eve\\n\\n~~~\\n"\n---\n\nGemma 的笔记。Gemma Gemma。\n')
    files["author admonition"] = "hostile-author.md"
    write(files["author admonition"], '---\nauthor: "Eve\\n\\n!!! danger \\"pwned\\"\\n    hello\\n"\n---\n\nGemma 的笔记。Gemma Gemma。\n')
    files["split reference"] = "hostile-split-reference.md"
    write(files["split reference"], "Gemma " + "a" * 15000 + " [x]:javascript:alert(1)//" + "c" * 9000 + " " + "d" * 17000 + "\n\nGemma Gemma [click][x]\n")
    files["alias bomb"] = "hostile-alias-bomb.md"
    write(files["alias bomb"], ALIAS_BOMB)
    for name, text in deep_nesting(500).items():
        files[name] = "deep/" + name
        write(files[name], text)
    for name, text in STALLS.items():
        files[name] = "stall/" + name + ".md"
        write(files[name], text)
    return files


# The inputs that stalled the build (issue #10), at the sizes they were reported with.
STALLS = {
    "backticks-3000": _LEAD + "`" * 3000 + "\n",
    "backticks-5000": _LEAD + "`" * 5000 + "\n",
    "tildes-5000": _LEAD + "~" * 5000 + "\n",
    "open-brackets-40000": _LEAD + "[" * 40000 + "\n",
    "bracket-paren-50000": _LEAD + "](" * 50000 + "\n",
    "unclosed-images-20000": _LEAD + "![a](" * 20000 + "\n",
    "less-than-200000": _LEAD + "<" * 200000 + "\n",
    "attribute-lists-50000": _LEAD + "{:" * 50000 + "\n",
    "open-comments-25000": _LEAD + "<!--" * 25000 + "\n",
    "stars-4k": _LEAD + "*" * 2000 + "a" + "*" * 2000 + "\n",
}


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    os.symlink(target, path)
