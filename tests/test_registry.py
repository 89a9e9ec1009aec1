"""The registry of a long-running build is read again only when a data file changed (issue #11)."""

from __future__ import annotations

import os
import shutil

import notekb.registry as registry_module
from notekb.registry import PACKAGE_DATA, RegistryLoader


def test_the_data_files_are_read_again_only_when_they_change(tmp_path, monkeypatch):
    shutil.copy(PACKAGE_DATA / "topics.yml", tmp_path / "topics.yml")
    hashed = []
    original = registry_module.data_fingerprint
    monkeypatch.setattr(registry_module, "data_fingerprint", lambda d: hashed.append(d) or original(d))
    loader = RegistryLoader(tmp_path)
    first, changed = loader.load()
    assert changed and len(hashed) == 1
    again, changed = loader.load()
    assert again is first and not changed and len(hashed) == 1  # nothing read: same times and sizes
    stat = (tmp_path / "topics.yml").stat()
    os.utime(tmp_path / "topics.yml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched, changed = loader.load()
    assert touched is first and not changed and len(hashed) == 2  # read, same content: same registry
    text = (tmp_path / "topics.yml").read_text(encoding="utf-8")
    (tmp_path / "topics.yml").write_text(text + "\n# one more line\n", encoding="utf-8")
    edited, changed = loader.load()
    assert edited is not first and changed
