"""Regenerates the encoded fixture notes in this folder from the UTF-8 references (run once, by hand).

zh.md, zh-symbols.md and zh-ext.md are the UTF-8 references; every other file here is one of them
(or a non-Chinese note) saved in another encoding, as an editor on Windows or an old blog export
would save it.
"""

from pathlib import Path

HERE = Path(__file__).parent


def ref(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


zh = ref("zh.md")
(HERE / "zh.utf8-bom.md").write_bytes(b"\xef\xbb\xbf" + zh.encode("utf-8"))
# Windows Notepad's "Unicode" and "Unicode big endian": a BOM and CRLF line ends.
(HERE / "zh.utf16le-bom.txt").write_bytes(b"\xff\xfe" + crlf(zh).encode("utf-16-le"))
(HERE / "zh.utf16be-bom.txt").write_bytes(b"\xfe\xff" + crlf(zh).encode("utf-16-be"))
(HERE / "zh.gbk.txt").write_bytes(zh.encode("gbk"))
(HERE / "zh-symbols.gbk.txt").write_bytes(ref("zh-symbols.md").encode("gbk"))
# 𠮷 is not in GBK: GB18030 stores it in four bytes.
(HERE / "zh-ext.gb18030.txt").write_bytes(ref("zh-ext.md").encode("gb18030"))

# Notes in encodings we do not read. The first two lines are ASCII, so the first byte that is not
# UTF-8 is on line 3.
ja = "Gemini 1.5 reading notes\n\nGemini 1.5 の論文を読んだ。長いコンテキストを扱えるのが一番の特徴。\nMoE で計算コストを抑えている。\n"
(HERE / "ja.shift-jis.txt").write_bytes(ja.encode("shift_jis"))
de = "Notizen zu Gemini 1.5\n\nDie Qualität der Trainingsdaten ist wichtiger als die Größe des Modells.\nFür lange Kontexte würde ich das auch so sehen.\n"
(HERE / "de.latin1.txt").write_bytes(de.encode("latin-1"))
fr = "Notes sur Gemini\n\nLe modèle est entraîné sur des données multilingues et multimodales.\n"
(HERE / "fr.latin1.txt").write_bytes(fr.encode("latin-1"))
