"""MDX as docs sites write it: imports, components and expressions never show as text."""

from __future__ import annotations

from notekb.formats.mdx import from_mdx, looks_like_mdx
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Registry

FORMATS = Registry.load().formats


def convert(text: str) -> tuple[str, Trusted]:
    trusted = Trusted()
    lines = from_mdx([Line(k + 1, t) for k, t in enumerate(text.split("\n"))], trusted, FORMATS)
    return "\n".join(trusted.put_back(line.text) for line in lines), trusted


def test_import_and_export_statements_go_even_over_several_lines():
    out, _ = convert("import A from './a';\nimport {\n  B,\n  C,\n} from 'lib';\nexport const meta = {\n  x: 1,\n};\n\n正文一行。")
    assert out.strip() == "正文一行。"


def test_an_imported_image_names_its_placeholder_and_is_never_linked():
    out, _ = convert("import GEMINI2 from './img/shot.png';\n\n<Screenshot src={GEMINI2} />\n\n文字。")
    assert 'title="./img/shot.png"' in out and "<code>shot.png</code>" in out
    assert "GEMINI2" not in out and "<Screenshot" not in out
    alt, _ = convert('<Image\n  src="/a/b.png"\n  alt="架构图"\n/>')
    assert "<code>架构图</code>" in alt and "<Image" not in alt


def test_callouts_details_tabs_and_steps_keep_their_markdown():
    text = '<Callout type="tip" title="记住">\n**粗体**内容\n</Callout>\n\n<Details summary="更多">\n隐藏的内容\n</Details>\n\n<Tabs>\n<TabItem value="a" label="Python">\n代码说明\n</TabItem>\n</Tabs>\n\n<Steps>\n### 第一步\n做这个\n</Steps>'
    out, trusted = convert(text)
    assert '<div class="admonition tip" markdown="1">\n<p class="admonition-title">记住</p>' in out and "**粗体**内容" in out
    assert '<details class="note" markdown="1">\n<summary>更多</summary>' in out and "</details>" in out
    assert '<p class="nkb-tab-label">Python</p>' in out and '<div class="nkb-steps" markdown="1">' in out
    assert out.count("<div") == out.count("</div>")
    assert "<Callout" not in out and "<TabItem" not in out and "</Steps>" not in out
    assert sum(trusted.containers) == 0


def test_unknown_components_are_unwrapped_and_expressions_never_show():
    out, _ = convert('价格 <Badge color="green">新</Badge> 见 {props.price} 元{/* 备注 */}。\n\n```js\nconst x = {a: 1};\n```\n\n行内 `{keep}` 和 $x^{2}$。')
    assert "价格 新 见  元。" in out
    assert "const x = {a: 1};" in out and "`{keep}`" in out and "$x^{2}$" in out


def test_mdx_is_recognised_by_its_content_whatever_its_name():
    assert looks_like_mdx([Line(1, "import X from './x.png'"), Line(2, "正文")])
    assert looks_like_mdx([Line(1, "<Callout>"), Line(2, "x"), Line(3, "</Callout>")])
    assert not looks_like_mdx([Line(1, "普通的笔记，提到 <b>粗体</b>。")])


def test_line_numbers_are_kept():
    trusted = Trusted()
    lines = from_mdx([Line(k + 1, t) for k, t in enumerate("import A from 'a'\n\n第三行\n<Badge>四</Badge>\n第五行".split("\n"))], trusted, FORMATS)
    assert {line.text: line.no for line in lines if line.text.strip()} == {"第三行": 3, "四": 4, "第五行": 5}
