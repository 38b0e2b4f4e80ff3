"""Finding a process group's live members in /proc, to check that nothing outlives its parent."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path


def group_members(pgid: int) -> dict[int, int]:
    """The live processes of a process group (zombies hold no memory and do not count), with their parents."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        # The command name in parentheses may hold spaces; the fields after it are fixed.
        state, parent, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            members[int(entry.name)] = int(parent)
    return members


def wait_for(condition: Callable[[], bool], timeout_s: float, every_s: float = 0.2) -> bool:
    """Poll until the condition holds or the time is up; whether it held."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every_s)
    return True


def kill_group(pgid: int) -> None:
    """Leave nothing of a test's process group behind, whatever the test found."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
