from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from comms_tui.core.guard import describe_duplicates
from comms_tui.store.history import Journal
from comms_tui.store.paths import data_dir
from tests.support.cli import REPO_ROOT

FILE_DATA = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K"


def begin(journal: Journal, recipient: str = "919591471711", **kw: Any) -> int:
    args: dict[str, Any] = {
        "profile": "work",
        "host": "https://eu.example.com",
        "channel": "sms",
        "recipients": [recipient],
        "request": {"root": {"sms": [{"to": recipient, "body": "hi"}]}},
        "fingerprints": [f"fp-{recipient}"],
    }
    return journal.begin(**{**args, **kw})


def finish(journal: Journal, entry_id: int, outcome: str = "accepted") -> None:
    journal.complete(
        entry_id,
        outcome=outcome,
        http_status=200,
        request_id="req-1",
        items=[{"recipient": "919591471711", "ok": True}],
        latency_ms=12.5,
        error=None,
    )


def age(journal: Journal, entry_id: int, seconds: float) -> None:
    with sqlite3.connect(journal.path) as db:
        db.execute(
            "UPDATE entries SET created_at = created_at - ? WHERE id = ?", (seconds, entry_id)
        )


def test_begin_is_committed_before_it_returns() -> None:
    journal = Journal()
    entry_id = begin(journal)
    # Another connection (as after a crash) sees the pending row at once.
    with sqlite3.connect(journal.path) as other:
        row = other.execute("SELECT outcome, profile FROM entries WHERE id = ?", (entry_id,))
        assert row.fetchone() == ("pending", "work")
    entry = journal.get(entry_id)
    assert entry is not None and entry.outcome == "pending" and entry.completed_at is None


def test_begin_survives_sigkill_right_after() -> None:
    path = data_dir() / "history.sqlite3"
    code = (
        "import os, signal, sys\n"
        "from comms_tui.store.history import Journal\n"
        "j = Journal()\n"
        "i = j.begin(profile='p', host='h', channel='sms', recipients=['1'],"
        " request={}, fingerprints=['f'])\n"
        "print(i, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=30
    )
    assert proc.returncode == -signal.SIGKILL
    entry = Journal(path).get(int(proc.stdout))
    assert entry is not None and entry.outcome == "pending"


def test_complete_records_the_outcome() -> None:
    journal = Journal()
    entry_id = begin(journal)
    finish(journal, entry_id)
    entry = journal.get(entry_id)
    assert entry is not None
    assert (entry.outcome, entry.http_status, entry.request_id, entry.latency_ms) == (
        "accepted",
        200,
        "req-1",
        12.5,
    )
    assert entry.items == [{"recipient": "919591471711", "ok": True}]
    assert entry.completed_at is not None and entry.completed_at >= entry.created_at
    data = json.loads(json.dumps(entry.to_json()))
    assert data["id"] == entry_id and data["outcome"] == "accepted"
    assert datetime.fromisoformat(data["created_at"]).tzinfo is not None


def test_complete_rejects_bad_input() -> None:
    journal = Journal()
    entry_id = begin(journal)
    with pytest.raises(ValueError, match="outcome must be one of"):
        finish(journal, entry_id, outcome="pending")
    with pytest.raises(Exception, match="no journal entry #999"):
        finish(journal, 999)


def test_stale_pending_reads_as_unknown() -> None:
    journal = Journal(stale_after_seconds=60)
    entry_id = begin(journal)
    fresh = begin(journal, "2")
    age(journal, entry_id, 61)
    assert [(e.id, e.outcome) for e in journal.list()] == [
        (fresh, "pending"),
        (entry_id, "unknown"),
    ]
    assert [e.id for e in journal.list(outcome="unknown")] == [entry_id]
    assert [e.id for e in journal.list(outcome="pending")] == [fresh]


def test_each_entry_is_pending_for_as_long_as_its_own_send_may_take() -> None:
    """A send killed mid-flight reads unknown once its own timeout has passed, and a live one
    with a long timeout reads pending until then: not the journal's default for both."""
    journal = Journal(stale_after_seconds=35)
    quick = begin(journal, "1", pending_seconds=8)  # --timeout 3 (+ 5 s to connect)
    slow = begin(journal, "2", pending_seconds=125)  # --timeout 120
    unsaid = begin(journal, "3")  # an entry that does not say: the journal's default
    for entry_id in (quick, slow, unsaid):
        age(journal, entry_id, 20)

    def outcomes(**filters: Any) -> dict[int, str]:
        return {e.id: e.outcome for e in journal.list(**filters)}

    assert outcomes() == {quick: "unknown", slow: "pending", unsaid: "pending"}
    assert outcomes(outcome="unknown") == {quick: "unknown"}
    assert outcomes(outcome="pending") == {slow: "pending", unsaid: "pending"}
    for entry_id in (quick, slow, unsaid):
        age(journal, entry_id, 700)  # beyond the duplicate window: only an unknown one counts
    assert outcomes() == {quick: "unknown", slow: "unknown", unsaid: "unknown"}
    found = journal.find_duplicates(["fp-1", "fp-2", "fp-3"])
    assert [e.id for e in found] == [unsaid, slow, quick]


@pytest.mark.parametrize(
    ("stored", "aged", "outcome"),
    [("soon", 60, "pending"), (1e300, 3601, "unknown"), (-5, 1, "unknown")],
)
def test_a_damaged_pending_time_is_read_leniently(stored: object, aged: int, outcome: str) -> None:
    """Text reads as the journal's default (120 s here); a number is bounded (0 to an hour)."""
    journal = Journal(stale_after_seconds=120)
    entry_id = begin(journal)
    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE entries SET pending_seconds = ? WHERE id = ?", (stored, entry_id))
    age(journal, entry_id, aged)
    assert [e.outcome for e in journal.list()] == [outcome]
    assert [e.id for e in journal.list(outcome=outcome)] == [entry_id]


def test_a_journal_from_before_entries_had_their_own_deadline(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:  # the schema comms-tui 0.1 wrote
        db.executescript(
            """CREATE TABLE entries (id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at REAL NOT NULL, completed_at REAL, profile TEXT NOT NULL,
            host TEXT NOT NULL, channel TEXT NOT NULL, recipients TEXT NOT NULL,
            request TEXT NOT NULL, outcome TEXT NOT NULL DEFAULT 'pending', http_status INTEGER,
            request_id TEXT, items TEXT NOT NULL DEFAULT '[]', latency_ms REAL, error TEXT,
            sandbox INTEGER NOT NULL DEFAULT 0);"""
        )
        db.execute(
            "INSERT INTO entries (created_at, profile, host, channel, recipients, request)"
            " VALUES (?, 'work', 'https://eu.example.com', 'sms', '[\"1\"]', '{}')",
            (datetime.now(timezone.utc).timestamp() - 40,),
        )
    assert [e.outcome for e in Journal(path, stale_after_seconds=60).list()] == ["pending"]
    journal = Journal(path, stale_after_seconds=35)
    assert [e.outcome for e in journal.list()] == ["unknown"]
    new = begin(journal, pending_seconds=8)
    assert [(e.id, e.outcome) for e in journal.list()] == [(new, "pending"), (1, "unknown")]


def test_list_is_newest_first_with_filters_and_limit() -> None:
    journal = Journal()
    a = begin(journal, "111")
    b = begin(journal, "222", channel="EMAIL")
    c = begin(journal, "333", recipients=["333", "444"])
    finish(journal, a, "failed")
    assert [e.id for e in journal.list()] == [c, b, a]
    assert [e.id for e in journal.list(2)] == [c, b]
    assert [e.id for e in journal.list(channel="email")] == [b]
    assert [e.id for e in journal.list(recipient="444")] == [c]
    assert [e.id for e in journal.list(outcome="failed")] == [a]
    assert journal.list(recipient="44") == []  # exact match, not a substring


def test_find_duplicates() -> None:
    journal = Journal(stale_after_seconds=60)
    recent = begin(journal, "1")
    finish(journal, recent)
    failed = begin(journal, "2")
    finish(journal, failed, "rejected")
    old = begin(journal, "3")
    finish(journal, old)
    age(journal, old, 601)
    unknown_old = begin(journal, "4")
    age(journal, unknown_old, 3 * 3600)  # pending, stale → unknown, still within 24 h
    ancient = begin(journal, "5")
    age(journal, ancient, 25 * 3600)
    in_flight = begin(journal, "6")

    def ids(*fps: str) -> list[int]:
        return [e.id for e in journal.find_duplicates(list(fps))]

    assert ids("fp-1") == [recent]
    assert ids("fp-2") == []
    assert ids("fp-3") == []
    assert ids("fp-4") == [unknown_old]
    assert ids("fp-5") == []
    assert ids("fp-6") == [in_flight]
    assert ids("fp-1", "fp-4", "nope") == [unknown_old, recent]
    assert ids() == []
    later = datetime.now(timezone.utc) + timedelta(minutes=11)
    assert journal.find_duplicates(["fp-1"], now=later) == []
    assert [e.id for e in journal.find_duplicates(["fp-1"], window_seconds=900, now=later)] == [
        recent
    ]
    text = describe_duplicates(journal.find_duplicates(["fp-1", "fp-4"]))
    assert (
        f"#{recent}" in text and f"#{unknown_old}" in text and "may already have gone out" in text
    )


def test_attachment_data_and_secrets_are_never_stored() -> None:
    journal = Journal()
    attachment = {"file_name": "a.pdf", "file_type": "pdf", "file_data": FILE_DATA}
    request = {
        "root": {
            "email": [
                {"to": "a@b.co", "attachments": {"attachment": [attachment]}, "password": "hunter2"}
            ]
        }
    }
    entry_id = begin(journal, channel="email", request=request)
    entry = journal.get(entry_id)
    assert entry is not None
    stored = entry.request["root"]["email"][0]
    assert stored["attachments"]["attachment"][0] == {**attachment, "file_data": "<omitted>"}
    assert stored["password"] == "<omitted>"
    assert attachment["file_data"] == FILE_DATA  # the caller's dict is not modified
    for path in journal.path.parent.iterdir():
        content = path.read_bytes()
        assert FILE_DATA.encode() not in content and b"hunter2" not in content


def test_wal_mode_private_files() -> None:
    journal = Journal()
    begin(journal)
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    for path in journal.path.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_usable_from_many_threads() -> None:
    journal = Journal()
    ids: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(10):
            entry_id = begin(journal, f"{n}-{i}")
            finish(journal, entry_id)
            with lock:
                ids.append(entry_id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 40
    assert {e.outcome for e in journal.list(100)} == {"accepted"}


def test_explicit_path(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j" / "x.db")
    assert begin(journal) == 1 and os.path.exists(tmp_path / "j" / "x.db")


# -- the History filter both front-ends use ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "region", "found"),
    [
        ("+91 95914 71711", None, True),  # as people write it
        ("919591471711", None, True),
        ("95914", None, True),  # a fragment
        ("(+91) 95914-71711", None, True),
        ("095914 71711", "IN", True),  # national, with the trunk 0: read in the region
        ("095914 71711", None, False),
        ("+44 95914 71711", None, False),
        ("ANA@Example.com", None, True),  # an address in any case
        ("ana@", None, True),
        ("bob@example.com", None, False),
    ],
)
def test_a_recipient_filter_finds_what_a_person_means(
    typed: str, region: str | None, found: bool
) -> None:
    journal = Journal()
    phone = begin(journal, "919591471711")
    mail = begin(journal, "ana@example.com", channel="email")
    entries, more = journal.search(recipient=typed, region=region)
    assert not more
    wanted = {mail} if "@" in typed else {phone}
    assert {e.id for e in entries} == (wanted if found else set())


def test_search_limits_and_says_when_more_match() -> None:
    journal = Journal()
    ids = [begin(journal, f"91959147171{i}") for i in range(5)]
    entries, more = journal.search(recipient="+91 95914", limit=3)
    assert [e.id for e in entries] == ids[::-1][:3] and more
    entries, more = journal.search(limit=10, channel="sms")
    assert len(entries) == 5 and not more


def test_the_tui_history_filter_is_the_same_search() -> None:
    from comms_tui.tui.screens.history import query_history

    journal = Journal()
    begin(journal, "919591471711")
    entries, _ = query_history(journal, channel=None, recipient="+91 95914 71711", outcome=None)
    assert [e.recipients for e in entries] == [["919591471711"]]


def test_a_data_dir_that_cannot_be_created_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comms_tui.store.errors import StoreError

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("COMMS_TUI_DATA_DIR", str(blocker / "data"))
    with pytest.raises(StoreError) as refused:
        Journal()
    assert "cannot open the send journal" in refused.value.message
    assert "COMMS_TUI_DATA_DIR" in refused.value.message
    with pytest.raises(StoreError):
        Journal(blocker / "deeper" / "history.sqlite3")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_at", "not a time"),
        ("created_at", 1e300),
        ("completed_at", 1e12),
        ("completed_at", "str"),
        ("recipients", "not json"),
        ("recipients", "[5,null]"),
        ("request", "{"),
        ("items", "{"),
        ("items", "null"),
        ("items", '[1, {"ok": true}]'),
        ("outcome", "exploded"),
        ("http_status", "two hundred"),
        ("request_id", b"\x00\xff"),
        ("profile", b"\x00\xff"),
        ("error", b"\xff"),
        ("latency_ms", "fast"),
    ],
)
def test_a_row_damaged_by_hand_is_read_for_what_it_still_holds(column: str, value: object) -> None:
    """The journal is the user's file: one row changed by hand or by another program must not
    make every listing fail (it did: a traceback from `history`, and History in the TUI)."""
    journal = Journal()
    damaged, fine = begin(journal, "111"), begin(journal, "222")
    finish(journal, damaged)
    with sqlite3.connect(journal.path) as db:
        db.execute(f"UPDATE entries SET {column} = ? WHERE id = ?", (value, damaged))
    entries = journal.list()
    assert [e.id for e in entries] == [fine, damaged] or [e.id for e in entries] == [damaged, fine]
    entry = next(e for e in entries if e.id == damaged)
    json.dumps(entry.to_json())  # --json can print it
    assert entry.outcome in ("accepted", "unknown")
    assert isinstance(entry.profile, str) and all(isinstance(r, str) for r in entry.recipients)
    assert all(isinstance(item, dict) for item in entry.items)
    found, _more = journal.search(recipient="22")  # a filter still reads past the damaged row
    assert [e.id for e in found] == [fine]


@pytest.mark.parametrize("damage", ["random bytes", "another program's tables", "a folder"])
def test_a_journal_sqlite_cannot_use_says_how_to_start_a_new_one(
    tmp_path: Path, damage: str
) -> None:
    """Nothing is sent without a journal: the message names the file and how to go on (it said
    only "failed: file is not a database", and the app stayed offline with no way out)."""
    from comms_tui.store.errors import StoreError

    path = tmp_path / "history.sqlite3"
    if damage == "random bytes":
        path.write_bytes(os.urandom(20_000))
    elif damage == "a folder":
        path.mkdir()
    else:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE entries (x INTEGER)")
    with pytest.raises(StoreError) as refused:
        Journal(path)
    message = refused.value.message
    assert str(path) in message and "Move it aside" in message
    path.rename(tmp_path / "aside")  # as the message says: then a new journal starts
    assert Journal(path).list() == []
