"""The sender-ID lab: "does sender ID X work for OU Y?" answered for many X and Y in one run.

Test recipients, the sender IDs to try (the profile's saved ones pre-listed, plus ad hoc) and the
attributions (the default one, the profile's OUs, plus ad hoc ``TYPE:CODE``). One run sends one
test SMS per sender ID per attribution through ``SenderIdLab`` (one request per attribution) and
shows sender ID × attribution as a table. ``s`` saves the working IDs into the profile, ``e``
exports the matrix as CSV and JSON. What a run sends, asks and means is the core's
(``comms_tui.core.lab``); the inputs and the matrix are widgets beside this screen, which runs,
saves and exports.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import Attribution
from comms_tui.core.lab import LabMatrix, LabPlan
from comms_tui.tui.masking import display_recipient, is_masked, masking_of
from comms_tui.tui.plain import plain, shown
from comms_tui.tui.sender_lab.inputs import LabInputs
from comms_tui.tui.sender_lab.matrix import LabMatrixTable, cell_at, cell_detail, summary
from comms_tui.tui.widgets.footer import AppFooter

if TYPE_CHECKING:
    from comms_tui.core.session import Session
    from comms_tui.store.profiles import Profile, ProfileStore


class SenderLabScreen(Screen[None]):
    # Self-contained (the lab also runs in hosts without app.tcss); theme variables only.
    DEFAULT_CSS = """
    SenderLabScreen { layout: vertical; }
    SenderLabScreen #lab-title {
        height: 1; width: 1fr; padding: 0 1;
        background: $panel; color: $text-accent; text-style: bold;
    }
    SenderLabScreen #lab-inputs { height: auto; padding: 1 1 0 1; }
    SenderLabScreen .lab-column { width: 1fr; height: auto; padding-right: 2; }
    SenderLabScreen .lab-label { color: $text-muted; }
    SenderLabScreen .lab-column:focus-within .lab-label { color: $text-accent; text-style: bold; }
    SenderLabScreen SelectionList { height: auto; max-height: 6; background: $boost; }
    SenderLabScreen Input { background: $boost; }
    SenderLabScreen .lab-note { color: $text-muted; height: auto; }
    SenderLabScreen .lab-error { color: $text-error; height: auto; display: none; }
    SenderLabScreen .lab-error.-shown { display: block; }
    SenderLabScreen #lab-actions { height: 1; padding: 0 1; margin: 1 0; }
    SenderLabScreen #lab-run { margin-right: 2; }
    SenderLabScreen #lab-spinner { width: 6; height: 1; }
    SenderLabScreen #lab-status { width: 1fr; color: $text-muted; }
    SenderLabScreen #lab-matrix { height: 1fr; margin: 0 1; }
    SenderLabScreen #lab-detail {
        height: auto; max-height: 6; padding: 0 1; border-top: solid $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,alt+enter", "run", "Run", priority=True, key_display="^j",
                id="lab-run", tooltip="Send one test SMS per sender ID per attribution"),
        Binding("s", "save", "Save working IDs", id="lab-save",
                tooltip="Save the IDs that worked into the profile, per OU"),
        Binding("e", "export", "Export", id="lab-export",
                tooltip="Write the matrix as CSV and JSON into the data dir"),
        Binding("escape", "close", "Back", id="lab-close", tooltip="Back to compose"),
    ]  # fmt: skip

    class ProfileSaved(Message):
        """The profile's sender IDs changed (``persisted``: written to profiles.toml)."""

        def __init__(self, profile: Profile, persisted: bool) -> None:
            super().__init__()
            self.profile = profile
            self.persisted = persisted

    def __init__(
        self,
        session: Session,
        *,
        store: ProfileStore | None = None,
        id: str = "sender-lab",
    ) -> None:
        super().__init__(id=id)
        self.session = session
        self.store = store
        self.matrix: LabMatrix | None = None
        self.running = False

    @property
    def profile(self) -> Profile | None:
        return self.session.profile

    # -- layout ---------------------------------------------------------------------------------

    @property
    def default_attribution(self) -> Attribution | None:
        """What "default" means: the attribution every send of this session uses."""
        return self.session.target.attribution

    def compose(self) -> ComposeResult:
        name = self.session.name
        where = " · sandbox" if self.session.is_sandbox and name != "sandbox" else ""
        yield Label(plain(f"Sender-ID lab · {name}{where}", 200), id="lab-title")
        yield LabInputs(
            self.profile, self.default_attribution, self.session.context.region, id="lab-inputs"
        )
        with Horizontal(id="lab-actions"):
            yield Button("Run", id="lab-run", variant="primary", compact=True,
                         tooltip="Send the test messages (ctrl+j)")  # fmt: skip
            yield LoadingIndicator(id="lab-spinner")
            yield Static("Pick sender IDs and attributions, then Run.", id="lab-status")
        yield LabMatrixTable(id="lab-matrix")
        yield Static(id="lab-detail")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#lab-spinner").display = False
        self.query_one("#lab-matrix").display = False
        self.query_one("#lab-detail").display = False
        self.query_one("#lab-to", Input).focus()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)
        self._mask_changed(is_masked(self))

    # -- running --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run" and self.running:
            return None  # greyed in the footer
        if action in ("save", "export") and self.matrix is None:
            return None
        return True

    @on(Button.Pressed, "#lab-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        if self.running:
            self.notify("The lab is already running.", severity="warning")
            return
        try:
            plan = self.query_one(LabInputs).plan()
        except InvalidInput:
            self.notify("Nothing sent: fix the marked fields first.", severity="warning")
            return
        self._set_running(True)
        self._run(plan)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.query_one("#lab-run", Button).disabled = running
        self.query_one("#lab-spinner").display = running
        if running:
            self.query_one("#lab-status", Static).update("Sending test messages…")
        self.refresh_bindings()

    @work(exclusive=True, group="lab", description="sender-ID lab run")
    async def _run(self, plan: LabPlan) -> None:
        import asyncio

        from comms_tui.core.lab import SenderIdLab, lab_question
        from comms_tui.tui.compose.send_flow import ask

        try:
            question = lab_question(plan, self.session)
            if question is not None and not await ask(self.app, question):
                self.query_one("#lab-status", Static).update("Cancelled: nothing sent.")
                return
            sender = await asyncio.to_thread(self.session.sender)
            lab = SenderIdLab(sender, context=self.session.context)
            matrix = await lab.run_plan(plan)
        except InvalidInput as exc:
            self.query_one(LabInputs).set_error("to", exc.message)
            self.query_one("#lab-status", Static).update(plain(exc.message, style="$text-error"))
        except Exception as exc:  # a journal/disk failure must not take the app down
            self.notify(
                shown(f"The lab stopped: {exc}"), severity="error", timeout=15, markup=False
            )
            self.query_one("#lab-status", Static).update("Stopped: see the notification.")
        else:
            self.show_matrix(matrix)
            self.query_one("#lab-matrix", LabMatrixTable).focus()  # arrows read cells; s and e work
        finally:
            self._set_running(False)

    # -- the matrix -----------------------------------------------------------------------------

    def show_matrix(self, matrix: LabMatrix) -> None:
        self.matrix = matrix
        cursor = self.query_one("#lab-matrix", LabMatrixTable).show(matrix)
        self.query_one("#lab-detail").display = True
        self._show_detail(cursor.row, cursor.column)
        self.query_one("#lab-status", Static).update(summary(matrix))
        self.refresh_bindings()

    def on_data_table_cell_highlighted(self, event: LabMatrixTable.CellHighlighted) -> None:
        event.stop()
        self._show_detail(event.coordinate.row, event.coordinate.column)

    def _show_detail(self, row: int, column: int) -> None:
        cell = cell_at(self.matrix, row, column)
        masked = is_masked(self)
        text = cell_detail(cell, show=lambda r: display_recipient(r, masked))
        self.query_one("#lab-detail", Static).update(text)

    def _theme_changed(self, theme: Theme) -> None:
        if self.matrix is not None:
            self.show_matrix(self.matrix)  # the outcome colours come from the theme

    def _mask_changed(self, masked: bool) -> None:
        self.query_one("#lab-to", Input).password = masked  # typed numbers hidden while sharing
        if self.matrix is not None:
            table = self.query_one("#lab-matrix", LabMatrixTable)
            self._show_detail(table.cursor_coordinate.row, table.cursor_coordinate.column)

    # -- save and export ------------------------------------------------------------------------

    def action_save(self) -> None:
        matrix = self.matrix
        if matrix is None:
            self.notify("Run the lab first.", severity="warning")
            return
        working = matrix.working_by_ou()
        if not any(working.values()):
            self.notify("No sender ID worked: nothing to save.", severity="warning")
            return
        if self.profile is None:
            self.notify("There is no profile to save them in.", severity="warning")
            return
        self._save(self.profile, working)

    @work(thread=True, exclusive=True, group="lab-save", description="save working sender IDs")
    def _save(self, profile: Profile, working: dict[str, list[str]]) -> None:
        from comms_tui.core.lab import save_working
        from comms_tui.store.errors import ProfileFileError
        from comms_tui.store.profiles import ProfileStore

        try:
            updated, added, persisted = save_working(self.store or ProfileStore(), profile, working)
        except (OSError, ProfileFileError) as exc:
            self.app.call_from_thread(
                self.notify,
                shown(f"Could not save the profile: {exc}"),
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        self.app.call_from_thread(self._saved, updated, added, persisted=persisted)

    def _saved(self, updated: Profile, added: int, *, persisted: bool) -> None:
        self.session.profile = updated
        self.query_one(LabInputs).show_saved(updated)
        self.post_message(self.ProfileSaved(updated, persisted))
        if not added:
            self.notify("The working sender IDs were already saved.")
        elif persisted:
            name = shown(updated.name, 200)
            self.notify(f"Saved {added} working sender ID(s) to profile {name}.", markup=False)
        else:
            self.notify(
                f"Kept {added} working sender ID(s) for this session only: profile "
                f"{shown(updated.name, 200)} is not on disk (sandbox or environment).",
                severity="warning",
                markup=False,
            )

    def action_export(self) -> None:
        if self.matrix is None:
            self.notify("Run the lab first.", severity="warning")
            return
        self._export(self.matrix, datetime.now().strftime("%Y%m%d-%H%M%S"))

    @work(thread=True, group="lab-export", description="export the lab matrix")
    def _export(self, matrix: LabMatrix, stamp: str) -> None:
        import json

        from comms_tui.store.exports import write_export
        from comms_tui.store.paths import data_dir

        text = json.dumps(matrix.to_json(), indent=2, ensure_ascii=False) + "\n"
        files = {".csv": matrix.to_csv(), ".json": text}
        try:
            csv_path, json_path = write_export(data_dir(), f"sender-lab-{stamp}", files)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, shown(f"Export failed: {exc}"), severity="error", timeout=15,
                markup=False,
            )  # fmt: skip
            return
        self.app.call_from_thread(self._exported, csv_path, json_path, text)

    def _exported(self, csv_path: Path, json_path: Path, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(
            shown(f"{csv_path}\n{json_path}\n(JSON copied to the clipboard; the file has it too)"),
            title="Exported",
            markup=False,
        )

    def action_close(self) -> None:
        if self.running:
            self.notify("Wait for the run to finish.", severity="warning")
            return
        self.dismiss()
