"""The answer reader (``transport.read_bounded``): raw bytes decoded here, a piece at a time, with
every step bounded — identity, gzip, deflate (zlib or raw), stacked encodings, gzip members.

Responses are built with ``stream=``, so httpx hands over the bytes as the server sent them
(``content=`` would make httpx read and decode them itself, unbounded).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterable

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.api.transport import (
    ACCEPT_ENCODING,
    ResponseTooLarge,
    UnreadableAnswer,
    read_bounded,
)

BODY = b'{"status": {"code": 200, "success": true}, "smsList": []}' * 50


class Chunks(httpx.AsyncByteStream):
    """An answer body arriving in the given pieces; optionally refuses to be read at all."""

    def __init__(self, pieces: Iterable[bytes], *, untouchable: bool = False) -> None:
        self.pieces = list(pieces)
        self.untouchable = untouchable
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.untouchable:
            raise AssertionError("the body was read although its declared size said no")
        for piece in self.pieces:
            self.read += len(piece)
            yield piece


def _deflate(data: bytes, *, raw: bool = False) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


async def _read(
    wire: bytes, encoding: str | None, *, piece: int = 7, limit: int = 1 << 20
) -> bytes:
    headers = {"Content-Encoding": encoding} if encoding is not None else {}
    response = httpx.Response(200, headers=headers, stream=Chunks(_split(wire, piece)))
    return await read_bounded(response, limit)


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        (None, BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("GZIP", gzip.compress(BODY)),
        ("deflate", _deflate(BODY)),
        ("deflate", _deflate(BODY, raw=True)),  # what some servers send for "deflate"
        ("gzip, gzip", gzip.compress(gzip.compress(BODY))),
        ("deflate, gzip", gzip.compress(_deflate(BODY))),  # deflate applied first
        ("identity, gzip", gzip.compress(BODY)),
        ("gzip", gzip.compress(BODY[:100]) + gzip.compress(BODY[100:])),  # two members
    ],
)
@pytest.mark.parametrize("piece", [1, 7, 65536])
async def test_every_encoding_we_ask_for_decodes_in_any_pieces(
    encoding: str | None, wire: bytes, piece: int
) -> None:
    assert await _read(wire, encoding, piece=piece) == BODY


def test_we_ask_only_for_what_we_decode() -> None:
    assert ACCEPT_ENCODING == "gzip, deflate"


async def test_the_client_sends_that_accept_encoding_and_reads_a_gzipped_answer() -> None:
    seen: list[httpx.Request] = []
    answer = (
        b'{"status": {"code": 200, "success": true}, '
        b'"smsList": [{"sms": {"to": "919591471711"}, "errors": [], "warnings": []}]}'
    )

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        wire = gzip.compress(answer)
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=Chunks(_split(wire, 5))
        )

    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    request = build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        result = await client.send(request)
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"
    assert result.outcome is Outcome.ACCEPTED and result.response_text == answer.decode()


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br", "\x1b[2J"])
async def test_an_encoding_we_cannot_decode_is_an_unreadable_answer(encoding: str) -> None:
    with pytest.raises(UnreadableAnswer) as caught:
        await _read(b"\x00\x01\x02", encoding)
    assert "encoding comms-tui does not decode" in caught.value.reason
    assert "\x1b" not in caught.value.reason  # shown escaped, never raw


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("gzip", b"not gzip at all"),
        ("gzip", gzip.compress(BODY)[:-9]),  # cut off before its end
        ("deflate", _deflate(BODY)[:20]),
        ("deflate", _deflate(BODY) + b"trailing garbage"),
        ("gzip", gzip.compress(BODY) + b"garbage"),
        ("deflate", b"x"),
    ],
)
async def test_a_damaged_encoding_is_an_unreadable_answer(encoding: str, wire: bytes) -> None:
    with pytest.raises(UnreadableAnswer):
        await _read(wire, encoding)


async def test_trailing_zero_padding_and_an_empty_body_are_tolerated() -> None:
    assert await _read(gzip.compress(BODY) + b"\0" * 8, "gzip") == BODY
    assert await _read(b"", "gzip") == b""  # e.g. a 204 that names an encoding
    assert await _read(b"", "deflate") == b""


async def test_the_cap_counts_decoded_bytes() -> None:
    bomb = gzip.compress(gzip.compress(bytes(4 << 20)))  # ~4 KB on the wire, 4 MiB decoded
    assert len(bomb) < 20_000
    with pytest.raises(ResponseTooLarge):
        await _read(bomb, "gzip, gzip", piece=4096, limit=1 << 20)
    assert await _read(gzip.compress(bytes(1000)), "gzip", limit=1000) == bytes(1000)
    with pytest.raises(ResponseTooLarge):
        await _read(gzip.compress(bytes(1001)), "gzip", limit=1000)


async def test_the_cap_counts_raw_bytes_too() -> None:
    with pytest.raises(ResponseTooLarge):
        await _read(bytes(1001), None, limit=1000)
    # Empty stored blocks decode to nothing: the wire itself must be bounded, not only the output.
    empty_blocks = b"\x00\x00\x00\xff\xff" * 1000 + b"\x03\x00"
    assert await _read(empty_blocks, "deflate") == b""
    with pytest.raises(ResponseTooLarge):
        await _read(empty_blocks, "deflate", limit=4000)


async def test_a_declared_length_over_the_cap_is_not_read() -> None:
    stream = Chunks([b"x"], untouchable=True)
    response = httpx.Response(200, headers={"Content-Length": str(11 << 20)}, stream=stream)
    with pytest.raises(ResponseTooLarge):
        await read_bounded(response)
    assert stream.read == 0


async def test_an_unreadable_2xx_is_unknown_and_an_unreadable_4xx_keeps_its_meaning() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        status = 200 if request.url.params["channel"] == "sms" else 400
        return httpx.Response(status, headers={"Content-Encoding": "br"}, stream=Chunks([b"?"]))

    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    sms = build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    whatsapp = build_request(Channel.WHATSAPP, ["919591471711"], {"template": "hi"})
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        acted = await client.send(sms)
        refused = await client.send(whatsapp)
    assert acted.outcome is Outcome.UNKNOWN and acted.http_status == 200
    assert acted.error is not None and "'br'" in acted.error.message
    assert refused.outcome is Outcome.REJECTED and refused.http_status == 400
