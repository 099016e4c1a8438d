"""``comms-tui profile add|list|show|remove|test``: manage where and as whom messages are sent."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from pydantic import ValidationError

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.store.errors import ProfileExists, SecretsError, SecretsUnavailable, StoreError
from comms_tui.store.profiles import Profile, ProfileStore, validation_problems
from comms_tui.store.secrets import (
    ENV_VARS,
    SecretKind,
    SecretStore,
    default_insecure_file,
    insecure_file_warning,
)

MASK = "********"
EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 2, 3

# Profile field → the flag that sets it, so validation errors name what the user typed.
_FLAGS = {
    "name": "NAME",
    "host": "--host",
    "username": "--username",
    "client_key": "--client-key",
    "region": "--region",
    "timezone": "--timezone",
    "envelope": "--envelope",
    "attribution": "--attribution",
    "email_from": "--email-from",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="add, list, show, remove or test connection profiles",
        description="Profiles keep host and settings in profiles.toml; secrets go to the keyring.",
    )
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(dest="profile_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a profile (the secret is read without echo)")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--host", required=True, help="cluster name (india, eu, …), host name or full base URL"
    )
    who = add.add_mutually_exclusive_group()
    who.add_argument("--username", help="Basic auth: the till login")
    who.add_argument("--client-key", help="OAuth: the client key")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    how.add_argument(
        "--client-secret-stdin", action="store_true", help="read the client secret from stdin"
    )
    add.add_argument("--envelope", choices=("root", "bare"), default="root")
    add.add_argument("--region", default="IN", help="default phone region (default IN)")
    add.add_argument("--timezone", default="Asia/Kolkata", help="IANA time zone for scheduling")
    add.add_argument("--production", action="store_true", help="mark as production (confirm sends)")
    add.add_argument("--attribution", metavar="TYPE:CODE", help="till/store the calls are made for")
    add.add_argument("--email-from", metavar="ADDR", help="default email From address")
    add.add_argument(
        "--allow-insecure-http", action="store_true", help="allow http:// to a non-loopback host"
    )
    add.add_argument("--no-verify-tls", action="store_true", help="do not verify TLS certificates")
    add.add_argument(
        "--insecure-file",
        action="store_true",
        help="no secure keyring: keep the secret in a plain 0600 file (warned about on each start)",
    )
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.add_argument("--replace", action="store_true", help="replace a profile of the same name")

    listing = actions.add_parser("list", help="list profiles (* marks the default)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = actions.add_parser("show", help="show one profile (secrets masked)")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print JSON")
    remove = actions.add_parser("remove", help="remove a profile and its secrets")
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser("test", help="check the host answers and the credentials work")
    test.add_argument("name", metavar="NAME")
    default = actions.add_parser("default", help="make a profile the default")
    default.add_argument("name", metavar="NAME")


def run(args: argparse.Namespace) -> int:
    warning = insecure_file_warning()
    if warning:
        print(warning, file=sys.stderr)
    action = {
        "add": _add,
        "list": _list,
        "show": _show,
        "remove": _remove,
        "test": _test,
        "default": _default,
    }
    try:
        return action[args.profile_action](args)
    except (StoreError, InvalidInput) as exc:
        return _fail(exc.message)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _secret_kind(profile: Profile) -> SecretKind:
    return "password" if profile.auth == "basic" else "client_secret"


# -- add ------------------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    if (args.password_stdin and not args.username) or (
        args.client_secret_stdin and not args.client_key
    ):
        return _fail("--password-stdin needs --username; --client-secret-stdin needs --client-key")
    interactive = sys.stdin.isatty()
    username, client_key = args.username, args.client_key
    if not username and not client_key:
        if not interactive:
            return _fail(
                "no credentials given and no terminal to ask: pass --username U --password-stdin "
                "(Basic) or --client-key K --client-secret-stdin (OAuth)"
            )
        method = input("Auth method, basic or oauth [basic]: ").strip().lower() or "basic"
        if method not in ("basic", "oauth"):
            return _fail("auth method must be 'basic' or 'oauth'")
        if method == "basic":
            username = input("Username (till login): ").strip()
        else:
            client_key = input("Client key: ").strip()
    try:
        profile = Profile(
            name=args.name,
            host=args.host,
            auth="basic" if username else "oauth",
            username=username or None,
            client_key=client_key or None,
            region=args.region,
            timezone=args.timezone,
            envelope=args.envelope,
            attribution=args.attribution,
            email_from=args.email_from,
            production=args.production,
            allow_insecure_http=args.allow_insecure_http,
            verify_tls=not args.no_verify_tls,
        )
    except ValidationError as exc:
        lines = [
            f"{_FLAGS.get(str(loc[0]), loc[0]) if loc else 'profile'}: {msg}"
            for loc, msg in validation_problems(exc)
        ]
        return _fail("; ".join(lines))

    store = ProfileStore()
    if not args.replace and profile.name in store.load().profiles:
        raise ProfileExists(f"profile '{profile.name}' already exists; add --replace to replace it")
    secrets = SecretStore(insecure_file=default_insecure_file() if args.insecure_file else None)
    if not args.insecure_file:
        try:
            secrets.check_secure()  # before asking for the secret, not after
        except SecretsUnavailable as exc:
            return _fail(f"{exc.message}\nNothing was saved.")

    kind = _secret_kind(profile)
    from_stdin = args.password_stdin or args.client_secret_stdin
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif interactive:
        secret = getpass.getpass("Password: " if kind == "password" else "Client secret: ")
    else:
        flag = "--password-stdin" if kind == "password" else "--client-secret-stdin"
        return _fail(f"no terminal to ask for the {kind.replace('_', ' ')}: pass {flag}")
    if not secret:
        return _fail(f"the {kind.replace('_', ' ')} is empty; nothing was saved")

    secrets.set(profile.name, kind, secret)
    try:
        store.save(profile)
    except BaseException:
        if not args.replace:
            secrets.delete_profile(profile.name)  # do not leave an orphaned secret
        raise
    other: SecretKind = "client_secret" if kind == "password" else "password"
    secrets.delete(profile.name, other)  # a replaced profile may have switched auth method
    if args.default:
        store.set_default(profile.name)

    if args.insecure_file:
        print(insecure_file_warning() or "", file=sys.stderr)
    who = f"as {profile.username}" if profile.username else f"with client key {profile.client_key}"
    print(f"Saved profile '{profile.name}': {profile.auth} auth {who} on {profile.base_url}.")
    print(f"The {kind.replace('_', ' ')} is in {secrets.location(profile.name, kind)}.")
    if store.default_name == profile.name:
        print("It is the default profile.")
    print(f"Check it with: comms-tui profile test {profile.name}")
    return EXIT_OK


# -- list / show ----------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    loaded = ProfileStore().load()
    profiles = sorted(loaded.profiles.values(), key=lambda p: p.name)
    if args.json:
        rows = [
            {"name": p.name, "default": p.name == loaded.default, **p.to_table()} for p in profiles
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not profiles:
        print("No profiles yet. Add one with: comms-tui profile add NAME --host HOST ...")
        return EXIT_OK
    width = max(len(p.name) for p in profiles)
    for p in profiles:
        mark = "*" if p.name == loaded.default else " "
        who = p.username or p.client_key or ""
        flags = " [production]" if p.production else ""
        print(f"{mark} {p.name:<{width}}  {p.auth:<5}  {who}  {p.base_url}{flags}")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    store = ProfileStore()
    profile = store.get(args.name)
    kind = _secret_kind(profile)
    try:
        where = SecretStore().location(profile.name, kind)
    except SecretsError as exc:
        where = f"unavailable: {exc.message.splitlines()[0]}"
    masked = MASK if where != "not stored" else "(none)"
    is_default = store.default_name == profile.name
    if args.json:
        data: dict[str, Any] = {"name": profile.name, "default": is_default, **profile.to_table()}
        data["base_url"] = profile.base_url
        data[kind] = {"value": masked, "stored_in": where}
        print(json.dumps(data, indent=2))
        return EXIT_OK
    rows: list[tuple[str, str]] = [
        ("name", profile.name + ("  (default)" if is_default else "")),
        ("host", f"{profile.host} → {profile.base_url}"),
        ("auth", profile.auth),
        (
            "username" if profile.username else "client key",
            profile.username or profile.client_key or "",
        ),
        (kind.replace("_", " "), f"{masked}  ({where}; {ENV_VARS[kind]} overrides it)"),
        ("region", profile.region),
        ("time zone", profile.timezone),
        ("envelope", profile.envelope),
        ("attribution", str(profile.attribution) if profile.attribution else "-"),
        ("email from", profile.email_from or "-"),
        ("production", "yes" if profile.production else "no"),
        ("verify TLS", "yes" if profile.verify_tls else "NO"),
    ]
    for ou, ids in sorted(profile.sender_ids.items()):
        rows.append((f"sender IDs {ou or '(default OU)'}", ", ".join(ids)))
    for name in sorted(profile.templates):
        rows.append((f"template {name}", profile.templates[name]))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label + ':':<{width + 1}}  {value}")
    return EXIT_OK


# -- remove / test --------------------------------------------------------------------------------


def _remove(args: argparse.Namespace) -> int:
    store = ProfileStore()
    profile = store.get(args.name)
    try:
        SecretStore().delete_profile(profile.name)
    except SecretsError as exc:
        print(
            f"warning: could not remove the secrets of '{profile.name}': {exc.message}\n"
            f"Remove the keyring entries service 'comms-tui', user '{profile.name}:password' / "
            f"'{profile.name}:client_secret' by hand.",
            file=sys.stderr,
        )
    store.remove(profile.name)
    print(f"Removed profile '{profile.name}' and its secrets.")
    return EXIT_OK


def _default(args: argparse.Namespace) -> int:
    ProfileStore().set_default(args.name)
    print(f"'{args.name}' is now the default profile.")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    import asyncio

    from comms_tui.commands.common import warn
    from comms_tui.core.session import Session
    from comms_tui.store.resolve import target_for_profile

    profile = ProfileStore().get(args.name)
    target = target_for_profile(profile, SecretStore())
    if insecure := Session(target=target, profile=profile).insecure_transport:
        warn(insecure)  # as every send with this profile does

    async def check() -> str:
        from comms_tui.api.client import CommsClient

        async with CommsClient(target) as client:
            return await client.check()

    print(f"Checking {target.base_url} as profile '{profile.name}' (no message is sent)…")
    try:
        description = asyncio.run(check())
    except InvalidInput as exc:
        return _fail(exc.message)
    except CommsError as exc:
        return _fail(exc.message, EXIT_REJECTED)
    print(f"ok: {description}")
    return EXIT_OK
