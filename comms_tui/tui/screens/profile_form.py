"""What the add-a-profile form holds, the checks that need no disk, and saving it.

``save_profile`` blocks (the keyring can take seconds, then profiles.toml), so the screen runs it
in a thread worker. The secret is never put in a message or a repr: only the keyring gets it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import resolve_base_url

FIELDS = ("name", "host", "account", "secret", "region", "timezone")  # each has an error line
# Profile field names as pydantic reports them → the form field that shows the error.
_FIELD_OF = {"username": "account", "client_key": "account", "attribution": "host"}


@dataclass
class ProfileForm:
    """What the user typed; ``secret`` is excluded from repr so it cannot leak into a log."""

    name: str
    host: str
    auth: Literal["basic", "oauth"]
    account: str
    secret: str = field(repr=False)
    region: str
    timezone: str
    envelope: Literal["root", "bare"]
    production: bool
    make_default: bool

    def quick_errors(self) -> dict[str, str]:
        """Checks that need no disk or keyring (the rest happen in the save worker)."""
        errors: dict[str, str] = {}
        if not self.name.strip():
            errors["name"] = "Give the profile a name, e.g. acme-india."
        try:
            resolve_base_url(self.host)
        except InvalidInput as exc:
            errors["host"] = exc.message
        if not self.account.strip():
            errors["account"] = (
                "The till username is required."
                if self.auth == "basic"
                else "The client key is required."
            )
        if not self.secret:
            errors["secret"] = (
                "The password is required."
                if self.auth == "basic"
                else "The client secret is required."
            )
        if not self.region.strip():
            errors["region"] = "The phone region is required, e.g. IN."
        if not self.timezone.strip():
            errors["timezone"] = "The time zone is required, e.g. Asia/Kolkata."
        return errors


class SaveFailed(Exception):
    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.keyring = False


def save_profile(form: ProfileForm, *, store_secret: bool = True) -> str:
    """Validate, store the secret, then the profile. Blocking (keyring, disk): use a thread."""
    from comms_tui.store.errors import SecretsError, StoreError
    from comms_tui.store.profiles import Profile, ProfileStore, validation_problems
    from comms_tui.store.secrets import SecretStore

    basic = form.auth == "basic"
    try:
        profile = Profile(
            name=form.name.strip(),
            host=form.host.strip(),
            auth=form.auth,
            username=form.account.strip() if basic else None,
            client_key=None if basic else form.account.strip(),
            region=form.region.strip().upper(),
            timezone=form.timezone.strip(),
            envelope=form.envelope,
            production=form.production,
        )
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for loc, problem in validation_problems(exc):
            name = str(loc[0]) if loc else "name"
            errors.setdefault(_FIELD_OF.get(name, name), problem)
        raise SaveFailed("Fix the marked fields.", field_errors=errors) from None
    except InvalidInput as exc:
        raise SaveFailed(exc.message, field_errors={"host": exc.message}) from None
    store, secrets = ProfileStore(), SecretStore()
    try:
        if profile.name in store.load().profiles:
            message = f"A profile named '{profile.name}' already exists; choose another name."
            raise SaveFailed(message, field_errors={"name": message})
        if store_secret:
            secrets.check_secure()
            secrets.set(profile.name, "password" if basic else "client_secret", form.secret)
        store.save(profile, replace=False)
        if form.make_default:
            store.set_default(profile.name)
    except SecretsError as exc:
        failed = SaveFailed(
            f"The profile was not saved: the secret could not be stored.\n{exc.message}"
        )
        failed.keyring = True
        raise failed from None
    except StoreError as exc:
        raise SaveFailed(f"The profile was not saved: {exc.message}") from None
    return profile.name
