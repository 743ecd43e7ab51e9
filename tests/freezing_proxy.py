"""A TCP proxy in front of the test PostgreSQL server that can freeze: while frozen it keeps every connection open and
reads what clients send, and answers nothing, as a server whose database hangs while its operating system still
acknowledges every packet. libpq's own limits do not notice such a server."""
from __future__ import annotations

import select
import socket
import threading

from sqlalchemy.engine import make_url


class FreezingProxy:
    def __init__(self, server_url: str):
        url = make_url(server_url)
        self._target = (url.host or "127.0.0.1", url.port or 5432)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.frozen = threading.Event()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database_url: str) -> str:
        """`database_url` (a database on the test server) reached through this proxy."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = None if self.frozen.is_set() else socket.create_connection(self._target)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            if upstream is not None:
                threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket | None) -> None:
        try:
            while not self._closed.is_set():
                if not select.select([source], [], [], 0.1)[0]:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                if sink is not None and not self.frozen.is_set():
                    sink.sendall(data)
        except (OSError, ValueError):  # the other direction's thread closed both ends (ValueError: from select)
            pass
        finally:
            for end in (source, sink):
                if end is not None:
                    end.close()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
