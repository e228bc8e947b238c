"""A deliberately small HTTP/1.1 keep-alive client for the load generator.

`http.client` spends tens of microseconds per request in header parsing (it goes through
`email.parser`); against a fast server that would make the generator the bottleneck. This client
sends pre-encoded bytes on one socket and parses only the status line, `Content-Length`,
`Transfer-Encoding: chunked` and `Connection: close`, which is all a benchmark needs.
Standard library only, so it runs under any Python 3.9+.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlencode


class HttpError(RuntimeError):
    """A non-2xx answer where the workload expected success: a benchmark must not hide it."""

    def __init__(self, method: str, path: str, status: int, body: bytes):
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:500]!r}")
        self.status = status
        self.body = body


class Conn:
    """One persistent connection; reconnects transparently if the server closed it."""

    def __init__(self, host: str, port: int, timeout: float = 300.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self._host_hdr = f"Host: {host}:{port}\r\n".encode()

    def _connect(self) -> None:
        s = socket.create_connection((self.host, self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.buf = bytearray()

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    # -- sending ---------------------------------------------------------------------------

    def _head(self, method: str, path: str, length: int | None, ctype: str | None) -> bytes:
        h = [f"{method} {path} HTTP/1.1\r\n".encode(), self._host_hdr]
        if ctype:
            h.append(f"Content-Type: {ctype}\r\n".encode())
        if length is not None:
            h.append(f"Content-Length: {length}\r\n".encode())
        h.append(b"\r\n")
        return b"".join(h)

    def send_raw(self, method: str, path: str, body=None, ctype: str | None = None) -> None:
        if self.sock is None:
            self._connect()
        if body is None:
            length = 0 if method in ("POST", "PUT", "PATCH", "DELETE") else None
            self.sock.sendall(self._head(method, path, length, ctype))
        elif len(body) < 65536:
            self.sock.sendall(self._head(method, path, len(body), ctype) + bytes(body))
        else:
            self.sock.sendall(self._head(method, path, len(body), ctype))
            self.sock.sendall(memoryview(body))

    # -- receiving -------------------------------------------------------------------------

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection mid-response")
        self.buf += chunk

    def _read_exact(self, n: int, into: bytearray | None = None) -> bytes | None:
        """Read n body bytes. With `into`, bytes go straight into that buffer (big downloads)."""
        if into is None:
            while len(self.buf) < n:
                self._fill()
            out = bytes(self.buf[:n])
            del self.buf[:n]
            return out
        have = min(len(self.buf), n)
        into[:have] = self.buf[:have]
        del self.buf[:have]
        view = memoryview(into)
        pos = have
        while pos < n:
            got = self.sock.recv_into(view[pos:n])
            if got == 0:
                raise ConnectionError("server closed the connection mid-body")
            pos += got
        return None

    def _read_line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 2]
                return line
            self._fill()

    def read_response(self, into: bytearray | None = None, head_only: bool = False):
        """Returns (status, headers dict lower-cased, body bytes). With `into`, body is b""."""
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            self._fill()
        head = bytes(self.buf[:i]).decode("latin-1").split("\r\n")
        del self.buf[: i + 4]
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        body = b""
        if head_only or status in (204, 304):
            pass
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_line().split(b";")[0], 16)
                if size == 0:
                    while self._read_line():  # trailers
                        pass
                    break
                parts.append(self._read_exact(size))
                self._read_line()
            body = b"".join(parts)
            if into is not None:
                into[: len(body)] = body
        elif "content-length" in headers:
            n = int(headers["content-length"])
            if into is not None and n > len(into):
                raise RuntimeError(f"body of {n} bytes does not fit the {len(into)}-byte buffer")
            body = self._read_exact(n, into) or b""
        else:  # no framing: the body runs until the server closes the connection
            while True:
                chunk = self.sock.recv(262144)
                if not chunk:
                    break
                self.buf += chunk
            body = bytes(self.buf)
            self.buf = bytearray()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    # -- conveniences ----------------------------------------------------------------------

    def request(self, method: str, path: str, body=None, ctype: str | None = None, into=None):
        try:
            self.send_raw(method, path, body, ctype)
            return self.read_response(into)
        except (ConnectionError, BrokenPipeError, OSError):
            # The server may have closed an idle keep-alive connection; retry once on a new one.
            # A second failure propagates.
            self.close()
            self.send_raw(method, path, body, ctype)
            return self.read_response(into)

    def ok(self, method: str, path: str, body=None, ctype: str | None = None, into=None) -> bytes:
        status, _, data = self.request(method, path, body, ctype, into)
        if not 200 <= status < 300:
            raise HttpError(method, path, status, data)
        return data

    def post_json(self, path: str, obj) -> dict:
        data = self.ok("POST", path, json.dumps(obj).encode(), "application/json")
        return json.loads(data) if data.strip() else {}

    def get_json(self, path: str, params=None) -> dict:
        if params:
            path = path + "?" + urlencode(params, doseq=True)
        data = self.ok("GET", path)
        return json.loads(data) if data.strip() else {}
