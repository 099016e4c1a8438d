"""A small misbehaving HTTP server for fault tests: one behaviour per instance, stdlib only.

It reads each request in full (so it knows the request *was written*), counts it, then misbehaves
in exactly one way. Every socket has a timeout, long-running behaviours watch a stop event, and
``stop()`` joins every thread, so a test that uses it cannot hang or leak a thread.

    with RogueServer(Behaviour.GARBAGE) as server:
        ... send to server.base_url ...
        assert server.requests == 1
"""

from __future__ import annotations

import contextlib
import enum
import functools
import json
import socket
import socketserver
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

SOCKET_TIMEOUT = 5.0  # no single socket operation of the server waits longer than this
MAX_HEADER_BYTES = 64 * 1024
HUGE_BYTES = 11 * 1024 * 1024  # over the client's 10 MB cap
BOMB_BYTES = 1 << 30  # what GZIP_BOMB inflates to: 1 GiB of zeros from ~2.5 KB on the wire
DEEP = 200_000  # nesting depth of DEEP_JSON
LONG_MESSAGE_CHARS = 5 * 1024 * 1024  # the status message of LONG_ERROR
REQUEST_ID = "rogue-request-1"

# Text a terminal would obey: OSC 52 writes the clipboard (through tmux too), ESC [2J clears the
# screen, U+202E reverses what follows, 0x9B is an 8-bit CSI. Plus Rich/Textual markup.
HOSTILE_TEXT = (
    "\x1b]52;c;cm0gLXJmIH4=\x07pwned \x1b[2J\x1b[31mred [/] [@click=app.quit]quit[/] "
    "[link=https://evil.example]x[/link] \u202eevil\u202c \x9b2J \x7f end"
)
HOSTILE_REQUEST_ID = "req \x1b[2J x"
# What may not reach a terminal raw (stdout or stderr), as bytes in UTF-8.
RAW_CONTROLS = (b"\x1b", b"\x07", b"\x7f", b"\xc2\x9b", "\u202e".encode())


def hostile_reject_body() -> bytes:
    status = {"code": 400, "success": False, "message": HOSTILE_TEXT}
    return json.dumps({"status": status}).encode()


def hostile_items_body(request: ReceivedRequest) -> bytes:
    """A §4 answer whose every item failed with ``HOSTILE_TEXT`` (and warns with it)."""
    data = json.loads(echo_body(request))
    notice = [{"code": 4209, "message": HOSTILE_TEXT}]
    for item in next(v for k, v in data.items() if k != "status"):
        item["errors"], item["warnings"] = notice, notice
    data["status"].update(
        successCount=0, code=201, success=False, warnings=notice, message=HOSTILE_TEXT
    )
    data["status"]["statusCode"] = {"status": False, "message": HOSTILE_TEXT, "code": 201}
    return json.dumps(data).encode()


PROXY_502_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


API_500_BODY = json.dumps(
    {
        "status": {
            "count": 1,
            "successCount": 0,
            "code": 500,
            "success": False,
            "message": "internal server error",
            "statusCode": {"status": False, "message": "internal server error", "code": 500},
            "warnings": [],
            "warningsAsStatusCode": [],
        },
        "smsList": [],
    }
).encode()
HTML_500_PAGE = b"<!DOCTYPE html><html><body><h1>500 Internal Server Error</h1></body></html>"
ORIGIN_520_PAGE = b"<html><body>Error 520: Web server is returning an unknown error</body></html>"


class Behaviour(str, enum.Enum):
    REFUSE = "refuse"  # nothing listens on the port: connection refused
    OK = "ok"  # a correct §4 answer (the baseline, and the TLS tests' server)
    RESET_BEFORE_RESPONSE = "reset_before_response"  # read the request, then RST
    CLOSE_BEFORE_RESPONSE = "close_before_response"  # read the request, then a clean FIN
    HEADERS_CUT = "headers_cut"  # half a status line and headers, then close
    GARBAGE = "garbage"  # bytes that are not HTTP at all
    TRICKLE = "trickle"  # valid headers, then one body byte every trickle_interval
    HUGE = "huge"  # a 200 declaring (and sending) an 11 MB body
    HUGE_CHUNKED = "huge_chunked"  # 11 MB chunked, no Content-Length to warn the client
    WRONG_CONTENT_TYPE = "wrong_content_type"  # a valid §4 body labelled text/html
    PROXY_502 = "proxy_502"  # an nginx-style HTML 502 page
    NOT_JSON_2XX = "not_json_2xx"  # 200 text/plain "OK"
    API_500 = "api_500"  # a 500 carrying the API's own §4 status body: the API says it failed
    HTML_500 = "html_500"  # a 500 HTML page: whatever answered, it was not the API
    ORIGIN_520 = "origin_520"  # a CDN's "the origin answered something odd" page
    TIMEOUT_599 = "timeout_599"  # a proxy's network-timeout status, with no body
    GZIP_BOMB = "gzip_bomb"  # 200, Content-Encoding: gzip, gzip: ~2.5 KB inflating to 1 GiB
    DEEP_JSON = "deep_json"  # 200, "[[[[…" nested 200 000 deep
    LONG_ERROR = "long_error"  # 400 whose status.message is 5 MB long
    HOSTILE_REJECT = "hostile_reject"  # 400: terminal controls and markup in message, request id
    HOSTILE_ITEMS = "hostile_items"  # 201: the same in item errors, warnings, status warnings
    CRAFTED = "crafted"  # whatever ``crafted(request)`` says: (status, headers, body)


Crafted = tuple[str, dict[str, str], bytes]  # status line ("400 Bad Request"), headers, body


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def echo_body(request: ReceivedRequest) -> bytes:
    """A §4 success body echoing the request's items (every channel, both envelopes)."""
    channel = (request.query.get("channel") or ["sms"])[0].lower()
    keys = {
        "sms": ("sms", "smsList", "sms"),
        "email": ("email", "emails", "email"),
        "whatsapp": ("whatsappMessage", "whatsapp", "whatsappMessage"),
        "zalo": ("zaloMessage", "zalo", "zaloMessage"),
    }
    request_key, list_key, item_key = keys[channel]
    data = request.json()
    items = data.get("root", data).get(request_key, [])
    status = {
        "count": len(items),
        "successCount": len(items),
        "code": 200,
        "success": True,
        "message": "Success",
        "statusCode": {"status": True, "message": "Success", "code": 200},
        "warnings": [],
        "warningsAsStatusCode": [],
    }
    entries = [{item_key: item, "errors": [], "warnings": []} for item in items]
    return json.dumps({"status": status, list_key: entries}).encode()


def token_body(token: str = "rogue-token") -> bytes:
    data = {"data": {"accessToken": token, "ttlSeconds": 300}, "errors": None}
    return json.dumps(data).encode()


@functools.lru_cache(maxsize=2)
def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """``size`` zero bytes, gzipped twice (for ``Content-Encoding: gzip, gzip``).

    Built without ever holding ``size`` bytes: the deflate stream of 1 MiB of zeros, flushed to
    a byte boundary, is the same bytes every time, so the inner layer is that segment repeated.
    """
    block = 1 << 20
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = deflater.compress(bytes(block)) + deflater.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)
    crc, zeros = 0, bytes(block)
    for _ in range(size // block):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    inner = header + segment * (size // block) + end + trailer
    outer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return outer.compress(inner) + outer.flush()


def long_error_body() -> bytes:
    status = {"code": 400, "success": False, "message": "x" * LONG_MESSAGE_CHARS}
    return json.dumps({"status": status}).encode()


def _head(
    status: str, content_type: str, length: int, extra: str = "", request_id: str = REQUEST_ID
) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n"
        f"Connection: close\r\nX-Cap-Requestid: {request_id}\r\n{extra}\r\n"
    ).encode("ascii")


def _response(
    status: str, content_type: str, body: bytes, extra: str = "", request_id: str = REQUEST_ID
) -> bytes:
    return _head(status, content_type, len(body), extra, request_id) + body


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins the handler threads
    allow_reuse_address = True

    rogue: RogueServer

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        sock.settimeout(SOCKET_TIMEOUT)
        with self.rogue._lock:
            self.rogue.connections += 1
        context = self.rogue.tls_context
        if context is not None:
            # Handshake in the handler thread (do_handshake_on_connect would do it here).
            sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up on a rogue server is the point, not an error


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        rogue = self.server.rogue
        sock: socket.socket = self.request
        try:
            if isinstance(sock, ssl.SSLSocket):
                sock.do_handshake()
            request = _read_request(sock, rogue)
        except (OSError, ValueError):
            return  # refused handshake, client gone, or not HTTP: nothing was received
        rogue._received(request)
        if request.path.endswith("/oauth/token/generate") and rogue.token_ok:
            with contextlib.suppress(OSError):
                body = token_body(rogue.token_value)
                sock.sendall(_response("200 OK", "application/json", body))
            return
        with contextlib.suppress(OSError):
            rogue._misbehave(sock, request)


def _read_request(sock: socket.socket, rogue: RogueServer) -> ReceivedRequest:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request headers ended")
        if not buffer and not chunk[:1].isupper():
            # Not a request line (a TLS ClientHello, say): answer as any HTTP server would.
            sock.sendall(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            raise ValueError("not an HTTP request")
        buffer += chunk
        if len(buffer) > MAX_HEADER_BYTES:
            raise ValueError("request headers too large")
    head, _, body = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    started = time.monotonic()
    pieces, got = [body], len(body)
    while got < length:
        if rogue.stall_after is not None and got >= rogue.stall_after:
            rogue.stalled.set()
            rogue._stop.wait(SOCKET_TIMEOUT)  # stop reading: the client's writes back up
            raise ValueError("stalled on purpose")
        chunk = sock.recv(min(16384 if rogue.read_rate else 65536, length - got))
        if not chunk:
            raise ValueError("connection closed before the request body ended")
        pieces.append(chunk)
        got += len(chunk)
        if rogue.read_rate:  # read no faster than read_rate bytes a second
            ahead = started + got / rogue.read_rate - time.monotonic()
            if ahead > 0 and rogue._stop.wait(ahead):
                raise ValueError("server stopping")
    body = b"".join(pieces)
    parts = urlsplit(target)
    return ReceivedRequest(method, parts.path, parse_qs(parts.query), headers, body[:length])


class RogueServer:
    """One misbehaving HTTP/1.1 server on 127.0.0.1, counting the requests it fully received."""

    def __init__(
        self,
        behaviour: Behaviour | str,
        *,
        trickle_interval: float = 0.05,
        tls_context: ssl.SSLContext | None = None,
        token_ok: bool = True,
        token_value: str = "rogue-token",
        read_rate: float | None = None,
        stall_after: int | None = None,
        receive_buffer: int | None = None,
        huge_bytes: int = HUGE_BYTES,
        crafted: Callable[[ReceivedRequest], Crafted] | None = None,
    ) -> None:
        self.behaviour = Behaviour(behaviour)
        self.trickle_interval = trickle_interval
        self.tls_context = tls_context
        self.token_ok = token_ok  # answer the OAuth token endpoint properly, misbehave elsewhere
        self.token_value = token_value  # the access token it issues
        self.read_rate = read_rate  # bytes a second of request body read (a slow server)
        self.stall_after = stall_after  # stop reading the request body after this many bytes
        self.receive_buffer = receive_buffer  # SO_RCVBUF: small, so the client feels the pace
        self.huge_bytes = huge_bytes  # size of HUGE and HUGE_CHUNKED answers
        self.crafted = crafted  # the CRAFTED answer to a request
        self.stalled = threading.Event()
        self.connections = 0
        self.received: list[ReceivedRequest] = []
        self.request_arrived = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -------------------------------------------------------------------- lifecycle

    def start(self) -> str:
        if self.behaviour is Behaviour.REFUSE:
            # Bind to get a free port, then close it: nothing listens there any more.
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            return self.base_url
        server = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=True)
        if self.receive_buffer:  # accepted sockets inherit it (and the window it advertises)
            server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        server.rogue = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stop.set()
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()  # joins the handler threads (block_on_close)
        thread.join(SOCKET_TIMEOUT)
        self._server = self._thread = None

    def __enter__(self) -> RogueServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -------------------------------------------------------------------- counters

    @property
    def requests(self) -> int:
        """sendMessage requests received in full (token requests are not counted)."""
        with self._lock:
            return sum(1 for r in self.received if r.path.endswith("/sendMessage"))

    def requests_to(self, suffix: str) -> int:
        with self._lock:
            return sum(1 for r in self.received if r.path.endswith(suffix))

    def _received(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.received.append(request)
        self.request_arrived.set()

    # -------------------------------------------------------------------- behaviours

    def _misbehave(self, sock: socket.socket, request: ReceivedRequest) -> None:
        b = self.behaviour
        # What a correct server would answer; the behaviours below spoil it one way each.
        body = token_body() if request.path.endswith("/generate") else echo_body(request)
        if b is Behaviour.OK:
            sock.sendall(_response("200 OK", "application/json", body))
        elif b is Behaviour.RESET_BEFORE_RESPONSE:
            # SO_LINGER with a zero timeout turns close() into a TCP RST.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # now, before socketserver's shutdown(SHUT_WR) could send a FIN
        elif b is Behaviour.CLOSE_BEFORE_RESPONSE:
            sock.shutdown(socket.SHUT_RDWR)
        elif b is Behaviour.HEADERS_CUT:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: applic")
        elif b is Behaviour.GARBAGE:
            sock.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage \x16\x03\x01\r\n\r\n")
        elif b is Behaviour.TRICKLE:
            self._trickle(sock, body)
        elif b is Behaviour.HUGE:
            self._huge(sock, chunked=False)
        elif b is Behaviour.HUGE_CHUNKED:
            self._huge(sock, chunked=True)
        elif b is Behaviour.WRONG_CONTENT_TYPE:
            sock.sendall(_response("200 OK", "text/html; charset=utf-8", body))
        elif b is Behaviour.PROXY_502:
            sock.sendall(_response("502 Bad Gateway", "text/html", PROXY_502_PAGE))
        elif b is Behaviour.NOT_JSON_2XX:
            sock.sendall(_response("200 OK", "text/plain", b"OK"))
        elif b is Behaviour.API_500:
            sock.sendall(_response("500 Internal Server Error", "application/json", API_500_BODY))
        elif b is Behaviour.HTML_500:
            sock.sendall(_response("500 Internal Server Error", "text/html", HTML_500_PAGE))
        elif b is Behaviour.ORIGIN_520:
            sock.sendall(_response("520 Unknown Error", "text/html", ORIGIN_520_PAGE))
        elif b is Behaviour.TIMEOUT_599:
            sock.sendall(_response("599 Network Connect Timeout Error", "text/plain", b""))
        elif b is Behaviour.GZIP_BOMB:
            bomb = gzip_bomb()
            sock.sendall(
                _response("200 OK", "application/json", bomb, "Content-Encoding: gzip, gzip\r\n")
            )
        elif b is Behaviour.DEEP_JSON:
            sock.sendall(_response("200 OK", "application/json", b"[" * DEEP))
        elif b is Behaviour.LONG_ERROR:
            sock.sendall(_response("400 Bad Request", "application/json", long_error_body()))
        elif b is Behaviour.HOSTILE_REJECT:
            body = hostile_reject_body()
            sock.sendall(
                _response("400 Bad Request", "application/json", body, "", HOSTILE_REQUEST_ID)
            )
        elif b is Behaviour.HOSTILE_ITEMS:
            body = hostile_items_body(request)
            sock.sendall(_response("201 Created", "application/json", body, "", HOSTILE_REQUEST_ID))
        elif b is Behaviour.CRAFTED:
            assert self.crafted is not None, "CRAFTED needs crafted=…"
            status, headers, content = self.crafted(request)
            head = f"HTTP/1.1 {status}\r\nContent-Length: {len(content)}\r\nConnection: close\r\n"
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            sock.sendall(head.encode("latin-1") + b"\r\n" + content)
        # Closing the socket (the caller's ``with``) ends every behaviour.

    def _trickle(self, sock: socket.socket, body: bytes) -> None:
        sock.sendall(_head("200 OK", "application/json", len(body)))
        for i in range(len(body)):
            if self._stop.wait(self.trickle_interval):
                return
            sock.sendall(body[i : i + 1])

    def _huge(self, sock: socket.socket, *, chunked: bool) -> None:
        block = b"x" * 65536
        if chunked:
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"X-Cap-Requestid: {REQUEST_ID}\r\n".encode()
                + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )
            frame = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        else:
            sock.sendall(_head("200 OK", "application/json", self.huge_bytes))
            frame = block
        deadline = time.monotonic() + SOCKET_TIMEOUT
        for _ in range(self.huge_bytes // len(block) + 1):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            sock.sendall(frame)  # fails with a broken pipe once the client hangs up
        if chunked:
            sock.sendall(b"0\r\n\r\n")
