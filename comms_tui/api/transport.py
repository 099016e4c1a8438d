"""The wire: the httpx client a target needs, and one streamed POST with a bounded answer.

A body given in pieces (attachments as base64 chunks) is streamed without joining it; the answer
is read up to 10 MB and no further, so a hostile or broken server cannot fill the memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from comms_tui import __version__
from comms_tui.api.target import Target

MAX_RESPONSE_BYTES = 10 * 1024 * 1024


class ResponseTooLarge(Exception):
    """The server answered, but with more than ``MAX_RESPONSE_BYTES``: left unread."""

    def __init__(self, status: int, headers: httpx.Headers) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers


def http_client(
    target: Target, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=target.connect_timeout,
            read=target.read_timeout,
            write=target.read_timeout,
            pool=target.connect_timeout,
        ),
        verify=target.verify_tls,
        transport=transport,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": f"comms-tui/{__version__}"},
    )


async def post(
    http: httpx.AsyncClient, url: str, body: list[bytes], headers: dict[str, str]
) -> tuple[int, httpx.Headers, bytes]:
    """(status, headers, content); raises ResponseTooLarge past ``MAX_RESPONSE_BYTES``."""
    content: bytes | AsyncIterator[bytes]
    if len(body) == 1:
        content = body[0]
    else:
        # Stream the pieces (big attachments stay uncopied) with a Content-Length, which
        # httpx then sends instead of chunked transfer encoding.
        headers = {**headers, "Content-Length": str(sum(len(part) for part in body))}
        content = _pieces(body)
    async with http.stream("POST", url, content=content, headers=headers) as response:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(response.status_code, response.headers)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ResponseTooLarge(response.status_code, response.headers)
            chunks.append(chunk)
        return response.status_code, response.headers, b"".join(chunks)


async def _pieces(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
