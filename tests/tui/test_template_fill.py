"""The template form: one input per placeholder, a live preview, missing ones named at the field."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Static

from comms_tui.core.session import SANDBOX_OTP_TEMPLATE
from comms_tui.tui.compose.template_fill import TemplateFillScreen, preview
from tests.tui.helpers import SIZE


class Host(App[None]):
    def __init__(self, template: str = SANDBOX_OTP_TEMPLATE, *, sms: bool = True) -> None:
        super().__init__()
        self.template = template
        self.sms = sms
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        fill = TemplateFillScreen("otp", self.template, sms=self.sms)
        self.push_screen(fill, self.results.append)

    @property
    def form(self) -> TemplateFillScreen:
        screen = self.screen
        assert isinstance(screen, TemplateFillScreen)
        return screen


def text(widget: Static) -> str:
    return str(widget.render())


async def test_one_input_per_placeholder_and_a_live_preview() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.form
        ids = [i.id for i in form.query(Input)]
        assert ids == ["ph-otp", "ph-brand", "ph-minutes"]
        assert form.query_one("#ph-otp", Input).has_focus
        assert text(form.query_one("#template-preview", Static)) == SANDBOX_OTP_TEMPLATE
        await pilot.press(*"747977")
        await pilot.pause()
        preview_text = text(form.query_one("#template-preview", Static))
        assert preview_text == "747977 is your OTP for {brand}. Valid for {minutes} minutes."
        assert "segment" in text(form.query_one("#template-meter", Static))


async def test_enter_walks_the_fields_then_uses_the_filled_text() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for value in ("747977", "Go+", "15"):
            await pilot.press(*value, "enter")
        await pilot.pause()
    assert app.results == ["747977 is your OTP for Go+. Valid for 15 minutes."]


async def test_enter_on_the_last_field_names_the_empty_ones() -> None:
    """Enter on the last placeholder with earlier ones empty went back to the first empty one
    and said nothing: in a dialog of compact inputs, it looked as if Enter did nothing."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.form
        await pilot.press("enter", "enter")  # otp and brand left empty: on to minutes
        assert form.query_one("#ph-minutes", Input).has_focus
        await pilot.press(*"15", "enter")
        await pilot.pause()
        assert app.results == []  # still open, saying what is missing
        assert text(form.query_one("#ph-otp-error", Static)) == "fill in {otp}"
        assert text(form.query_one("#ph-brand-error", Static)) == "fill in {brand}"
        assert not form.query_one("#ph-minutes-error", Static).has_class("-shown")
        assert form.query_one("#ph-otp", Input).has_focus
        await pilot.press(*"747977", "enter")  # on to the next one still empty
        assert form.query_one("#ph-brand", Input).has_focus
        await pilot.press(*"Go+", "enter")
        await pilot.pause()
    assert app.results == ["747977 is your OTP for Go+. Valid for 15 minutes."]


async def test_missing_placeholders_are_named_at_their_fields() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.form
        await pilot.press(*"747977")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert app.results == []  # still open
        assert text(form.query_one("#ph-brand-error", Static)) == "fill in {brand}"
        assert text(form.query_one("#ph-minutes-error", Static)) == "fill in {minutes}"
        assert form.query_one("#ph-otp-error", Static).has_class("-shown") is False
        assert form.query_one("#ph-brand", Input).has_focus
        await pilot.press(*"Go")
        await pilot.pause()
        assert not form.query_one("#ph-brand-error", Static).has_class("-shown")
        await pilot.click("#template-use")
        await pilot.pause()
        assert text(form.query_one("#ph-minutes-error", Static)) == "fill in {minutes}"


async def test_escape_cancels() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_a_template_without_placeholders_is_used_as_is() -> None:
    app = Host("Hello {{there}}")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.form.query(Input)
        await pilot.press("enter")  # the Use button has focus
        await pilot.pause()
    assert app.results == ["Hello {there}"]


def test_preview_highlights_only_the_empty_placeholders() -> None:
    content = preview("{a} and {b} {{c}}", {"a": "1", "b": " "})
    assert content.plain == "1 and {b} {c}"
    styled = [content.plain[s.start : s.end] for s in content.spans]
    assert styled == ["{b}"]


async def test_a_whatsapp_or_zalo_template_is_not_measured_in_sms_segments() -> None:
    for sms, said in ((True, "as SMS: GSM-7"), (False, "characters")):
        app = Host(sms=sms)
        async with app.run_test(size=SIZE):
            meter = text(app.form.query_one("#template-meter", Static))
            assert said in meter and (sms or "segment" not in meter), meter
