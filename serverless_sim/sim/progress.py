"""A progress bar for long runs, on stderr: simulated time, events, events per second.

The wall clock is read here, and only here, to pace the display and compute events per wall
second. It never reaches simulation state: the run is cut into chunks of *simulated* time
(``Cloud.run`` to successive instants, which is exactly equivalent to one run, since nothing
happens between calls), and the bar is redrawn between chunks.
"""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING, Any

from ..kernel.clock import format_us

if TYPE_CHECKING:
    from ..cloud import Cloud


def _span(us: int) -> str:
    s = us // 1_000_000
    d, s = divmod(s, 86_400)
    h, s = divmod(s, 3_600)
    m, s = divmod(s, 60)
    return (f"{d}d " if d else "") + f"{h:02d}:{m:02d}:{s:02d}"


class Progress:
    """Draws ``[#####-----]  45%  sim +13d 12:00:00  1,234,567 events  250,000 ev/s  wall 5.0 s``.

    ``stream`` defaults to stderr; ``min_interval`` (wall seconds) limits redraws."""

    def __init__(self, total_us: int, stream: IO[str] | None = None, width: int = 30,
                 min_interval: float = 0.2) -> None:
        self.total_us = max(1, total_us)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._t0 = time.perf_counter()  # noqa: wallclock (progress display only)
        self._last = -1.0
        self._events0: int | None = None
        self.lines = 0

    def update(self, cloud: "Cloud", done_us: int, final: bool = False) -> None:
        now = time.perf_counter()  # noqa: wallclock (progress display only)
        if not final and now - self._last < self.min_interval:
            return
        self._last = now
        events = cloud.scheduler.events_run
        if self._events0 is None:
            self._events0 = events
        wall = max(1e-9, now - self._t0)
        frac = min(1.0, done_us / self.total_us)
        fill = int(frac * self.width)
        rate = (events - self._events0) / wall
        text = (f"\r[{'#' * fill}{'-' * (self.width - fill)}] {frac * 100:5.1f}%  sim +{_span(done_us)} "
                f"({format_us(cloud.clock.now_us)[:19]})  {events:,} events  {rate:,.0f} ev/s  "
                f"{done_us / 1e6 / wall:,.0f}x real time  wall {wall:.1f} s")
        self.stream.write(text + ("\n" if final else ""))
        self.stream.flush()
        self.lines += 1


def run_with_progress(cloud: "Cloud", until_us: int, progress: Any = True, chunks: int = 500) -> int:
    """Run ``cloud`` to ``until_us`` in chunks of simulated time, drawing a progress bar
    (``progress``: True for stderr, a stream, a :class:`Progress`, or False for none).
    Returns the events run."""
    start = cloud.clock.now_us
    total = until_us - start
    if not progress or total <= 0:
        return cloud.scheduler.run_until_us(until_us)
    bar = progress if isinstance(progress, Progress) else Progress(total, None if progress is True else progress)
    step = max(1, -(-total // chunks))
    ran = 0
    t = start
    while t < until_us:
        t = min(until_us, t + step)
        ran += cloud.scheduler.run_until_us(t)
        bar.update(cloud, t - start, final=t >= until_us)
    return ran


__all__ = ["Progress", "run_with_progress"]
