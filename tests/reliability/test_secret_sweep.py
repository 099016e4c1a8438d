"""Credentials never leak: one scripted CLI session with sentinel credentials, then a sweep of
everything it printed and everything on disk (config dir, data dir, snapshots, screenshots).

Basic: a sentinel password the sandbox refuses (401), and the sandbox's real password for sends
that succeed — swept as its MD5 and Basic header value (the plain word "sandbox" is also the
username, so it cannot be swept). OAuth: a sentinel secret the sandbox refuses, the sandbox's
fixed secret, and every access token the sandbox issued during the session.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.history import Journal
from tests.reliability.sweep import (
    app_dirs,
    basic_forms,
    default_paths,
    find_secrets,
    iter_files,
)
from tests.support.cli import run_cli

GOOD = "919591471711"


class Session:
    """Runs CLI commands, keeps every output under a readable name, checks exit codes."""

    def __init__(self, keyring_file: Path) -> None:
        self.keyring_file = keyring_file
        self.texts: dict[str, str] = {}
        self.exits: dict[str, int] = {}

    def run(
        self, *args: str, expect: int, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = run_cli(*args, input=input, env=env, keyring_file=self.keyring_file)
        name = " ".join(args)
        self.texts[f"stdout of `{name}`"] = proc.stdout
        self.texts[f"stderr of `{name}`"] = proc.stderr
        self.exits[name] = proc.returncode
        assert proc.returncode == expect, f"`{name}` → {proc.returncode}\n{proc.stderr}"
        return proc


def _send(session: Session, profile: str, to: str, expect: int, *extra: str) -> None:
    session.run("send", "sms", "--profile", profile, "--to", to, "--body", f"hi {to}",
                "--yes", *extra, expect=expect)  # fmt: skip


def test_no_credential_leaks_from_a_cli_session(fresh: EmbeddedSandbox, tmp_path: Path) -> None:
    url = fresh.base_url
    bad_password = f"Sentinel-Pass-{secrets.token_hex(8)}"
    bad_secret = f"Sentinel-Secret-{secrets.token_hex(8)}"
    s = Session(tmp_path / "keyring.json")  # outside the config and data dirs

    # -- profiles: add (secret on stdin), list, show, test
    for name, who, secret in [
        ("basic-bad", ("--username", "sandbox", "--password-stdin"), bad_password),
        ("basic-ok", ("--username", "sandbox", "--password-stdin"), "sandbox"),
        ("oauth-bad", ("--client-key", "sandbox-key", "--client-secret-stdin"), bad_secret),
        ("oauth-ok", ("--client-key", "sandbox-key", "--client-secret-stdin"), "sandbox-secret"),
    ]:
        s.run("profile", "add", name, "--host", url, *who, input=secret + "\n", expect=0)
        s.run("profile", "show", name, expect=0)
        s.run("profile", "show", name, "--json", expect=0)
        s.run("profile", "test", name, expect=3 if name.endswith("bad") else 0)
    s.run("profile", "list", expect=0)
    s.run("profile", "list", "--json", expect=0)

    # -- sends that succeed, fail per item, are rejected, or end unknown; dry runs
    for profile in ("basic-ok", "oauth-ok"):
        _send(s, profile, GOOD, 0)
        _send(s, profile, "12025550101", 1, "--json")  # item failed (DND)
        _send(s, profile, "12025550150", 3, "--json")  # HTTP 500
        _send(s, profile, "12025550144", 4, "--json")  # dropped: unknown
        _send(s, profile, GOOD, 0, "--dry-run")
        _send(s, profile, GOOD, 0, "--dry-run", "--json")
    for profile in ("basic-bad", "oauth-bad"):
        _send(s, profile, GOOD, 3, "--json")  # 401 / token refused
        _send(s, profile, GOOD, 0, "--dry-run")
    s.run("send", "email", "--profile", "oauth-ok", "--to", "nope", "--from", "a@example.com",
          "--subject", "s", "--body", "b", expect=2)  # fmt: skip
    s.run("sender-lab", "--profile", "basic-ok", "--to", GOOD, "--sender", "CAPNTH",
          "--sender", "CAPSTH", "--json", "--yes", expect=1)  # CAPSTH is south's  # fmt: skip

    # -- the environment instead of a profile
    basic_env = {"COMMS_TUI_HOST": url, "COMMS_TUI_USERNAME": "sandbox"}
    oauth_env = {"COMMS_TUI_HOST": url, "COMMS_TUI_CLIENT_KEY": "sandbox-key"}
    for env, expect in [
        ({**basic_env, "COMMS_TUI_PASSWORD": bad_password}, 3),
        ({**basic_env, "COMMS_TUI_PASSWORD": "sandbox"}, 0),
        ({**oauth_env, "COMMS_TUI_CLIENT_SECRET": bad_secret}, 3),
        ({**oauth_env, "COMMS_TUI_CLIENT_SECRET": "sandbox-secret"}, 0),
    ]:
        body = f"env {secrets.token_hex(4)}"
        s.run("send", "zalo", "--to", GOOD, "--template", body, "--json", env=env, expect=expect)
        s.run("send", "zalo", "--to", GOOD, "--template", body, "--dry-run", env=env, expect=0)

    s.run("history", expect=0)
    s.run("history", "--json", "--limit", "100", expect=0)
    s.run("profile", "remove", "basic-bad", expect=0)

    # The session did what it says: sends reached the sandbox, tokens were issued, the journal
    # holds every send — so the sweep below looks at real material.
    tokens = list(fresh.state._tokens)
    assert len(tokens) >= 3
    assert len(Journal().list(100)) >= 14
    assert fresh.state.outbox(GOOD)

    swept = {
        **basic_forms("sandbox", bad_password, prefix="sentinel "),
        **basic_forms("sandbox", "sandbox", prefix="sandbox "),
        "sentinel client secret": bad_secret,
        "sandbox client secret": "sandbox-secret",
        **{f"OAuth token #{i}": token for i, token in enumerate(tokens)},
    }
    paths = default_paths()
    assert any(p.name.startswith("history.sqlite3") for p in iter_files(paths))
    assert find_secrets(paths, s.texts, swept) == []
    # The keyring (a test file here) is where the secrets went, so the sweep had them to find.
    assert find_secrets([s.keyring_file], {}, {"sentinel client secret": bad_secret})


def test_the_sweep_finds_what_it_looks_for(tmp_path: Path) -> None:
    """A sweep that finds nothing proves nothing unless it can find a planted secret."""
    import sqlite3

    secret = f"Planted-{secrets.token_hex(6)}"
    forms = basic_forms("till", secret)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "profiles.toml").write_text(f'note = "{forms["md5(password)"].upper()}"')
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (f"Authorization: Basic {forms['Basic header value']}",))
    db.commit()  # still in the -wal file: the sweep reads that too
    hits = find_secrets([tmp_path, tmp_path / "missing"], {"stderr": f"error: {secret}!"}, forms)
    db.close()
    assert sorted(hits) == sorted(
        [
            "stderr: password",
            f"{tmp_path / 'config' / 'profiles.toml'}: md5(password)",
            f"{tmp_path / 'journal.sqlite3-wal'}: Basic header value",
        ]
    )
    assert all(secret not in hit for hit in hits)  # the report names labels, not values
    with pytest.raises(ValueError):
        find_secrets([], {}, {"short": "abc"})


def test_the_config_dir_holds_no_secret_even_with_the_plain_file_fallback(
    tmp_path: Path,
) -> None:
    """``--insecure-file`` keeps the secret in a 0600 file by explicit choice; it is the one
    place a secret may sit on disk, and the profile file next to it never holds it."""
    secret = f"Sentinel-{secrets.token_hex(8)}"
    proc = run_cli(
        "profile", "add", "plain", "--host", "http://127.0.0.1:9", "--username", "u",
        "--password-stdin", "--insecure-file", input=secret + "\n",
        keyring_backend="keyring.backends.fail.Keyring",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = find_secrets(default_paths(), {"stdout": proc.stdout, "stderr": proc.stderr},
                         {"password": secret})  # fmt: skip
    assert len(found) == 1 and "profiles.toml" not in found[0]
    stored = Path(found[0].rsplit(":", 1)[0])
    assert stored.stat().st_mode & 0o077 == 0
    show = run_cli("profile", "show", "plain", keyring_backend="keyring.backends.fail.Keyring")
    assert secret not in show.stdout + show.stderr
    assert show.returncode == 0


# --------------------------------------------------------------------------- the TUI


def _screen_text(screen: Screen[Any]) -> str:
    """Everything a screen holds as text, whether or not it fits on screen (a screenshot
    crops and wraps; a secret split over two lines would slip through it)."""
    parts: list[str] = []
    for widget in screen.query("*"):
        if isinstance(widget, Input):
            parts.append(widget.value)
        elif isinstance(widget, TextArea):
            parts.append(widget.text)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


async def _until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def _tui_session(profile: str, shots: Path, texts: dict[str, str]) -> None:
    """Start the app on ``profile`` as the CLI would; send once well, once with a failed item
    and once rejected; open each one's redacted request and raw response, copy it as curl,
    export it; open history; screenshot and record the screen's text at each step."""
    from comms_tui.tui.app import make_app
    from comms_tui.tui.screens.history import HistoryScreen
    from tests.tui.helpers import connected, send

    app = make_app(profile=profile)  # journal, drafts and preferences in the data dir
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign, assignment]
    steps: list[str] = []

    def snap(step: str) -> None:
        steps.append(step)
        app.save_screenshot(f"{profile}-{len(steps):02d}-{step}.svg", path=str(shots))
        texts[f"{profile} screen text at {step}"] = _screen_text(app.screen)

    async with app.run_test(size=(120, 36)) as pilot:
        compose = await connected(pilot)
        snap("connected")
        form = compose.form("sms")
        for to, outcome in [(GOOD, "accepted"), ("12025550101", "failed"),
                            ("12025550150", "rejected")]:  # fmt: skip
            form.set_value("to", to)
            form.set_value("body", f"sweep {to}")
            await send(pilot)
            pane = compose.results
            assert pane.records[-1].result.outcome.value == outcome
            pane.detail.toggle_raw(True)  # the redacted request and the raw response
            raw = pane.query_one("#raw-request", Static)
            await _until(pilot, lambda r=raw: "POST " in str(r.render()), "the raw request")  # type: ignore[misc]
            snap(f"{outcome}-raw")
            before = len(copied)
            await pilot.press("ctrl+r", "c", "x")  # to the results; copy as curl, export JSON
            await _until(pilot, lambda n=before: len(copied) == n + 2, "copy and export")  # type: ignore[misc]
            pane.detail.toggle_raw(False)
        await pilot.press("f2")
        await _until(pilot, lambda: isinstance(app.screen, HistoryScreen), "history")
        await _until(pilot, lambda: str(app.screen.query_one("#detail").render()), "a detail")
        snap("history")
        texts[f"{profile} notifications"] = "\n".join(str(m.message) for m in app._notifications)
        await pilot.press("escape")
        await pilot.press("ctrl+q")  # flushes the drafts
    texts.update({f"{profile} clipboard #{i}": text for i, text in enumerate(copied)})
    assert sum("Running this SENDS it" in text for text in copied) == 3  # replayable curl
    assert len(list(shots.glob(f"{profile}-*.svg"))) == len(steps) == 5


@pytest.mark.parametrize("auth", ["basic", "oauth"])
async def test_no_credential_leaks_from_a_tui_session(
    auth: str, fresh: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sentinel credentials the sandbox accepts (so sends get through and tokens are issued),
    used through the TUI; then every screenshot, screen text, notification, clipboard text and
    file of the session is swept."""
    from comms_tui.sandbox import accounts
    from comms_tui.store.profiles import Profile, ProfileStore
    from comms_tui.store.secrets import SecretStore

    secret = f"Sentinel-{auth}-{secrets.token_hex(8)}"
    if auth == "basic":
        user = accounts.BasicUser("sweep-till", secret, "sandbox", can_write=True)
        monkeypatch.setitem(accounts.BASIC_USERS, user.username, user)
        profile = Profile(name="tui", host=fresh.base_url, auth="basic", username=user.username)
        swept = basic_forms(user.username, secret)
    else:
        client = accounts.OAuthClient("sweep-key", secret, "sandbox")
        monkeypatch.setitem(accounts.OAUTH_CLIENTS, client.key, client)
        profile = Profile(name="tui", host=fresh.base_url, auth="oauth", client_key=client.key)
        swept = {"client secret": secret}
    ProfileStore().save(profile)
    # In the test keyring, which is not swept: keeping secrets is its job.
    SecretStore().set("tui", "password" if auth == "basic" else "client_secret", secret)

    shots = tmp_path / "screenshots"
    shots.mkdir()
    texts: dict[str, str] = {}
    await _tui_session("tui", shots, texts)

    # Real material: the sentinel login sent (the sandbox accepted it), the journal, drafts and
    # exports are on disk, the screenshots show the sends.
    assert [m["recipient"] for m in fresh.state.outbox()] == [GOOD]
    written = [p.name for p in iter_files(app_dirs())]
    assert any(name.startswith("history.sqlite3") for name in written)
    assert "drafts.json" in written
    assert sum(name.startswith("result-") for name in written) == 3  # the exports
    assert "ACCEPTED" in (shots / "tui-02-accepted-raw.svg").read_text().replace("&#160;", " ")
    tokens = list(fresh.state._tokens)
    assert bool(tokens) == (auth == "oauth")
    swept |= {f"OAuth token #{i}": token for i, token in enumerate(tokens)}
    assert find_secrets([*default_paths(), shots], texts, swept) == []
