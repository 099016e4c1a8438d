"""A one-line field that holds a list: recipients, copies, sender IDs, attributions.

Its items are separated by commas, semicolons or line ends (``split_recipients``). Textual's
``Input`` keeps only the first line of a paste: pasting a spreadsheet column of numbers into
"To" kept one and dropped the rest in silence. Here each pasted line is an item
(``CommsApp._fitted`` asks ``pasted``).
"""

from __future__ import annotations

from typing import ClassVar

from comms_tui.tui.widgets.plain_input import PlainInput

_SEPARATORS = (",", ";")


class ListInput(PlainInput):
    SEPARATOR: ClassVar[str] = ", "

    def pasted(self, lines: list[str]) -> str:
        """``lines`` (several, none blank) as this field takes them at the cursor: one item
        each, joined by ``SEPARATOR``, and set apart from the items already on either side."""
        text = self.SEPARATOR.join(line.strip() for line in lines)
        start, end = sorted(self.selection)
        before, after = self.value[:start].rstrip(), self.value[end:].lstrip()
        if before and not before.endswith(_SEPARATORS):
            text = self.SEPARATOR + text
        if after and not after.startswith(_SEPARATORS):
            text += self.SEPARATOR.rstrip() if self.value[end:][:1].isspace() else self.SEPARATOR
        return text
