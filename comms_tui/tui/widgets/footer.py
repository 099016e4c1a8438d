"""Textual's footer, rebuilt only when what it shows changes.

Textual's ``Footer`` recomposes all its keys whenever the screen's bindings may have changed:
on every focus move, every ``refresh_bindings``. Each key costs a widget and three style passes
(its ``compact`` flag is set at mount, then bound to the footer's), so a move from one field to
the next, the compose form's first appearance and each History open paid ~10–20 ms for a
footer that looked the same. This one keeps what it last showed and recomposes only when that
differs, and gives each key its ``compact`` value before it mounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[object, ...], ...]


class AppFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown | None = None

    def _showing(self, screen: Screen[object]) -> Shown:
        """What ``compose`` would show for ``screen``'s bindings now."""
        app = self.app
        shown: list[tuple[object, ...]] = [
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip, binding.group)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        ]  # fmt: skip
        shown.append((self.compact, self.show_command_palette, self.combine_groups))
        return tuple(shown)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._showing(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # As the footer's ``data_bind`` would set it after mount (the palette's key is not
                # bound; it keeps its own): one style pass, not three.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and screen.app.app_focus
            and self._showing(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)
