"""The History search at scale: the recipient index finds what a scan of every entry would, in
the same order, page after page (no timing here: the benchmarks measure speed)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from comms_tui.store import history as history_module
from comms_tui.store.history import Journal, JournalEntry, recipient_matcher

ENTRIES = 12_000  # more than the old scan limit (5 000): the oldest must still be found


def recipients_of(i: int) -> list[str]:
    """Phones mostly, some addresses in mixed case, some sends to several."""
    if i % 7 == 0:
        return [f"Ana.{i}@Example.COM"]
    if i % 11 == 0:
        return [f"9198{i:08d}", f"65812{i:05d}"]
    return [f"9198{i:08d}"]


def write_old_journal(path: Path, count: int) -> None:
    """Entries as an older comms-tui wrote them: no recipient index yet."""
    with sqlite3.connect(path) as db:
        db.executescript(history_module._SCHEMA)
        db.executemany(
            "INSERT INTO entries (created_at, profile, host, channel, recipients, request,"
            " outcome) VALUES (?, 'p', 'https://h', ?, ?, '{}', ?)",
            [
                (1_700_000_000 + i, "email" if i % 7 == 0 else "sms",
                 json.dumps(recipients_of(i)), "accepted" if i % 3 else "failed")
                for i in range(count)
            ],
        )  # fmt: skip


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Journal:
    path = tmp_path_factory.mktemp("scale") / "history.sqlite3"
    write_old_journal(path, ENTRIES)
    return Journal(path)


def every_match(
    journal: Journal, needle: str, channel: str | None = None, outcome: str | None = None
) -> list[int]:
    """What a scan of every entry finds, newest first: the answer the index must give."""
    matches = recipient_matcher(needle)
    scanned = journal.list(ENTRIES + 10, channel=channel, outcome=outcome)
    return [e.id for e in scanned if any(matches(r) for r in e.recipients)]


def ids(entries: list[JournalEntry]) -> list[int]:
    return [e.id for e in entries]


def test_an_older_journal_is_indexed_once_when_opened(journal: Journal) -> None:
    assert journal.indexed
    with sqlite3.connect(journal.path) as db:
        assert db.execute("SELECT count(*) FROM recipient_index").fetchone()[0] == ENTRIES
    Journal(journal.path)  # opened again: nothing indexed twice
    with sqlite3.connect(journal.path) as db:
        assert db.execute("SELECT count(*) FROM recipient_index").fetchone()[0] == ENTRIES


@pytest.mark.parametrize(
    "needle",
    [
        "919800000001",  # the oldest entries: far beyond the newest 5 000
        "+91 98 0000 0001",  # as people type a number: its digits
        "9",  # one character: every phone, by the short-fragment scan
        "77",  # two characters
        "ana.7@example.com",  # an address in another case
        "ANA.1",  # a fragment of many addresses
        "65812",  # the second recipient of a send to several
        'x"y',  # a quote: a phrase, not FTS syntax
        "nobody",
    ],
)
def test_the_index_finds_every_match_newest_first(journal: Journal, needle: str) -> None:
    entries, more = journal.search(recipient=needle, limit=ENTRIES)
    assert ids(entries) == every_match(journal, needle)
    assert not more


def test_filters_combine_with_the_recipient(journal: Journal) -> None:
    entries, _ = journal.search(recipient="9198", channel="sms", outcome="failed", limit=ENTRIES)
    assert ids(entries) == every_match(journal, "9198", channel="sms", outcome="failed")
    assert entries and all(e.channel == "sms" and e.outcome == "failed" for e in entries)


@pytest.mark.parametrize("needle", ["", "9198000", "ana", "4"])
def test_pages_follow_each_other_without_gaps_or_repeats(journal: Journal, needle: str) -> None:
    wanted = every_match(journal, needle)[:1000] if needle else list(range(ENTRIES, 0, -1))[:1000]
    seen: list[int] = []
    before: int | None = None
    while len(seen) < 1000:
        page, more = journal.search(recipient=needle, limit=150, before=before)
        assert page and more
        seen += ids(page)
        before = page[-1].id
    assert seen[:1000] == wanted


def test_a_new_send_is_found_at_once(journal: Journal) -> None:
    new = journal.begin(
        profile="p", host="https://h", channel="sms", recipients=["6581234567"],
        request={}, fingerprints=["fp"],
    )  # fmt: skip
    entries, _ = journal.search(recipient="+65 8123 4567")
    assert ids(entries)[0] == new


def test_without_fts5_trigrams_the_search_scans_the_newest_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_module, "_RECIPIENT_INDEX", "CREATE VIRTUAL TABLE x USING nope;")
    path = tmp_path / "history.sqlite3"
    write_old_journal(path, 300)
    journal = Journal(path)
    assert not journal.indexed
    entries, _ = journal.search(recipient="ana", limit=1000)
    assert ids(entries) == every_match(journal, "ana")
    newest, _ = journal.search(recipient="ana", scan_limit=10, limit=1000)
    assert ids(newest) == [i for i in ids(entries) if i > 290]


@pytest.mark.parametrize("round_", range(6))
def test_processes_opening_an_older_journal_at_once_index_it_once(
    tmp_path: Path, round_: int
) -> None:
    """Also the switch to WAL, which SQLite refuses at once ("locked") while another opener
    holds the file: a race lost about once in fifteen tries, hence the rounds."""
    import threading

    path = tmp_path / "history.sqlite3"
    write_old_journal(path, 2_000)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_journal() -> None:
        start.wait()
        try:
            Journal(path)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_journal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT count(*), count(DISTINCT rowid) FROM recipient_index").fetchone()
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == (2_000, 2_000)
    assert mode == "wal"
