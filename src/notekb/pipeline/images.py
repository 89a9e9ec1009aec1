"""Images a note references from the files beside it: which of them may be published, and as what.

A file next to a note is as untrusted as the note. Only raster images of the types every browser
draws (PNG, JPEG, GIF, WebP, AVIF) are copied into the site, recognised by their first bytes, not
their names, and published under an extension of their real type: an `evil.html` or a PNG that is
also an HTML page (`x.html`) is never served as a page. SVG can carry scripts and is not published.
Nothing outside the notes folder is read, whatever symbolic links say.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from notekb.pipeline.read import inside

# type -> (extensions it may have, the one it is published with)
TYPES = {
    "png": ((".png",), ".png"),
    "jpeg": ((".jpg", ".jpeg", ".jpe", ".jfif"), ".jpg"),
    "gif": ((".gif",), ".gif"),
    "webp": ((".webp",), ".webp"),
    "avif": ((".avif",), ".avif"),
}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
MAX_IMAGE_BYTES = 20_000_000


def sniff(head: bytes) -> str | None:
    """The image type of a file from its first 16 bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


@dataclass
class Images:
    """The images of one note: what to copy (site path -> file) and what was refused, and why."""

    root: str  # the notes folder
    source_dir: str  # the note's folder
    folder: str  # the note's folder under assets/notes/
    copies: dict[str, str] = field(default_factory=dict)  # site path -> absolute source path
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (line, level, message)

    def place(self, target: str, line: int) -> str | None:
        """The site path of the image `target` (as the note wrote it), or None when it is not
        published (a placeholder is shown instead and the reason kept in `refused`)."""
        target = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "\\")):
            return None
        normal = posixpath.normpath(target.replace("\\", "/"))
        path = os.path.join(self.source_dir, *normal.split("/"))
        if not os.path.isfile(path):
            return None
        if not inside(self.root, path):
            self.refused.append((line, "error", f"image {target} is outside the notes folder (or a symbolic link leading there): not read, not published"))
            return None
        if normal.lower().endswith((".svg", ".svgz")):
            self.refused.append((line, "warning", f"image {target} is an SVG, which can carry scripts: not published (save it as PNG)"))
            return None
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as fh:
                kind = sniff(fh.read(16))
        except OSError as exc:
            self.refused.append((line, "warning", f"image {target} cannot be read: {exc.strerror or exc}"))
            return None
        if kind is None:
            self.refused.append((line, "warning", f"{target} is not an image of a type the site publishes (PNG, JPEG, GIF, WebP, AVIF, recognised by content): shown as a missing figure"))
            return None
        if size > MAX_IMAGE_BYTES:
            self.refused.append((line, "warning", f"image {target} is {size:,} bytes, over the {MAX_IMAGE_BYTES:,}-byte limit: not published"))
            return None
        site = f"assets/notes/{self.folder}/{_published_name(normal, kind)}"
        self.copies[site] = path
        return site


def _published_name(normal: str, kind: str) -> str:
    """The image's path under its note's asset folder: as written when that is a plain short
    name with an extension of its real type; otherwise a name made from a hash of it."""
    extensions, canonical = TYPES[kind]
    parts = normal.split("/")
    if all(_SAFE_NAME.fullmatch(p) and p not in (".", "..") for p in parts) and parts[-1].lower().endswith(extensions):
        return normal
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", posixpath.splitext(parts[-1])[0]).strip("-")[:40]
    digest = hashlib.sha1(normal.encode("utf-8")).hexdigest()[:10]
    return f"{stem}-{digest}{canonical}" if stem else f"image-{digest}{canonical}"
