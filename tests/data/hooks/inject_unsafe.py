"""A MkDocs hook for the tests: it puts unsafe HTML into every page notekb generates, after notekb's
own cleaning (the first layer) has run, as a plugin or a miss of that layer would. Only the second
layer, the sanitizing of every generated page's rendered HTML, stands between it and a reader.

Each page gets the marker text 注入标记 (kept by sanitizing, so a test can see the injection
happened) next to a script, an event handler and a javascript: link (which must all be gone)."""

UNSAFE_MARKDOWN = (
    '\n\n<div class="injected"><p>注入标记一</p><script>window.__injected = "markdown"</script>'
    '<img src="missing.png" onerror="window.__injected = \'handler\'">'
    '<a href="javascript:window.__injected = \'link\'">注入链接</a></div>\n'
)
UNSAFE_HTML = '<p onmouseover="window.__injected = \'content\'">注入标记二</p><script>window.__injected = "content"</script>'


def _generated(page) -> bool:
    return page.file.src_uri.startswith(("models/", "notes/", "papers/", "families/"))


def on_page_markdown(markdown, page, config, files):
    return markdown + UNSAFE_MARKDOWN if _generated(page) else markdown


def on_page_content(html, page, config, files):
    return html + UNSAFE_HTML if _generated(page) else html
