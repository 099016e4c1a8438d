"""Add a profile: where to send, as whom, and the defaults compose screens start from.

Saving touches the keyring, which can block for seconds (a locked collection, a missing D-Bus), so
it runs in a thread worker. The secret lives only in its password Input and the keyring: it is
never put in a message, a notification or a log line, and a failed save keeps the form as it was.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
    Switch,
)

from comms_tui.api.errors import CommsError
from comms_tui.api.target import CLUSTER_LABELS, CLUSTERS
from comms_tui.tui.plain import plain
from comms_tui.tui.screens.profile_form import FIELDS, ProfileForm, SaveFailed, save_profile

CUSTOM_HOST = "custom"


class ProfileSetupScreen(ModalScreen["str | None"]):
    """A form for one profile; dismisses with the saved profile's name, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]
    AUTO_FOCUS = "#name"  # typing starts there (not in the scrolling form, where it was lost)
    DEFAULT_CSS = """
    ProfileSetupScreen { align: center middle; }
    ProfileSetupScreen #profile-dialog {
        width: 96; max-width: 100%; height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ProfileSetupScreen #profile-title { text-style: bold; padding: 0 1; }
    ProfileSetupScreen #profile-form { height: 1fr; }
    ProfileSetupScreen .stack { height: auto; }
    ProfileSetupScreen .row { height: auto; }
    ProfileSetupScreen .row > Label { width: 18; padding: 1 1 0 1; }
    ProfileSetupScreen .row > .control { width: 1fr; height: auto; }
    ProfileSetupScreen .row Input, ProfileSetupScreen .row Select { width: 1fr; }
    ProfileSetupScreen .field-error { color: $text-error; height: auto; padding: 0 1; }
    ProfileSetupScreen .field-error.-empty { display: none; }
    ProfileSetupScreen #custom-host.-hidden { display: none; }
    ProfileSetupScreen RadioSet { layout: horizontal; width: auto; }
    ProfileSetupScreen #switches { height: auto; padding: 0 1; }
    ProfileSetupScreen #switches Label { padding: 1 1 0 1; }
    ProfileSetupScreen #save-error {
        color: $text-error; background: $error-muted; padding: 0 1; height: auto;
    }
    ProfileSetupScreen #save-error.-empty { display: none; }
    ProfileSetupScreen #profile-buttons { height: auto; align-horizontal: right; }
    ProfileSetupScreen #profile-buttons Button { margin-left: 1; }
    ProfileSetupScreen #save-without-secret { display: none; }
    ProfileSetupScreen #save-without-secret.-shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        # Saved without its secret (no keyring): the secret as typed, to open this session.
        self.session_secret: str | None = None

    def compose(self) -> ComposeResult:
        clusters = [(f"{CLUSTER_LABELS[k]} — {CLUSTERS[k]}", k) for k in CLUSTER_LABELS]
        with Vertical(id="profile-dialog"):
            yield Static("Add a profile", id="profile-title")
            with VerticalScroll(id="profile-form"):
                yield from _row("Name", Input(placeholder="e.g. acme-india", id="name"), "name")
                yield from _row(
                    "Cluster",
                    Vertical(
                        Select(
                            [*clusters, ("Custom host / URL", CUSTOM_HOST)],
                            value=next(iter(CLUSTER_LABELS)),
                            allow_blank=False,
                            id="cluster",
                        ),
                        Input(
                            placeholder="host name or https:// URL",
                            id="custom-host",
                            classes="-hidden",
                        ),
                        classes="stack",
                    ),
                    "host",
                )
                yield from _row(
                    "Sign in with",
                    RadioSet(
                        RadioButton("Basic (till login)", value=True, id="auth-basic"),
                        RadioButton("OAuth (client key)", id="auth-oauth"),
                        id="auth",
                    ),
                    None,
                )
                yield from _row(
                    "Username", Input(id="account"), "account", label_id="account-label"
                )
                yield from _row(
                    "Password", Input(password=True, id="secret"), "secret", label_id="secret-label"
                )
                yield from _row("Phone region", Input("IN", id="region"), "region")
                yield from _row("Time zone", Input("Asia/Kolkata", id="timezone"), "timezone")
                yield from _row(
                    "Envelope",
                    Select(
                        [('root  {"root": {...}}', "root"), ('bare  {"sms": [...]}', "bare")],
                        value="root",
                        allow_blank=False,
                        id="envelope",
                    ),
                    None,
                )
                with Horizontal(id="switches"):
                    yield Label("Production")
                    yield Switch(False, id="production")
                    yield Checkbox("Make this the default profile", id="make-default")
            yield Static("", id="save-error", classes="-empty")
            with Horizontal(id="profile-buttons"):
                yield Button("Save without the secret", id="save-without-secret")
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    # -- form state ---------------------------------------------------------------------------

    def _form(self) -> ProfileForm:
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        cluster = self.query_one("#cluster", Select).value
        host = text("custom-host") if cluster == CUSTOM_HOST else CLUSTERS.get(str(cluster), "")
        bare = self.query_one("#envelope", Select).value == "bare"
        return ProfileForm(
            name=text("name"),
            host=host,
            auth="oauth" if self.query_one("#auth-oauth", RadioButton).value else "basic",
            account=text("account"),
            secret=text("secret"),
            region=text("region"),
            timezone=text("timezone"),
            envelope="bare" if bare else "root",
            production=self.query_one("#production", Switch).value,
            make_default=self.query_one("#make-default", Checkbox).value,
        )

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name in FIELDS:
            self._set_field_error(name, errors.get(name, ""))
        # At 80×24 the first marked field may be scrolled away: bring it into view (once laid
        # out, now that its error line has a height).
        if first := next((name for name in FIELDS if errors.get(name)), None):
            error_line = self.query_one(f"#{first}-error", Static)
            self.call_after_refresh(error_line.scroll_visible, top=False, animate=False)

    def _set_field_error(self, name: str, message: str) -> None:
        widget = self.query_one(f"#{name}-error", Static)
        widget.update(plain(message))
        widget.set_class(not message, "-empty")

    def _show_save_error(self, message: str, *, keyring: bool = False) -> None:
        widget = self.query_one("#save-error", Static)
        widget.update(plain(message))
        widget.set_class(not message, "-empty")
        self.query_one("#save-without-secret").set_class(keyring, "-shown")

    def _busy(self, busy: bool) -> None:
        for button in self.query(Button):
            button.disabled = busy and button.id != "cancel"

    @on(Select.Changed, "#cluster")
    def _cluster_changed(self, event: Select.Changed) -> None:
        custom = self.query_one("#custom-host", Input)
        custom.set_class(event.value != CUSTOM_HOST, "-hidden")
        if event.value == CUSTOM_HOST:
            custom.focus()

    @on(RadioSet.Changed, "#auth")
    def _auth_changed(self) -> None:
        basic = self.query_one("#auth-basic", RadioButton).value
        self.query_one("#account-label", Label).update("Username" if basic else "Client key")
        self.query_one("#secret-label", Label).update("Password" if basic else "Client secret")

    @on(Input.Changed)
    def _clear_field_error(self, event: Input.Changed) -> None:
        name = "host" if event.input.id == "custom-host" else event.input.id
        if name in FIELDS:
            self._set_field_error(name, "")

    @on(Input.Blurred)
    def _check_field(self, event: Input.Blurred) -> None:
        name = "host" if event.input.id == "custom-host" else event.input.id
        if name not in ("name", "host", "timezone") or not event.value.strip():
            return  # empty fields are reported on Save, not while tabbing through
        if name == "timezone":
            self._check_timezone(event.value)
            return
        message = self._form().quick_errors().get(name, "")
        if message:
            self._set_field_error(name, message)

    @work(thread=True, exclusive=True, group="profile-timezone", description="check the time zone")
    def _check_timezone(self, value: str) -> None:
        """zoneinfo reads the tz database from disk the first time: not on the event loop."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            message = f"Unknown time zone “{value.strip()}”: use a name such as Asia/Kolkata."
            self.app.call_from_thread(self._timezone_checked, value, message)

    # Callbacks from worker threads: the form may be closing meanwhile (NoMatches).

    def _timezone_checked(self, value: str, message: str) -> None:
        with contextlib.suppress(NoMatches):
            if self.query_one("#timezone", Input).value == value:
                self._set_field_error("timezone", message)

    # -- saving -------------------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._start_save(store_secret=True)

    @on(Button.Pressed, "#save-without-secret")
    def _save_without_secret(self) -> None:
        self._start_save(store_secret=False)

    def _start_save(self, *, store_secret: bool) -> None:
        form = self._form()
        errors = form.quick_errors()
        if not store_secret:
            errors.pop("secret", None)
        self._show_errors(errors)
        if errors:
            self._show_save_error("Fix the marked fields.")
            return
        self._show_save_error("Saving…")
        self._busy(True)
        self._save(form, store_secret)

    @work(thread=True, exclusive=True, group="profile-save", description="save the profile")
    def _save(self, form: ProfileForm, store_secret: bool) -> None:
        try:
            name = save_profile(form, store_secret=store_secret)
        except SaveFailed as exc:
            self.app.call_from_thread(self._save_failed, exc)
            return
        except CommsError as exc:  # anything else the store raises, in its own words
            self.app.call_from_thread(self._save_failed, SaveFailed(exc.message))
            return
        self.app.call_from_thread(self._saved, name, form, store_secret)

    def _save_failed(self, exc: SaveFailed) -> None:
        message = exc.message
        if exc.keyring:
            message += (
                "\n\nNothing in this form was lost. Fix the keyring and press Save again, or press "
                "“Save without the secret” and give the secret in the environment each run."
            )
        with contextlib.suppress(NoMatches):
            self._busy(False)
            self._show_errors(exc.field_errors)
            self._show_save_error(message, keyring=exc.keyring)

    def _saved(self, name: str, form: ProfileForm, stored_secret: bool) -> None:
        if stored_secret:
            self.app.notify(f"Profile '{name}' saved.")
        else:
            self.session_secret = form.secret or None  # this session only, never written
            var = "COMMS_TUI_PASSWORD" if form.auth == "basic" else "COMMS_TUI_CLIENT_SECRET"
            what = "password" if form.auth == "basic" else "client secret"
            self.app.notify(
                f"Profile '{name}' saved without its {what}: comms-tui asks for it when it "
                f"starts (or set {var})."
            )
        if self.is_current:  # not if the user cancelled while the keyring was slow
            self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _row(
    label: str, control: Widget, error_for: str | None, *, label_id: str | None = None
) -> ComposeResult:
    with Horizontal(classes="row"):
        yield Label(label, id=label_id)
        with Vertical(classes="control stack"):
            yield control
            if error_for:
                yield Static("", id=f"{error_for}-error", classes="field-error -empty")
