"""Reading py-spy's folded stacks: where the web and worker spend their time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

_OURS = ("bot/", "flows/", "domain/", "jobs/")
_SKIP = ("bot/cli/", "bot/dev/bench/")


def summarise(path: Path, top: int = 25) -> str:
    """The hottest frames (own time) and our code's inclusive time, as text."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            incl[frame] += n
    if not total:
        return f"{path.name}: no samples\n"
    out = [f"{path.name}: {total} samples", "own time:"]
    out += [f"  {n / total:6.1%}  {f[:150]}" for f, n in own.most_common(top)]
    out.append("inclusive, project code:")
    ours = [(f, n) for f, n in incl.most_common()
            if any(k in f for k in _OURS) and not any(k in f for k in _SKIP)]
    out += [f"  {n / total:6.1%}  {f[:150]}" for f, n in ours[:top]]
    return "\n".join(out) + "\n"


def write_summary(directory: Path) -> Path | None:
    """Summarise every `*.folded.txt` in `directory` into `summary.txt`."""
    files = sorted(directory.glob("*.folded.txt"))
    if not files:
        return None
    target = directory / "summary.txt"
    target.write_text("\n".join(summarise(f) for f in files))
    return target
