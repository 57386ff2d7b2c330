"""How the background commands (sla-sweep, stats-refresh, crosscheck) repeat themselves."""
import signal
import threading
from collections.abc import Callable


def repeat(every: float | None, one_round: Callable[[], object]) -> None:
    """Run ``one_round`` once, or every ``every`` seconds until SIGTERM; a SIGTERM lets the
    current round finish, then returns at once (no half-written round, no waiting out the sleep)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while True:
        one_round()
        if not every or stop.is_set() or stop.wait(every):
            return
