"""Pick a file to attach: a directory tree, a path input that completes, and the size budget.

Everything that touches the file system runs off the event loop: completion in a thread via
``asyncio.to_thread``, the size check and the base64 encoding in thread workers. The encoder
reports progress from its thread; updates are throttled so a 10 MB file does not flood the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import Button, DirectoryTree, Input, ProgressBar, Static
from textual.worker import get_current_worker

from comms_tui.api.attachments import (
    Attachment,
    AttachmentBudget,
    AttachmentError,
    encoded_size,
    file_type_for,
    human_size,
    load_attachment,
    same_file,
    typed_path,
)
from comms_tui.core.text import visible
from comms_tui.store.drafts import DraftAttachment
from comms_tui.tui.plain import plain, shown
from comms_tui.tui.widgets.plain_input import PlainInput

PROGRESS_FROM_BYTES = 1024 * 1024  # smaller files encode in a blink: no bar
PROGRESS_INTERVAL = 0.05  # seconds between progress updates from the encoder thread
INSPECT_DELAY = 0.15  # debounce for the size check while typing
COMPLETION_SCAN_LIMIT = 5000  # entries read per directory when completing
DEFAULT_BUDGET = AttachmentBudget()  # frozen, so one shared default is safe


def complete_path(value: str) -> str | None:
    """``value`` extended to the first matching entry of its directory (``/`` after a folder)."""
    if "\0" in value:  # no file has such a name (and the system refuses to look)
        return None
    directory, prefix = os.path.split(os.path.expanduser(value))
    if not prefix:
        return None
    matches: list[tuple[str, bool]] = []
    try:
        with os.scandir(directory or ".") as entries:
            for count, entry in enumerate(entries):
                if count >= COMPLETION_SCAN_LIMIT:
                    break
                hidden_ok = prefix.startswith(".") or not entry.name.startswith(".")
                # An Input draws its completion raw: never offer a name a terminal would obey.
                drawable = visible(entry.name) == entry.name
                if (
                    entry.name.startswith(prefix)
                    and entry.name != prefix
                    and hidden_ok
                    and drawable
                ):
                    matches.append((entry.name, entry.is_dir()))
    except OSError:
        return None
    if not matches:
        return None
    name, is_dir = min(matches)
    return value + name[len(prefix) :] + ("/" if is_dir else "")


class PathSuggester(Suggester):
    """Completes file-system paths; listing a directory can be slow, so it runs in a thread."""

    def __init__(self) -> None:
        # No cache: the directory may change while the picker is open.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


@dataclass(frozen=True)
class FileCheck:
    """What the picker knows about a path before encoding it."""

    path: str
    problem: str | None = None
    folder: bool = False
    size: int = 0
    file_type: str = ""
    attached: str | None = None  # the path the message has this file attached from


def check_file(path: str, shown: str | None = None, attached: Collection[str] = ()) -> FileCheck:
    """Blocking (stat, and maybe sniffing the first bytes): call from a thread. The check is
    for ``shown`` (the path as typed) when given; ``attached``: the files attached already."""
    try:
        target = typed_path(path)
    except AttachmentError as exc:  # no file can be there (``~nosuchuser``, a NUL)
        problem = exc.message[:1].upper() + exc.message[1:] + "."
        return FileCheck(shown if shown is not None else path, problem=problem)
    path = shown if shown is not None else path
    try:
        info = target.stat()
    except FileNotFoundError:
        return FileCheck(path, problem="No such file.")
    except OSError as exc:
        return FileCheck(path, problem=f"Can't be read: {exc.strerror or exc}.")
    if stat.S_ISDIR(info.st_mode):
        return FileCheck(path, folder=True)
    if not stat.S_ISREG(info.st_mode):
        return FileCheck(path, problem="Not a regular file.")
    return FileCheck(
        path,
        size=info.st_size,
        file_type=file_type_for(target),
        attached=same_file(target, attached),
    )


def shown_name(path: str) -> str:
    """A file's name as the picker shows it: plain, one line, control characters visible."""
    return shown(Path(path).name or path, 200, newlines=False)


def attached_already(path: str, attached: str) -> str:
    """What the picker says of a file the message has already (two copies would go out, and
    count twice against its size limit)."""
    name, as_name = Path(path).name or path, Path(attached).name or attached
    return f"{name} is attached already" + (f", as {as_name}." if as_name != name else ".")


def display_path(path: Path) -> str:
    """``~/Documents`` rather than ``/home/me/Documents``."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


class _Cancelled(Exception):
    """Raised from the progress callback to stop encoding once the picker is gone."""


class PickerTree(DirectoryTree):
    """A DirectoryTree that asks "is this a directory?" once per entry, and shows names as they
    are.

    Textual's asks while sorting (in the loader thread) and again for every entry while adding
    the nodes (on the event loop): a stat per entry that stalls the UI in a Downloads folder.
    And it reads a name as Rich markup: a file called ``[/x]`` would stop the picker, and
    ``[@click=app.quit]`` would be a button. Here a name is plain text, control characters and
    bidi overrides made visible.
    """

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._is_dir: dict[Path, bool] = {}

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, str):
            label = Text(shown(label, 200, newlines=False))
        return label.split()[0]

    def _safe_is_dir(self, path: Path) -> bool:  # type: ignore[override]
        known = self._is_dir.get(path)
        if known is None:
            known = self._is_dir[path] = DirectoryTree._safe_is_dir(path)
        return known


class AttachmentPickerScreen(ModalScreen["Attachment | None"]):
    """Choose and encode one file; dismisses with the ``Attachment``, or None on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        # In the tree (the path field takes backspace for itself): the folder above.
        Binding("backspace", "up", "Folder above", show=False),
    ]
    AUTO_FOCUS = "#picker-path"
    DEFAULT_CSS = """
    /* Opaque: a see-through modal re-tints the whole screen beneath on every refresh, and
       the progress bar refreshes it many times while a big file is encoded. */
    AttachmentPickerScreen { align: center middle; background: $background; }
    AttachmentPickerScreen #picker-dialog {
        width: 100; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    AttachmentPickerScreen #picker-title { text-style: bold; padding: 0 1; }
    AttachmentPickerScreen #picker-tree { height: 1fr; border: round $panel; }
    AttachmentPickerScreen #picker-tree:focus { border: round $primary; }
    AttachmentPickerScreen #picker-error {
        color: $text-error; background: $error-muted; padding: 0 1; height: auto;
    }
    AttachmentPickerScreen #picker-error.-empty { display: none; }
    AttachmentPickerScreen #picker-info { height: auto; min-height: 1; padding: 0 1; }
    AttachmentPickerScreen #picker-progress { display: none; padding: 0 1; }
    AttachmentPickerScreen.-encoding #picker-progress { display: block; }
    AttachmentPickerScreen #picker-buttons { height: auto; align-horizontal: right; }
    AttachmentPickerScreen #picker-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        budget: AttachmentBudget = DEFAULT_BUDGET,
        used_bytes: int = 0,
        start_dir: Path | None = None,
        attached: Collection[str] = (),
    ) -> None:
        super().__init__()
        self.budget = budget
        self.used_bytes = used_bytes
        self.start_dir = start_dir
        self.attached = tuple(attached)  # paths of the files attached already: not twice
        self._inspect_timer: Timer | None = None
        self._encoding = False
        self.chosen_path: Path | None = None  # where the dismissed Attachment was read from
        self.chosen_source: DraftAttachment | None = None  # … and how that file was then

    def compose(self) -> ComposeResult:
        start = self.start_dir or Path.cwd()
        with Vertical(id="picker-dialog"):
            yield Static(
                Content.from_markup(
                    "Attach a file  [dim]$left left of $limit for this message[/dim]",
                    left=human_size(max(0, self.budget.max_message_bytes - self.used_bytes)),
                    limit=human_size(self.budget.max_message_bytes),
                ),
                id="picker-title",
            )
            yield PickerTree(start, id="picker-tree")
            yield PlainInput(  # a file name may hold control characters, a line end too
                placeholder="A file, or a folder to open (~, .., →: complete), then Enter",
                suggester=PathSuggester(),
                id="picker-path",
            )
            yield Static("", id="picker-error", classes="-empty")
            yield Static("", id="picker-info")
            yield ProgressBar(show_eta=False, id="picker-progress")
            with Horizontal(id="picker-buttons"):
                yield Button("Folder above", id="picker-up")
                yield Button("Cancel", id="picker-cancel")
                yield Button("Attach", id="picker-attach", variant="primary")

    def on_mount(self) -> None:
        tree = self.query_one(DirectoryTree)
        tree.root.set_label(display_path(Path(tree.path)))

    @property
    def folder(self) -> Path:
        """The folder the tree shows: typed relative paths start there."""
        return Path(self.query_one(DirectoryTree).path)

    def resolve(self, typed: str) -> str:
        """A typed path made absolute: ``~`` expanded, relative to the folder shown. One no file
        can have (``~nosuchuser``, a NUL) comes back as typed, for the check to say why."""
        try:
            path = typed_path(typed)
        except AttachmentError:
            return typed
        return os.path.normpath(path if path.is_absolute() else self.folder / path)

    def open_folder(self, folder: Path) -> None:
        """Show ``folder`` in the tree (any folder: above the one it started in too)."""
        tree = self.query_one(DirectoryTree)
        tree.path = folder
        tree.root.set_label(display_path(folder))
        path = self.query_one("#picker-path", Input)
        with self.prevent(Input.Changed):
            path.value = ""
        self._show_error("")
        self.query_one("#picker-info", Static).update(plain(f"In {display_path(folder)}"))

    @on(Button.Pressed, "#picker-up")
    def action_up(self) -> None:
        if self._encoding:
            return
        folder = self.folder
        if folder.parent != folder:
            self.open_folder(folder.parent)

    # -- choosing -----------------------------------------------------------------------------

    @on(DirectoryTree.NodeHighlighted, "#picker-tree")
    def _tree_highlighted(self, event: DirectoryTree.NodeHighlighted[object]) -> None:
        entry = event.node.data
        path = getattr(entry, "path", None)
        if isinstance(path, Path) and event.node is not event.node.tree.root:
            self.query_one("#picker-path", Input).value = str(path)

    @on(DirectoryTree.FileSelected, "#picker-tree")
    def _tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        # Not attached yet: a click selects too, and the size check should be seen first.
        self.query_one("#picker-path", Input).value = str(event.path)
        self.query_one("#picker-attach", Button).focus()

    @on(Input.Changed, "#picker-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._show_error("")
        if self._inspect_timer is not None:
            self._inspect_timer.stop()
        value = event.value.strip()
        if not value:
            self.query_one("#picker-info", Static).update("")
            return
        self._inspect_timer = self.set_timer(INSPECT_DELAY, lambda: self._inspect(value))

    @work(thread=True, exclusive=True, group="picker-inspect", description="inspect a file")
    def _inspect(self, path: str) -> None:
        check = check_file(self.resolve(path), shown=path, attached=self.attached)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_check, check)

    # Callbacks from worker threads: the picker may be closing meanwhile (NoMatches).

    def _show_check(self, check: FileCheck) -> None:
        with contextlib.suppress(NoMatches):
            if check.path == self.query_one("#picker-path", Input).value.strip():
                self.query_one("#picker-info", Static).update(self._describe(check))
            # else the user typed on; a newer check is coming

    def _describe(self, check: FileCheck) -> Content:
        if check.problem:
            return plain(check.problem, style="$text-warning")
        if check.folder:
            return Content("A folder: Enter opens it in the tree.")
        size, limit = check.size, self.budget.max_message_bytes
        if check.attached is not None:
            return plain(attached_already(check.path, check.attached), style="$text-warning")
        facts = Content.from_markup(
            "[b]$name[/b] · $type · $size → $encoded encoded · ",
            name=shown_name(check.path),
            type=shown(check.file_type, 20, newlines=False),
            size=human_size(size),
            encoded=human_size(encoded_size(size)),
        )
        if size > self.budget.max_file_bytes:
            verdict = Content.from_markup(
                "[$text-error]too big: the limit is $max per file[/]",
                max=human_size(self.budget.max_file_bytes),
            )
        elif self.used_bytes + size > limit:
            verdict = Content.from_markup(
                "[$text-error]doesn't fit: $left left of $max for this message[/]",
                left=human_size(max(0, limit - self.used_bytes)),
                max=human_size(limit),
            )
        else:
            verdict = Content.from_markup(
                "[$text-success]fits[/] ($left left after it)",
                left=human_size(limit - self.used_bytes - size),
            )
        return facts + verdict

    # -- encoding -----------------------------------------------------------------------------

    @on(Input.Submitted, "#picker-path")
    @on(Button.Pressed, "#picker-attach")
    def action_attach(self) -> None:
        if self._encoding:
            return
        typed = self.query_one("#picker-path", Input).value.strip()
        if not typed:
            self._show_error("Type a path or pick a file in the tree.")
            return
        path = self.resolve(typed)
        if os.path.isdir(path):  # a stat, like the tree's own: Enter on a folder opens it
            self.open_folder(Path(path))
            return
        self._show_error("")
        self._set_encoding(True)
        self._encode(path)

    @work(thread=True, exclusive=True, group="picker-encode", description="encode an attachment")
    def _encode(self, path: str) -> None:
        worker = get_current_worker()
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            if worker.is_cancelled:
                raise _Cancelled
            now = time.monotonic()
            if total < PROGRESS_FROM_BYTES or (done < total and now - last < PROGRESS_INTERVAL):
                return
            last = now
            self.app.call_from_thread(self._progress, done, total)

        if (attached := same_file(path, self.attached)) is not None:  # not two copies
            self.app.call_from_thread(self._failed, attached_already(path, attached))
            return
        try:
            attachment = load_attachment(
                path, budget=self.budget, used_bytes=self.used_bytes, progress=progress
            )
        except _Cancelled:
            return
        except AttachmentError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        except MemoryError:
            self.app.call_from_thread(self._failed, "Not enough memory to encode this file.")
            return
        if not worker.is_cancelled:
            source = DraftAttachment.of_file(path)  # absolute, with size and mtime, for drafts
            self.app.call_from_thread(self._encoded, attachment, source)

    def _progress(self, done: int, total: int) -> None:
        with contextlib.suppress(NoMatches):
            self.query_one("#picker-progress", ProgressBar).update(total=total, progress=done)

    def _failed(self, message: str) -> None:
        with contextlib.suppress(NoMatches):
            self._set_encoding(False)
            self._show_error(message)
            self.query_one("#picker-path", Input).focus()

    def _encoded(self, attachment: Attachment, source: DraftAttachment) -> None:
        if self.is_current:
            self.chosen_path = Path(source.path)
            self.chosen_source = source
            self.dismiss(attachment)

    def _set_encoding(self, encoding: bool) -> None:
        self._encoding = encoding
        self.set_class(encoding, "-encoding")
        self.query_one("#picker-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#picker-attach", Button).disabled = encoding
        self.query_one("#picker-path", Input).disabled = encoding
        self.query_one(DirectoryTree).disabled = encoding

    def _show_error(self, message: str) -> None:
        error = self.query_one("#picker-error", Static)
        error.update(plain(message))
        error.set_class(not message, "-empty")
        if message:  # one message per problem: the check below the path said it too
            self.query_one("#picker-info", Static).update("")

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "picker-encode")
        self.dismiss(None)
