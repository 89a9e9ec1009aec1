"""Reading versions right (issue 13): which member of a family a name, a size or a version standing
apart from the family name means; what does not count (comparisons, uses, tables, code); and that
the next generation is a YAML change."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest
import yaml

from notekb.pipeline.link import link_text, linker_for
from notekb.pipeline.mentions import read, reader_for, tally
from notekb.registry import PACKAGE_DATA, DataError, Registry

REGISTRY = Registry.load()


def counted(text: str, registry: Registry = REGISTRY):
    """(names counted per model, bare family names per family, set aside per context)."""
    found, _ = tally(text, reader_for(registry), registry)
    return dict(found.strong), dict(found.family), {k: dict(v) for k, v in found.aside.items()}


# ---------------------------------------------------------------------------------------------
# Sizes are not versions


@pytest.mark.parametrize("text", ["Gemma 2B", "Gemma 7B", "Gemma-7B-it", "gemma-7b", "Gemma 1.1 7B", "젬마 7B", "杰玛 2B"])
def test_a_size_after_the_family_name_is_the_first_gemma(text):
    assert counted(f"这里说的是 {text} 的结果。")[0] == {"gemma": 1}


@pytest.mark.parametrize("text", ["Gemma 2", "Gemma 2 9B", "Gemma2-27B", "gemma-2-9b-it", "gemma2:27b", "젬마 2", "Gemma 第二代", "第二代 Gemma", "Gemma 2.0", "Gemma 2 2B"])
def test_gemma_2_however_it_is_written(text):
    assert counted(f"这里说的是 {text} 的结果。")[0] == {"gemma-2": 1}


@pytest.mark.parametrize("text", ["Gemma 3", "Gemma 3 27B", "Gemma3-4B-IT", "gemma-3-1b-it", "젬마 3", "ジェマ 3", "Gemma 第三代", "Gemma 3 270M"])
def test_gemma_3_however_it_is_written(text):
    assert counted(f"这里说的是 {text} 的结果。")[0] == {"gemma-3": 1}


def test_gemma_27b_names_no_member_it_could_be_two():
    strong, family, _ = counted("Gemma 27B 的结果。")
    assert strong == {} and family == {"gemma": 1}


# ---------------------------------------------------------------------------------------------
# Gemini versions and variants


@pytest.mark.parametrize(
    "text, model",
    [
        ("Gemini 2.0", "gemini-2.0"),
        ("Gemini 2.0 Flash", "gemini-2.0"),
        ("gemini-2.0-flash-exp", "gemini-2.0"),
        ("Gemini 2.0 Flash-Lite", "gemini-2.0"),
        ("제미나이 2.0 플래시", "gemini-2.0"),
        ("ジェミニ 2.0 フラッシュ", "gemini-2.0"),
        ("雙子座 2.0", "gemini-2.0"),
        ("Gemini 2.5 Pro", "gemini-2.5"),
        ("Gemini 2.X", "gemini-2.5"),
        ("gemini-1.5-pro-002", "gemini-1.5"),
        ("Gemini Pro", "gemini-1.0"),
        ("제미나이 울트라", "gemini-1.0"),
        ("Gemini 3 Pro", "gemini-3"),
    ],
)
def test_gemini_names(text, model):
    assert counted(f"这里说的是 {text} 的结果。")[0] == {model: 1}


def test_gemini_2_0_is_never_gemini_2_5():
    assert "Gemini 2.0" not in REGISTRY.model_by_id["gemini-2.5"].aliases
    strong, _, _ = counted("Gemini 2.0 Flash 和 Gemini 2.0 都在这里。")
    assert strong == {"gemini-2.0": 2}


@pytest.mark.parametrize(
    "text, model, version",
    [
        ("Gemini 发布 2.5 Pro 实验版。", "gemini-2.5", "2.5 Pro"),
        ("Gemini 的 2.5 版本默认会思考。", "gemini-2.5", "2.5 版本"),
        ("今天 Gemini 又上了 2.5 Flash 预览版。", "gemini-2.5", "2.5 Flash"),
        ("제미나이의 새 모델 2.0 플래시가 나왔다.", "gemini-2.0", "2.0 플래시"),
        ("Gemma 有两个尺寸，7B 和 2B。", "gemma", "7B"),
        ("Gemma 的第二代也开放了。", "gemma-2", "第二代"),
        ("Gemini family: Ultra, Pro and Nano.", "gemini-1.0", "Ultra"),
    ],
)
def test_a_version_standing_apart_from_the_family_name(text, model, version):
    [mention] = [m for m in read(text, reader_for(REGISTRY)) if m.owner.kind == "family"]
    assert (mention.member, mention.version) == (model, version)
    assert counted(text)[0] == {model: 1}


@pytest.mark.parametrize(
    "text",
    [
        "Gemini 发布了。\n2.5 Pro 在另一行。",  # another line
        "Gemini 和 GPT-4 比，2.5 Pro 那个是别的东西。",  # another name first
        "Gemma 对比 Qwen1.5-7B 的结果。",  # the 7B is Qwen's
        "Gemini 这个名字很好听，我们后来写了很多很多很多很多很多很多很多很多字才提到 2.5 Pro。",  # too far
    ],
)
def test_no_version_is_read_where_the_sentence_does_not_make_it_clear(text):
    strong, family, _ = counted(text)
    assert "gemini-2.5" not in strong and "gemma" not in strong


def test_a_bare_family_name_names_the_family():
    strong, family, _ = counted("Gemini 是多模态模型家族。제미나이는 구글의 모델이다。")
    assert strong == {} and family == {"gemini": 2}


def test_gemma_s_korean_name_is_not_the_korean_misspelling_of_gemini():
    _, family, _ = counted("젬마이니 모델과 젬마 모델")
    assert family == {"gemini": 1, "gemma": 1}


# ---------------------------------------------------------------------------------------------
# Offshoots


@pytest.mark.parametrize(
    "text, model",
    [("CodeGemma", "gemma"), ("PaliGemma", "gemma"), ("RecurrentGemma", "gemma"), ("ShieldGemma", "gemma-2"),
     ("PaliGemma 2", "gemma-2"), ("Gemma 3n", "gemma-3"), ("ShieldGemma 2", "gemma-3")],
)
def test_offshoots_count_for_their_base_generation(text, model):
    found, _ = tally(f"这篇讲 {text}。", reader_for(REGISTRY), REGISTRY)
    assert dict(found.strong) == {model: 1} and dict(found.offshoots) == {text: 1}


# ---------------------------------------------------------------------------------------------
# What does not count


@pytest.mark.parametrize(
    "text, kind",
    [
        ("我们的 7B 模型超过了 Gemma 7B。", "compare"),
        ("Our 7B model beats Gemma 7B on MMLU.", "compare"),
        ("InternLM2 vs Gemini 1.0 Pro", "compare"),
        ("和 Gemini 1.5 Pro 相比更快。", "compare"),
        ("이 모델은 제미나이보다 빠르다.", "compare"),
        ("Gemini API를 이용해 만든 앱", "use"),
        ("Gemini 기반 여행 앱", "use"),
        ("一个基于 Gemini 的应用", "use"),
        ("| Gemma 7B | 64.3 |", "table"),
        ("```python\nmodel = 'gemini-2.5-flash'\n```", "code"),
    ],
)
def test_comparisons_uses_tables_and_code_are_set_aside(text, kind):
    strong, family, aside = counted(text)
    assert strong == {} and family == {}
    assert kind in aside, aside


def test_a_comparison_is_read_within_its_clause():
    strong, _, aside = counted("和 Gemini 1.5 Pro 相比，Gemini 2.0 Flash 更快。")
    assert strong == {"gemini-2.0": 1} and aside == {"compare": {"Gemini 1.5": 1}}


def test_names_in_urls_are_not_read():
    assert counted("见 https://ai.google.dev/gemma/docs 与 https://gemini.google.com/app")[:2] == ({}, {})


# ---------------------------------------------------------------------------------------------
# Links point to the member a mention names


def linked(text: str, target=None) -> str:
    return link_text(text, linker_for(REGISTRY), target)


def test_links_point_to_the_member_a_mention_names():
    out = linked("Gemma 3 的 tokenizer 和 Gemini 2.0 一样，Gemma 2B 是第一代。", ("model", "gemma-3"))
    assert "[Gemini 2.0](nkb:model/gemini-2.0)" in out
    assert "[Gemma 2B](nkb:model/gemma)" in out
    assert "[Gemma 3](nkb:model/gemma-3)" in out


def test_a_bare_family_name_links_by_what_it_means():
    assert "[Gemini](nkb:model/gemini-2.5)" in linked("Gemini 发布 2.5 Pro 实验版。")
    assert "[Gemini](nkb:model/gemini-1.0)" in linked("Gemma 与 Gemini 结构相似。", ("model", "gemma"))  # Gemma derives from 1.0
    assert "[Gemini](nkb:model/gemini-2.0)" in linked("Gemma 3 沿用了 Gemini 的技术。", ("model", "gemma-3"))  # Gemma 3 from 2.0
    assert "[Gemma](nkb:model/gemma-2)" in linked("Gemma 这一代加了蒸馏。", ("model", "gemma-2"))
    assert "[Gemini](nkb:family/gemini)" in linked("Gemini 是一个模型家族。")
    assert "[Gemini](nkb:family/gemini)" in linked("Gemini 是一个模型家族。", ("family", "gemini"))


# ---------------------------------------------------------------------------------------------
# The next generation is a YAML change


def _registry_with(tmp_path, extra: dict) -> Registry:
    data = yaml.safe_load((PACKAGE_DATA / "models.yml").read_text(encoding="utf-8"))
    data["models"].append(extra)
    (tmp_path / "models.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Registry.load(tmp_path)


def test_a_new_generation_is_one_yaml_entry(tmp_path):
    # A made-up generation, only for this test: nothing in the code knows its name or sizes.
    registry = _registry_with(tmp_path, {
        "id": "gemma-test", "name": "Gemma 9", "family": "gemma", "release": "2031-01-01",
        "versions": ["9"], "sizes": ["5B", "33B"], "generations": ["第九代"],
        "relations": [{"type": "successor_of", "model": "gemma-3"}],
    })
    for text in ("Gemma 9", "Gemma9-33B", "젬마 9", "Gemma 第九代", "gemma-9-5b-it"):
        assert counted(f"这里说的是 {text}。", registry)[0] == {"gemma-test": 1}, text
    assert counted("Gemma 有 33B 这个尺寸。", registry)[0] == {"gemma-test": 1}  # a size only it has
    assert counted("这里说的是 Gemma 3 27B。", registry)[0] == {"gemma-3": 1}  # the others are unchanged


def test_a_name_given_to_two_models_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="Gemma 2 9B"):
        _registry_with(tmp_path, {"id": "clash", "name": "Clash", "family": "gemma", "release": "2031-01-01", "aliases": ["Gemma 2 9B"]})


def test_the_packaged_registry_has_every_new_generation():
    assert {"gemini-2.0", "gemini-3", "gemma-2", "gemma-3"} <= set(REGISTRY.model_by_id)
    assert [m.id for m in REGISTRY.members("gemma")] == ["gemma", "gemma-2", "gemma-3"]
    assert [m.id for m in REGISTRY.members("gemini")] == ["gemini-1.0", "gemini-1.5", "gemini-2.0", "gemini-2.5", "gemini-3"]
    chain = {m.id: [r.model for r in m.relations if r.type == "successor_of"] for m in REGISTRY.models}
    assert chain["gemini-2.0"] == ["gemini-1.5"] and chain["gemini-2.5"] == ["gemini-2.0"] and chain["gemini-3"] == ["gemini-2.5"]
    assert chain["gemma-2"] == ["gemma"] and chain["gemma-3"] == ["gemma-2"]
    assert REGISTRY.model_by_id["gemma-2"].arxiv == "2408.00118" and REGISTRY.model_by_id["gemma-3"].arxiv == "2503.19786"


def test_no_model_name_version_or_size_in_the_code():
    """Adding a generation stays a YAML change: the reading, routing, linking and family pages
    name no model, version or size outside their comments and docstrings."""
    import notekb

    root = Path(notekb.__file__).parent
    words = ("Gemini", "Gemma", "제미나이", "젬마", "2.5", "2.0", "9B", "27B", "Flash", "Ultra")
    for sub in ("pipeline/mentions.py", "pipeline/route.py", "pipeline/link.py", "registry.py", "pages/family.py", "pages/home.py", "pages/nav.py", "pages/model.py"):
        code = _code_only((root / sub).read_text(encoding="utf-8"))
        for word in words:
            assert word not in code, (sub, word)


def _code_only(source: str) -> str:
    """The source without comments and docstrings."""
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            docstrings.add((node.body[0].lineno, node.body[0].col_offset))
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and token.start in docstrings):
            continue
        kept.append(token.string)
    return " ".join(kept)
