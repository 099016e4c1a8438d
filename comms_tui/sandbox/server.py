"""Run the sandbox under uvicorn: embedded in a background thread, or standalone on a port.

Both bind loopback only (§7): the sandbox has fixed, published credentials.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from comms_tui.sandbox.accounts import ORG_UNITS, basic_header
from comms_tui.sandbox.app import SEND_PATH, TOKEN_PATH, create_app
from comms_tui.sandbox.rules import (
    MAGIC_RECIPIENTS,
    SandboxConfig,
)
from comms_tui.sandbox.state import SandboxState

START_TIMEOUT_SECONDS = 5.0


def ensure_loopback(host: str) -> None:
    """Refuse anything but ``localhost`` or a loopback IP literal."""
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(
            f"the sandbox serves loopback only (127.0.0.0/8, ::1 or localhost), not {host!r}: "
            "its credentials are public"
        )


def _bind(host: str, port: int) -> socket.socket:
    """Bind before uvicorn starts so port errors surface in the caller, and port 0 works."""
    host = "127.0.0.1" if host == "localhost" else host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it every keep-alive response waits ~40 ms (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let us steal a busy port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listening now means the URL works as soon as it is printed; uvicorn accepts later.
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _quiet_uvicorn_logs() -> None:
    """Embedded: uvicorn's errors must not reach stderr through logging's last-resort handler,
    where they would scribble over the TUI (e.g. the slow fault cancelled at shutdown)."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())


def _uvicorn_config(app: Starlette, *, embedded: bool) -> uvicorn.Config:
    if embedded:
        _quiet_uvicorn_logs()
    return uvicorn.Config(
        app,
        http="h11",  # the connection-drop fault relies on h11's cycle.transport
        ws="none",
        loop="asyncio",
        lifespan="off",
        log_level="warning" if embedded else "info",
        access_log=not embedded,
        # Embedded: leave the host program's logging alone (the TUI owns the terminal).
        log_config=None if embedded else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=1,  # a pending slow-fault request must not hold up stop()
    )


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that never touches signal handlers: they belong to the host program."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # name used by older uvicorn releases
        pass


class EmbeddedSandbox:
    """The sandbox on a free loopback port in a daemon thread, for tests and demos.

    >>> with EmbeddedSandbox(SandboxConfig(slow_seconds=1)) as sandbox:
    ...     url = sandbox.base_url
    """

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        ensure_loopback(host)
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.app = create_app(self.config)
        self._server: _ThreadServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._base_url: str | None = None

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._base_url

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> str:
        """Serve in the background; returns the base URL once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("this EmbeddedSandbox was already started")
        sock = _bind(self.host, self.port)
        server = _ThreadServer(_uvicorn_config(self.app, embedded=True))
        thread = threading.Thread(
            target=self._serve, args=(server, sock), name="comms-tui-sandbox", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                sock.close()
                raise RuntimeError(f"the sandbox failed to start: {self._error!r}") from self._error
            if time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise TimeoutError(f"the sandbox did not start within {timeout:.1f} s")
            time.sleep(0.002)
        self._base_url = _url_of(sock)
        self.port = sock.getsockname()[1]
        return self._base_url

    def _serve(self, server: _ThreadServer, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit from a failed startup included
            self._error = exc

    def stop(self, timeout: float = 5.0) -> None:
        """Shut down and join the thread; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        self._base_url = None

    def __enter__(self) -> EmbeddedSandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def banner(base_url: str, config: SandboxConfig | None = None) -> str:
    """What ``run_standalone`` prints: URL, demo credentials, OUs and magic recipients."""
    config = config or SandboxConfig()
    lines = [
        f"comms-tui sandbox (Capillary Communications v2 emulator) on {base_url}",
        f"  send:   POST {base_url}{SEND_PATH}?channel=sms|whatsapp|email|zalo",
        f"  Basic:  sandbox / sandbox  (Authorization: {basic_header('sandbox', 'sandbox')})",
        "          sandbox-noaccess / sandbox  -> 403 (no WRITE on Communication)",
        f"  OAuth:  key sandbox-key, secret sandbox-secret  (POST {base_url}{TOKEN_PATH})",
        f"  limits: {config.rate_limit_per_minute}/min per credential, "
        f"{config.batch_limit} messages per request, token TTL {config.token_ttl_seconds} s",
        "  OUs (attribution headers pick one; default: till sandbox -> north):",
    ]
    for ou in ORG_UNITS:
        lines.append(
            f"    {ou.name}: tills {', '.join(ou.tills)}; store {ou.store_code} / "
            f"{ou.store_name!r} / {ou.external_id}; senders {', '.join(ou.sender_ids)} "
            f"(default {ou.default_sender})"
        )
    lines.append(
        "  magic recipients (phone digits, or an email's local part; in a batch the first item "
        "with a request-level fault decides the whole request):"
    )
    for magic in MAGIC_RECIPIENTS:
        effect = magic.fault.value.replace("config.slow_seconds", f"{config.slow_seconds:g} s")
        lines.append(f"    {magic.digits}  {effect}")
    lines.append(
        "  admin:  GET /sandbox/outbox[?recipient=]  DELETE /sandbox/outbox  GET /sandbox/stats  "
        "POST /sandbox/tokens/expire  POST /sandbox/reset  GET /sandbox/health"
    )
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines)


def run_standalone(
    host: str = "127.0.0.1",
    port: int = 8765,
    config: SandboxConfig | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until Ctrl-C (uvicorn handles the signals here).

    ``on_listening(base_url)`` is called once the port is bound, before serving starts.
    """
    ensure_loopback(host)
    config = config or SandboxConfig()
    sock = _bind(host, port)
    if on_listening is not None:
        on_listening(_url_of(sock))
    print(banner(_url_of(sock), config), flush=True)
    server = uvicorn.Server(_uvicorn_config(create_app(config), embedded=False))
    # uvicorn re-raises the captured SIGINT after a graceful shutdown; that is a normal exit.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
