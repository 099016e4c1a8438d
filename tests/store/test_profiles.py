from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from comms_tui.api.errors import CommsError
from comms_tui.api.target import CLUSTERS, Attribution
from comms_tui.store.errors import ProfileExists, ProfileFileError, ProfileNotFound, StoreError
from comms_tui.store.paths import config_dir, data_dir
from comms_tui.store.profiles import Profile, ProfileStore

CLUSTER, CLUSTER_HOST = next(iter(CLUSTERS.items()))
FULL = Profile(
    name="work.in",
    host=CLUSTER,
    auth="basic",
    username="store.server",
    region="sg",
    timezone="Asia/Singapore",
    envelope="bare",
    attribution=Attribution(code="S-01", entity_type="STORE_CODE"),
    sender_ids={"": ["CAPTIL"], "north OU": ["NTH1", "NTH2"]},
    email_from="noreply@example.com",
    production=True,
    allow_insecure_http=True,
    verify_tls=False,
    templates={"otp": "{code} is your OTP"},
)
OAUTH = Profile(
    name="sandbox", host="http://127.0.0.1:8765", auth="oauth", client_key="sandbox-key"
)


def test_dirs_come_from_env_and_are_private() -> None:
    for made, env in ((config_dir(), "COMMS_TUI_CONFIG_DIR"), (data_dir(), "COMMS_TUI_DATA_DIR")):
        assert made == Path(os.environ[env])
        assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_round_trip_keeps_every_field() -> None:
    store = ProfileStore()
    store.save(FULL)
    store.save(OAUTH)
    reloaded = ProfileStore()
    assert reloaded.get("work.in") == FULL
    assert reloaded.get("sandbox") == OAUTH
    assert [p.name for p in reloaded.list()] == ["sandbox", "work.in"]
    assert FULL.region == "SG"  # normalised


def test_file_is_0600_and_written_atomically(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProfileStore()
    store.save(FULL)
    assert store.path == config_dir() / "profiles.toml"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    before = store.path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match=r"cannot save .*: disk full\. Nothing was changed"):
        store.save(OAUTH)
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["profiles.toml"]  # no temp left


def test_first_profile_is_default_and_default_can_change() -> None:
    store = ProfileStore()
    assert store.default() is None
    store.save(OAUTH)
    store.save(FULL)
    assert store.default_name == "sandbox"
    store.set_default("work.in")
    assert store.default() == FULL
    store.save(OAUTH.model_copy(update={"name": "third"}))
    store.remove("work.in")
    assert store.default_name is None  # no guessing which of two is meant
    assert store.remove("third") == "sandbox"
    assert store.default_name == "sandbox"  # the only one left


def test_a_production_profile_left_alone_is_not_made_the_default() -> None:
    """A send without --profile must never reach production unasked: removing the default
    leaves none rather than the production one (it silently became the default)."""
    store = ProfileStore()
    store.save(OAUTH.model_copy(update={"name": "prod", "production": True}))
    store.save(FULL)
    store.set_default("work.in")
    assert store.remove("work.in") is None
    assert store.default_name is None


def test_missing_profile_is_a_clear_key_error() -> None:
    store = ProfileStore()
    store.save(OAUTH)
    with pytest.raises(ProfileNotFound) as info:
        store.get("prod")
    assert isinstance(info.value, KeyError) and isinstance(info.value, CommsError)
    assert str(info.value).startswith("no profile named 'prod' (known profiles: sandbox)")
    with pytest.raises(ProfileNotFound):
        store.remove("prod")
    with pytest.raises(ProfileNotFound):
        store.set_default("prod")


def test_save_without_replace_refuses_an_existing_name() -> None:
    store = ProfileStore()
    store.save(OAUTH)
    with pytest.raises(ProfileExists, match="already exists"):
        store.save(OAUTH, replace=False)


GOOD = """\
default = "work"

[profiles.work]
host = "india"
auth = "basic"
username = "till1"
timezone = "Asia/Kolkata"

[profiles.work.sender_ids]
"" = ["CAPTIL"]
"""


@pytest.mark.parametrize(
    ("old", "new", "key", "line", "problem"),
    [
        (
            'timezone = "Asia/Kolkata"',
            'timezone = "Asia/Kolkatta"',
            "profiles.work.timezone",
            7,
            "unknown time zone",
        ),
        (
            'username = "till1"',
            'username = "till1"\ncolour = "red"',
            "profiles.work.colour",
            7,
            "unknown key",
        ),
        (
            '"" = ["CAPTIL"]',
            '"" = ["CAPTIL", 7]',
            'profiles.work.sender_ids.""[1]',
            10,
            "valid string",
        ),
        ('auth = "basic"', 'auth = "md5"', "profiles.work.auth", 5, "'basic' or 'oauth'"),
        ('username = "till1"\n', "", "profiles.work.username", 3, "needs 'username'"),
        ('host = "india"', 'host = "http://example.com"', "profiles.work.host", 4, "loopback"),
        (
            'host = "india"',
            'host = "india"\nproduction = "yes"',
            "profiles.work.production",
            5,
            "boolean",
        ),
        ('default = "work"', 'default = "prod"', "default", 1, "not in this file"),
        ('default = "work"', 'default = "work"\nversion = 2', "version", 2, "unknown key"),
        (
            'timezone = "Asia/Kolkata"',
            "timezone = Asia/Kolkata",
            "profiles.work.timezone",
            7,
            "not valid TOML",
        ),
        (
            "[profiles.work.sender_ids]",
            "[profiles.work.sender_ids",
            "profiles.work.sender_ids",
            9,
            "not valid TOML",
        ),
    ],
)
def test_damaged_file_names_file_key_and_line(
    old: str, new: str, key: str, line: int, problem: str
) -> None:
    store = ProfileStore()
    assert GOOD.count(old) == 1
    damaged = GOOD.replace(old, new)
    store.path.write_text(damaged)
    with pytest.raises(ProfileFileError) as info:
        store.load()
    err = info.value
    assert (err.file, err.key, err.line) == (store.path, key, line)
    assert problem in err.problem
    assert str(store.path) in str(err) and f"line {line}" in str(err) and key in str(err)
    # Nothing that writes may overwrite what could not be read.
    changes: list[Callable[[], object]] = [
        lambda: store.save(OAUTH),
        lambda: store.remove("work"),
        lambda: store.set_default("work"),
    ]
    for change in changes:
        with pytest.raises(ProfileFileError):
            change()
    assert store.path.read_text() == damaged


def test_good_file_parses() -> None:
    store = ProfileStore()
    store.path.write_text(GOOD)
    assert store.default() == Profile(
        name="work", host="india", auth="basic", username="till1", sender_ids={"": ["CAPTIL"]}
    )


def test_non_utf8_file_is_reported_with_line() -> None:
    store = ProfileStore()
    store.path.write_bytes(b'default = "work"\n# caf\xe9\n')
    with pytest.raises(ProfileFileError, match=r"line 2: the file is not valid UTF-8"):
        store.load()


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"name": "has space"}, "profile name"),
        ({"name": "a:b"}, "profile name"),
        ({"host": "ftp://x"}, "not a host name"),
        ({"host": "http://10.0.0.5"}, "loopback"),
        ({"region": "XX"}, "phone region"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"email_from": "nobody"}, "not an email"),
        ({"client_key": "k"}, "no 'client_key'"),
        ({"attribution": "BOGUS_TYPE_ONLY:"}, "unknown attribution type"),
        ({"attribution": "south.till"}, None),
        ({"attribution": {"type": "CASHIER", "code": "1"}}, "attribution type"),
        ({"sender_ids": {"": [" "]}}, "empty sender ID"),
    ],
)
def test_profile_validation(changes: dict[str, Any], needle: str | None) -> None:
    base: dict[str, Any] = {"name": "w", "host": CLUSTER, "auth": "basic", "username": "u"}
    if needle is None:  # no TYPE: prefix: the whole text is a till code
        assert Profile(**{**base, **changes}).attribution == Attribution("south.till")
        return
    with pytest.raises(ValueError, match=needle):
        Profile(**{**base, **changes})


def test_insecure_http_needs_the_explicit_flag() -> None:
    p = Profile(
        name="w", host="http://10.0.0.5:8080", auth="basic", username="u", allow_insecure_http=True
    )
    assert p.base_url == "http://10.0.0.5:8080"
    assert Profile(name="w", host=CLUSTER, auth="basic", username="u").base_url == (
        f"https://{CLUSTER_HOST}"
    )
