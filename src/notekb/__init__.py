"""notekb: turn messy paper-reading notes into a browsable, searchable knowledge base.

The pipeline reads top to bottom, one module per stage, each a plain function from data to data:

    read   (bytes, encoding, front matter)          -> RawNote
    clean  (boilerplate, headings, lists, code)     -> Note
    route  (which model or paper each part is about) -> Note with targets and topics
    link   (glossary, references, model mentions)   -> linked Markdown
    render (Markdown pages)                         -> list[Page]

`notekb.pipeline.build_site` runs them all; the MkDocs plugin (notekb.mkdocs) and the command line
(notekb.cli) are thin front doors over it. The README shows the rooms of the package.
"""

__version__ = "0.1.0"
