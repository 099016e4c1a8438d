"""A machine without a keyring sends for real: the TUI asks for the secret, for this session only.

The keyring is ``keyring.backends.fail.Keyring`` (what a headless Linux, WSL or container has) or
an empty one; no ``COMMS_TUI_PASSWORD``. The profile points at the test sandbox, whose demo login
is ``sandbox`` / ``sandbox``: a send that arrives there was authenticated with what was typed.
"""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Button, Input

from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.tui.app import CommsApp
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.profile_setup import ProfileSetupScreen
from comms_tui.tui.screens.secret_prompt import SecretPromptScreen
from comms_tui.tui.screens.welcome import WelcomeScreen
from tests.support.keyring_backends import MemoryKeyring
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, fill, send
from tests.tui.test_keyring_faults import header_text, wait_until

SECRET = "sandbox"  # the sandbox's demo password, typed as a user would
CLIENT_SECRET = "sandbox-secret"  # its demo OAuth client's secret


@pytest.fixture
def work_profile(sandbox: EmbeddedSandbox) -> str:
    sandbox.state.reset()
    ProfileStore().save(
        Profile(name="work", host=sandbox.base_url, auth="basic", username="sandbox")
    )
    return "work"


@pytest.fixture
def oauth_profile(sandbox: EmbeddedSandbox) -> str:
    sandbox.state.reset()
    ProfileStore().save(
        Profile(name="oa", host=sandbox.base_url, auth="oauth", client_key="sandbox-key")
    )
    return "oa"


def files_under(*roots: str) -> str:
    """Everything the app wrote to its config and data dirs, as text."""
    text = ""
    for root in roots:
        for path in Path(root).rglob("*"):
            if path.is_file():
                text += path.read_bytes().decode("utf-8", "replace")
    return text


async def type_secret(pilot: Pilot[None], app: CommsApp, secret: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "the prompt")
    await pilot.pause()
    field = app.screen.query_one("#session-secret", Input)
    assert field.password  # masked
    assert field.has_focus
    title = str(app.screen.query_one("#dialog-title").render())
    assert title == "The client secret of profile 'oa'"
    await pilot.press(*secret, "enter")


@pytest.mark.parametrize("backend", [fail.Keyring, MemoryKeyring], ids=["no-keyring", "empty"])
async def test_the_secret_is_asked_for_and_the_session_sends(
    app_factory: AppFactory,
    oauth_profile: str,
    sandbox: EmbeddedSandbox,
    backend: type[fail.Keyring] | type[MemoryKeyring],
) -> None:
    keyring.set_keyring(backend())
    app = app_factory(session=None, profile=oauth_profile)
    async with app.run_test(size=SIZE) as pilot:
        await type_secret(pilot, app, CLIENT_SECRET)
        await wait_until(pilot, lambda: app.session is not None, "the session")
        assert isinstance(app.screen, ComposeScreen)
        assert "oa" in header_text(app)
        await fill(pilot, "sms", to="12025550100", body="sent with a typed secret")
        await send(pilot)
        [message] = sandbox.state.outbox()
        assert message["body"] == "sent with a typed secret"
        assert CLIENT_SECRET not in app.export_screenshot()
    if backend is MemoryKeyring:
        assert keyring.get_keyring().entries == {}  # type: ignore[attr-defined]
    written = files_under(os.environ["COMMS_TUI_CONFIG_DIR"], os.environ["COMMS_TUI_DATA_DIR"])
    assert "[profiles.oa]" in written and CLIENT_SECRET not in written


async def test_declining_leaves_the_app_up_but_not_connected(
    app_factory: AppFactory, work_profile: str, sandbox: EmbeddedSandbox
) -> None:
    keyring.set_keyring(fail.Keyring())
    app = app_factory(session=None, profile=work_profile)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "the prompt")
        await pilot.press("enter")  # empty: said at the field, still asking
        assert "Type the password" in str(app.screen.query_one("#session-secret-error").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: "not connected" in header_text(app), "the failure")
        assert "no password stored for profile 'work'" in header_text(app)
        assert app.session is None and sandbox.state.stats()["requests"] == 0
        # Not offline for good: the palette's "Connect again" asks again (it never came back).
        assert "ctrl+p: Connect again" in header_text(app)
        await pilot.press("ctrl+p", *"Connect again")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "asked again")
        await pilot.press(*"sandbox", "enter")
        await wait_until(pilot, lambda: app.session is not None, "the session")
        # Connected; still offered, since a typed secret may be a typo the server refuses.
        assert app.check_action("reconnect", ())


async def test_a_typed_secret_the_server_refused_can_be_typed_again(
    app_factory: AppFactory, work_profile: str, sandbox: EmbeddedSandbox
) -> None:
    """A typo in the prompt opens the session all the same (nothing checks a password before
    a send); the send is refused (401), and the app says how to type it again — no restart."""
    keyring.set_keyring(fail.Keyring())
    app = app_factory(session=None, profile=work_profile)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "the prompt")
        await pilot.press(*"sandbxo", "enter")
        await wait_until(pilot, lambda: app.session is not None, "the session")
        await fill(pilot, "sms", to="12025550100", body="after a typo")
        await send(pilot)
        await wait_until(pilot, lambda: bool(app._notifications), "the notification")
        [said] = [n.message for n in app._notifications]
        assert "authentication failed" in said and "ctrl+p › Connect again" in said
        assert sandbox.state.outbox() == []
        refused = app.session

        await pilot.press("ctrl+p", *"Connect again")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "asked again")
        assert app.session is None  # nothing sends with the refused secret meanwhile
        await pilot.press(*SECRET, "enter")
        await wait_until(pilot, lambda: app.session is not None, "the session again")
        assert app.session is not refused
        await send(pilot)  # the form kept what was typed
        [message] = sandbox.state.outbox()
        assert message["body"] == "after a typo"


async def test_save_without_the_secret_opens_the_session_with_what_was_typed(
    app_factory: AppFactory, sandbox: EmbeddedSandbox
) -> None:
    """No profile yet, no keyring: the welcome screen's "Add a profile" → Save fails to store
    the secret → "Save without the secret" → the compose screen, connected, sending."""
    sandbox.state.reset()
    keyring.set_keyring(fail.Keyring())
    app = app_factory(session=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WelcomeScreen), "the welcome")
        await pilot.pause()
        app.screen.query_one("#add-profile", Button).press()
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileSetupScreen), "the form")
        setup = app.screen
        await pilot.pause()
        await pilot.press(*"work")  # the form starts in Name: typing goes there
        setup.query_one("#cluster").value = "custom"  # type: ignore[attr-defined]
        setup.query_one("#custom-host", Input).value = sandbox.base_url
        setup.query_one("#account", Input).value = "sandbox"
        setup.query_one("#secret", Input).value = SECRET
        setup.query_one("#save", Button).press()
        await wait_until(
            pilot, lambda: setup.query_one("#save-without-secret").has_class("-shown"), "keyring"
        )
        setup.query_one("#save-without-secret", Button).press()
        await wait_until(pilot, lambda: app.session is not None, "the session")
        assert isinstance(app.screen, ComposeScreen)
        assert ProfileStore().get("work").username == "sandbox"
        await fill(pilot, "sms", to="12025550100", body="first send from a new machine")
        await send(pilot)
        assert [m["body"] for m in sandbox.state.outbox()] == ["first send from a new machine"]
