"""The web server of ``comms-tui serve``: textual-serve, with comms-tui's process and safety rules.

textual-serve runs one app process per browser tab, talking to the page over a websocket. On top:

- the app is ``python -m comms_tui.cli [--sandbox | --profile NAME]``, run directly (no shell),
  in its own session: a ctrl+c meant for ``serve`` reaches it only through the orderly shutdown;
- a tab's process is asked to quit when the tab closes (it writes its drafts, as on ctrl+q) and
  killed if it has not left within ``QUIT_GRACE_SECONDS``; when the app leaves by itself the tab
  says "Session ended"; ctrl+c (or SIGTERM, SIGHUP) on ``serve`` ends every tab's process;
- websockets from another site's page are refused (``Origin``), and on loopback so are requests
  for another host name (DNS rebinding): a page elsewhere must not drive an app that can send.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import socket
import sys
from asyncio.subprocess import PIPE, Process
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from comms_tui.api.target import is_loopback_host
from comms_tui.serve.driver import PARENT_PID_ENV, QUIT_GRACE_SECONDS

DRIVER = "comms_tui.serve.driver:ServedDriver"
Say = Callable[[str], None]


def bind(host: str, port: int) -> socket.socket:
    """Listen now, so that a busy port is an error before anything starts and port 0 works."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let us steal a busy port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ServedApp(AppService):
    """One tab's app process."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str | None], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self.env = dict(env)
        self.process: Process | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        env = self._build_environment(width=width, height=height)
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        env["TEXTUAL_DRIVER"] = DRIVER
        env[PARENT_PID_ENV] = str(os.getpid())
        self.process = self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=PIPE, stdout=PIPE, stderr=PIPE, env=env, start_new_session=True
        )
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        await super().run()
        # The app has left (ctrl+q, or it crashed): end the page's session too, so that it says
        # "Session ended" rather than freeze.
        with contextlib.suppress(Exception):
            await self.remote_close()

    async def close(self, grace: float = QUIT_GRACE_SECONDS) -> None:
        """Ask the app to quit; kill it if it is still there after ``grace`` seconds."""
        process = self.process
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.stop(), grace)
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 0.5)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                if hasattr(os, "killpg"):
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: only the app's
                else:
                    process.kill()
        await process.wait()  # reaped: no zombie either


class CommsServer(Server):
    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str | None],
        *,
        host: str,
        port: int,
        title: str,
        say: Say = print,
    ) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title=title)
        self.argv = list(argv)
        self.env = dict(env)
        self.say = say
        self.loopback_only = is_loopback_host(host.strip("[]"))
        self.sessions: set[ServedApp] = set()
        self._opened = 0

    # -- the web app -----------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if problem := self.refusal(request.host, request.headers.get("Origin")):
            return web.Response(status=403, text=f"comms-tui serve: {problem}\n")
        return await handler(request)

    def refusal(self, host: str, origin: str | None) -> str | None:
        """Why a request with this ``Host`` and ``Origin`` is refused, or None."""
        hostname = urlsplit(f"//{host}").hostname or ""
        if self.loopback_only and not is_loopback_host(hostname):
            return f"this server answers to loopback names only, not {hostname!r}"
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return f"pages from {origin} may not open the app"
        return None

    async def on_startup(self, app: web.Application) -> None:
        # aiohttp stops gracefully on SIGINT and SIGTERM; closing the terminal is one more way.
        with contextlib.suppress(NotImplementedError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, _graceful_exit)

    async def on_shutdown(self, app: web.Application) -> None:
        if self.sessions:
            self.say(f"stopping {len(self.sessions)} session(s)…")
        await asyncio.gather(*(session.close() for session in list(self.sessions)))

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # URLs from the request's own host: bound to 0.0.0.0, the page is opened by other names.
        scheme = "wss" if request.secure else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}/ws",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)  # a vanished browser is noticed
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        session = ServedApp(
            self.argv,
            self.env,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self._opened += 1
        number = self._opened
        self.sessions.add(session)
        try:
            await session.start(width, height)
            pid = session.process.pid if session.process else "?"
            self.say(f"  + session {number} (pid {pid}) from {request.remote}")
            await self._process_messages(websocket, session)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            await session.close()
            self.sessions.discard(session)
            with contextlib.suppress(Exception):
                await websocket.close()
            code = session.process.returncode if session.process else None
            self.say(f"  - session {number} ended (exit status {code})")
        return websocket

    # -- running ---------------------------------------------------------------------------------

    def run(self, sock: socket.socket) -> None:
        """Serve on ``sock`` until ctrl+c, SIGTERM or SIGHUP; every tab's process ends first."""
        web.run_app(
            self._make_app(),
            sock=sock,
            print=None,
            access_log=None,
            handle_signals=True,
            shutdown_timeout=QUIT_GRACE_SECONDS + 2,
        )


def _graceful_exit() -> None:
    raise GracefulExit()


def app_argv(*, sandbox: bool, profile: str | None) -> list[str]:
    """The command each tab runs: this Python, this comms-tui."""
    argv = [sys.executable, "-m", "comms_tui.cli"]
    if sandbox:
        argv.append("--sandbox")
    elif profile:
        argv += ["--profile", profile]
    return argv
