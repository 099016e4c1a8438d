from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import CLUSTERS, Attribution, BasicCredentials, OAuthCredentials
from comms_tui.store.errors import MissingSecret, NoTarget, ProfileNotFound
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.store.resolve import resolve_target, target_for_profile, target_from_environment
from comms_tui.store.secrets import SecretStore

CLUSTER, CLUSTER_HOST = next(iter(CLUSTERS.items()))
WORK = Profile(
    name="work",
    host=CLUSTER,
    auth="basic",
    username="till1",
    envelope="bare",
    attribution=Attribution("T1"),
    verify_tls=False,
)
OAUTH = Profile(name="oa", host="http://127.0.0.1:8765", auth="oauth", client_key="sandbox-key")


@pytest.fixture
def stored() -> ProfileStore:
    store = ProfileStore()
    store.save(WORK)  # the default
    store.save(OAUTH)
    secrets = SecretStore()
    secrets.set("work", "password", "work-pass")
    secrets.set("oa", "client_secret", "oa-secret")
    return store


def set_env_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMS_TUI_HOST", "https://custom.example.com/")
    monkeypatch.setenv("COMMS_TUI_USERNAME", "ci-till")
    monkeypatch.setenv("COMMS_TUI_PASSWORD", "env-pass")


def test_profile_target_carries_the_profile_settings(stored: ProfileStore) -> None:
    target = target_for_profile(WORK, SecretStore())
    assert target.base_url == f"https://{CLUSTER_HOST}"
    assert target.credentials == BasicCredentials("till1", "work-pass")
    assert (target.envelope, target.attribution, target.verify_tls, target.label) == (
        "bare",
        Attribution("T1"),
        False,
        "work",
    )
    oauth = target_for_profile(OAUTH, SecretStore())
    assert oauth.credentials == OAuthCredentials("sandbox-key", "oa-secret")
    assert oauth.base_url == "http://127.0.0.1:8765"


def test_explicit_profile_beats_environment_but_env_secret_beats_keyring(
    stored: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_env_target(monkeypatch)
    target, profile = resolve_target("oa")
    assert profile == OAUTH and target.label == "oa"
    assert target.credentials == OAuthCredentials("sandbox-key", "oa-secret")
    target, _ = resolve_target("work")
    assert target.credentials == BasicCredentials("till1", "env-pass")


def test_environment_beats_default_profile(
    stored: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_env_target(monkeypatch)
    monkeypatch.setenv("COMMS_TUI_ENVELOPE", "bare")
    target, profile = resolve_target(None)
    assert profile is None
    assert target.base_url == "https://custom.example.com"
    assert target.credentials == BasicCredentials("ci-till", "env-pass")
    assert (target.envelope, target.label) == ("bare", "environment")


def test_default_profile_when_nothing_else(stored: ProfileStore) -> None:
    target, profile = resolve_target(None)
    assert profile == WORK and target.credentials == BasicCredentials("till1", "work-pass")


def test_nothing_configured_says_what_to_do() -> None:
    with pytest.raises(NoTarget) as info:
        resolve_target(None)
    assert "comms-tui profile add" in str(info.value) and "--sandbox" in str(info.value)
    with pytest.raises(ProfileNotFound):
        resolve_target("nope")


def test_profiles_without_default_ask_for_one(stored: ProfileStore) -> None:
    stored.save(OAUTH.model_copy(update={"name": "third"}))
    stored.remove("work")
    with pytest.raises(NoTarget, match=r"--profile NAME \(one of oa, third\)"):
        resolve_target(None)


def test_missing_secret_names_profile_and_env_var() -> None:
    ProfileStore().save(OAUTH)
    with pytest.raises(MissingSecret) as info:
        resolve_target("oa")
    assert "'oa'" in str(info.value) and "COMMS_TUI_CLIENT_SECRET" in str(info.value)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(MissingSecret, match=r"'oa' — no keyring backend is installed"):
        resolve_target("oa")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"COMMS_TUI_HOST": CLUSTER}, "COMMS_TUI_USERNAME"),
        ({"COMMS_TUI_HOST": CLUSTER, "COMMS_TUI_USERNAME": "u"}, "COMMS_TUI_PASSWORD is not"),
        (
            {"COMMS_TUI_HOST": CLUSTER, "COMMS_TUI_CLIENT_KEY": "k"},
            "COMMS_TUI_CLIENT_SECRET is not",
        ),
        (
            {"COMMS_TUI_HOST": CLUSTER, "COMMS_TUI_USERNAME": "u", "COMMS_TUI_CLIENT_KEY": "k"},
            "not both",
        ),
        (
            {
                "COMMS_TUI_HOST": CLUSTER,
                "COMMS_TUI_CLIENT_KEY": "k",
                "COMMS_TUI_CLIENT_SECRET": "s",
                "COMMS_TUI_ENVELOPE": "soap",
            },
            "COMMS_TUI_ENVELOPE",
        ),
        (
            {
                "COMMS_TUI_HOST": "http://10.1.1.1",
                "COMMS_TUI_CLIENT_KEY": "k",
                "COMMS_TUI_CLIENT_SECRET": "s",
            },
            "loopback",
        ),
    ],
)
def test_incomplete_environment_is_a_clear_error(
    env: dict[str, str], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=needle):
        target_from_environment()


def test_oauth_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert target_from_environment() is None
    monkeypatch.setenv("COMMS_TUI_HOST", CLUSTER.upper())
    monkeypatch.setenv("COMMS_TUI_CLIENT_KEY", "k")
    monkeypatch.setenv("COMMS_TUI_CLIENT_SECRET", "s")
    target = target_from_environment()
    assert target is not None
    assert target.base_url == f"https://{CLUSTER_HOST}"
    assert target.credentials == OAuthCredentials("k", "s") and target.envelope == "root"
