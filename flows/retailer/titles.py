"""Row and button titles that fit WhatsApp's limits and stay distinct."""

from __future__ import annotations

from collections.abc import Sequence


def unique_titles(names: Sequence[str], limit: int) -> list[str]:
    """Titles of at most `limit` characters that stay distinct (WhatsApp refuses repeats).

    Names that only differ at the end ("Wai Wai Chicken Noodles 75g" / "… Carton
    (30 pcs)") keep their ends, cut in the middle; any still alike are numbered.
    """
    titles = [fit(n, limit) for n in names]
    for round_ in range(2):
        seen: dict[str, int] = {}
        for title in titles:
            seen[title] = seen.get(title, 0) + 1
        clashes = [i for i, title in enumerate(titles) if seen[title] > 1]
        if not clashes:
            return titles
        for i in clashes:
            name = " ".join(names[i].split())
            if round_ == 0 and len(name) > limit:
                head = (limit - 1) // 2
                titles[i] = name[:head].rstrip() + "…" + name[-(limit - 1 - head):].lstrip()
            else:
                titles[i] = fit(f"{i + 1}. {name}", limit)
    return titles


def fit(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
