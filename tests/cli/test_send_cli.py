"""``comms-tui send`` as a subprocess: exit codes, the --json object, --dry-run, confirmations."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.store.history import Journal
from comms_tui.store.paths import data_dir
from tests.support.cli import run_cli

GOOD = "919591471711"


def _json(stdout: str) -> dict[str, object]:
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def test_send_sms_on_the_embedded_sandbox_prints_accepted() -> None:
    proc = run_cli("send", "sms", "--sandbox", "--to", GOOD, "--body", "hi", "--json")
    assert proc.returncode == 0, proc.stderr
    data = _json(proc.stdout)
    assert data["outcome"] == "accepted" and data["http_status"] == 200
    assert data["count"] == data["success_count"] == 1
    assert isinstance(data["history_id"], int) and data["request_id"]
    assert data["items"] == [{"recipient": GOOD, "ok": True, "errors": [], "warnings": []}]
    assert data["error"] is None


@pytest.mark.parametrize(
    ("digits", "exit_code", "outcome", "requests"),
    [
        ("12025550100", 0, "accepted", 1),
        ("12025550101", 1, "failed", 1),
        ("12025550102", 0, "accepted", 1),
        ("12025550129", 3, "rejected", 2),
        ("12025550150", 3, "rejected", 1),
        ("12025550153", 3, "rejected", 2),
        ("12025550140", 4, "unknown", 1),
        ("12025550144", 4, "unknown", 1),
        ("12025550122", 4, "unknown", 1),
    ],
)
def test_each_magic_recipient_gives_its_exit_code_and_no_second_request(
    digits: str,
    exit_code: int,
    outcome: str,
    requests: int,
    sandbox_env: dict[str, str],
    cli_sandbox: EmbeddedSandbox,
) -> None:
    proc = run_cli("send", "sms", "--to", digits, "--body", "x", "--json", env=sandbox_env)
    assert proc.returncode == exit_code, proc.stderr
    assert _json(proc.stdout)["outcome"] == outcome
    assert cli_sandbox.state.stats()["requests"] == requests


def test_several_recipients_make_one_request_with_one_item_each(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(
        "send", "whatsapp", "--to", GOOD, "--to", "12025550101", "--template", "t", "--json",
        "--yes", env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 1
    data = _json(proc.stdout)
    assert data["outcome"] == "partial" and data["count"] == 2 and data["success_count"] == 1
    assert cli_sandbox.state.stats()["requests"] == 1


def test_several_recipients_without_a_terminal_need_yes(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(
        "send", "sms", "--to", GOOD, "--to", "12025550100", "--body", "x", env=sandbox_env
    )
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


def test_invalid_input_is_reported_per_field_and_nothing_is_sent(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(
        "send", "email", "--to", "nope", "--from", "a@example.com", "--subject", " ",
        "--body", "b", env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "to: “nope” is not an email address" in proc.stderr
    assert "subject: Subject is empty" in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


def test_missing_attachment_is_a_clear_error(sandbox_env: dict[str, str]) -> None:
    proc = run_cli(
        "send", "email", "--to", "a@example.com", "--from", "b@example.com", "--subject", "s",
        "--body", "b", "--attach", "/nonexistent/report.pdf", env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 2 and "report.pdf" in proc.stderr


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("", "attachments: the path is empty: give the file to attach"),
        ("att/-dash.txt", "attachments: -dash.txt: no such file (att/-dash.txt)"),
        ("att/nope.txt", "attachments: nope.txt: no such file (att/nope.txt)"),
        ("tests", "attachments: tests is a folder; attach the files inside it instead"),
    ],
)
def test_each_attachment_error_names_the_field_and_what_is_wrong(path: str, says: str) -> None:
    """``--attach ''`` said ". is a folder"; a name starting with a dash lost the field's name
    (it was taken for a message naming its flag)."""
    proc = run_cli(
        "send", "email", "--sandbox", "--to", "a@example.com", "--from", "b@example.com",
        "--subject", "s", "--body", "b", f"--attach={path}", "--dry-run",
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"comms-tui: {says}\n"


def test_dry_run_prints_the_request_without_secrets_and_sends_nothing(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    env = {**sandbox_env, "COMMS_TUI_PASSWORD": "Sentinel-Pass-42"}
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "hi", "--dry-run", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"POST {cli_sandbox.base_url}/v2/communications/sendMessage")
    assert "Authorization: Basic <base64(username:md5(password))>" in proc.stdout
    assert '"to": "919591471711"' in proc.stdout
    from comms_tui.api.auth import basic_authorization, md5_hex
    from comms_tui.api.target import BasicCredentials

    for secret in (
        "Sentinel-Pass-42",
        md5_hex("Sentinel-Pass-42"),
        basic_authorization(BasicCredentials("sandbox", "Sentinel-Pass-42")).split()[1],
    ):
        assert secret not in proc.stdout + proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0
    as_json = run_cli("send", "sms", "--to", GOOD, "--body", "hi", "--dry-run", "--json", env=env)
    assert json.loads(as_json.stdout)["body"] == {"root": {"sms": [{"to": GOOD, "body": "hi"}]}}


def test_bare_envelope_from_the_environment(sandbox_env: dict[str, str]) -> None:
    env = {**sandbox_env, "COMMS_TUI_ENVELOPE": "bare"}
    proc = run_cli("send", "zalo", "--to", GOOD, "--template", "t", "--dry-run", "--json", env=env)
    assert json.loads(proc.stdout)["body"] == {"zaloMessage": [{"receiver": GOOD, "template": "t"}]}


def test_duplicate_guard_stops_an_accidental_resend(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    args = ("send", "sms", "--to", GOOD, "--body", "747977 is your OTP", "--json")
    first = run_cli(*args, env=sandbox_env)
    assert first.returncode == 0
    history_id = _json(first.stdout)["history_id"]
    second = run_cli(*args, env=sandbox_env)
    assert second.returncode == 2
    assert f"#{history_id}" in second.stderr and "--yes" in second.stderr
    assert cli_sandbox.state.stats()["requests"] == 1
    third = run_cli(*args, "--yes", env=sandbox_env)
    assert third.returncode == 0 and cli_sandbox.state.stats()["requests"] == 2


def test_unknown_outcome_also_guards_a_resend(sandbox_env: dict[str, str]) -> None:
    args = ("send", "sms", "--to", "12025550144", "--body", "x", "--json")
    assert run_cli(*args, env=sandbox_env).returncode == 4
    again = run_cli(*args, env=sandbox_env)
    assert again.returncode == 2 and "unknown" in again.stderr


def test_long_sms_asks_first(sandbox_env: dict[str, str]) -> None:
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x" * 800, env=sandbox_env)
    assert proc.returncode == 2 and "segments" in proc.stderr


def test_human_output_names_the_outcome_and_request_id(sandbox_env: dict[str, str]) -> None:
    proc = run_cli("send", "sms", "--to", "12025550101", "--body", "x", env=sandbox_env)
    assert proc.returncode == 1
    assert proc.stdout.startswith("FAILED: every item failed · HTTP 201 · request id ")
    assert "✗ 12025550101  4209: recipient is on the do-not-disturb list" in proc.stdout


def test_no_profile_and_no_environment_is_a_usage_error() -> None:
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x")
    assert proc.returncode == 2
    assert "profile add" in proc.stderr and "--sandbox" in proc.stderr


# -- one rule for both front-ends (the TUI's side is in tests/tui/test_send_rules.py) ----------


def test_after_a_partial_send_the_failed_recipient_can_be_sent_again(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    both = ("send", "sms", "--to", f"{GOOD}, 12025550101", "--body", "Hello", "--yes", "--json")
    assert _json(run_cli(*both, env=sandbox_env).stdout)["outcome"] == "partial"
    # Its item failed: nothing reached 12025550101, so this is no duplicate.
    again = run_cli("send", "sms", "--to", "12025550101", "--body", "Hello", env=sandbox_env)
    assert again.returncode == 1, again.stderr  # sent (and refused by the sandbox again)
    assert "already" not in again.stderr
    assert cli_sandbox.state.stats()["requests"] == 2
    # The one that was accepted is held.
    held = run_cli("send", "sms", "--to", GOOD, "--body", "Hello", env=sandbox_env)
    assert held.returncode == 2 and "already sent" in held.stderr


def test_a_time_without_a_zone_is_read_in_the_machine_zone_and_named(
    sandbox_env: dict[str, str],
) -> None:
    env = {**sandbox_env, "TZ": "America/New_York"}  # no profile: the machine's zone
    zone = ZoneInfo("America/New_York")
    day = (datetime.now(zone) + timedelta(days=30)).date()
    when = datetime.combine(day, time(9, 0), tzinfo=zone)
    typed = f"{day.isoformat()}T09:00"
    args = ("send", "sms", "--to", GOOD, "--body", "Hi", "--at", typed, "--dry-run")
    as_json = run_cli(*args, "--json", env=env)
    [item] = json.loads(as_json.stdout)["body"]["root"]["sms"]
    assert item["scheduledTime"] == when.isoformat()  # -05:00 or -04:00, as that day has it
    human = run_cli(*args, env=env)
    assert f"scheduled for {day.isoformat()} 09:00 {when.tzname()} America/New_York" in (
        human.stderr
    )


def test_a_scheduled_send_says_when_it_goes_out(sandbox_env: dict[str, str]) -> None:
    env = {**sandbox_env, "TZ": "Asia/Kolkata"}
    zone = ZoneInfo("Asia/Kolkata")
    day = (datetime.now(zone) + timedelta(days=3)).date()
    when = datetime.combine(day, time(9, 0), tzinfo=zone)
    args = ("send", "sms", "--to", GOOD, "--at", f"{day.isoformat()}T09:00")
    as_json = run_cli(*args, "--body", "Later", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["scheduled_for"] == when.isoformat()  # offset included
    human = run_cli(*args, "--body", "Later again", env=env)
    assert human.returncode == 0, human.stderr
    assert f"goes out {day.isoformat()} 09:00 IST Asia/Kolkata" in human.stdout
    now = run_cli("send", "sms", "--to", GOOD, "--body", "Now", "--json", env=env)
    assert json.loads(now.stdout)["scheduled_for"] is None


def test_a_time_already_past_goes_at_once_and_nothing_says_otherwise(
    sandbox_env: dict[str, str],
) -> None:
    """The API sends a past time at once: the result must not say it "goes out" then (it did,
    under a warning saying the opposite), and ``scheduled_for`` is null, as documented."""
    env = {**sandbox_env, "TZ": "Asia/Kolkata"}
    past = (datetime.now(ZoneInfo("Asia/Kolkata")) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    args = ("send", "sms", "--to", GOOD, "--at", past)
    as_json = run_cli(*args, "--body", "Past", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["scheduled_for"] is None
    human = run_cli(*args, "--body", "Past again", env=env)
    assert human.returncode == 0, human.stderr
    assert "goes out" not in human.stdout and "scheduled for" not in human.stderr
    assert "is in the past: it will go out at once" in human.stderr


def test_several_recipients_on_the_sandbox_go_without_a_question() -> None:
    proc = run_cli(
        "send", "sms", "--sandbox", "--to", GOOD, "--to", "12025550100", "--body", "x", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert _json(proc.stdout)["count"] == 2


def test_the_same_number_written_twice_is_sent_once(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(
        "send", "sms", "--to", f"{GOOD}, +91 95914 71711", "--body", "Once", "--json",
        env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # one recipient: no "several recipients" question
    assert _json(proc.stdout)["count"] == 1
    assert "given more than once" in proc.stderr
    assert cli_sandbox.state.stats()["by_recipient"] == {GOOD: 1}


# -- email: the profile's From, no body (issue 13, issue 14) -----------------------------------


def test_the_profiles_from_address_stands_in_for_from(cli_sandbox: EmbeddedSandbox) -> None:
    from comms_tui.store.profiles import Profile, ProfileStore

    ProfileStore().save(
        Profile(
            name="box",
            host=cli_sandbox.base_url,
            auth="basic",
            username="sandbox",
            email_from="desk@acme.example",
        )
    )
    cli_sandbox.state.reset()
    env = {"COMMS_TUI_PASSWORD": "sandbox"}
    args = ("send", "email", "--profile", "box", "--to", "ana@example.com", "--subject", "Hi")
    proc = run_cli(*args, "--body", "b", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    [stored] = cli_sandbox.state.outbox()
    assert stored["from"] == "desk@acme.example"
    chosen = run_cli(*args, "--body", "c", "--from", "me@acme.example", "--json", env=env)
    assert chosen.returncode == 0, chosen.stderr
    assert cli_sandbox.state.outbox()[-1]["from"] == "me@acme.example"


def test_without_from_anywhere_the_error_says_how_to_give_one(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(
        "send", "email", "--to", "a@example.com", "--subject", "s", "--body", "b", env=sandbox_env
    )
    assert proc.returncode == 2
    assert "comms-tui: from: no From address: pass --from ADDR" in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


def test_an_email_without_a_body_is_sent_with_a_warning(cli_sandbox: EmbeddedSandbox) -> None:
    proc = run_cli("send", "email", "--sandbox", "--to", "a@example.com", "--subject", "Hi")
    assert proc.returncode == 0, proc.stderr
    assert "comms-tui: warning: the email has no body: it carries only the subject" in proc.stderr
    dry = run_cli(
        "send", "email", "--sandbox", "--to", "a@example.com", "--subject", "Hi", "--dry-run"
    )
    assert "the email has no body" in dry.stderr
    assert '"body"' not in dry.stdout  # no empty body on the wire either


# -- Retry-After: said while waiting, and what is left to wait when it is too long ------------


@pytest.mark.parametrize(
    ("digits", "waiting", "final"),
    [
        ("12025550129", "rate limited (HTTP 429): trying again in 1 s", "rate limited ("),
        ("12025550153", "the server is unavailable (HTTP 503): trying again in 1 s", "server "),
    ],
)
def test_a_wait_the_server_asks_for_is_said_on_stderr_as_it_begins(
    digits: str, waiting: str, final: str, sandbox_env: dict[str, str]
) -> None:
    proc = run_cli("send", "sms", "--to", digits, "--body", "x", env=sandbox_env)
    assert proc.returncode == 3
    told, *rest = proc.stderr.splitlines()
    assert told == f"comms-tui: {waiting}"
    [refused] = rest  # the second answer asked again: not waited for twice
    assert refused.startswith(f"comms-tui: {final}")
    assert refused.endswith("nothing was sent; the server asks to wait 1 s before trying again")


def test_a_wait_longer_than_the_client_waits_is_named_not_waited_for() -> None:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=1)) as limited:
        env = {
            "COMMS_TUI_HOST": limited.base_url,
            "COMMS_TUI_USERNAME": "sandbox",
            "COMMS_TUI_PASSWORD": "sandbox",
        }
        first = run_cli("send", "sms", "--to", GOOD, "--body", "one", env=env)
        assert first.returncode == 0, first.stderr
        second = run_cli("send", "sms", "--to", GOOD, "--body", "two", env=env)
        assert limited.state.stats()["requests"] == 2  # the limit's ~60 s were not waited
    assert second.returncode == 3
    assert "trying again in" not in second.stderr
    assert re.search(r"nothing was sent; the server asks to wait \d+ s before", second.stderr)


def test_a_retry_after_date_is_waited_for_in_any_local_zone() -> None:
    """An HTTP-date without a zone (asctime) is UTC: read as local time in India it was 5.5 h
    past, and the retry went at once."""
    from tests.reliability.rogue_server import Behaviour, ReceivedRequest, RogueServer, echo_body

    def crafted(request: ReceivedRequest) -> tuple[str, dict[str, str], bytes]:
        if server.requests == 1:
            in_3_s = clock.asctime(clock.gmtime(clock.time() + 3))  # no Date: ours is the clock
            return "429 Too Many Requests", {"Retry-After": in_3_s}, b""
        return "200 OK", {"Content-Type": "application/json"}, echo_body(request)

    with RogueServer(Behaviour.CRAFTED, crafted=crafted) as server:
        env = {
            "COMMS_TUI_HOST": server.base_url,
            "COMMS_TUI_USERNAME": "till.login",
            "COMMS_TUI_PASSWORD": "till-password",
            "TZ": "Asia/Kolkata",
        }
        proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", "--json", env=env)
        assert server.requests == 2
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(
        r"comms-tui: rate limited \(HTTP 429\): trying again in [23] s\n", proc.stderr
    )


# -- refusals and failures in words ---------------------------------------------------------


def test_access_denied_is_said_once_with_what_the_user_needs(
    sandbox_env: dict[str, str],
) -> None:
    env = {**sandbox_env, "COMMS_TUI_USERNAME": "sandbox-noaccess"}
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", env=env)
    assert proc.returncode == 3
    [said] = proc.stderr.splitlines()
    assert said.casefold().count("access denied") == 1, said
    assert said.startswith("comms-tui: access denied (needs WRITE on the Communication access")
    assert "the API user needs WRITE access" in said


def test_the_batch_limit_says_to_split_the_recipients(sandbox_env: dict[str, str]) -> None:
    recipients = ",".join(str(919000000000 + n) for n in range(101))
    proc = run_cli("send", "sms", "--to", recipients, "--body", "x", "--yes", env=sandbox_env)
    assert proc.returncode == 3
    assert proc.stderr.startswith(
        "comms-tui: request refused (batch limit exceeded): too many recipients for one request "
        "(this one has 101); send them in smaller batches (the sandbox takes 100 by default"
    ), proc.stderr


def test_a_dropped_connection_is_said_in_words(sandbox_env: dict[str, str]) -> None:
    proc = run_cli("send", "sms", "--to", "12025550144", "--body", "x", env=sandbox_env)
    assert proc.returncode == 4
    assert "Error" not in proc.stderr  # no library's class name (RemoteProtocolError)
    assert proc.stderr == (
        "comms-tui: the server closed the connection without a complete answer, after the "
        "request was sent: the message may have gone out\n"
    )


# -- what the human output says (issue 14) ----------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "headline"),
    [
        ("12025550150", "REJECTED: the server reported an error · HTTP 500"),
        ("12025550129", "REJECTED: nothing was sent · HTTP 429"),
        ("12025550153", "REJECTED: nothing was sent · HTTP 503"),
    ],
)
def test_rejected_says_nothing_was_sent_only_when_nothing_was(
    digits: str, headline: str, sandbox_env: dict[str, str]
) -> None:
    proc = run_cli("send", "sms", "--to", digits, "--body", "x", env=sandbox_env)
    assert proc.returncode == 3
    assert proc.stdout.startswith(headline), proc.stdout


def test_dry_run_says_when_it_left_attachment_data_out(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("quarterly numbers\n")
    args = ("send", "email", "--sandbox", "--to", "a@example.com", "--subject", "s")
    proc = run_cli(*args, "--body", "b", "--attach", str(report), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(
        "(attachment data left out: each file is shown by name, size and SHA-256 instead of its "
        "base64 (--curl writes a command that sends it))"
    )
    plain = run_cli(*args, "--body", "b", "--dry-run")
    assert "left out" not in plain.stdout


# -- --curl: the request, replayable (issue 14) ------------------------------------------------


def _replay(script: str, cli_sandbox: EmbeddedSandbox) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
    }
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30, check=False
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="the replay command runs curl")
def test_curl_prints_a_command_that_sends_what_send_would(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    body = 'it\'s $HOME `id` "quoted" ₹10'
    proc = run_cli("send", "sms", "--to", GOOD, "--body", body, "--curl", env=sandbox_env)
    assert proc.returncode == 0, proc.stderr
    assert "nothing was sent" in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0 and Journal().list() == []
    assert "sandbox" not in proc.stdout.replace("sandbox/", "")  # no credential in the text
    replayed = _replay(proc.stdout, cli_sandbox)
    assert "HTTP/1.1 200" in replayed.stdout, replayed.stderr
    [stored] = cli_sandbox.state.outbox()
    assert stored["recipient"] == GOOD and stored["body"] == body


@pytest.mark.skipif(shutil.which("curl") is None, reason="the replay command runs curl")
def test_curl_puts_a_large_body_in_a_private_file_in_the_data_dir(
    tmp_path: Path, sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    attachment = tmp_path / "scan.pdf"
    attachment.write_bytes(b"%PDF-1.4\n" + os.urandom(300 * 1024))
    proc = run_cli(
        "send", "email", "--to", "a@example.com", "--from", "me@example.com", "--subject", "s",
        "--body", "b", "--attach", str(attachment), "--curl", env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [body_file] = data_dir().glob("comms-tui-body-*.json")
    assert stat.S_IMODE(body_file.stat().st_mode) == 0o600
    assert f"is in {body_file}" in proc.stderr and f"@{body_file}" in proc.stdout
    assert len(proc.stdout) < 8192  # the base64 is in the file, not the command
    replayed = _replay(proc.stdout, cli_sandbox)
    assert "HTTP/1.1 200" in replayed.stdout, replayed.stderr
    [stored] = cli_sandbox.state.outbox()
    assert stored["attachments"][0]["size"] == attachment.stat().st_size


# Typed text a terminal would obey, printed raw: a bidi override, C1 NEL and CSI, a line
# separator, ESC (which JSON escapes on its own).
OBEYED = "Total\u202e: 5\u0085 next\u2028line \x9b2J \x1b[2J done"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the replay command runs curl")
def test_curl_escapes_what_a_terminal_would_obey_and_still_sends_the_text(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli("send", "sms", "--to", GOOD, "--body", OBEYED, "--curl", env=sandbox_env)
    assert proc.returncode == 0, proc.stderr
    assert not set("\u202e\u0085\u2028\x9b\x1b") & set(proc.stdout), proc.stdout
    assert "\\u202e" in proc.stdout and "\\u0085" in proc.stdout and "\\u009b" in proc.stdout
    assert "stand-ins" not in proc.stderr  # nothing was left to replace
    replayed = _replay(proc.stdout, cli_sandbox)
    assert "HTTP/1.1 200" in replayed.stdout, replayed.stderr
    [stored] = cli_sandbox.state.outbox()
    assert stored["body"] == OBEYED


def test_dry_run_shows_the_body_as_the_exact_json_it_sends() -> None:
    args = ("send", "sms", "--sandbox", "--to", GOOD, "--body", OBEYED, "--dry-run")
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    _head, body = proc.stdout.split("\n\n", 1)
    assert json.loads(body)["root"]["sms"][0]["body"] == OBEYED  # valid JSON: no stand-ins
    assert "<U+" not in proc.stdout and "\\u202e" in body
    as_json = run_cli(*args, "--json")
    assert not set("\u202e\u0085\u2028\x9b\x1b") & set(as_json.stdout)
    assert _json(as_json.stdout)["body"] == json.loads(body)


def test_curl_on_the_embedded_sandbox_says_the_command_cannot_reach_it() -> None:
    """The sandbox --sandbox starts stops with the command: a replay of it cannot work."""
    proc = run_cli("send", "sms", "--sandbox", "--to", GOOD, "--body", "x", "--curl")
    assert proc.returncode == 0, proc.stderr
    assert "curl " in proc.stdout
    assert "sandbox stops when it ends" in proc.stderr and "COMMS_TUI_SANDBOX_URL" in proc.stderr
