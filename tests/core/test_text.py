"""Foreign text shown as data: control characters visible, nothing a terminal would obey."""

from __future__ import annotations

import json
import sys

from hypothesis import given
from hypothesis import strategies as st

from comms_tui.core.text import safe_json, shortened, visible


def test_terminal_controls_become_visible_stand_ins() -> None:
    assert visible("req \x1b[2J x") == "req ␛[2J x"
    assert visible("clip \x1b]52;c;aGk=\x07") == "clip ␛]52;c;aGk=␇"
    assert visible("a\x7fb\x9bc") == "a␡b<U+009B>c"
    assert visible("tab\there") == "tab␉here"


def test_bidi_overrides_cannot_turn_a_file_name_around() -> None:
    assert visible("invoice\u202efdp.exe") == "invoice<U+202E>fdp.exe"
    assert visible("\u2066x\u2069") == "<U+2066>x<U+2069>"


def test_characters_that_take_no_room_cannot_hide_in_a_name() -> None:
    assert visible("invoice\u200b.pdf") == "invoice<U+200B>.pdf"
    assert visible("\ufeffreport\u2060.csv") == "<U+FEFF>report<U+2060>.csv"
    family = "👨\u200d👩\u200d👧 क्\u200dष"  # the joiners emoji and Indic text need stay
    assert visible(family) == family


def test_newlines_are_kept_unless_the_text_is_one_line() -> None:
    assert visible("a\nb") == "a\nb"
    assert visible("a\nb", newlines=False) == "a␊b"


def test_ordinary_text_is_untouched() -> None:
    text = "Café Mumbai · नमस्ते · 你好 · emoji 🎉 · [bold]not markup[/]"
    assert visible(text) == text


@given(st.text())
def test_nothing_a_terminal_obeys_is_left(text: str) -> None:
    shown = visible(text, newlines=False)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not any(c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in shown)


def test_shortened_says_how_much_was_left_out() -> None:
    assert shortened("abc", 5) == "abc"
    assert shortened("a" * 12, 10) == "aaaaaaaaaa… (2 more characters)"


def test_json_shows_as_it_is_what_visible_would_change_is_escaped() -> None:
    """JSON a command prints (``--json``, the body in ``--dry-run`` and ``--curl``) holds none of
    what ``visible`` replaces: printed as it is, it stays the exact document, and valid JSON."""
    hidden = "".join(
        c for c in map(chr, range(sys.maxunicode + 1)) if c != "\n" and visible(c) != c
    )
    assert "\u202e" in hidden and "\x85" in hidden and "\u200b" in hidden
    text = safe_json({"body": f"a{hidden}b"}, indent=2)
    assert visible(text) == text
    assert json.loads(text) == {"body": f"a{hidden}b"}
    assert "\\u202e" in text and "\\u0085" in text and "€ ₹" in safe_json("€ ₹")
