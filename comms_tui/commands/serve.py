"""``comms-tui serve``: the app in a web page, one app process per browser tab (textual-serve).

Loopback by default. The app in the page sends as whoever ``serve`` runs with, so with real
credentials (a profile, the environment, or the default profile) the page stays on loopback;
only the sandbox may be served to others, and only with ``--public``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
from typing import Any

from comms_tui.api.target import is_loopback_host
from comms_tui.commands.arguments import port_number
from comms_tui.commands.tui import profile_name

INSTALL_HINT = "pip install 'comms-tui[web]'  (from a clone: pip install -e '.[web]')"
# Not handed to a sandbox tab's process: it has no use for them.
CREDENTIAL_ENV = (
    "COMMS_TUI_HOST",
    "COMMS_TUI_USERNAME",
    "COMMS_TUI_PASSWORD",
    "COMMS_TUI_CLIENT_KEY",
    "COMMS_TUI_CLIENT_SECRET",
)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="serve the app in a web browser (a demo anyone in the room can open)",
        description=(
            "Serve the app to a web browser: each tab runs its own comms-tui; ctrl+c stops "
            "them all. Needs the web extra: " + INSTALL_HINT
        ),
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--sandbox",
        action="store_true",
        help="one sandbox shared by every tab: one outbox for everyone",
    )
    group.add_argument(
        "--profile", metavar="NAME", type=profile_name, help="serve the app with this saved profile"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port (default 8000; 0 = any)"
    )
    parser.add_argument(
        "--sandbox-port",
        type=port_number,
        metavar="N",
        help="loopback port of the shared sandbox (default: any free one)",
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help="with --sandbox: allow a --host others can reach",
    )
    parser.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, flush=True)  # the URL must show at once, even when stdout is a pipe


def _error(text: str) -> int:
    """``comms-tui: serve: …``, as every error; what was typed (``--host``) shown, not obeyed."""
    from comms_tui.commands.output import error

    error(f"serve: {text}")
    return 2


def _whose_credentials(profile: str | None) -> str:
    from comms_tui.store.resolve import HOST_ENV

    if profile:
        return f"profile {profile}"
    if os.environ.get(HOST_ENV, "").strip():
        return "the COMMS_TUI_* environment's credentials"
    return "your default profile (or one added in the page)"


def host_problem(host: str, *, sandbox: bool, public: bool, profile: str | None) -> str | None:
    """Why serving on ``host`` is refused, or None. Real credentials never leave loopback."""
    if is_loopback_host(host.strip("[]")):
        return None
    if not sandbox:
        return (
            f"refusing to serve {_whose_credentials(profile)} on {host}: anyone who can reach the "
            "page could send messages as that account. Serve on loopback (the default), or "
            "demo with --sandbox --public."
        )
    if not public:
        return (
            f"{host} is not loopback: anyone who can reach it could use the app on this machine. "
            "Add --public to mean it."
        )
    return None


def run(args: argparse.Namespace) -> int:
    if problem := host_problem(
        args.host, sandbox=args.sandbox, public=args.public, profile=args.profile
    ):
        return _error(problem)
    if args.sandbox_port is not None and not args.sandbox:
        return _error("--sandbox-port goes with --sandbox")
    try:
        from comms_tui.serve.server import CommsServer, app_argv, bind
    except ModuleNotFoundError as exc:
        if (exc.name or "comms_tui").partition(".")[0] == "comms_tui":
            raise  # our own breakage shows as what it is; only the extra may be missing
        return _error(f"needs the web extra ({exc}): {INSTALL_HINT}")
    if args.profile:
        from comms_tui.store.errors import StoreError
        from comms_tui.store.profiles import ProfileStore

        try:
            ProfileStore().get(args.profile)  # the secret is read by each tab's app
        except StoreError as exc:
            return _error(exc.message)

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        return _error(f"cannot listen on {args.host}:{args.port}: {exc} (pick another --port)")
    env: dict[str, str | None] = {}  # for each tab's process; None removes a variable
    sandbox = scratch = None
    try:
        if args.sandbox:
            from comms_tui.core.session import SANDBOX_URL_ENV
            from comms_tui.sandbox.server import EmbeddedSandbox

            sandbox = EmbeddedSandbox(port=args.sandbox_port or 0)
            try:
                env[SANDBOX_URL_ENV] = sandbox.start()
            except (OSError, RuntimeError) as exc:
                where = f"port {args.sandbox_port}" if args.sandbox_port else "a free port"
                return _error(f"cannot start the sandbox on {where}: {exc}")
            env |= dict.fromkeys(CREDENTIAL_ENV)
        if args.public:
            # Visitors must not see this machine's history and drafts: theirs go to a scratch
            # directory, removed on exit.
            scratch = tempfile.mkdtemp(prefix="comms-tui-serve-")
            env["COMMS_TUI_DATA_DIR"] = os.path.join(scratch, "data")
            env["COMMS_TUI_CONFIG_DIR"] = os.path.join(scratch, "config")
        port = sock.getsockname()[1]
        title = "comms-tui (sandbox)" if args.sandbox else "comms-tui"
        server = CommsServer(
            app_argv(sandbox=args.sandbox, profile=args.profile),
            env,
            host=args.host,
            port=port,
            title=title,
            say=_say,
        )
        _banner(args, port, sandbox_url=sandbox.base_url if sandbox else None, scratch=scratch)
        server.run(sock)
    finally:
        sock.close()
        if sandbox is not None:
            sandbox.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    _say("comms-tui serve: stopped")
    return 0


def _banner(
    args: argparse.Namespace, port: int, *, sandbox_url: str | None, scratch: str | None
) -> None:
    from comms_tui.serve.server import url_of

    host = args.host.strip("[]")
    target = "the shared sandbox" if args.sandbox else _whose_credentials(args.profile)
    _say(f"comms-tui serve: the app in a web browser, sending with {target}")
    if sandbox_url:
        _say(f"  sandbox: {sandbox_url}  (every tab sends here; GET /sandbox/outbox)")
    if scratch:
        _say("  drafts and history: a scratch directory, removed on exit")
    else:
        from comms_tui.store.paths import data_dir

        _say(f"  drafts and history: {data_dir()}  (shared with the terminal app)")
    if is_loopback_host(host):
        _say(f"  open:    {url_of(host, port)}")
    else:
        if host in ("0.0.0.0", "::"):
            _say(f"  open:    {url_of('127.0.0.1' if host == '0.0.0.0' else '::1', port)}  (here)")
            _say(f"           {url_of(socket.gethostname(), port)}  (others)")
        else:
            _say(f"  open:    {url_of(host, port)}")
        print(
            f"comms-tui serve: warning: serving on {args.host}: anyone who can reach port {port} "
            "can open the app, which runs on this machine as you: it sends only to the sandbox, "
            "but its attachment picker can browse and attach any file you can read.",
            file=sys.stderr,
            flush=True,
        )
    _say("ctrl+c stops the server and every tab's app.")
