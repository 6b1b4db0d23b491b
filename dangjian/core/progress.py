"""Progress of long work, reported from wherever the work happens, shown wherever it is watched.

Long work (an import, the yearly report, a big export, `remind`, the cache warm-up) calls `report(stage, done,
total)` as it goes. Whoever runs the work decides where that lands: a job records it for its progress bar, a
command on a terminal draws a bar, a test collects it, and with no listener the call costs a context-variable
lookup. The work itself never knows which — so the importers need not import the job runner (design §3's layering).

    with progress.listening(lambda stage, done, total: print(stage, done, total)):
        run_import(...)

`stage` is a short Chinese label ("校验", "写入党员"); `done` and `total` count rows (total 0: not known yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[str, int, int], None]

_listener: ContextVar[Listener | None] = ContextVar("dangjian_progress_listener", default=None)


def report(stage: str, done: int, total: int = 0) -> None:
    """Tell whoever is listening how far the current work has come; a no-op when nobody is."""
    listener = _listener.get()
    if listener is not None:
        listener(stage, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every `report` made inside the block (in this thread / task) to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def every(n: int, stage: str, done: int, total: int = 0) -> None:
    """`report` only every n-th row (and the last), so a loop over a million rows stays cheap."""
    if n <= 1 or done % n == 0 or (total and done >= total):
        report(stage, done, total)
