"""The send journal: SQLite (WAL) in the data dir, one row per send.

A row is written and committed *before* the request goes out (``begin``) and completed after
(``complete``), so a crash or SIGKILL mid-send leaves a ``pending`` row that later reads as
``unknown`` — the user is never left guessing whether something went out. Each row says how long
its own send may be in flight (its timeout): still pending after that, it reads unknown. Every
call opens its own connection (sqlite3 objects cannot cross threads), so a ``Journal`` is safe to
use from workers.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from comms_tui.store.errors import DuplicateSend, StoreError

JOURNAL_FILE_NAME = "history.sqlite3"
OUTCOMES = ("pending", "accepted", "partial", "failed", "rejected", "unknown")
FINAL_OUTCOMES = frozenset(OUTCOMES) - {"pending"}
UNKNOWN_LOOKBACK_SECONDS = 24 * 3600
# No send is in flight longer (the longest timeout is 600 s): a larger stored value is damage.
MAX_PENDING_SECONDS = 3600.0
# A recipient filter matches fragments: served by a trigram index of the recipients (every
# entry). Where SQLite has no FTS5 trigram tokenizer, it scans this many newest entries instead.
RECIPIENT_SCAN_LIMIT = 5000
_CANDIDATE_BATCH = 200  # index hits checked per round trip
# Keys whose values must never be stored, whatever layer forgot to redact them.
_REDACTED_KEYS = frozenset(
    {"file_data", "password", "secret", "client_secret", "authorization", "accesstoken"}
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   REAL NOT NULL,             -- unix time, UTC
    completed_at REAL,
    profile      TEXT NOT NULL,
    host         TEXT NOT NULL,
    channel      TEXT NOT NULL,
    recipients   TEXT NOT NULL,             -- JSON list
    request      TEXT NOT NULL,             -- JSON, redacted
    outcome      TEXT NOT NULL DEFAULT 'pending',
    http_status  INTEGER,
    request_id   TEXT,
    items        TEXT NOT NULL DEFAULT '[]', -- JSON list
    latency_ms   REAL,
    error        TEXT,
    sandbox      INTEGER NOT NULL DEFAULT 0, -- sent to a sandbox: nobody received it
    pending_seconds REAL                    -- how long its send may be in flight (NULL: the
                                            -- journal's stale_after_seconds)
);
CREATE INDEX IF NOT EXISTS entries_created ON entries(created_at);
CREATE TABLE IF NOT EXISTS fingerprints (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    fp       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_fp ON fingerprints(fp);
"""
# Each entry's recipients, casefolded, one per line (rowid = the entry's id): any fragment of
# three or more characters is found through the index, shorter ones by a scan of this text only.
_RECIPIENT_INDEX = """
CREATE VIRTUAL TABLE IF NOT EXISTS recipient_index
    USING fts5(text, tokenize = 'trigram case_sensitive 1');
"""


def _indexed_text(recipients: list[str]) -> str:
    return "\n".join(r.casefold() for r in recipients)


def redact(value: Any) -> Any:
    """A copy of ``value`` with any secret-bearing or attachment-data key replaced."""
    if isinstance(value, dict):
        return {
            k: "<omitted>" if str(k).lower() in _REDACTED_KEYS else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def recipient_matcher(needle: str, *, region: str | None = None) -> Callable[[str], bool]:
    """Whether a recipient is one the user means by ``needle``, as typed into a History filter.

    Case-insensitive containment (``ANA@example`` finds ``ana@example.com``); a needle that
    looks like a phone number also matches by its digits (``+91 95914 71711`` finds
    ``919591471711``) and, read with ``region``, as the number it is (``095914 71711`` in IN).
    """
    folded, digits, phone_like, number = _needle(needle, region)

    def matches(recipient: str) -> bool:
        if folded in recipient.casefold():
            return True
        return phone_like and (digits in recipient or recipient == number)

    return matches


def _needle(needle: str, region: str | None) -> tuple[str, str, bool, str | None]:
    """(casefolded, its digits, whether it looks like a phone number, the number it is)."""
    from comms_tui.api.errors import InvalidInput

    needle = needle.strip()
    digits = "".join(c for c in needle if c.isdigit())
    phone_like = bool(digits) and all(c.isdigit() or c in " +-().\t" for c in needle)
    number: str | None = None
    if phone_like:
        from comms_tui.api.phones import normalise_phone

        with contextlib.suppress(InvalidInput):
            number = normalise_phone(needle, region).digits
    return needle.casefold(), digits, phone_like, number


def recipient_terms(needle: str, *, region: str | None = None) -> list[str]:
    """Fragments of which every recipient ``recipient_matcher`` accepts contains one (in its
    casefolded form): what the recipient index is asked for."""
    folded, digits, phone_like, number = _needle(needle, region)
    terms = [folded, *((digits, number or "") if phone_like else ())]
    return [t for t in dict.fromkeys(terms) if t]


def _recipients(raw: object) -> list[str]:
    """An entry's recipients as stored (JSON), read leniently: a damaged row has none."""
    value = _json(raw)
    return [str(r) for r in value if r is not None] if isinstance(value, list) else []


_EPOCH = datetime.fromtimestamp(0, tz=timezone.utc)


def _utc(ts: float | None) -> datetime | None:
    """A stored time; ``None`` for one no ``datetime`` can hold (a damaged row)."""
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _number(value: object) -> float | None:
    """A stored number (SQLite keeps whatever type was written: a damaged row may hold text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):  # a BLOB written by another program
        return value.decode("utf-8", "replace")
    return str(value)


def _json(raw: object) -> Any:
    """A stored JSON column; ``None`` if it is not JSON."""
    try:
        return json.loads(raw) if isinstance(raw, str | bytes) else None
    except (ValueError, RecursionError):
        return None


@dataclass(frozen=True)
class JournalEntry:
    id: int
    created_at: datetime
    completed_at: datetime | None
    profile: str
    host: str
    channel: str
    recipients: list[str]
    request: dict[str, Any]
    outcome: str  # pending | accepted | partial | failed | rejected | unknown
    http_status: int | None
    request_id: str | None
    items: list[dict[str, Any]]
    latency_ms: float | None
    error: str | None
    sandbox: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "profile": self.profile,
            "host": self.host,
            "channel": self.channel,
            "recipients": list(self.recipients),
            "request": self.request,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "items": list(self.items),
            "latency_ms": self.latency_ms,
            "error": self.error,
            "sandbox": self.sandbox,
        }


@dataclass(frozen=True)
class DuplicateGuard:
    """What ``Journal.begin`` checks in the same transaction that records the send, so that two
    processes sending the same message at once cannot both pass.

    ``fingerprints``: the new send's; ``acknowledged``: earlier entries the user already chose to
    send again over; ``counts``: the caller's rule for whether an earlier entry may have reached
    the recipients (an entry whose items for them all failed did not).
    """

    fingerprints: list[str]
    acknowledged: frozenset[int] = frozenset()
    counts: Callable[[JournalEntry], bool] = field(default=lambda _entry: True)
    window_seconds: float = 600


def _pending_until(table: str = "entries") -> str:
    """SQL for when an entry still pending is given up for ``unknown`` (its parameters: the
    default for a row that records no time of its own, then ``MAX_PENDING_SECONDS``): its own
    time when it holds a number, as ``Journal._pending_seconds`` reads it."""
    seconds = f"{table}.pending_seconds"
    return (
        f"({table}.created_at + CASE WHEN typeof({seconds}) NOT IN ('integer', 'real') THEN ?"
        f" ELSE min(max({seconds}, 0), ?) END)"
    )


def _add_column(db: sqlite3.Connection, definition: str) -> None:
    """Add a column to ``entries`` (a journal an older comms-tui wrote), unless another process
    opening the same journal has just done it."""
    try:
        db.execute(f"ALTER TABLE entries ADD COLUMN {definition}")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):
            raise


def _use_wal(db: sqlite3.Connection, patience: float = 10.0) -> None:
    """Switch the journal to WAL. The switch needs the file to itself and SQLite answers
    "locked" at once, without waiting the busy timeout, while another process is switching
    or reading it: so wait here, as long as any other statement would."""
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _damaged(path: Path, exc: sqlite3.Error) -> str:
    """What to say of a journal SQLite cannot use (random bytes, a truncated copy, another
    program's database): nothing is sent without a journal, so say how to start a new one."""
    import shlex

    aside = shlex.quote(f"{path}.damaged")
    return (
        f"the send journal at {path} cannot be used ({exc}). Move it aside to start a new one "
        f"(mv {shlex.quote(str(path))} {aside}): History then starts empty, and the duplicate "
        "check no longer knows the sends it recorded"
    )


class Journal:
    """Plain synchronous calls; each opens and closes its own connection."""

    def __init__(self, path: Path | None = None, *, stale_after_seconds: float = 60.0) -> None:
        """``stale_after_seconds``: how long a send may be in flight when its entry does not say
        (one an older comms-tui wrote)."""
        try:
            if path is None:
                from comms_tui.store.paths import data_dir

                path = data_dir() / JOURNAL_FILE_NAME
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Create the file 0600 ourselves: SQLite would use 0644, and its -wal/-shm copy our
            # mode.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        except IsADirectoryError:
            raise StoreError(
                f"cannot open the send journal at {path}: a folder is in its place. Move it "
                "aside: a new journal is then started"
            ) from None
        except OSError as exc:  # a data folder that cannot be written: nothing can be recorded
            from comms_tui.store.paths import DATA_DIR_ENV

            where = exc.filename or path or f"${DATA_DIR_ENV}"
            raise StoreError(
                f"cannot open the send journal at {where}: {exc.strerror or exc}. The data "
                f"folder must be writable (set {DATA_DIR_ENV} to use another one)"
            ) from None
        self.path = path
        self.stale_after_seconds = stale_after_seconds
        self._open()

    def _open(self) -> None:
        with self._connect(opening=True) as db:
            _use_wal(db)
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(entries)")}
            if "created_at" not in columns:  # another program's database under our name
                raise sqlite3.DatabaseError("it holds another program's tables")
            if "sandbox" not in columns:  # a journal written by comms-tui 0.1
                _add_column(db, "sandbox INTEGER NOT NULL DEFAULT 0")
            if "pending_seconds" not in columns:  # journals from before sends had their own
                _add_column(db, "pending_seconds REAL")
            try:
                db.executescript(_RECIPIENT_INDEX)
            except sqlite3.OperationalError:  # an SQLite without FTS5 or its trigrams: scan
                self.indexed = False
            else:
                self.indexed = True
                self._index_missing(db)

    @staticmethod
    def _index_missing(db: sqlite3.Connection) -> None:
        """Index the entries written since the index was (an older comms-tui wrote them, or
        none was there yet): once, in one transaction (another process may be doing the same:
        what is missing is looked up again inside it)."""

        def missing() -> list[sqlite3.Row]:
            last = db.execute("SELECT max(rowid) FROM recipient_index").fetchone()[0] or 0
            return db.execute(
                "SELECT id, recipients FROM entries WHERE id > ? ORDER BY id", (last,)
            ).fetchall()

        if not missing():
            return
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO recipient_index (rowid, text) VALUES (?, ?)",
            [(row["id"], _indexed_text(_recipients(row["recipients"]))) for row in missing()],
        )
        db.execute("COMMIT")

    @contextlib.contextmanager
    def _connect(self, *, opening: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection; every SQLite error a ``StoreError``. ``opening``: one that is not
        about another process holding the file says the file cannot be used, and what to do."""
        try:
            db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the send journal {self.path}: {exc}") from None
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = FULL")  # a begun send must survive a crash
            yield db
        except sqlite3.Error as exc:
            if opening and "locked" not in str(exc) and "busy" not in str(exc):
                raise StoreError(_damaged(self.path, exc)) from None
            raise StoreError(f"the send journal {self.path} failed: {exc}") from None
        finally:
            db.close()

    def begin(
        self,
        *,
        profile: str,
        host: str,
        channel: str,
        recipients: builtins.list[str],
        request: dict[str, Any],
        fingerprints: builtins.list[str],
        sandbox: bool = False,
        guard: DuplicateGuard | None = None,
        pending_seconds: float | None = None,
    ) -> int:
        """Record a send about to go out; committed before this returns.

        ``pending_seconds``: how long this send may be in flight (its connect and read
        timeouts); still pending after that, its process died mid-send and it reads unknown.
        Without it, the journal's ``stale_after_seconds`` applies.

        With a ``guard``, raises ``DuplicateSend`` instead when an earlier send it has not been
        told about matches: checked and recorded in one ``BEGIN IMMEDIATE`` transaction, which
        SQLite serialises across processes.
        """
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # closing without COMMIT rolls back
            now = time.time()
            if guard is not None:
                found = [
                    entry
                    for entry in self._duplicates(db, guard.fingerprints, now, guard.window_seconds)
                    if entry.id not in guard.acknowledged and guard.counts(entry)
                ]
                if found:
                    raise DuplicateSend(found)
            cursor = db.execute(
                "INSERT INTO entries (created_at, profile, host, channel, recipients, request,"
                " sandbox, pending_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    profile,
                    host,
                    channel.lower(),
                    json.dumps(list(recipients)),
                    json.dumps(redact(request)),
                    int(sandbox),
                    pending_seconds,
                ),
            )
            entry_id = cursor.lastrowid
            assert entry_id is not None
            if self.indexed:
                db.execute(
                    "INSERT INTO recipient_index (rowid, text) VALUES (?, ?)",
                    (entry_id, _indexed_text(list(recipients))),
                )
            db.executemany(
                "INSERT INTO fingerprints (entry_id, fp) VALUES (?, ?)",
                [(entry_id, fp) for fp in dict.fromkeys(fingerprints)],
            )
            db.execute("COMMIT")
        return entry_id

    def complete(
        self,
        entry_id: int,
        *,
        outcome: str,
        http_status: int | None,
        request_id: str | None,
        items: builtins.list[dict[str, Any]],
        latency_ms: float | None,
        error: str | None,
    ) -> None:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(sorted(FINAL_OUTCOMES))}")
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE entries SET completed_at = ?, outcome = ?, http_status = ?,"
                " request_id = ?, items = ?, latency_ms = ?, error = ? WHERE id = ?",
                (
                    time.time(),
                    outcome,
                    http_status,
                    request_id,
                    json.dumps(redact(items)),
                    latency_ms,
                    error,
                    entry_id,
                ),
            )
            if cursor.rowcount != 1:
                raise StoreError(f"no journal entry #{entry_id} in {self.path}")

    def search(
        self,
        *,
        recipient: str = "",
        channel: str | None = None,
        outcome: str | None = None,
        limit: int = 50,
        before: int | None = None,
        scan_limit: int = RECIPIENT_SCAN_LIMIT,
        region: str | None = None,
    ) -> tuple[builtins.list[JournalEntry], bool]:
        """(entries newest first, whether more match than ``limit``): the History filter of both
        front-ends. A ``recipient`` is matched as ``recipient_matcher`` says, in every entry
        (through the recipient index; without one, in the newest ``scan_limit``). ``before``:
        only entries older than that id (the next page)."""
        needle = recipient.strip()
        if not needle:
            entries = self.list(limit + 1, channel=channel, outcome=outcome, before=before)
        elif not self.indexed:
            scanned = self.list(scan_limit, channel=channel, outcome=outcome, before=before)
            matches = recipient_matcher(needle, region=region)
            entries = [e for e in scanned if any(matches(r) for r in e.recipients)]
        else:
            entries = self._search_index(needle, region, channel, outcome, limit + 1, before)
        return entries[:limit], len(entries) > limit

    def _search_index(
        self,
        needle: str,
        region: str | None,
        channel: str | None,
        outcome: str | None,
        wanted: int,
        before: int | None,
    ) -> builtins.list[JournalEntry]:
        """Up to ``wanted`` matching entries, newest first: the index names candidates (every
        match among them), each checked by ``recipient_matcher`` itself."""
        matches = recipient_matcher(needle, region=region)
        terms = recipient_terms(needle, region=region)
        if all(len(term) >= 3 for term in terms):  # trigrams: the index finds them
            phrases = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
            candidates_sql = "recipient_index MATCH ?"
            candidate_params: builtins.list[object] = [phrases]
        else:  # a fragment shorter than a trigram: a scan of the recipients alone
            candidates_sql = " OR ".join("instr(text, ?) > 0" for _ in terms)
            candidate_params = builtins.list(terms)
        if before is not None:
            candidates_sql = f"({candidates_sql}) AND rowid < ?"
            candidate_params.append(before)
        where, params, now = self._filters(channel, outcome)
        found: builtins.list[JournalEntry] = []
        with self._connect() as db:
            hits = db.execute(
                f"SELECT rowid FROM recipient_index WHERE {candidates_sql} ORDER BY rowid DESC",
                candidate_params,
            )
            while len(found) < wanted and (
                batch := [r[0] for r in hits.fetchmany(_CANDIDATE_BATCH)]
            ):
                marks = ",".join("?" * len(batch))
                sql = " AND ".join([f"id IN ({marks})", *where])
                rows = db.execute(
                    f"SELECT * FROM entries WHERE {sql} ORDER BY id DESC", (*batch, *params)
                ).fetchall()
                for row in rows:
                    if any(matches(r) for r in _recipients(row["recipients"])):
                        found.append(self._entry(row, now))
        return found[:wanted]

    def get(self, entry_id: int) -> JournalEntry | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row, time.time()) if row else None

    def list(
        self,
        limit: int = 50,
        *,
        channel: str | None = None,
        recipient: str | None = None,
        outcome: str | None = None,
        before: int | None = None,
    ) -> builtins.list[JournalEntry]:
        """Newest first (older than the id ``before``, if given)."""
        where, params, now = self._filters(channel, outcome)
        if recipient:
            where.append("EXISTS (SELECT 1 FROM json_each(entries.recipients) WHERE value = ?)")
            params.append(recipient)
        if before is not None:
            where.append("id < ?")
            params.append(before)
        sql = "SELECT * FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(sql, (*params, max(0, limit))).fetchall()
        return [self._entry(row, now) for row in rows]

    def _filters(
        self, channel: str | None, outcome: str | None
    ) -> tuple[builtins.list[str], builtins.list[object], float]:
        """(SQL conditions, their parameters, the time "pending" is judged at)."""
        now = time.time()
        where: builtins.list[str] = []
        params: builtins.list[object] = []
        if channel:
            where.append("channel = ?")
            params.append(channel.lower())
        if outcome == "unknown":
            where.append(
                f"(outcome = 'unknown' OR (outcome = 'pending' AND {_pending_until()} < ?))"
            )
            params.extend((self.stale_after_seconds, MAX_PENDING_SECONDS, now))
        elif outcome == "pending":
            where.append(f"outcome = 'pending' AND {_pending_until()} >= ?")
            params.extend((self.stale_after_seconds, MAX_PENDING_SECONDS, now))
        elif outcome:
            where.append("outcome = ?")
            params.append(outcome)
        return where, params, now

    def find_duplicates(
        self,
        fingerprints: builtins.list[str],
        *,
        window_seconds: float = 600,
        now: datetime | None = None,
    ) -> builtins.list[JournalEntry]:
        """Earlier sends of the same content to the same recipient on the same channel: any not
        rejected/failed in the window, plus any whose outcome is unknown within 24 h."""
        if now is None:
            now_ts = time.time()
        else:
            now_ts = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).timestamp()
        with self._connect() as db:
            return self._duplicates(db, fingerprints, now_ts, window_seconds)

    def _duplicates(
        self,
        db: sqlite3.Connection,
        fingerprints: builtins.list[str],
        now_ts: float,
        window_seconds: float,
    ) -> builtins.list[JournalEntry]:
        window_start = now_ts - window_seconds
        found: dict[int, JournalEntry] = {}
        unique = list(dict.fromkeys(fingerprints))
        for start in range(0, len(unique), 500):  # stay under SQLite's variable limit
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"""SELECT DISTINCT e.* FROM entries e JOIN fingerprints f ON f.entry_id = e.id
                WHERE f.fp IN ({marks}) AND e.created_at <= ? AND (
                    (e.created_at >= ? AND e.outcome NOT IN ('rejected', 'failed'))
                    OR (e.created_at >= ? AND (e.outcome = 'unknown'
                        OR (e.outcome = 'pending' AND {_pending_until("e")} < ?))))""",
                (
                    *chunk,
                    now_ts,
                    window_start,
                    now_ts - UNKNOWN_LOOKBACK_SECONDS,
                    self.stale_after_seconds,
                    MAX_PENDING_SECONDS,
                    now_ts,
                ),
            ).fetchall()
            for row in rows:
                found[row["id"]] = self._entry(row, now_ts)
        return sorted(found.values(), key=lambda e: e.id, reverse=True)

    def _pending_seconds(self, row: sqlite3.Row) -> float:
        """How long the entry's send may be in flight: its own time (a damaged one bounded),
        else the journal's default."""
        seconds = _number(row["pending_seconds"])
        if seconds is None:
            return self.stale_after_seconds
        return min(max(seconds, 0.0), MAX_PENDING_SECONDS)

    def _entry(self, row: sqlite3.Row, now: float) -> JournalEntry:
        """An entry as stored, read leniently: the file is the user's, and a row damaged by
        hand or by another program shows what it still holds (a time it cannot read as the
        epoch, an outcome it cannot read as unknown) instead of failing every listing."""
        created_ts = _number(row["created_at"])
        outcome = _text(row["outcome"]) or "unknown"
        if outcome not in OUTCOMES:
            outcome = "unknown"
        if outcome == "pending" and (created_ts or 0) + self._pending_seconds(row) < now:
            outcome = "unknown"  # the process that began it never completed it
        request = _json(row["request"])
        items = _json(row["items"])
        status = _number(row["http_status"])
        return JournalEntry(
            id=row["id"],
            created_at=_utc(created_ts) or _EPOCH,
            completed_at=_utc(_number(row["completed_at"])),
            profile=_text(row["profile"]) or "",
            host=_text(row["host"]) or "",
            channel=_text(row["channel"]) or "",
            recipients=_recipients(row["recipients"]),
            request=request if isinstance(request, dict) else {},
            outcome=outcome,
            http_status=int(status) if status is not None else None,
            request_id=_text(row["request_id"]),
            items=[i for i in items if isinstance(i, dict)] if isinstance(items, list) else [],
            latency_ms=_number(row["latency_ms"]),
            error=_text(row["error"]),
            sandbox=bool(row["sandbox"]),
        )
