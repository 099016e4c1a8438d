"""``comms-tui serve`` without a browser: who may be served where, the web extra, the guards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.cli import REPO_ROOT, run_cli
from tests.support.serve import Served, is_running

REFUSED = "anyone who can reach the page could send messages as that account"


@pytest.mark.parametrize(
    ("args", "env", "whose"),
    [
        (["--profile", "acme", "--host", "0.0.0.0"], {}, "profile acme"),
        (["--profile", "acme", "--host", "0.0.0.0", "--public"], {}, "profile acme"),
        (
            ["--host", "192.0.2.10"],
            {
                "COMMS_TUI_HOST": "apac",
                "COMMS_TUI_USERNAME": "till.acme",
                "COMMS_TUI_PASSWORD": "s3cret-pw",
            },
            "the COMMS_TUI_* environment's credentials",
        ),
        (["--host", "::"], {}, "your default profile"),
    ],
    ids=["profile", "profile-public", "environment", "default-profile"],
)
def test_real_credentials_are_never_served_beyond_loopback(
    args: list[str], env: dict[str, str], whose: str
) -> None:
    proc = run_cli("serve", *args, env=env, timeout=20)
    assert proc.returncode == 2
    assert REFUSED in proc.stderr
    assert whose in proc.stderr
    assert "s3cret-pw" not in proc.stdout + proc.stderr
    assert proc.stdout == ""  # nothing was served


def test_the_sandbox_beyond_loopback_needs_public() -> None:
    proc = run_cli("serve", "--sandbox", "--host", "0.0.0.0", timeout=20)
    assert proc.returncode == 2
    assert "--public" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.slow
def test_the_sandbox_with_public_warns_and_serves() -> None:
    with socket.socket() as probe:  # a free port for the sandbox, to see it is used
        probe.bind(("127.0.0.1", 0))
        sandbox_port = probe.getsockname()[1]
    with Served(
        "--sandbox", "--public", "--host", "0.0.0.0", "--port", "0",
        "--sandbox-port", str(sandbox_port),
    ) as served:  # fmt: skip
        assert served.sandbox_url == f"http://127.0.0.1:{sandbox_port}"
        page = httpx.get(served.url, timeout=10)
        assert page.status_code == 200
        assert "comms-tui (sandbox)" in page.text
        port = served.url.rsplit(":", 1)[1]
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page.text
        # Visitors' drafts and history go to a scratch directory, not this machine's data dir.
        assert any("scratch directory" in line for line in served.lines)
        assert served.stop() == 0
    warning = "".join(served.stderr_lines)
    assert "warning: serving on 0.0.0.0" in warning
    assert "anyone who can reach" in warning


@pytest.mark.slow
def test_on_loopback_other_host_names_and_other_sites_pages_are_refused() -> None:
    with Served("--sandbox", "--port", "0") as served:
        port = served.url.rsplit(":", 1)[1]
        assert httpx.get(served.url, timeout=10).status_code == 200
        assert httpx.get(f"http://localhost:{port}/", timeout=10).status_code == 200
        # DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
        rebound = httpx.get(served.url, headers={"Host": f"evil.example:{port}"}, timeout=10)
        assert rebound.status_code == 403
        # Another site's page opening the app's websocket (browsers always send Origin).
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
        foreign = httpx.get(
            f"{served.url}/ws", headers={**upgrade, "Origin": "http://evil.example"}, timeout=10
        )
        assert foreign.status_code == 403
        assert served.children() == []  # no app was started for it
        assert served.stop() == 0


def test_without_the_web_extra_serve_names_the_install_command() -> None:
    # As if textual-serve were not installed: the import system refuses it.
    script = (
        "import sys\n"
        "class NotInstalled:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual_serve' or name.startswith('textual_serve.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NotInstalled())\n"
        "from comms_tui.cli import main\n"
        "sys.exit(main(['serve', '--sandbox']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'comms-tui[web]'" in proc.stderr
    assert "textual_serve" in proc.stderr
    assert proc.stdout == ""


def test_an_unknown_profile_is_refused_before_serving() -> None:
    proc = run_cli("serve", "--profile", "nope", "--port", "0", timeout=20)
    assert proc.returncode == 2
    assert "nope" in proc.stderr
    assert proc.stdout == ""


def test_a_busy_port_is_an_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("serve", "--sandbox", "--port", str(port), timeout=20)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr


def test_sandbox_port_goes_with_sandbox() -> None:
    proc = run_cli("serve", "--sandbox-port", "9999", timeout=20)
    assert proc.returncode == 2
    assert "--sandbox-port goes with --sandbox" in proc.stderr


async def test_a_tab_app_that_does_not_quit_is_killed_not_left_behind() -> None:
    from textual_serve.download_manager import DownloadManager

    from comms_tui.serve.server import ServedApp

    # Says it is a Textual app, then ignores its input (the "quit") and SIGTERM.
    stuck = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush()\n"
        "time.sleep(60)\n"
    )
    closed: list[bool] = []

    async def ignore(data: object) -> None:
        pass

    async def close_page() -> None:
        closed.append(True)

    app = ServedApp(
        [sys.executable, "-c", stuck], {}, write_bytes=ignore, write_str=ignore,
        close=close_page, download_manager=DownloadManager(),
    )  # fmt: skip
    await app.start(80, 24)
    assert app.process is not None
    started = time.monotonic()
    await app.close(grace=0.5)
    assert time.monotonic() - started < 5
    assert app.process.returncode == -signal.SIGKILL
    assert not is_running(app.process.pid)
    assert closed  # the page is told the session ended
