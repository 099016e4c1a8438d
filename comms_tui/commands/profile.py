"""``comms-tui profile add|list|show|remove|test``: manage where and as whom messages are sent."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from typing import Any

from pydantic import ValidationError

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.commands.common import SECRET_FLAGS, add_secret_flags, read_secret
from comms_tui.commands.output import Stop, print_json, say, warn
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
    add_secret_flags(add, "and store it (without: a terminal is asked, else none is stored)")
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
    test.add_argument(
        "--timeout",
        metavar="SECONDS",
        help="how long to wait for the host, 1 to 600 (default 30, or $COMMS_TUI_TIMEOUT)",
    )
    add_secret_flags(test, "for this check only (never stored)")
    default = actions.add_parser("default", help="make a profile the default")
    default.add_argument("name", metavar="NAME")


def run(args: argparse.Namespace) -> int:
    # Once: test opens a session, which says so itself; add --insecure-file says it after
    # saving, with the profile it just added.
    says_itself = args.profile_action == "test" or getattr(args, "insecure_file", False)
    if not says_itself and (warning := insecure_file_warning()):
        warn(warning)
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
        raise Stop(exc.message) from None


def _secret_kind(profile: Profile) -> SecretKind:
    return "password" if profile.auth == "basic" else "client_secret"


# -- add ------------------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    if (args.password_stdin and not args.username) or (
        args.client_secret_stdin and not args.client_key
    ):
        raise Stop("--password-stdin needs --username; --client-secret-stdin needs --client-key")
    interactive = sys.stdin.isatty()
    username, client_key = args.username, args.client_key
    if not username and not client_key:
        if not interactive:
            raise Stop(
                "no credentials given and no terminal to ask: pass --username U (Basic) or "
                "--client-key K (OAuth), and the secret with --password-stdin / "
                "--client-secret-stdin"
            )
        method = input("Auth method, basic or oauth [basic]: ").strip().lower() or "basic"
        if method not in ("basic", "oauth"):
            raise Stop("auth method must be 'basic' or 'oauth'")
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
        raise Stop(
            *(
                f"{_FLAGS.get(str(loc[0]), loc[0]) if loc else 'profile'}: {msg}"
                for loc, msg in validation_problems(exc)
            )
        ) from None

    store = ProfileStore()
    if not args.replace and profile.name in store.load().profiles:
        raise ProfileExists(f"profile '{profile.name}' already exists; add --replace to replace it")
    secrets = SecretStore(insecure_file=default_insecure_file() if args.insecure_file else None)
    kind = _secret_kind(profile)
    what = kind.replace("_", " ")
    # No safe place for the secret is no reason to lose the profile: it is saved without it.
    unsafe: str | None = None
    if not args.insecure_file:
        try:
            secrets.check_secure()  # before asking for the secret, not after
        except SecretsUnavailable as exc:
            unsafe = exc.reason
    secret: str | None = None
    if args.password_stdin or args.client_secret_stdin:
        secret = read_secret(SECRET_FLAGS[kind])
    elif interactive and unsafe is None:
        secret = getpass.getpass("Password: " if kind == "password" else "Client secret: ")
        if not secret:
            raise Stop(f"the {what} is empty; nothing was saved")

    stored = False
    if secret is not None and unsafe is None:
        try:
            secrets.set(profile.name, kind, secret)
            stored = True
        except SecretsError as exc:
            unsafe = exc.message.splitlines()[0]
    try:
        store.save(profile)
    except BaseException:
        if stored and not args.replace:
            secrets.delete_profile(profile.name)  # do not leave an orphaned secret
        raise
    other: SecretKind = "client_secret" if kind == "password" else "password"
    with contextlib.suppress(SecretsError):  # a replaced profile may have switched auth method
        secrets.delete(profile.name, other)
    if args.default:
        store.set_default(profile.name)

    if args.insecure_file:
        warn(insecure_file_warning() or "")
    who = f"as {profile.username}" if profile.username else f"with client key {profile.client_key}"
    say(f"Saved profile '{profile.name}': {profile.auth} auth {who} on {profile.base_url}.")
    try:
        where = secrets.location(profile.name, kind)
    except SecretsError:
        where = "not stored"
    if secret is not None and not stored:
        warn(f"the {what} was not stored: {unsafe}")
    if where == "not stored":
        say(_no_secret_stored(profile.name, kind, unsafe))
    else:
        say(f"The {what} is in {where}.")
    if store.default_name == profile.name:
        say("It is the default profile.")
    say(f"Check it with: comms-tui profile test {profile.name}")
    return EXIT_OK


def _no_secret_stored(name: str, kind: SecretKind, why: str | None) -> str:
    what = kind.replace("_", " ")
    because = f": {why}" if why else ""
    return (
        f"No {what} is stored{because}. Each run takes it from {ENV_VARS[kind]}, or from "
        f"{SECRET_FLAGS[kind]} (`comms-tui send … --profile {name} {SECRET_FLAGS[kind]}`); "
        f"on a terminal comms-tui asks for it. To store it: `comms-tui profile add {name} "
        f"--replace …` once a keyring is available, or with --insecure-file for a plain file "
        "only you can read."
    )


# -- list / show ----------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    loaded = ProfileStore().load()
    profiles = sorted(loaded.profiles.values(), key=lambda p: p.name)
    if args.json:
        rows = [
            {"name": p.name, "default": p.name == loaded.default, **p.to_table()} for p in profiles
        ]
        print_json(rows, indent=2)
        return EXIT_OK
    if not profiles:
        say("No profiles yet. Add one with: comms-tui profile add NAME --host HOST ...")
        return EXIT_OK
    width = max(len(p.name) for p in profiles)
    for p in profiles:
        mark = "*" if p.name == loaded.default else " "
        who = p.username or p.client_key or ""
        flags = " [production]" if p.production else ""
        say(f"{mark} {p.name:<{width}}  {p.auth:<5}  {who}  {p.base_url}{flags}")
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
        print_json(data, indent=2)
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
        say(f"{label + ':':<{width + 1}}  {value}")
    return EXIT_OK


# -- remove / test --------------------------------------------------------------------------------


def _remove(args: argparse.Namespace) -> int:
    store = ProfileStore()
    profile = store.get(args.name)
    try:
        SecretStore().delete_profile(profile.name)
    except SecretsError as exc:
        warn(
            f"could not remove the secrets of '{profile.name}': {exc.message}\n"
            f"Remove the keyring entries service 'comms-tui', user '{profile.name}:password' / "
            f"'{profile.name}:client_secret' by hand."
        )
    before = store.default_name
    after = store.remove(profile.name)
    say(f"Removed profile '{profile.name}' and its secrets.")
    if after != before:  # never a silent change of where a send without --profile goes
        if after is not None:
            say(f"'{after}' is now the default profile (the only one left).")
        else:
            say("There is no default profile now: `comms-tui profile default NAME` sets one.")
    return EXIT_OK


def _default(args: argparse.Namespace) -> int:
    ProfileStore().set_default(args.name)
    say(f"'{args.name}' is now the default profile.")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    """Host and credentials, checked without sending; bounded by ``--timeout`` like a send."""
    import asyncio

    from comms_tui.commands.common import open_session

    args.profile, args.sandbox = args.name, False
    session = open_session(args)  # its secret: the keyring, the environment, stdin or a prompt
    target = session.target

    async def check() -> str:
        from comms_tui.api.client import CommsClient

        async with CommsClient(target) as client:
            return await client.check()

    say(f"Checking {target.base_url} as profile '{args.name}' (no message is sent)…")
    try:
        description = asyncio.run(check())
    except CommsError as exc:
        reason = exc.message.strip() or f"the check failed ({type(exc).__name__})"
        code = EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_REJECTED
        raise Stop(reason, code=code) from None
    say(f"ok: {description}")
    return EXIT_OK
