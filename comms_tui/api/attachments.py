"""Email attachments: the ``Attachment`` model, and loading one from a file.

A 10 MB file becomes ~13.3 MB of base64. A small chunk at a time is read, hashed and encoded,
and the encoded chunks are kept as they are (``Base64Text``) until the socket, so the only
full-size object is the base64 itself (peak ≈ 1.4× the file). Loading runs in a TUI thread
worker, so it is plain blocking code with a progress callback.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import BufferedIOBase
from pathlib import Path
from typing import Any, Literal

from comms_tui.api.errors import InvalidInput

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "Attachment",
    "AttachmentBudget",
    "AttachmentError",
    "Base64Text",
    "encoded_size",
    "file_type_for",
    "human_size",
    "load_attachment",
    "same_file",
]

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 20 * 1024 * 1024
# A multiple of 3 (no padding between chunks), and small: binascii holds the GIL while it
# encodes a chunk, and the UI thread must get it back within a frame.
_CHUNK = 3 * 128 * 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
)
_SNIFF_BYTES = 8
_WIRE_FIELDS = frozenset({"file_name", "file_type", "file_data", "file_encoding_type"})


class Base64Text:
    """Base64 text kept as the encoder's ASCII chunks.

    A 25 MB attachment becomes ~33 MB of base64; holding it as chunks lets the request body be
    assembled around them (``SendRequest.body_parts``) without copying them again.
    """

    __slots__ = ("_length", "chunks")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks: tuple[bytes, ...] = tuple(chunks)
        self._length = sum(len(c) for c in self.chunks)

    @classmethod
    def coerce(cls, value: object) -> Base64Text:
        if isinstance(value, Base64Text):
            return value
        if isinstance(value, str):
            try:
                return cls((value.encode("ascii"),))
            except UnicodeEncodeError:
                raise InvalidInput("attachment data is not base64", field="attachments") from None
        if isinstance(value, bytes):
            return cls((value,))
        raise InvalidInput("attachment data must be base64 text", field="attachments")

    def __len__(self) -> int:
        return self._length

    def __bytes__(self) -> bytes:
        return b"".join(self.chunks)

    def __str__(self) -> str:
        return bytes(self).decode("ascii")

    def __repr__(self) -> str:
        return f"Base64Text(<{self._length} characters>)"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Base64Text):
            return bytes(self) == bytes(other)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(bytes(self))

    def tail(self, n: int) -> bytes:
        out = b""
        for chunk in reversed(self.chunks):
            out = chunk[-(n - len(out)) :] + out
            if len(out) >= n:
                break
        return out


@dataclass(frozen=True)
class Attachment:
    """One email attachment, always base64 (``file_encoding_type``).

    ``file_data`` may be given as text or bytes; it is kept as ``Base64Text``. The raw size and
    SHA-256 are known from loading, else derived (once) from the data.
    """

    file_name: str
    file_type: str
    file_data: Base64Text
    file_encoding_type: Literal["base64"] = "base64"
    _raw_size: int = field(default=-1, repr=False, compare=False)
    _sha256: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("file_name", "file_type"):
            if not isinstance(getattr(self, name), str):
                raise InvalidInput(f"attachment {name} must be text", field="attachments")
        if self.file_encoding_type != "base64":
            raise InvalidInput("attachments are sent as base64 only", field="attachments")
        object.__setattr__(self, "file_data", Base64Text.coerce(self.file_data))

    @classmethod
    def from_encoded(
        cls,
        *,
        file_name: str,
        file_type: str,
        file_data: Base64Text | str,
        raw_size: int,
        sha256: str,
    ) -> Attachment:
        return cls(
            file_name=file_name,
            file_type=file_type,
            file_data=Base64Text.coerce(file_data),
            _raw_size=raw_size,
            _sha256=sha256,
        )

    @classmethod
    def from_wire(cls, data: object) -> Attachment:
        """An attachment as the wire carries it (``{"file_name": …, "file_data": …}``)."""
        if isinstance(data, Attachment):
            return data
        if not isinstance(data, dict):
            raise InvalidInput("an attachment must be an object", field="attachments")
        unknown = set(data) - _WIRE_FIELDS
        missing = {"file_name", "file_type", "file_data"} - set(data)
        if unknown or missing:
            what = f"unknown field {min(unknown)!r}" if unknown else f"no {min(missing)}"
            raise InvalidInput(f"attachment: {what}", field="attachments")
        return cls(**data)

    def wire(self) -> dict[str, str]:
        return {
            "file_name": self.file_name,
            "file_type": self.file_type,
            "file_data": str(self.file_data),
            "file_encoding_type": self.file_encoding_type,
        }

    @property
    def encoded_size(self) -> int:
        return len(self.file_data)

    @property
    def raw_size(self) -> int:
        if self._raw_size < 0:
            data = self.file_data
            object.__setattr__(self, "_raw_size", len(data) * 3 // 4 - data.tail(2).count(b"="))
        return self._raw_size

    @property
    def sha256(self) -> str:
        if not self._sha256:
            import base64

            digest = hashlib.sha256(base64.b64decode(bytes(self.file_data))).hexdigest()
            object.__setattr__(self, "_sha256", digest)
        return self._sha256

    def summary(self) -> dict[str, Any]:
        """What the journal and displays keep instead of the data."""
        return {
            "file_name": self.file_name,
            "file_type": self.file_type,
            "size": self.raw_size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class AttachmentBudget:
    """Limits on raw (not encoded) sizes: per file, and for all of one message's files."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES


class AttachmentError(InvalidInput):
    """A file that can't be attached; the message names the file and what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="attachments")


def encoded_size(raw_size: int) -> int:
    """Length of the base64 text for ``raw_size`` bytes."""
    return 4 * ((raw_size + 2) // 3)


def human_size(n: int) -> str:
    """``980 B``, ``1.0 KB``, ``12.4 MB`` (binary multiples, as file managers show them)."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if round(value, 1) < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} TB"


def _limit(n: int) -> str:
    """A limit reads better without a trailing ``.0``: ``10 MB``."""
    text = human_size(n)
    return text.replace(".0 ", " ")


def _sniff(head: bytes) -> str:
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), "bin")


def file_type_for(path: Path) -> str:
    """The extension, lowercased (``pdf``); without one, a guess from the first bytes or ``bin``."""
    suffix = path.suffix
    if suffix:
        return suffix[1:].lower()
    try:
        with path.expanduser().open("rb") as file:
            return _sniff(file.read(_SNIFF_BYTES))
    except OSError:
        return "bin"


def typed_path(path: str | Path) -> Path:
    """A path as typed, ``~`` expanded; ``AttachmentError`` if no file can be there: ``~name``
    of a user this machine does not know, or a NUL character (the system refuses both)."""
    if "\0" in str(path):
        raise AttachmentError("not a file path: it holds a NUL character")
    try:
        return Path(path).expanduser()
    except RuntimeError:  # ~name: no such user
        raise AttachmentError(f"{path}: no such user's home folder") from None


def same_file(path: str | Path, others: Iterable[str]) -> str | None:
    """Which of ``others`` is the file at ``path``, if one is (blocking: links are followed,
    so that two paths to one file are one file)."""
    try:
        resolved = os.path.realpath(path)
        return next((other for other in others if os.path.realpath(other) == resolved), None)
    except (OSError, ValueError):  # ValueError: a NUL in a path
        return None


def load_attachment(
    path: str | Path,
    *,
    budget: AttachmentBudget = AttachmentBudget(),
    used_bytes: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Attachment:
    """Read and base64-encode one file. ``used_bytes``: raw bytes already attached.

    ``progress(done_bytes, total_bytes)`` is called after each chunk (and once for an empty
    file). Raises ``AttachmentError`` for a missing, unreadable, non-regular or too large file.
    """
    if not str(path).strip():  # Path("") is the current folder: ". is a folder" said nothing
        raise AttachmentError("the path is empty: give the file to attach")
    file_path = typed_path(path)
    name = file_path.name or str(file_path)
    try:
        info = file_path.stat()
    except FileNotFoundError:
        raise AttachmentError(f"{name}: no such file ({file_path})") from None
    except PermissionError:
        raise AttachmentError(f"{name}: permission denied ({file_path})") from None
    except OSError as exc:
        raise AttachmentError(f"{name}: can't be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AttachmentError(f"{name} is a folder; attach the files inside it instead")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
        raise AttachmentError(f"{name} is not a regular file")

    size = info.st_size
    if size > budget.max_file_bytes:
        raise AttachmentError(
            f"{name} is {human_size(size)}; the limit is {_limit(budget.max_file_bytes)} per file"
        )
    if used_bytes + size > budget.max_message_bytes:
        raise AttachmentError(
            f"{name} ({human_size(size)}) would bring this message's attachments to "
            f"{human_size(used_bytes + size)}; the limit is "
            f"{_limit(budget.max_message_bytes)} per message"
        )

    try:
        with file_path.open("rb") as file:
            data, digest, head = _encode(file, size, name, progress)
    except PermissionError:
        raise AttachmentError(f"{name}: permission denied ({file_path})") from None
    except OSError as exc:
        raise AttachmentError(f"{name}: can't be read ({exc.strerror or exc})") from None
    file_type = file_path.suffix[1:].lower() if file_path.suffix else _sniff(head)
    return Attachment.from_encoded(
        file_name=name, file_type=file_type, file_data=data, raw_size=size, sha256=digest
    )


def _encode(
    file: BufferedIOBase, size: int, name: str, progress: Callable[[int, int], None] | None
) -> tuple[Base64Text, str, bytes]:
    """(base64 text, SHA-256 hex of the raw bytes, the first bytes for sniffing).

    Each chunk is encoded while it is still in the CPU cache and kept as it is: the request body
    is later assembled around these chunks, so the base64 data is never copied again.
    """
    pieces, digest, head = _encode_pieces(file, size, name, progress)
    if file.read(1):  # the size we checked against the budget is no longer the file's size
        raise AttachmentError(f"{name} grew while it was read; try again")
    if size == 0 and progress is not None:
        progress(0, 0)
    return Base64Text(pieces), digest, head


def _encode_pieces(
    file: BufferedIOBase,
    size: int,
    name: str,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[bytes], str, bytes]:
    """Read, hash and encode chunk by chunk; the read buffer is gone once this returns."""
    sha = hashlib.sha256()
    view = memoryview(bytearray(min(_CHUNK, size)))
    pieces: list[bytes] = []
    head = b""
    done = 0
    while done < size:
        want = min(_CHUNK, size - done)
        got = 0
        while got < want:  # readinto may return short reads; fill the chunk before encoding
            n = file.readinto(view[got:want])
            if not n:
                raise AttachmentError(f"{name} got shorter while it was read; try again")
            got += n
        chunk = view[:want]
        if not head:
            head = bytes(chunk[:_SNIFF_BYTES])
        sha.update(chunk)
        pieces.append(binascii.b2a_base64(chunk, newline=False))
        done += want
        if progress is not None:
            progress(done, size)
    return pieces, sha.hexdigest(), head
