"""A request you can replay: a POSIX shell command that sends exactly what comms-tui would send.

Same URL and query, same headers (User-Agent included) and the same body bytes as
``CommsClient.send`` — only the transport's own ``Accept-Encoding``/``Connection`` differ. Secrets
are never in the text: the command reads them from the environment when it runs, hashes the
Basic password itself, and feeds the credential header to curl on stdin so that it never shows in
a process list either. A body over ``INLINE_BODY_LIMIT`` (an email with attachments, say) goes to
a 0600 file next to the command; this module writes one only into a directory it is given.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from comms_tui import __version__
from comms_tui.api.auth import OAUTH_HEADER, TOKEN_PATH, attribution_headers
from comms_tui.api.client import SEND_PATH, TARGET_ATTRIBUTION
from comms_tui.api.requests import SendRequest
from comms_tui.api.target import Attribution, OAuthCredentials, Target

__all__ = [
    "BASIC_ENV",
    "INLINE_BODY_LIMIT",
    "OAUTH_ENV",
    "TOKEN_ENV",
    "BodyFileNeeded",
    "CurlReplay",
    "replay_command",
]

# Larger bodies go to a file: a shell argument this size is still far below Linux's 128 KiB
# per-argument limit, and a screenful of base64 helps nobody.
INLINE_BODY_LIMIT = 64 * 1024
BASIC_ENV = ("COMMS_TUI_USERNAME", "COMMS_TUI_PASSWORD")
TOKEN_ENV = "COMMS_TUI_TOKEN"
OAUTH_ENV = ("COMMS_TUI_CLIENT_KEY", "COMMS_TUI_CLIENT_SECRET")
USER_AGENT = f"comms-tui/{__version__}"  # what transport.http_client sends
_CURL = "curl --silent --show-error --globoff"


class BodyFileNeeded(ValueError):
    """The body is too large to inline and no directory was given for its file."""


@dataclass(frozen=True)
class CurlReplay:
    """A replay command and what it needs.

    ``script`` is the text to print or copy (it sends for real when run); ``body_file`` is the
    0600 file it reads the body from, or None when the body is inline; ``env`` names the
    environment variables it reads the credentials from.
    """

    script: str
    body_file: Path | None
    body_size: int
    auth: Literal["basic", "oauth"]
    env: tuple[str, ...]


def replay_command(
    request: SendRequest,
    target: Target,
    *,
    body_dir: Path | None = None,
    attribution: Any = TARGET_ATTRIBUTION,
    inline_limit: int = INLINE_BODY_LIMIT,
) -> CurlReplay:
    """The shell command that sends ``request`` to ``target`` as ``CommsClient.send`` would.

    ``attribution`` as for ``CommsClient.send`` (default: the target's). A body larger than
    ``inline_limit`` bytes is written to a new 0600 file in ``body_dir``; without a directory
    that raises ``BodyFileNeeded`` (nothing is written anywhere unasked).
    """
    chosen: Attribution | None = (
        target.attribution if attribution is TARGET_ATTRIBUTION else attribution
    )
    parts = request.body_parts()
    size = sum(len(part) for part in parts)
    body_file: Path | None = None
    if size > inline_limit:
        if body_dir is None:
            raise BodyFileNeeded(
                f"the body is {size} bytes, more than {inline_limit} to put in a command: "
                "give a directory for its file"
            )
        body_file = _write_body(parts, body_dir)
        data = shlex.quote(f"@{body_file}")
    else:
        data = shlex.quote(b"".join(parts).decode("utf-8"))

    oauth = isinstance(target.credentials, OAuthCredentials)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    headers.update(attribution_headers(target.credentials, chosen))
    headers["User-Agent"] = USER_AGENT
    url = f"{target.base_url}{SEND_PATH}?channel={request.channel.value}"
    send = [
        f"{_CURL} --include --write-out '\\n'" + (" --insecure" if not target.verify_tls else ""),
        f"--request POST --url {shlex.quote(url)}",
        *(f"--header {shlex.quote(f'{name}: {value}')}" for name, value in headers.items()),
        "--header 'Expect:'",  # curl's own, for large bodies; comms-tui sends none
        "--header @-",  # the credential header, from stdin: never in the process list
        f"--data-binary {data}",
    ]
    curl = " \\\n    ".join(send)
    count = len(request.items)
    what = f"{request.channel.label} to {count} recipient{'s' if count != 1 else ''}"
    env = (TOKEN_ENV, *OAUTH_ENV) if oauth else BASIC_ENV
    lines = [
        f"# comms-tui {__version__}: {what} via {target.base_url}. Running this SENDS it.",
        f"# Credentials come from the environment: {_env_note(oauth)}.",
    ]
    if body_file is not None:
        lines.append(f"# The body ({size} bytes) is read from {body_file}.")
    lines += ["(", "set -eu"]
    if oauth:
        lines += _oauth_lines(target)
        lines.append(f"printf '{OAUTH_HEADER}: %s\\n' \"$token\" | {curl}")
    else:
        lines += _BASIC_LINES
        lines.append(f"printf 'Authorization: Basic %s\\n' \"$basic\" | {curl}")
    lines.append(")")
    return CurlReplay(
        script="\n".join(lines) + "\n",
        body_file=body_file,
        body_size=size,
        auth="oauth" if oauth else "basic",
        env=env,
    )


def _env_note(oauth: bool) -> str:
    if oauth:
        return f"{TOKEN_ENV}, or {' and '.join(OAUTH_ENV)} to get a token first"
    return f"{' and '.join(BASIC_ENV)} (the command sends the password's MD5)"


def _write_body(parts: list[bytes], directory: Path) -> Path:
    """A new file readable by the owner only (mkstemp: 0600, never an existing file)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    fd, name = tempfile.mkstemp(
        prefix=f"comms-tui-body-{digest.hexdigest()[:12]}-", suffix=".json", dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as file:
            for part in parts:
                file.write(part)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


# Basic: base64(username:md5hex(password)), computed by the command with whatever it finds.
# printf is a shell builtin, so the password never becomes a process argument.
_BASIC_LINES = [
    ': "${COMMS_TUI_USERNAME:?is not set: export the till login to send as}"',
    ': "${COMMS_TUI_PASSWORD:?is not set: export the till password (the command sends its MD5)}"',
    "if command -v md5sum >/dev/null 2>&1; then",
    "  md5=$(printf '%s' \"$COMMS_TUI_PASSWORD\" | md5sum | cut -d ' ' -f 1)",
    "elif command -v md5 >/dev/null 2>&1; then",
    "  md5=$(printf '%s' \"$COMMS_TUI_PASSWORD\" | md5 -q)",
    "else",
    "  md5=$(printf '%s' \"$COMMS_TUI_PASSWORD\" | openssl md5 -r | cut -d ' ' -f 1)",
    "fi",
    "[ -n \"$md5\" ] || { echo 'comms-tui: no md5sum, md5 or openssl to hash the password' >&2;"
    " exit 1; }",
    "if command -v base64 >/dev/null 2>&1; then",
    "  basic=$(printf '%s:%s' \"$COMMS_TUI_USERNAME\" \"$md5\" | base64 | tr -d '\\n')",
    "else",
    '  basic=$(printf \'%s:%s\' "$COMMS_TUI_USERNAME" "$md5" | openssl base64 -A)',
    "fi",
]


def _oauth_lines(target: Target) -> list[str]:
    """A token from COMMS_TUI_TOKEN, else from the token endpoint with the client key/secret."""
    url = shlex.quote(f"{target.base_url}{TOKEN_PATH}")
    insecure = " --insecure" if not target.verify_tls else ""
    token_curl = (
        f"{_CURL}{insecure} --request POST --url {url} \\\n"
        "      --header 'Content-Type: application/json' --header 'Accept: application/json' \\\n"
        f"      --header {shlex.quote(f'User-Agent: {USER_AGENT}')} --data-binary @-"
    )
    # JSON-escape backslashes and quotes; the accessToken is read with sed, as jq may be absent.
    return [
        'if [ -n "${COMMS_TUI_TOKEN:-}" ]; then',
        "  token=$COMMS_TUI_TOKEN",
        "else",
        '  : "${COMMS_TUI_CLIENT_KEY:?is not set (nor COMMS_TUI_TOKEN): export the OAuth client'
        ' key}"',
        '  : "${COMMS_TUI_CLIENT_SECRET:?is not set (nor COMMS_TUI_TOKEN): export the OAuth client'
        ' secret}"',
        "  json_text() { printf '%s' \"$1\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g'; }",
        """  answer=$(printf '{"key":"%s","secret":"%s"}' \\""",
        '      "$(json_text "$COMMS_TUI_CLIENT_KEY")" \\',
        '      "$(json_text "$COMMS_TUI_CLIENT_SECRET")" | ' + token_curl + ")",
        "  token=$(printf '%s' \"$answer\" | tr -d '\\r\\n' |"
        ' sed -n \'s/.*"accessToken"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p\')',
        '  if [ -z "$token" ]; then',
        "    why=$(printf '%s' \"$answer\" | tr -d '\\r\\n' |"
        ' sed -n \'s/.*"message"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p\')',
        "    printf 'comms-tui: the token endpoint gave no accessToken%s\\n' \\",
        '      "${why:+: $why}" >&2',
        "    exit 1",
        "  fi",
        "fi",
    ]
