"""The wire: the httpx client a target needs, and one streamed POST with a bounded answer.

Three promises, whatever the server does:

- **The answer is bounded.** At most ``MAX_RESPONSE_BYTES`` are read off the wire and at most as
  many come out of each decoding step: the body is read raw and decoded here, a piece at a time,
  so a few KB of ``Content-Encoding: gzip, gzip`` that inflate to 1 GiB cost 10 MB, not 1 GiB.
  A send's answer may also echo the request, so its bound grows by the body's size
  (``answer_limit``: an email with 8 MB of attachments is answered with them).
  We ask for (``Accept-Encoding``) and decode gzip and deflate only; any other encoding is an
  unreadable answer.
- **The request is built before anything is sent.** A header value no HTTP request can carry (a
  non-ASCII attribution code, a token with a line break) or a URL httpx refuses is
  ``NotPrepared``: nothing left the machine.
- **An upload is bounded by lack of progress, not by total time.** A large body to a slow server
  takes as long as it takes while bytes keep moving; ``read_timeout`` without progress stops it
  (``UploadIncomplete``: the server never had the whole body). The read timeout for the answer
  starts once the body has been written.

Two wires keep these promises: ``AsyncWire`` for an event loop (the TUI, the web front-end), and
``BlockingWire`` for a command that sends once and exits (``comms-tui send``): no event loop, no
anyio, a third of a one-shot send's own time. The client's rules are written once, as coroutines;
over a blocking wire they never suspend, and ``run_blocking`` runs them to the end.
"""

from __future__ import annotations

import re
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from comms_tui import __version__
from comms_tui.api.errors import NotPrepared
from comms_tui.api.target import Target

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")

# What a timeout of our own raises: asyncio's is the builtin since Python 3.11.
if sys.version_info >= (3, 11):
    TIMEOUTS: tuple[type[Exception], ...] = (TimeoutError,)
else:  # pragma: no cover - Python 3.10
    import asyncio

    TIMEOUTS = (TimeoutError, asyncio.TimeoutError)

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# A send's answer may echo its request (an email's attachments, base64 and all): it may be that
# much larger, up to this much more.
MAX_ECHO_BYTES = 64 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # what _decoder can undo, so what we ask for
PIECE_BYTES = 64 * 1024  # write and decode granularity: progress and memory move in these steps

# An HTTP field value we are willing to send: visible ASCII, inner spaces or tabs (RFC 9110 §5.5
# without obs-text). Stricter than h11, whose own error would quote the value (maybe a token).
_FIELD_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")

Progress = Callable[[int, int], None]
"""``progress(bytes_written, total_bytes)``: called as the body is written (UI progress bars)."""


def is_header_value(text: str) -> bool:
    """True if ``text`` can be sent as an HTTP header value as it is."""
    return _FIELD_VALUE.fullmatch(text) is not None


class UnreadableAnswer(Exception):
    """The server answered (``status``), but the body cannot be read within our bounds."""

    def __init__(self, status: int, headers: httpx.Headers, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.headers = headers
        self.reason = reason


class ResponseTooLarge(UnreadableAnswer):
    """More than the limit (``MAX_RESPONSE_BYTES``, or ``answer_limit``) on the wire or after
    decoding: left unread."""

    def __init__(
        self, status: int, headers: httpx.Headers, limit: int = MAX_RESPONSE_BYTES
    ) -> None:
        size = f"{limit / (1024 * 1024):.0f} MB"
        super().__init__(status, headers, f"a response larger than {size}, which was not read")
        self.limit = limit


def answer_limit(body_bytes: int) -> int:
    """How much of the answer to a body of ``body_bytes`` is read: ``MAX_RESPONSE_BYTES``, plus
    room for an echo of the body itself (at most ``MAX_ECHO_BYTES`` more)."""
    return MAX_RESPONSE_BYTES + min(max(0, body_bytes), MAX_ECHO_BYTES)


class BodyNotWritten(Exception):
    """The exchange failed (``cause``) before the last byte of the body was handed over."""

    def __init__(self, cause: BaseException, written: int, total: int) -> None:
        super().__init__(f"{type(cause).__name__} after {written} of {total} bytes")
        self.cause = cause
        self.written = written
        self.total = total


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    content: bytes  # decoded, at most MAX_RESPONSE_BYTES (plus the echo room of a send)


def http_client(
    target: Target, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, **_client_options(target))


def blocking_http_client(
    target: Target, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    return httpx.Client(transport=transport, **_client_options(target))


def _client_options(target: Target) -> dict[str, Any]:
    return dict(
        timeout=httpx.Timeout(
            connect=target.connect_timeout,
            read=target.read_timeout,
            write=target.read_timeout,
            pool=target.connect_timeout,
        ),
        # A plain-http target (loopback: the sandbox) never does TLS (redirects are not
        # followed, the token URL is on the same host): no CA bundle to load (20–90 ms).
        verify=target.verify_tls if target.base_url.startswith("https://") else False,
        follow_redirects=False,
        headers={
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": f"comms-tui/{__version__}",
        },
    )


# --------------------------------------------------------------------------- the request


class _Upload:
    """The body as a stream of small pieces that records how far the writing got.

    httpcore writes each piece before it asks for the next, so resuming after a ``yield`` means
    that piece was written (handed to the kernel).
    """

    def __init__(
        self, parts: list[bytes], progress: Progress | None, moved: asyncio.Event | None = None
    ) -> None:
        self.parts = parts
        self.total = sum(len(part) for part in parts)
        self.written = 0
        self.handed_over = self.total == 0  # the last byte went to the connection
        self.moved = moved  # set on every step: the upload made progress (the async wire)
        self.finished_at: float | None = None  # time.monotonic() when the last byte was written
        self._progress = progress

    @property
    def done(self) -> bool:
        return self.written >= self.total

    def _step(self) -> None:
        if self.moved is not None:
            self.moved.set()
        if self.done and self.finished_at is None:
            self.finished_at = time.monotonic()
        if self._progress is not None:
            try:
                self._progress(self.written, self.total)
            except Exception:  # a display's bug must not turn a send into "unknown"
                self._progress = None

    def pieces(self) -> Iterator[bytes]:
        self._step()  # connected, headers written: the body starts
        handed = 0
        for part in self.parts:
            for start in range(0, len(part), PIECE_BYTES):
                piece = part[start : start + PIECE_BYTES]
                handed += len(piece)
                self.handed_over = handed >= self.total
                yield piece
                self.written += len(piece)
                self._step()

    async def stream(self) -> AsyncIterator[bytes]:
        for piece in self.pieces():
            yield piece


def _prepare(
    http: httpx.AsyncClient | httpx.Client,
    url: str,
    body: list[bytes],
    headers: dict[str, str],
    progress: Progress | None,
) -> tuple[httpx.Request, _Upload]:
    """The request, built and checked before anything is sent; raises ``NotPrepared``."""
    for name, value in headers.items():
        if not is_header_value(value):
            raise NotPrepared(_bad_header_message(name))
    blocking = isinstance(http, httpx.Client)
    if blocking:
        upload = _Upload(body, progress)
    else:
        import asyncio

        upload = _Upload(body, progress, asyncio.Event())
    # Streamed with a Content-Length, which httpx then sends instead of chunked encoding.
    headers = {**headers, "Content-Length": str(upload.total)}
    content = upload.pieces() if blocking else upload.stream()
    try:
        request = http.build_request("POST", url, content=content, headers=headers)
    except Exception as exc:  # httpx.InvalidURL, UnicodeEncodeError…: never on the wire
        raise NotPrepared(
            f"the request could not be built ({type(exc).__name__}); nothing was sent"
        ) from None
    return request, upload


def _bad_header_message(name: str) -> str:
    lowered = name.lower()
    if lowered in ("authorization", "x-cap-api-oauth-token"):  # never quote a credential
        what = "the credentials header"
        fix = "check the OAuth token endpoint or the profile's credentials"
    elif "attribution" in lowered:
        what = f"the attribution header {name}"
        fix = (
            "header values are ASCII: use the store's code (STORE_CODE:…) or its external ID "
            "instead of a name with accents or other non-ASCII letters"
        )
    else:
        what = f"the header {name}"
        fix = "use plain ASCII text without line breaks"
    return (
        f"{what} holds characters an HTTP header cannot carry (non-ASCII or control "
        f"characters); nothing was sent: {fix}"
    )


# --------------------------------------------------------------------------- the exchange


async def post(
    http: httpx.AsyncClient,
    url: str,
    body: list[bytes],
    headers: dict[str, str],
    *,
    connect_timeout: float,
    read_timeout: float,
    progress: Progress | None = None,
) -> Answer:
    """POST ``body`` (its pieces, concatenated) and read the answer, bounded.

    Raises ``NotPrepared`` (nothing sent); ``httpx.ConnectError``/``ConnectTimeout``/
    ``PoolTimeout`` (nothing written); ``BodyNotWritten`` (failed or stalled before the last
    byte of the body was handed over); after that, ``httpx.TransportError`` or
    ``asyncio.TimeoutError`` (the server may have acted); ``UnreadableAnswer`` (it answered).
    """
    import asyncio

    request, upload = _prepare(http, url, body, headers, progress)
    exchange = asyncio.ensure_future(_exchange(http, request, answer_limit(upload.total)))
    try:
        try:
            await _watch_upload(exchange, upload, connect_timeout, read_timeout)
            # The body is written (or the server answered early): the answer gets read_timeout.
            return await asyncio.wait_for(exchange, read_timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, UnreadableAnswer):
            raise
        except (httpx.TransportError, asyncio.TimeoutError) as exc:
            if not upload.handed_over:
                raise BodyNotWritten(exc, upload.written, upload.total) from None
            raise
    finally:
        if not exchange.done():  # a stall, a timeout, or our own cancellation
            exchange.cancel()
            await asyncio.wait({exchange})  # let it close the connection; its error is ours


async def _watch_upload(
    exchange: asyncio.Future[Answer], upload: _Upload, connect_timeout: float, read_timeout: float
) -> None:
    """Wait until the body is written or the exchange ends; ``read_timeout`` without progress
    (``connect_timeout`` more for the first step, which includes connecting) is a stall."""
    import asyncio

    assert upload.moved is not None
    limit = connect_timeout + read_timeout
    while not upload.done and not exchange.done():
        upload.moved.clear()
        moved = asyncio.ensure_future(upload.moved.wait())
        waiting: set[asyncio.Future[Any]] = {exchange, moved}
        try:
            finished, _ = await asyncio.wait(
                waiting, timeout=limit, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            moved.cancel()
        if not finished:
            raise asyncio.TimeoutError
        limit = read_timeout


async def exchange_once(http: httpx.AsyncClient, request: httpx.Request) -> Answer:
    """Send ``request`` and read its answer, bounded, with no timing of our own (the OAuth token
    call: a small body, bounded in time by the caller)."""
    return await _exchange(http, request)


async def _exchange(
    http: httpx.AsyncClient, request: httpx.Request, limit: int = MAX_RESPONSE_BYTES
) -> Answer:
    response = await http.send(request, stream=True)
    try:
        content = await read_bounded(response, limit)
    finally:
        await response.aclose()
    return Answer(response.status_code, response.headers, content)


def post_blocking(
    http: httpx.Client,
    url: str,
    body: list[bytes],
    headers: dict[str, str],
    *,
    read_timeout: float,
    progress: Progress | None = None,
) -> Answer:
    """``post`` for a blocking client, with the same promises and errors (``TimeoutError`` for
    an answer not complete within ``read_timeout`` of the body being written).

    The client's own timeouts bound each step: connecting, every write (a server that stops
    reading the body for ``read_timeout`` is a stall), every read.
    """
    request, upload = _prepare(http, url, body, headers, progress)
    try:
        response = http.send(request, stream=True)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
        raise
    except httpx.TransportError as exc:
        if not upload.handed_over:
            raise BodyNotWritten(exc, upload.written, upload.total) from None
        raise
    try:
        deadline = (upload.finished_at or time.monotonic()) + read_timeout
        content = read_bounded_blocking(response, answer_limit(upload.total), deadline=deadline)
    finally:
        response.close()
    return Answer(response.status_code, response.headers, content)


def exchange_blocking(http: httpx.Client, request: httpx.Request, deadline: float) -> Answer:
    """``exchange_once`` for a blocking client, its answer complete by ``deadline``."""
    response = http.send(request, stream=True)
    try:
        content = read_bounded_blocking(response, deadline=deadline)
    finally:
        response.close()
    return Answer(response.status_code, response.headers, content)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run, on this thread and without an event loop, a coroutine whose I/O all blocks (the
    client and session of a one-shot command): it ends at its first step. One that would
    wait for an event loop is a bug, raised as such."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a blocking send waited for an event loop")


# --------------------------------------------------------------------------- the answer


class _TooMuch(Exception):
    """A decoding step produced more than the limit."""


class _Damaged(Exception):
    """The encoded body cannot be decoded."""


async def read_bounded(response: httpx.Response, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    """The decoded body, at most ``limit`` bytes; raises ``UnreadableAnswer``/``ResponseTooLarge``.

    Reads raw bytes (httpx would decode a whole network chunk at once) and decodes them here
    with a bound on every step, stacked encodings included.
    """
    body = _BoundedBody.of(response, limit)
    if isinstance(body, bytes):
        return body
    try:
        async for raw in response.aiter_raw():
            body.feed(raw)
        return body.finish()
    except (_TooMuch, _Damaged) as exc:
        raise body.unreadable(exc) from None


def read_bounded_blocking(
    response: httpx.Response, limit: int = MAX_RESPONSE_BYTES, *, deadline: float | None = None
) -> bytes:
    """``read_bounded`` for a blocking client; past ``deadline`` (``time.monotonic``) between two
    reads, ``TimeoutError``: each read is bounded by the client's timeout, the whole by this."""
    body = _BoundedBody.of(response, limit)
    if isinstance(body, bytes):
        return body
    try:
        for raw in response.iter_raw():
            body.feed(raw)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("no complete answer within the timeout")
        return body.finish()
    except (_TooMuch, _Damaged) as exc:
        raise body.unreadable(exc) from None


class _BoundedBody:
    """One answer's body as it is read: raw pieces in, decoded pieces kept, every step bounded."""

    def __init__(self, response: httpx.Response, stages: list[_Inflate], limit: int) -> None:
        self.status, self.headers = response.status_code, response.headers
        self.stages = stages
        self.limit = limit
        self.pieces: list[bytes] = []
        self.size = self.raw_size = 0

    @classmethod
    def of(cls, response: httpx.Response, limit: int) -> _BoundedBody | bytes:
        """A reader for ``response``, or its content when there is nothing left to read."""
        status, headers = response.status_code, response.headers
        if response.is_stream_consumed:
            # Built with its content in memory (httpx.MockTransport), which httpx has already
            # read and decoded: nothing is left to bound but the size.
            try:
                content = response.content
            except httpx.ResponseNotRead:
                reason = "a body that was already streamed"
                raise UnreadableAnswer(status, headers, reason) from None
            if len(content) > limit:
                raise ResponseTooLarge(status, headers, limit)
            return content
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(status, headers, limit)
        try:
            stages = _stages(headers.get_list("content-encoding", split_commas=True), limit)
        except _Damaged as exc:
            raise UnreadableAnswer(status, headers, str(exc)) from None
        return cls(response, stages, limit)

    def feed(self, raw: bytes) -> None:
        self.raw_size += len(raw)
        if self.raw_size > self.limit:
            raise _TooMuch
        self._keep(_run(self.stages, raw))

    def finish(self) -> bytes:
        self._keep(_run(self.stages, None))
        return b"".join(self.pieces)

    def _keep(self, pieces: Iterator[bytes]) -> None:
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.limit:
                raise _TooMuch
            self.pieces.append(piece)

    def unreadable(self, exc: Exception) -> UnreadableAnswer:
        if isinstance(exc, _TooMuch):
            return ResponseTooLarge(self.status, self.headers, self.limit)
        return UnreadableAnswer(self.status, self.headers, str(exc))


def _stages(encodings: list[str], limit: int) -> list[_Inflate]:
    """Decoders in the order to apply them: the last encoding listed was applied last."""
    stages: list[_Inflate] = []
    for token in reversed(encodings):
        name = token.strip().lower()
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            stages.append(_Inflate("gzip", limit))
        elif name == "deflate":
            stages.append(_Inflate("deflate", limit))
        else:
            shown = ascii(name[:40])
            raise _Damaged(f"a body in an encoding comms-tui does not decode ({shown})")
    return stages


def _run(stages: list[_Inflate], raw: bytes | None) -> Iterator[bytes]:
    """Push ``raw`` (or, with None, the end of the body) through every stage, lazily: each
    stage hands the next one piece at a time, so no step holds more than a piece."""
    pieces: Iterable[bytes] = [] if raw is None else [raw]
    for stage in stages:
        pieces = stage.process(pieces, final=raw is None)
    return iter(pieces)


class _Inflate:
    """One gzip or deflate layer, decoded ``PIECE_BYTES`` at a time, at most ``limit`` in all."""

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        self.produced = 0
        self._head = b""  # deflate: the first bytes, until zlib vs raw deflate is known
        self._inflater: zlib._Decompress | None = None
        self._ended = False  # the current stream (gzip member) is complete
        self._fed = False
        if kind == "gzip":
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def process(self, pieces: Iterable[bytes], *, final: bool) -> Iterator[bytes]:
        for piece in pieces:
            yield from self._feed(piece)
        if final:
            yield from self._finish()

    def _feed(self, data: bytes) -> Iterator[bytes]:
        self._fed = self._fed or bool(data)
        if self._inflater is None:  # deflate: "deflate" is meant to be zlib, some send raw
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            zlib_header = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        yield from self._inflate(data)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        assert inflater is not None
        full = False  # the last call filled its output: zlib may hold more
        while True:
            if self._ended:
                data = data.lstrip(b"\0")  # zero padding after the end is tolerated
                if not data:
                    return
                if self.kind != "gzip":
                    raise _Damaged(f"a {self.kind} body with data after its end")
                # Another gzip member: concatenated members are one body.
                inflater = self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._ended = False
            if not data and not full:
                return
            try:
                out = inflater.decompress(data, PIECE_BYTES)
            except zlib.error:
                raise _Damaged(f"a damaged {self.kind} body") from None
            if inflater.eof:  # all output is out; what follows the end is in unused_data
                self._ended, full, data = True, False, inflater.unused_data
            else:
                full, data = len(out) == PIECE_BYTES, inflater.unconsumed_tail
            if out:
                self.produced += len(out)
                if self.produced > self.limit:
                    raise _TooMuch
                yield out
            elif data and not full and not self._ended:
                raise _Damaged(f"a damaged {self.kind} body")  # no progress: never spin

    def _finish(self) -> Iterator[bytes]:
        if not self._fed:
            return  # an empty body is empty, whatever its label
        if self._inflater is None:
            raise _Damaged(f"a damaged {self.kind} body")
        yield from self._inflate(b"")
        if not self._ended:
            raise _Damaged(f"a {self.kind} body cut off before its end")
