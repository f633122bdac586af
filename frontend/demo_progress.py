"""Progress of the demo's long steps, on the terminal: a bar with counts, rate and time left (tqdm), and each step's
wall time, printed as a table once the demo is done."""

import sys
import time
from collections.abc import Callable

from tqdm import tqdm


def step_bar(*, enabled: bool, total: int | None, desc: str, unit: str) -> tqdm:
    """A bar on stderr (stdout keeps the step's own lines); disabled in tests and with --no-progress."""
    return tqdm(total=total, desc=f"  {desc}", unit=f" {unit}", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5, leave=False)


def counted(bar: tqdm) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback that moves `bar` to `done` of `total`."""
    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)
    return update


class StepClock:
    """Times each step; `table()` lists them with the total, slowest marked."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()

    def stop(self, name: str) -> float:
        seconds = time.monotonic() - self._started
        self.times.append((name, seconds))
        return seconds

    def table(self) -> list[str]:
        total = sum(s for _, s in self.times) or 1.0
        width = max((len(n) for n, _ in self.times), default=4)
        slowest = max((s for _, s in self.times), default=0.0)
        lines = [f"  {name:<{width}}  {_clock(s):>8}  {100 * s / total:5.1f}%" + ("  slowest" if s == slowest else "")
                 for name, s in self.times]
        return [*lines, f"  {'total':<{width}}  {_clock(total):>8}"]


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}" if minutes else f"{seconds:.1f} s"
