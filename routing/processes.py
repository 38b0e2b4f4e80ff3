"""The processes that run searches: started from a fork server, and ended with the process that started them.

A search process holds a copy of its problem and OR-Tools' model (about 170 MB on a large day). Should the
process that started it die (a queue worker killed mid-plan), nobody would read its result: it must not run
on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

# From <linux/prctl.h>: the signal the kernel sends a process when the thread that forked it ends.
PR_SET_PDEATHSIG = 1
# How often the fallback watch asks whether the parent is still there.
_WATCH_S = 1.0


def worker_context() -> multiprocessing.context.BaseContext:
    """Worker processes that are cheap to start and safe to start from a threaded web or queue process."""
    # A plain fork could copy a lock some other thread holds; the fork server is single-threaded and has
    # OR-Tools loaded already. It ends by itself when the process that started it does.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["routing.solver"])
    return context


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of search processes, each of which ends as soon as its parent does."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(), initializer=die_with_parent)


def die_with_parent() -> None:
    """End this process when its parent ends: at once by the kernel on Linux, else at the next look."""
    parent = os.getppid()
    if not (sys.platform.startswith("linux") and _ask_kernel_for_sigkill()):
        _watch_in_background(parent)
    _let_fork_server_go()
    if os.getppid() != parent:  # it died before the kernel was asked to tell us
        os._exit(1)


def _ask_kernel_for_sigkill() -> bool:
    """SIGKILL this process when its parent ends; whether the kernel agreed."""
    libc = ctypes.CDLL(None, use_errno=True)
    # The fork server is single-threaded, so "the thread that forked us" is the whole parent.
    return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)


def _let_fork_server_go() -> None:
    """Drop this process's copy of the pipe whose other end the fork server watches.

    The fork server ends when every holder of that pipe has ended, and each process it starts gets a copy:
    kept, our searches would keep the fork server, and so themselves, alive after the process that started
    them died. Our searches start no processes of their own, so they have no use for it.
    """
    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if server is not None and fd is not None:
        os.close(fd)
        server._forkserver_alive_fd = None


def _watch_in_background(parent: int) -> None:
    """Where the kernel cannot be asked: a thread that ends the process once its parent is gone.

    OR-Tools holds the GIL while it searches, so this acts between searches, not during one; a search still
    ends at its own time limit.
    """
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    stop = threading.Event()
    while not stop.wait(_WATCH_S):
        if os.getppid() != parent:  # reparented: the parent is gone
            os._exit(1)
