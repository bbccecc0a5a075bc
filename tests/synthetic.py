"""Made-up news articles with figures, for the crash and concurrency tests (seeded, so repeatable).

>>> import random
>>> article(random.Random(1), 0) == article(random.Random(1), 0)
True
"""

from __future__ import annotations

import random
from pathlib import Path

PLACES = ["Harbour Town", "Eastfield", "Mill Valley", "Northgate", "Port Ailey", "Kestrel Bay"]
TOPICS = ["spending on roads", "the school budget", "housing output", "bus ridership", "exports"]
SENTENCES = [
    "{place} council said {topic} rose {pct}% to ${money} million in {year}.",
    "Officials estimate that about {count} people use the new line each day.",
    "{topic_cap} fell by {pct} per cent last year, according to the regional statistics office.",
    "The plan will cost between {small} and {big} million pounds over {years} years.",
    "Nearly {count} households, more than {pct}% of the total, were affected.",
    "The mayor did not answer questions about the report.",
    "Residents were told the work would finish in the spring.",
]


def article(rng: random.Random, n: int) -> str:
    """One article: a title line, then three or four paragraphs of two to four sentences."""
    place = rng.choice(PLACES)
    paragraphs = []
    for _ in range(rng.randint(3, 4)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            topic = rng.choice(TOPICS)
            small = rng.randint(2, 90)
            sentences.append(
                rng.choice(SENTENCES).format(
                    place=place,
                    topic=topic,
                    topic_cap=topic[0].upper() + topic[1:],
                    pct=f"{rng.randint(1, 400) / 10:.1f}",
                    money=rng.randint(2, 950),
                    year=rng.randint(2015, 2025),
                    count=f"{rng.randint(1_000, 250_000):,}",
                    small=small,
                    big=small + rng.randint(5, 60),
                    years=rng.randint(2, 12),
                )
            )
        paragraphs.append(" ".join(sentences))
    return f"{place} report no. {n}\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, count: int, seed: int, start: int = 0) -> list[Path]:
    """Write `count` articles as `<n>_synthetic.txt` files into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(start, start + count):
        path = folder / f"{n:04d}_synthetic.txt"
        path.write_text(article(rng, n), encoding="utf-8")
        paths.append(path)
    return paths
