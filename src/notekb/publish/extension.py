"""A Python-Markdown extension for engines that render pages with Python-Markdown but run no MkDocs
plugin (Zensical): a generated page (its Markdown starts with publish.export.GENERATED) comes out
of Markdown already sanitized, with the same rules (publish.sanitize.sanitize_html).

The step after the build (publish.site) sanitizes every generated page anyway; this closes the
moment in between while serving, when the engine has written an edited page and the step has not
yet been over it. Listed in the Markdown extensions of the configuration notekb writes for
Zensical as `notekb.publish.extension`.
"""

from __future__ import annotations

from markdown import Extension
from markdown.postprocessors import Postprocessor

from notekb.publish.export import END, GENERATED
from notekb.publish.sanitize import sanitize_html


class _Sanitize(Postprocessor):
    """The converted page sanitized, inside the comments the step after the build looks for. A
    page is a generated one when its HTML starts with the comment that starts a generated page's
    Markdown (nothing of a note can come before it); the engine's other conversions with the same
    Markdown instance (Zensical converts table-of-contents labels) are left alone."""

    def run(self, text: str) -> str:
        if not text.lstrip().startswith(GENERATED):
            return text
        inner = text.replace(GENERATED, "", 1)
        cut = inner.rfind(END)
        if cut >= 0:
            inner = inner[:cut] + inner[cut + len(END) :]
        return f"{GENERATED}\n{sanitize_html(inner)}\n{END}"


class SanitizeExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.postprocessors.register(_Sanitize(md), "notekb_sanitize", 0)  # last: after raw HTML is back


def makeExtension(**kwargs) -> SanitizeExtension:  # noqa: N802 (Python-Markdown's name)
    return SanitizeExtension(**kwargs)
