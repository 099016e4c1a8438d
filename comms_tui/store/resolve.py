"""Which org to talk to and as whom: ``--profile``, the environment, or the default profile."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import BasicCredentials, Credentials, OAuthCredentials, Target
from comms_tui.api.target import resolve_base_url as _base_url
from comms_tui.store.errors import MissingSecret, NoTarget, SecretsError, SecretsUnavailable
from comms_tui.store.secrets import ENV_VARS, SecretKind, SecretStore, secret_from_env

if TYPE_CHECKING:  # imported when a profile is read: a send set up by the environment needs none
    from comms_tui.store.profiles import Profile, ProfileStore

HOST_ENV = "COMMS_TUI_HOST"
USERNAME_ENV = "COMMS_TUI_USERNAME"
CLIENT_KEY_ENV = "COMMS_TUI_CLIENT_KEY"
ENVELOPE_ENV = "COMMS_TUI_ENVELOPE"


def target_for_profile(
    profile: Profile, secrets: SecretStore, *, secret: str | None = None
) -> Target:
    """The profile's target. Its secret: ``secret`` (given for this run only, e.g. typed at a
    prompt), else the environment, else the keyring; ``MissingSecret`` if none has it."""
    kind: SecretKind = "password" if profile.auth == "basic" else "client_secret"
    secret = secret or secrets.get(profile.name, kind)
    if not secret:
        why = ""
        try:
            secrets.check_secure()
        except SecretsUnavailable as exc:  # "not stored" may really be "no keyring to look in"
            why = f" — {exc.reason}"
        except SecretsError as exc:
            why = f" — {exc.message.splitlines()[0].rstrip('.')}"
        raise MissingSecret(
            f"no {kind.replace('_', ' ')} stored for profile '{profile.name}'{why}; add it again "
            f"with `comms-tui profile add {profile.name} --replace ...`, or set {ENV_VARS[kind]}",
            profile=profile.name,
            kind=kind,
        )
    credentials: Credentials
    if profile.auth == "basic":
        assert profile.username is not None  # the Profile validator guarantees it
        credentials = BasicCredentials(profile.username, secret)
    else:
        assert profile.client_key is not None
        credentials = OAuthCredentials(profile.client_key, secret)
    return Target(
        base_url=profile.base_url,
        credentials=credentials,
        envelope=profile.envelope,
        attribution=profile.attribution,
        verify_tls=profile.verify_tls,
        label=profile.name,
    )


def target_from_environment() -> Target | None:
    """The ``COMMS_TUI_*`` override (for CI and headless machines); ``None`` without a host."""
    host = os.environ.get(HOST_ENV, "").strip()
    if not host:
        return None
    username = os.environ.get(USERNAME_ENV, "").strip()
    client_key = os.environ.get(CLIENT_KEY_ENV, "").strip()
    if username and client_key:
        raise InvalidInput(
            f"set either {USERNAME_ENV} (Basic) or {CLIENT_KEY_ENV} (OAuth), not both", field="auth"
        )
    credentials: Credentials
    if username:
        credentials = BasicCredentials(username, _env_secret("password", USERNAME_ENV))
    elif client_key:
        credentials = OAuthCredentials(client_key, _env_secret("client_secret", CLIENT_KEY_ENV))
    else:
        raise InvalidInput(
            f"{HOST_ENV} is set, so credentials must come from the environment too: "
            f"{USERNAME_ENV} + {ENV_VARS['password']} (Basic) or "
            f"{CLIENT_KEY_ENV} + {ENV_VARS['client_secret']} (OAuth)",
            field="auth",
        )
    envelope = os.environ.get(ENVELOPE_ENV, "root").strip().lower() or "root"
    if envelope not in ("root", "bare"):
        raise InvalidInput(f"{ENVELOPE_ENV} must be 'root' or 'bare'", field="envelope")
    return Target(
        base_url=_base_url(host),
        credentials=credentials,
        envelope="root" if envelope == "root" else "bare",
        label="environment",
    )


def _env_secret(kind: SecretKind, paired_with: str) -> str:
    value = secret_from_env(kind)
    if not value:
        raise InvalidInput(f"{paired_with} is set but {ENV_VARS[kind]} is not", field="auth")
    return value


def resolve_target(
    profile_name: str | None,
    *,
    profiles: ProfileStore | None = None,
    secrets: SecretStore | None = None,
    secret: str | None = None,
) -> tuple[Target, Profile | None]:
    """``--profile NAME`` → that profile; else ``COMMS_TUI_HOST`` → the environment; else the
    default profile; else a clear error. ``secret``: the profile's secret for this run only.
    Keyring access may block: call from a worker thread."""
    if not profile_name:
        from_env = target_from_environment()
        if from_env is not None:
            return from_env, None
    if profiles is None:
        from comms_tui.store.profiles import ProfileStore

        profiles = ProfileStore()
    secrets = secrets or SecretStore()
    if profile_name:
        profile = profiles.get(profile_name)
        return target_for_profile(profile, secrets, secret=secret), profile
    default = profiles.default()
    if default is not None:
        return target_for_profile(default, secrets, secret=secret), default
    known = [p.name for p in profiles.list()]
    if known:
        raise NoTarget(
            f"no default profile: pass --profile NAME (one of {', '.join(known)}), "
            "or pick a default with `comms-tui profile default NAME`"
        )
    raise NoTarget(
        "no profile to send with: add one with `comms-tui profile add NAME --host HOST ...`, "
        f"set {HOST_ENV} and credentials in the environment, or use --sandbox"
    )
