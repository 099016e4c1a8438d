"""A tiny stdlib HTTP server that records every request exactly as it arrived.

Method, raw path with query, headers (names and values as sent, in order) and the body bytes,
so that a request made by ``CommsClient.send`` and one made by a replayed curl command can be
compared byte for byte. It answers the OAuth token endpoint with ``TOKEN`` and sendMessage with
a §4 success echoing the items.

    with RecordingServer() as server:
        ... send to server.base_url ...
        (request,) = server.sends()
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "recorded-token"
_KEYS = {
    "sms": ("sms", "smsList", "sms"),
    "email": ("email", "emails", "email"),
    "whatsapp": ("whatsappMessage", "whatsapp", "whatsappMessage"),
    "zalo": ("zaloMessage", "zalo", "zaloMessage"),
}


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # path and query, as sent
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def header_map(self) -> dict[str, str]:
        """Lower-cased names → values (a name sent twice would show up as a failed compare)."""
        return {name.lower(): value for name, value in self.headers}


def _answer(recorded: Recorded) -> bytes:
    if recorded.path.endswith("/oauth/token/generate"):
        return json.dumps(
            {"data": {"accessToken": TOKEN, "ttlSeconds": 300}, "errors": None}
        ).encode()
    channel = (parse_qs(urlsplit(recorded.target).query).get("channel") or ["sms"])[0]
    request_key, list_key, item_key = _KEYS[channel]
    data: Any = json.loads(recorded.body)
    items = data.get("root", data).get(request_key, [])
    status = {"count": len(items), "successCount": len(items), "code": 200, "success": True}
    entries = [{item_key: {"to": "echo"}, "errors": [], "warnings": []} for _ in items]
    return json.dumps({"status": status, list_key: entries}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        recorded = Recorded(self.command, self.path, tuple(self.headers.items()), body)
        self.server.recorder.add(recorded)
        answer = _answer(recorded)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("X-Cap-Requestid", "recorded-1")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: RecordingServer


class RecordingServer:
    def __init__(self) -> None:
        self.received: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.recorder = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, recorded: Recorded) -> None:
        with self._lock:
            self.received.append(recorded)

    def sends(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.received if r.path.endswith("/sendMessage")]

    def token_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.received if r.path.endswith("/oauth/token/generate")]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
