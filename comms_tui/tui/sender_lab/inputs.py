"""The sender-ID lab's inputs: test recipients, sender IDs and attributions, checked into a plan.

Each input has its own error line. Sender IDs are not refused here: the lab checks each one
itself and shows the invalid ones in the matrix, unsent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import Attribution
from comms_tui.core.lab import DEFAULT_ATTRIBUTION, PLAN_FIELDS, LabPlan, attribution_label
from comms_tui.tui.plain import plain, shown
from comms_tui.tui.widgets.list_input import ListInput

if TYPE_CHECKING:
    from comms_tui.store.profiles import Profile


class LabInputs(Horizontal):
    """Three columns, styled by the screen that holds them (``.lab-column``, ``.lab-error``…)."""

    def __init__(
        self,
        profile: Profile | None,
        default: Attribution | None,
        region: str | None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.profile = profile
        self.default = default  # what "default" stands for: the session's own attribution
        self.phone_region = region  # for numbers typed without a country code

    def compose(self) -> ComposeResult:
        with Vertical(classes="lab-column"):
            yield Label("Test recipients", classes="lab-label")
            yield ListInput(placeholder="919591471711, +65 8123 4567", id="lab-to", compact=True)
            yield Static(id="lab-to-error", classes="lab-error")
            yield Static(
                "One test SMS per recipient, per sender ID, per attribution.",
                classes="lab-note",
            )
        with Vertical(classes="lab-column"):
            yield Label("Sender IDs", classes="lab-label")
            saved = sender_choices(self.profile)
            senders = SelectionList[str](*saved, id="lab-senders", compact=True)
            # Empty, it would still take focus, drawn as nothing: keys typed "into" it were lost
            # or ran the screen's letter keys. A line says where to type instead.
            senders.display = bool(saved)
            yield senders
            if not saved:
                yield Static(
                    "None saved: type them here.", id="lab-senders-none", classes="lab-note"
                )
            yield ListInput(placeholder="more IDs: ABC, 9190…",
                            id="lab-senders-extra", compact=True)  # fmt: skip
            yield Static(id="lab-senders-error", classes="lab-error")
        with Vertical(classes="lab-column"):
            yield Label("Attributions (OU / till)", classes="lab-label")
            choices = attribution_choices(self.profile, self.default)
            yield SelectionList[str](*choices, id="lab-attributions", compact=True)
            yield ListInput(placeholder="more: TILL:code, STORE_CODE:…",
                            id="lab-attributions-extra", compact=True)  # fmt: skip
            yield Static(id="lab-attributions-error", classes="lab-error")

    def show_saved(self, profile: Profile) -> None:
        """The profile's saved IDs changed (the lab saved the working ones): list them now, as
        the lab opened again would."""
        self.profile = profile
        senders = self.query_one("#lab-senders", SelectionList)
        senders.clear_options()
        senders.add_options(saved := sender_choices(profile))
        senders.display = bool(saved)
        for line in self.query("#lab-senders-none"):
            line.display = not saved

    def set_error(self, field: str, message: str | None) -> None:
        line = self.query_one(f"#lab-{field}-error", Static)
        line.update(plain(message or ""))
        line.set_class(bool(message), "-shown")

    def plan(self) -> LabPlan:
        """The checked inputs, or InvalidInput (each problem is shown at its input)."""
        from comms_tui.api.phones import split_recipients
        from comms_tui.core.lab import build_plan

        def typed(widget_id: str) -> list[str]:
            return split_recipients(self.query_one(f"#{widget_id}", Input).value)

        try:
            plan = build_plan(
                recipients=typed("lab-to"),
                senders=[
                    *self.query_one("#lab-senders", SelectionList).selected,
                    *typed("lab-senders-extra"),
                ],
                attributions=[
                    *self.query_one("#lab-attributions", SelectionList).selected,
                    *typed("lab-attributions-extra"),
                ],
                default=self.default,
                region=self.phone_region,
            )
        except InvalidInput as exc:
            for field in PLAN_FIELDS:
                self.set_error(field, exc.errors.get(field))
            raise
        for field in PLAN_FIELDS:
            self.set_error(field, None)
        return plan


def sender_choices(profile: Profile | None) -> list[Selection[str]]:
    """The profile's saved IDs, each once, with the OUs it is saved under; all ticked."""
    where: dict[str, list[str]] = {}
    for ou, ids in (profile.sender_ids if profile else {}).items():
        for sender_id in ids:
            where.setdefault(sender_id, []).append(ou or DEFAULT_ATTRIBUTION)
    return [
        Selection(
            Content.assemble(shown(s, 60), (f"  {shown(', '.join(ous), 200)}", "dim")),
            s,
            True,
            id=f"s-{i}",
        )
        for i, (s, ous) in enumerate(where.items())
    ]


def attribution_choices(
    profile: Profile | None, default: Attribution | None
) -> list[Selection[str]]:
    """``default`` (the session's own attribution) and each OU the profile keeps IDs for."""
    label = DEFAULT_ATTRIBUTION + (f" ({default})" if default is not None else "")
    choices = [Selection(plain(label, 200), DEFAULT_ATTRIBUTION, True, id="a-default")]
    seen = {attribution_label(default)}
    for ou in sorted(profile.sender_ids if profile else {}):
        try:
            label = str(Attribution.parse(ou)) if ou else ""
        except InvalidInput:
            continue  # a hand-written OU key that is no attribution: nothing to test it as
        if label and label not in seen:
            seen.add(label)
            choices.append(Selection(plain(label, 200), label, True, id=f"a-{len(choices)}"))
    return choices
