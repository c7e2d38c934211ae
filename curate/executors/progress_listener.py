"""Progress from tasks on worker processes, carried to the driver's bars through a queue.

Tasks say how far they are with ``curate.progress.advance``; the executor installs a reporter
in the worker that puts each message on a queue (a multiprocessing queue for the local pool, a
Ray queue for Ray's actors), and this listener reads it in the driver while the tasks run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from curate.executors.driver import TaskReport
from curate.progress import reporting_to


def call_reporting(task: Callable[..., Any], work: Any, args: tuple, put: Callable[[tuple], None] | None,
                   call: tuple[int, int] | None) -> Any:
    """In a worker: ``task(work, *args)``, its progress put on the driver's queue tagged with
    ``call`` (the map's number, the task's index); without both, no reporter is installed."""
    if put is None or call is None:
        return task(work, *args)
    with reporting_to(lambda what, done, total: put((*call, what, done, total))):
        return task(work, *args)


class ProgressListener:
    """A driver thread that hands one map's progress messages, (map's number, task's index, what,
    done, total), to its ``report``; messages of an earlier map (a queue's feeder may deliver
    them after that map's results) are dropped."""

    def __init__(self, reports: Any, number: int, report: TaskReport):
        self.reports, self.number, self.report = reports, number, report
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while True:
            stopping = self.stopped.is_set()  # then read what is left (a task's last count), no more
            try:
                number, index, what, done, total = self.reports.get(timeout=0.05 if stopping else 0.1)
            except queue.Empty:
                if stopping:
                    return
                continue
            if number == self.number:
                self.report(index, what, done, total)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
