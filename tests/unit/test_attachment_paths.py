"""A typed path no file can have — ``~`` of an unknown user, a NUL character — is a message at
the picker, never an exception (the monkey typed both: ``ValueError: embedded null byte``)."""

from __future__ import annotations

import pytest

from comms_tui.api.attachments import AttachmentError, load_attachment, typed_path
from comms_tui.tui.screens.attachments import check_file, complete_path

IMPOSSIBLE = {
    "unknown-user": ("~comms-tui-no-such-user/file.txt", "no such user's home folder"),
    "nul": ("notes\x00.txt", "NUL character"),
    "nul-after-tilde": ("~x\x00", "NUL character"),
}


@pytest.mark.parametrize(("path", "said"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_attaching_it_says_why(path: str, said: str) -> None:
    with pytest.raises(AttachmentError, match=said):
        load_attachment(path)
    with pytest.raises(AttachmentError, match=said):
        typed_path(path)


@pytest.mark.parametrize(("path", "said"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_the_picker_shows_the_problem_and_completes_nothing(path: str, said: str) -> None:
    check = check_file(path)
    assert check.problem is not None and said in check.problem
    assert complete_path(path) is None
