"""Search processes end with the process that started them, even when it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import group_members, kill_group, wait_for

ROOT = Path(__file__).resolve().parents[3]

# A parent that starts a pool of two search processes, gives each a minute's work, and waits.
PARENT = """
import sys, time
from routing.processes import worker_pool

pool = worker_pool(2)
futures = [pool.submit(time.sleep, 60) for _ in range(2)]
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_search_processes_die_when_their_parent_is_killed() -> None:
    """SIGKILL a pool's owner mid-search: within 5 s none of its processes, fork server or worker, is left."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], cwd=ROOT, env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == b"ready"
        # The fork server and both workers, besides the parent.
        assert wait_for(lambda: len(set(group_members(parent.pid)) - {parent.pid}) >= 3, timeout_s=10)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_for(lambda: not group_members(parent.pid), timeout_s=5), group_members(parent.pid)
    finally:
        kill_group(parent.pid)
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
