"""Where a task ran and the most memory its worker process held while running it.

Every shard stage and shuffle task reports this, so the report can say what each node did and
which phase sets the workers' memory. On Linux the process's high-water mark (VmHWM) is reset
before each task (``/proc/self/clear_refs``), so a task's figure is its own peak, not one left
by an earlier task or inherited across ``exec``; elsewhere it is the process's peak so far.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

NODE_ENV = "CURATE_NODE"  # set by an executor whose workers share a host name (Ray nodes on one machine)
_STATUS, _CLEAR = Path("/proc/self/status"), Path("/proc/self/clear_refs")


def node_name() -> str:
    return os.environ.get(NODE_ENV) or socket.gethostname()


def reset_peak() -> None:
    try:
        _CLEAR.write_text("5")  # 5: reset the peak resident set size to the current one
    except OSError:
        pass


def peak_rss_mb() -> int:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return int(peak // (2**20 if sys.platform == "darwin" else 2**10))


def measured(task: Callable[..., Any], *args: Any) -> tuple[Any, dict[str, Any]]:
    """``task(*args)`` and where it ran with its peak memory."""
    reset_peak()
    result = task(*args)
    return result, {"node": node_name(), "peak_rss_mb": peak_rss_mb()}
