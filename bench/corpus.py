"""Synthetic corpora for the benchmark: N notes made from the seed notes, no two alike.

Every style the seeds have is kept (blog headers and footers, numbered headings, "•" bullets,
unfenced code, missing figures, digests) and varied: numbers and sentences change, paragraphs are
dropped, some notes are converted to Traditional Chinese, saved as GBK or UTF-16, or get front
matter. Each note carries a unique sentence, so notes never collide as duplicates.

    python bench/corpus.py OUT_DIR N [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "notes").glob("*.txt"))
TOPICS = ["长上下文", "混合专家", "训练稳定性", "数据配比", "推理成本", "多模态对齐", "蒸馏", "量化", "安全评测", "工具使用"]
KO_TOPICS = ["긴 컨텍스트", "전문가 혼합", "학습 안정성", "데이터 혼합", "추론 비용", "양자화"]


def _vary_numbers(text: str, rng: random.Random) -> str:
    out, digits = [], "0123456789"
    for ch in text:
        if ch in digits and rng.random() < 0.15:
            ch = rng.choice(digits)
        out.append(ch)
    return "".join(out)


def _drop_paragraphs(text: str, rng: random.Random) -> str:
    blocks = text.split("\n\n")
    keep = [b for k, b in enumerate(blocks) if k < 3 or rng.random() > 0.15 or "class Block" in b]
    return "\n\n".join(keep)


def make_note(k: int, rng: random.Random) -> tuple[str, bytes]:
    seed = SEEDS[k % len(SEEDS)]
    text = seed.read_text(encoding="utf-8")
    text = _drop_paragraphs(_vary_numbers(text, rng), rng)
    korean = "002_" in seed.name
    topic = rng.choice(KO_TOPICS if korean else TOPICS)
    unique = f"\n\n第 {k} 篇合成笔记：关于{topic}的补充观察，编号 {rng.randrange(10**9)}。\n" if not korean else f"\n\n    • 합성 노트 {k}: {topic}에 대한 보충 메모, 번호 {rng.randrange(10**9)}\n"
    footer = ""
    if "Til next time" in text:
        text, footer = text.split("Til next time", 1)
        footer = "Til next time" + footer
    text = text.rstrip() + unique + ("\n" + footer if footer else "")
    encoding = "utf-8"
    style = k % 10  # every style in every ten notes: 3 Traditional, 5 front matter, 6 GBK, 9 UTF-16
    if style == 3 and not korean:
        import opencc

        text = opencc.OpenCC("s2tw").convert(text)
        text = f"---\nlang: zh-TW\n---\n{text}"
    elif style == 5:
        text = f"---\nauthor: 读者{k}\ndate: 2024-{1 + k % 12:02d}-{1 + k % 28:02d}\ntags: [合成, 测试]\n---\n{text}"
    elif style == 6 and not korean:
        encoding = "gbk"
    elif style == 9:
        encoding = "utf-16"
    name = f"n{k:05d}_{seed.stem.split('_')[0]}.{'md' if k % 3 == 0 else 'txt'}"
    folder = f"batch{k // 100:03d}"
    return f"{folder}/{name}", text.encode(encoding, errors="replace")


def generate(out: Path, n: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for k in range(n):
        rel, data = make_note(k, rng)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.n, args.seed)
    print(f"wrote {args.n} notes to {args.out}")
