"""Loading attachments: budgets, errors, base64 round trip, progress and memory."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest

from comms_tui.api import attachments
from comms_tui.api.attachments import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_MESSAGE_BYTES,
    AttachmentBudget,
    AttachmentError,
    encoded_size,
    file_type_for,
    human_size,
    load_attachment,
    same_file,
)
from comms_tui.api.errors import InvalidInput

MB = 1024 * 1024


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space or time to make."""
    with path.open("wb") as file:
        file.truncate(size)
    return path


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 1000, 100_003])
def test_round_trip(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    attachment = load_attachment(write(tmp_path / "report.PDF", data))
    assert base64.b64decode(str(attachment.file_data), validate=True) == data
    assert attachment.file_name == "report.PDF"
    assert attachment.file_type == "pdf"
    assert attachment.file_encoding_type == "base64"
    assert attachment.raw_size == size
    assert attachment.encoded_size == encoded_size(size) == len(attachment.file_data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_round_trip_across_many_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "_CHUNK", 30)  # many chunks from a small file
    data = os.urandom(1000)
    calls: list[tuple[int, int]] = []
    attachment = load_attachment(
        write(tmp_path / "x.bin", data), progress=lambda done, total: calls.append((done, total))
    )
    assert base64.b64decode(str(attachment.file_data)) == data
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert len(calls) == 34  # ⌈1000 / 30⌉
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})
    assert all(total == 1000 for _, total in calls)
    assert calls[-1] == (1000, 1000)


def test_chunk_size_is_a_multiple_of_three() -> None:
    # Otherwise each chunk's base64 would end in padding and the pieces wouldn't concatenate.
    assert attachments._CHUNK % 3 == 0


def test_progress_reaches_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_attachment(write(tmp_path / "a.txt", b"hello"), progress=lambda *a: calls.append(a))
    assert calls == [(5, 5)]


def test_empty_file_is_allowed_and_reports_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    attachment = load_attachment(
        write(tmp_path / "empty.txt", b""), progress=lambda *a: calls.append(a)
    )
    assert attachment.file_data == ""
    assert attachment.raw_size == 0
    assert calls == [(0, 0)]


def test_tilde_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "note.txt", b"hi")
    assert load_attachment("~/note.txt").file_data == "aGk="


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.pdf", "pdf"), ("A.PNG", "png"), ("photo.JPEG", "jpeg"), ("x.tar.gz", "gz")],
)
def test_file_type_from_extension(tmp_path: Path, name: str, expected: str) -> None:
    assert file_type_for(tmp_path / name) == expected  # the file needn't exist


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n\0\0", "png"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", "jpg"),
        (b"GIF89a\x01\0", "gif"),
        (b"GIF87a\x01\0", "gif"),
        (b"PK\x03\x04\x14\0", "zip"),
        (b"PK\x05\x06" + b"\0" * 18, "zip"),
        (b"just text", "bin"),
        (b"", "bin"),
    ],
)
def test_file_type_sniffed_without_extension(tmp_path: Path, head: bytes, expected: str) -> None:
    path = write(tmp_path / "README", head)
    assert file_type_for(path) == expected
    assert load_attachment(path).file_type == expected


def test_file_type_of_missing_file_without_extension(tmp_path: Path) -> None:
    assert file_type_for(tmp_path / "nothing") == "bin"


def test_defaults() -> None:
    assert DEFAULT_MAX_FILE_BYTES == 10 * MB
    assert DEFAULT_MAX_MESSAGE_BYTES == 20 * MB
    assert AttachmentBudget() == AttachmentBudget(10 * MB, 20 * MB)


def test_over_the_file_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sparse(tmp_path / "report.pdf", int(12.4 * MB))
    # The size comes from stat: the file must not even be opened.
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("opened an oversized file"))
    with pytest.raises(AttachmentError) as info:
        load_attachment(path)
    assert info.value.message == "report.pdf is 12.4 MB; the limit is 10 MB per file"
    assert info.value.field == "attachments"
    assert isinstance(info.value, InvalidInput)


def test_over_the_message_limit(tmp_path: Path) -> None:
    path = sparse(tmp_path / "deck.pptx", 6 * MB)
    with pytest.raises(AttachmentError) as info:
        load_attachment(path, used_bytes=15 * MB)
    assert info.value.message == (
        "deck.pptx (6.0 MB) would bring this message's attachments to 21.0 MB; "
        "the limit is 20 MB per message"
    )


def test_limits_are_inclusive(tmp_path: Path) -> None:
    budget = AttachmentBudget(max_file_bytes=10, max_message_bytes=15)
    path = write(tmp_path / "ten.bin", b"0123456789")
    assert load_attachment(path, budget=budget, used_bytes=5).raw_size == 10
    with pytest.raises(AttachmentError, match="per message"):
        load_attachment(path, budget=budget, used_bytes=6)
    with pytest.raises(AttachmentError, match="the limit is 9 B per file"):
        load_attachment(path, budget=AttachmentBudget(max_file_bytes=9))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match=r"^nope\.pdf: no such file"):
        load_attachment(tmp_path / "nope.pdf")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(AttachmentError, match="folder is a folder"):
        load_attachment(tmp_path / "folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # reading it would block forever
    with pytest.raises(AttachmentError, match="not a regular file"):
        load_attachment(tmp_path / "pipe")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.txt", b"x")
    path.chmod(0)
    if os.access(path, os.R_OK):
        # Root (as in CI containers) reads files whatever their mode, so chmod 000 proves
        # nothing there: make opening fail the way it does for an ordinary user instead.
        def denied(*_: object, **__: object) -> object:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(Path, "open", denied)
    try:
        with pytest.raises(AttachmentError, match=r"^secret\.txt: permission denied"):
            load_attachment(path)
    finally:
        path.chmod(0o600)  # so pytest can clean tmp_path up


def test_file_changing_while_read() -> None:
    with pytest.raises(AttachmentError, match="grew"):
        attachments._encode(io.BufferedReader(io.BytesIO(b"abcd")), 3, "f.txt", None)
    with pytest.raises(AttachmentError, match="shorter"):
        attachments._encode(io.BufferedReader(io.BytesIO(b"ab")), 3, "f.txt", None)


def test_memory_stays_bounded(tmp_path: Path) -> None:
    size = 6 * MB
    path = write(tmp_path / "big.bin", os.urandom(size))
    tracemalloc.start()
    try:
        attachment = load_attachment(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert attachment.raw_size == size
    # Whole-file read + b64encode + decode would peak near 4×; we keep below 3×.
    assert peak / size < 3.0


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 B"),
        (980, "980 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (MB - 1, "1.0 MB"),
        (int(12.4 * MB), "12.4 MB"),
        (10 * 1024 * MB, "10.0 GB"),
    ],
)
def test_human_size(n: int, expected: str) -> None:
    assert human_size(n) == expected


@pytest.mark.parametrize(
    ("raw", "encoded"), [(0, 0), (1, 4), (2, 4), (3, 4), (4, 8), (1000, 1336), (10 * MB, 13981016)]
)
def test_encoded_size(raw: int, encoded: int) -> None:
    assert encoded_size(raw) == encoded
    assert encoded_size(raw) == len(base64.b64encode(bytes(raw)))


def test_same_file_follows_links_and_tells_which_one(tmp_path: Path) -> None:
    report = write(tmp_path / "report.pdf", b"%PDF")
    copy = write(tmp_path / "copy.pdf", b"%PDF")  # the same bytes, another file
    (tmp_path / "latest.pdf").symlink_to(report)
    attached = [str(copy), str(report)]
    assert same_file(tmp_path / "latest.pdf", attached) == str(report)
    assert same_file(tmp_path / "sub" / ".." / "report.pdf", attached) == str(report)
    assert same_file(tmp_path / "other.pdf", attached) is None
    assert same_file("a\x00b", attached) is None  # no file can be there: no answer, no crash
