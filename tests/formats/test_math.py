"""Math becomes MathML Core at build time; what cannot be converted shows as TeX."""

from __future__ import annotations

import time

from bs4 import BeautifulSoup

from notekb.formats.markdown import finalize
from notekb.formats.math import math_html, to_mathml
from notekb.publish.sanitize import sanitize_html

FORMULAS = [
    r"$x_1 + y^{2}$", r"$$\frac{QK^\top}{\sqrt{d_k}}$$", r"\(\alpha \leq \beta\)", r"\[\sum_{i=1}^{n} w_i x_i\]",
    r"\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}", r"$\mathbb{R}^{d} \hat{y} \overline{AB}$",
    r"$\left( \frac{1}{2} \right) \binom{n}{k} \lVert x \rVert$", r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$",
]


def test_every_delimiter_becomes_mathml_and_markdown_cannot_read_it():
    for formula in FORMULAS:
        out = math_html(formula, alone=False)
        assert out.startswith("<math"), formula
        text = BeautifulSoup(out, "html.parser").get_text()
        assert not any(c in text for c in "*_\\`[]") or "&#" in out, formula


def test_display_math_alone_in_its_paragraph_is_a_block():
    out = finalize("前文\n\n$$\nx = \\frac{1}{2}\n$$\n\n后文 $y$ 结束")
    assert '<div class="nkb-math">\n<math display="block">' in out and "后文 <math>" in out


def test_a_formula_that_cannot_be_converted_shows_its_tex():
    out = finalize("见 $\\undefinedcommand{x}_1$ 处")
    code = BeautifulSoup(out, "html.parser").find("code", class_="nkb-tex")
    assert code is not None and code.get_text() == "$\\undefinedcommand{x}_1$"
    assert "_" not in out and "\\" not in out  # written so that Markdown reads nothing in it


def test_prices_stay_text():
    assert finalize("| Pro | $2 | $8 |") == "| Pro | $2 | $8 |"
    assert finalize("costs $5 and $10 a month") == "costs $5 and $10 a month"


def test_unclosed_delimiters_never_stall_the_converter():
    """math-core's time doubles with each unclosed delimiter: such formulas are shown as TeX."""
    started = time.process_time()
    assert to_mathml("x" + "(" * 40, False) is None and to_mathml("\\langle a" * 40, False) is None
    assert time.process_time() - started < 5  # a guard that fails would take hours here, not seconds
    assert to_mathml("(" * 40 + "x" + ")" * 40, False) is not None  # balanced: fine


def test_the_sanitizer_keeps_exactly_what_the_converter_writes():
    for formula in FORMULAS:
        converted = math_html(formula, alone=True)
        before = BeautifulSoup(converted, "html.parser")
        after = BeautifulSoup(sanitize_html(converted), "html.parser")
        shape = lambda soup: [(t.name, sorted(t.attrs)) for t in soup.find_all(True)]  # noqa: E731
        assert shape(after) == shape(before), formula
        assert after.get_text() == before.get_text()
