"""A look-alike HTTP service on a free local port, for testing clients without the internet."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

Fake = TypeVar("Fake")


class FakeServer(ThreadingHTTPServer):
    """The handler reaches the test's fake through `self.server.fake`."""

    fake: Any


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], make_fake: Callable[[int], Fake]) -> Iterator[Fake]:
    """Run `handler` on 127.0.0.1 in a thread; `make_fake` gets the port and builds what the handler uses."""
    server = FakeServer(("127.0.0.1", 0), handler)
    server.fake = make_fake(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.fake
    finally:
        server.fake.stop.set()  # releases handlers that are deliberately slow
        server.shutdown()
        server.server_close()
        thread.join()
