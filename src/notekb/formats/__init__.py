"""Source formats: one module per way people write notes, each turning its own syntax into the
Markdown the pipeline works on.

    blog       blog dumps: boilerplate headers and footers, author and date lines, link cards
    plain      plain text: numbered headings, "•" bullets, unfenced code, missing figures
    markdown   Markdown made safe: balanced HTML, escaped stray delimiters, bounded paragraphs
    html       HTML fragments in notes: allowed tags, balancing
"""
