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
