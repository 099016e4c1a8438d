"""Opening a session: a profile's secret given for one run, and what is missing said exactly."""

from __future__ import annotations

import pytest

from comms_tui.api.target import BasicCredentials
from comms_tui.core.session import Session
from comms_tui.store.errors import MissingSecret
from comms_tui.store.profiles import Profile, ProfileStore
from tests.support.keyring_backends import MemoryKeyring


def test_a_secret_given_for_this_run_opens_the_profile_and_is_not_stored(
    memory_keyring: MemoryKeyring,
) -> None:
    ProfileStore().save(Profile(name="work", host="apac", auth="basic", username="till.1"))
    with pytest.raises(MissingSecret) as missing:
        Session.open(profile="work")
    assert (missing.value.profile, missing.value.kind) == ("work", "password")
    session = Session.open(profile="work", secret="typed-once")
    credentials = session.target.credentials
    assert isinstance(credentials, BasicCredentials) and credentials.password == "typed-once"
    assert memory_keyring.entries == {}  # for this run only


def test_a_named_profile_says_which_environment_variables_it_does_not_use(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --profile, the environment gives only the secret: a COMMS_TUI_HOST also set was
    ignored without a word (someone expecting it to win sent to the profile's host)."""
    ProfileStore().save(Profile(name="work", host="apac", auth="basic", username="till.1"))
    monkeypatch.setenv("COMMS_TUI_PASSWORD", "from-env")
    assert Session.open(profile="work").warnings == []
    monkeypatch.setenv("COMMS_TUI_HOST", "https://elsewhere.example")
    [warning] = Session.open(profile="work").warnings
    assert "COMMS_TUI_HOST is set, but profile work names the host" in warning
    assert "from-env" not in warning
    monkeypatch.setenv("COMMS_TUI_ENVELOPE", "bare")
    [warning] = Session.open(profile="work").warnings
    assert "COMMS_TUI_HOST and COMMS_TUI_ENVELOPE are set" in warning
