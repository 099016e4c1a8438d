"""Randomised keyboard sessions against the TUI: the app must survive any sequence of keys.

Each session is seeded: a ``random.Random(seed)`` draws keys from the app's own bindings
(collected at run time from every screen and widget in ``comms_tui.tui``, and from what the
screen on top offers at that moment, so a new key is covered as soon as it is bound), from
navigation and function keys, from text — phone numbers, the sandbox's magic recipients,
Unicode, markup-like strings, escape sequences — typed key by key or pasted; from bytes as a
terminal sends them, read by Textual's own parser (ESC+digit, bursts); and now and then the
window is resized to another of the four sizes. The app runs against an embedded sandbox whose
slow recipient stalls 1 s, not 40.

A session fails on an unhandled exception, on the app leaving when nobody asked (quitting is
refused: ctrl+q is never pressed and the palette's Quit does nothing), or on a key that takes
longer than ``KEY_TIMEOUT_SECONDS``. The failure names the seed, the size and the last keys;
``--seed S --size WxH --keys N`` replays that session.

    python tests/monkey.py --minutes 30       # sessions, the sizes in turn, until the time is up
    python tests/monkey.py --minutes 30 --jobs 3   # three processes side by side
    python tests/monkey.py --seed 7 --size 80x24 --keys 400

The suite runs a bounded set (``tests/tui/test_monkey.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import inspect
import itertools
import os
import pkgutil
import random
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root is the import root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.pilot import Pilot

from comms_tui.core.session import Session
from comms_tui.sandbox.rules import MAGIC_RECIPIENTS, SandboxConfig
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.tui.app import CommsApp, make_app

SIZES: tuple[tuple[int, int], ...] = ((60, 20), (80, 24), (120, 40), (200, 60))
KEY_TIMEOUT_SECONDS = 5.0  # one key (or one typed string) and everything it sets off
LAST_KEYS_SHOWN = 40
SLOW_SECONDS = 1.0  # the sandbox's slow recipient: a send in flight, not a 40 s stall
QUIT_ACTIONS = {"quit", "app.quit", "request_quit", "app.request_quit"}
NEVER_PRESSED = {"ctrl+q"}

NAVIGATION = (
    "tab", "shift+tab", "up", "down", "left", "right", "home", "end", "pageup", "pagedown",
    "enter", "escape", "backspace", "delete", "space", "insert",
    "shift+up", "shift+down", "shift+left", "shift+right", "ctrl+left", "ctrl+right",
    "ctrl+home", "ctrl+end", "ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w", "ctrl+x",
    "ctrl+v", "ctrl+y", "ctrl+z", "ctrl+c", "ctrl+d", "ctrl+f", "ctrl+g",
    *(f"f{n}" for n in range(1, 13)),
    *(f"alt+{n}" for n in range(1, 10)),
)  # fmt: skip

MARKUP_LIKE = (
    "[/]", "[@click=app.quit]x[/]", "[b]bold", "[red]red[/red]", "$text-error", "[", "]",
    "\\[b]", "[link=https://example.com]x[/link]", "{otp}", "{", "}", "%s %d", "${HOME}",
    "[on red]", "[/b][/i][/]", "[@click=screen.dismiss]y",
)  # fmt: skip
UNICODE = (
    "héllo", "日本語のテキスト", "עברית", "مرحبا", "😀👍🏽👨‍👩‍👧", "e\u0301", "\u200b\u200d",
    "\ufeff", "\u202eevil", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "ß", "ﬁ", "İ", "\u00a0", "𝕏", "Ω≈ç√∫",
    "🫨\u3000", "\u200f\u00ad\uf8ff",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # a flag: tag characters
)  # fmt: skip
CONTROL = (
    "\x1b[31m", "\x1b]0;title\x07", "\x1b[2J", "\x1b[6n", "\x07", "\r\n", "\t", "\x00",
    "\x7f", "\x1b", "\x9b31m", "\x1bP+q\x1b\\",
)  # fmt: skip
PHONES = (
    "919591471711", "+91 95914 71711", "+65 8123 4567", "12025550123", "0", "+", "911",
    "919591471711, 919591471712", "919591471711 919591471712;919591471713",
    *(m.digits for m in MAGIC_RECIPIENTS),
)  # fmt: skip
# Bytes as a terminal sends them, through Textual's own parser (Pilot's keys skip it): alt+digit
# and alt+enter as ESC-prefixed (``tui/keys.py``), ESC then digits the app does not bind,
# CSI keys, a burst typed in one read, bracketed paste.
TERMINAL_BYTES = (
    *(f"\x1b{n}" for n in range(10)), "\x1b\r", "\x1b12", "\x1b\x1b1", "\x1bx", "\x1b[1;3A",
    "\x1b[A", "\x1b[B", "\x1b[Z", "\x1b[3~", "\x1b[5~", "\x1bOP", "\x1b[15~", "\x1b[1;5C",
    "919591471711\tHello\r", "\x1b[200~pasted [b]text[/b]\x1b[201~", "\x1b[200~\x1b[201~",
    "\x1b", "\x1b[", "\x1b[999;999R", "\x1b[<0;10;5M\x1b[<0;10;5m", "\x1b[I", "\x1b[O",
)  # fmt: skip
EMAILS = ("a@example.com", "x@y", "@", *(f"{m.digits}@example.com" for m in MAGIC_RECIPIENTS))
WORDS = (
    "hello", "OTP", "Your code is 747977", "now", "+15m", "tomorrow 09:00", "2026-11-27T10:00",
    "yesterday", "CAPNTH", "NRTHSMS", "otp", "sandbox", "TILL:south.till", " ", "  x  ",
)  # fmt: skip


# ------------------------------------------------------------------------------- the key vocabulary


@cache
def bound_keys() -> tuple[str, ...]:
    """Every key bound by a screen or widget in ``comms_tui.tui`` (and the app), found now."""
    import comms_tui.tui

    keys: set[str] = set()
    for module_info in pkgutil.walk_packages(comms_tui.tui.__path__, "comms_tui.tui."):
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:  # a platform's driver (the terminal driver needs termios)
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("comms_tui."):
                for binding in cls.BINDINGS:
                    keys.update(_keys_of(binding))
    keys.update(_keys_of(CommsApp.COMMAND_PALETTE_BINDING))
    return tuple(sorted(keys - NEVER_PRESSED))


def _keys_of(binding: object) -> list[str]:
    if isinstance(binding, Binding):
        key, action = binding.key, binding.action
    elif isinstance(binding, tuple) and len(binding) >= 2:
        key, action = str(binding[0]), str(binding[1])
    else:
        key, action = str(binding), ""
    if action in QUIT_ACTIONS:
        return []
    return [k.strip() for k in key.split(",") if k.strip() and k.strip() not in NEVER_PRESSED]


def active_keys(app: CommsApp) -> list[str]:
    """What the screen on top offers now (its widgets', its own and the app's bindings)."""
    try:
        active = app.screen.active_bindings
    except Exception:  # no screen yet: nothing to offer
        return []
    return [
        key
        for key, found in active.items()
        if key not in NEVER_PRESSED and found.binding.action not in QUIT_ACTIONS
    ]


@dataclass(frozen=True)
class Step:
    """One thing a user does: ``keys`` pressed in turn, ``paste`` (bracketed paste), or
    ``raw`` bytes from the terminal, read by Textual's parser and handed over in one burst."""

    keys: tuple[str, ...] = ()
    paste: str | None = None
    raw: str | None = None
    resize: tuple[int, int] | None = None  # the window resized (then back, next session)

    def __str__(self) -> str:
        if self.resize is not None:
            return f"resize to {self.resize[0]}x{self.resize[1]}"
        if self.raw is not None:
            return f"bytes {self.raw!r}"
        if self.paste is not None:
            return f"paste {self.paste[:60]!r}{'…' if len(self.paste) > 60 else ''}"
        if len(self.keys) == 1:
            return self.keys[0]
        return "type " + repr("".join(_char_of(k) for k in self.keys))


def _char_of(key: str) -> str:
    return key if len(key) == 1 else f"<{key}>"


def _text_keys(text: str) -> tuple[str, ...]:
    """Keys for typing ``text`` (Pilot names a character's key as the terminal parser would)."""
    return tuple(text)


def choose(rng: random.Random, app: CommsApp) -> Step:
    roll = rng.random()
    if roll < 0.30:
        offered = active_keys(app)
        if offered:
            return Step((rng.choice(offered),))
    if roll < 0.42:
        return Step((rng.choice(bound_keys()),))
    if roll < 0.60:
        return Step((rng.choice(NAVIGATION),))
    if roll < 0.605:
        return Step(resize=rng.choice(SIZES))
    if roll < 0.64:
        escape_digits = ("escape", *rng.choice(("1", "2", "3", "4", "12", "9")))
        return Step(escape_digits) if rng.random() < 0.3 else Step(raw=rng.choice(TERMINAL_BYTES))
    if roll < 0.92:
        pool = rng.choice((PHONES, PHONES, EMAILS, WORDS, WORDS, UNICODE, MARKUP_LIKE, CONTROL))
        text = rng.choice(pool)
        if rng.random() < 0.2:
            text += rng.choice(WORDS)
        return Step(_text_keys(text))
    pool = rng.choice((PHONES, UNICODE, MARKUP_LIKE, CONTROL, WORDS))
    text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
    if rng.random() < 0.1:
        text *= rng.randint(50, 2000)  # a big paste: some kilobytes
    return Step(paste=text)


# ------------------------------------------------------------------------------------ a session


@dataclass
class SessionResult:
    seed: int
    size: tuple[int, int]
    steps: int = 0
    keys: int = 0
    failure: str | None = None
    last: deque[str] = field(default_factory=lambda: deque(maxlen=LAST_KEYS_SHOWN))

    @property
    def replay(self) -> str:
        width, height = self.size
        return (
            f"python tests/monkey.py --seed {self.seed} --size {width}x{height} --keys {self.steps}"
        )

    def report(self) -> str:
        width, height = self.size
        return (
            f"monkey session seed={self.seed} size={width}x{height} failed after "
            f"{self.steps} steps ({self.keys} keys): {self.failure}\n"
            f"last steps, oldest first:\n  " + "\n  ".join(self.last) + f"\nreplay: {self.replay}"
        )


class Monkey:
    """Sessions against one embedded sandbox, each with its own journal and drafts."""

    def __init__(self, sandbox: EmbeddedSandbox, workdir: Path) -> None:
        self.sandbox = sandbox
        self.workdir = workdir

    async def session(self, seed: int, size: tuple[int, int], steps: int) -> SessionResult:
        result = SessionResult(seed, size)
        rng = random.Random(seed)
        home = Path(tempfile.mkdtemp(prefix=f"monkey-{seed}-", dir=self.workdir))
        self.sandbox.state.reset()
        app = make_app(
            session=Session.for_sandbox(self.sandbox),
            journal=Journal(home / "history.sqlite3"),
            drafts_path=home / "drafts.json",
        )
        guard = ExitGuard(app)
        with _files_for_the_picker(home), _loop_watchdog(result):
            try:
                async with app.run_test(size=size) as pilot:
                    await _connected(pilot)
                    for _ in range(steps):
                        step = choose(rng, app)
                        result.last.append(str(step))
                        result.steps += 1
                        result.keys += len(step.keys) or 1
                        result.failure = await _take(pilot, app, step) or guard.broken()
                        if result.failure:
                            break
                        if result.steps % 50 == 0:  # now and then, let sends finish
                            await pilot.pause(0.2)
            except Exception as exc:  # the app's own exception, re-raised by run_test
                if result.failure is None:
                    result.failure = _described(exc)
        return result


class ExitGuard:
    """Quitting is refused (the session goes on); any other way out is noted, with where from."""

    def __init__(self, app: CommsApp) -> None:
        self.app = app
        self.unasked: str | None = None
        real_exit = app.exit

        async def refuse_quit() -> None:
            app.notify("(monkey) quit refused")

        def noted_exit(*args: Any, **kwargs: Any) -> None:
            self.unasked = self.unasked or "".join(traceback.format_stack(limit=10))
            real_exit(*args, **kwargs)

        app.action_quit = refuse_quit  # type: ignore[method-assign]
        app.exit = noted_exit  # type: ignore[method-assign]

    def broken(self) -> str | None:
        app = self.app
        if app._exception is not None:
            return _described(app._exception)
        if self.unasked is not None:
            return "the app left though nobody asked it to, from:\n" + self.unasked
        if not app.is_running:
            return "the app stopped running"
        return None


@contextlib.contextmanager
def _loop_watchdog(result: SessionResult) -> Iterator[None]:
    """A blocked event loop cannot time a key out: a thread watches a heartbeat instead, and
    ends the process with the report (and every thread's stack) if the loop stops beating."""
    import faulthandler
    import threading

    loop = asyncio.get_running_loop()
    beat = [time.monotonic()]
    done = threading.Event()

    def heartbeat() -> None:
        beat[0] = time.monotonic()
        if not done.is_set():
            loop.call_later(0.1, heartbeat)

    def watch() -> None:
        while not done.wait(0.5):
            if time.monotonic() - beat[0] > KEY_TIMEOUT_SECONDS * 2:
                result.failure = (
                    f"the event loop has been blocked for {KEY_TIMEOUT_SECONDS * 2:g} s"
                )
                print(result.report(), file=sys.stderr, flush=True)
                faulthandler.dump_traceback(sys.__stderr__ or 2, all_threads=True)
                os._exit(3)

    heartbeat()
    watcher = threading.Thread(target=watch, name="monkey-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


@contextlib.contextmanager
def _files_for_the_picker(home: Path) -> Iterator[None]:
    """The attachment picker browses a folder of its own: a few files, odd names included."""
    files = home / "files"
    files.mkdir()
    (files / "note.txt").write_text("hello\n")
    (files / "[@click=app.quit]x[b].txt").write_text("x")
    (files / "esc\x1b[31mred\nline.txt").write_text("y")
    (files / "bin.dat").write_bytes(os.urandom(200_000))
    (files / "empty").write_bytes(b"")
    before_cwd, before_home = Path.cwd(), os.environ.get("HOME")
    os.chdir(files)
    os.environ["HOME"] = str(home)
    try:
        yield
    finally:
        os.chdir(before_cwd)
        if before_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = before_home


async def _connected(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, CommsApp)
    deadline = time.monotonic() + 20
    while app.session is None and time.monotonic() < deadline:
        await pilot.pause(0.02)


async def _take(pilot: Pilot[None], app: CommsApp, step: Step) -> str | None:
    """Do ``step``; why it failed, if it did."""
    started = time.monotonic()
    try:
        if step.resize is not None:
            await asyncio.wait_for(pilot.resize_terminal(*step.resize), KEY_TIMEOUT_SECONDS)
        elif step.paste is not None or step.raw is not None:
            driver = app._driver
            assert driver is not None
            for event in _from_terminal(step):
                event.set_sender(app)
                driver.send_message(event)
            await asyncio.wait_for(pilot.pause(), KEY_TIMEOUT_SECONDS)
            await asyncio.wait_for(pilot.pause(0.05), KEY_TIMEOUT_SECONDS)
        else:
            for key in step.keys:
                await asyncio.wait_for(pilot.press(key), KEY_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        return f"{step} took longer than {KEY_TIMEOUT_SECONDS:g} s (the app stopped answering)"
    except Exception as exc:
        if app._exception is not None:
            return _described(app._exception)
        return f"{step} raised {_described(exc)}"
    if (took := time.monotonic() - started) > KEY_TIMEOUT_SECONDS * max(1, len(step.keys)):
        return f"{step} took {took:.1f} s"
    return None


def _from_terminal(step: Step) -> list[Message]:
    """The events a terminal's driver would post for ``step`` (a paste, or raw bytes)."""
    if step.raw is None:
        return [events.Paste(step.paste or "")]
    parser = XTermParser()
    return [*parser.feed(step.raw), *parser.feed("")]  # "" ends the input: a lone ESC is escape


def _described(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


# ----------------------------------------------------------------------------------- the command


def monkey_sandbox() -> EmbeddedSandbox:
    return EmbeddedSandbox(
        SandboxConfig(slow_seconds=SLOW_SECONDS, rate_limit_per_minute=1_000_000)
    )


async def run(
    *, minutes: float | None, seed: int | None, sizes: list[tuple[int, int]], steps: int
) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="comms-tui-monkey-"))
    os.environ.setdefault("COMMS_TUI_DATA_DIR", str(workdir / "data"))
    os.environ.setdefault("COMMS_TUI_CONFIG_DIR", str(workdir / "config"))
    sessions = keys = 0
    failures: list[SessionResult] = []
    started = time.monotonic()
    next_seed = seed if seed is not None else random.SystemRandom().randrange(1 << 31)
    with monkey_sandbox() as sandbox:
        monkey = Monkey(sandbox, workdir)
        for index in itertools.count():  # the sizes in turn, one seed each
            size = sizes[index % len(sizes)]
            result = await monkey.session(next_seed, size, steps)
            sessions += 1
            keys += result.keys
            status = "FAILED" if result.failure else "ok"
            print(
                f"seed={result.seed} size={size[0]}x{size[1]} steps={result.steps} "
                f"keys={result.keys} {status}",
                flush=True,
            )
            if result.failure:
                failures.append(result)
                print(result.report(), flush=True)
            next_seed += 1
            if minutes is None and index + 1 == len(sizes):
                break
            if minutes is not None and time.monotonic() - started > minutes * 60:
                break
    elapsed = time.monotonic() - started
    first = seed if seed is not None else next_seed - sessions
    print(
        f"{sessions} sessions, {keys} keys in {elapsed / 60:.1f} min: {len(failures)} failed"
        f" (seeds {first}-{next_seed - 1}; sizes "
        + ", ".join(f"{w}x{h}" for w, h in sizes)
        + ")"
        + "".join(f"\n  {f.replay}" for f in failures)
    )
    return 1 if failures else 0


def run_jobs(jobs: int, argv: list[str], seed: int) -> int:
    """``jobs`` processes side by side, each from its own seed (a Pilot session mostly waits
    for the app to be idle, so a few run at once on two cores); their summaries added up."""
    import re
    import subprocess
    import threading

    totals = [0, 0, 0]  # sessions, keys, failed
    replays: list[str] = []
    lock = threading.Lock()

    def follow(job: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(f"[{job}] {line}", end="", flush=True)
            if found := re.match(r"(\d+) sessions, (\d+) keys in .*: (\d+) failed", line):
                with lock:
                    for i in range(3):
                        totals[i] += int(found.group(i + 1))
            elif line.startswith("  python tests/monkey.py"):
                with lock:
                    replays.append(line.strip())

    started = time.monotonic()

    def start(job: int) -> subprocess.Popen[str]:
        command = [
            sys.executable,
            __file__,
            *argv,
            "--jobs",
            "1",
            "--seed",
            str(seed + job * 100_003),
        ]
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    procs = [start(job) for job in range(jobs)]
    followers = [threading.Thread(target=follow, args=pair) for pair in enumerate(procs)]
    for follower in followers:
        follower.start()
    codes = [proc.wait() for proc in procs]
    for follower in followers:
        follower.join()
    sessions, keys, failed = totals
    minutes = (time.monotonic() - started) / 60
    print(
        f"all {jobs} jobs: {sessions} sessions, {keys} keys in {minutes:.1f} min: {failed} failed"
        + "".join(f"\n  {replay}" for replay in replays)
    )
    return 1 if failed or any(codes) else 0


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, help="keep starting sessions this long")
    parser.add_argument("--seed", type=int, help="the first session's seed (then +1 each)")
    parser.add_argument(
        "--size", type=_size, action="append", help="WxH (repeatable; default: all four)"
    )
    parser.add_argument(
        "--keys", type=int, default=400, help="steps per session (~3.5 keys a step)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes side by side")
    args = parser.parse_args(argv)
    if args.jobs > 1:
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
        passed = _without(list(argv if argv is not None else sys.argv[1:]), "--jobs", "--seed")
        return run_jobs(args.jobs, passed, seed)
    return asyncio.run(
        run(minutes=args.minutes, seed=args.seed, sizes=args.size or list(SIZES), steps=args.keys)
    )


def _without(argv: list[str], *options: str) -> list[str]:
    """``argv`` less these options and their values (``--opt V`` or ``--opt=V``)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in options)):
            kept.append(arg)
    return kept


if __name__ == "__main__":
    sys.exit(main())
