"""Small servers on 127.0.0.1 for tests: a raw socket that does something with each connection,
and an HTTP server around a handler class. Both stop when their ``with`` block ends."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RawLoopback:
    """Accepts connections and hands each to ``on_connect`` (which may keep, read or close it)."""

    def __init__(self, on_connect: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.connections: list[socket.socket] = []
        self._on_connect = on_connect
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            self._on_connect(conn)

    def __enter__(self) -> RawLoopback:
        return self

    def __exit__(self, *exc: object) -> None:
        for c in self.connections:
            c.close()
        self.sock.close()


class HTTPLoopback:
    """A threading HTTP server for ``handler``; a client that hangs up early is not an error."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.handle_error = lambda *_args: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> HTTPLoopback:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
