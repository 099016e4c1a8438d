"""Starlette app emulating Capillary Communications v2 (§7 of the API contract).

It deliberately does not import ``comms_tui.api``: it checks the wire format on its own so
that it catches client bugs instead of sharing them.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from comms_tui.sandbox.accounts import resolve_ou
from comms_tui.sandbox.rules import (
    CHANNELS,
    DEFAULT_CHANNEL,
    PARTIAL_FAILURE,
    PAYLOAD_TOO_LARGE,
    RATE_LIMITED,
    SERVER_ERROR,
    SUCCESS,
    UNAVAILABLE,
    Channel,
    Code,
    Fault,
    JsonObj,
    MiB,
    RequestError,
    SandboxConfig,
    check_content_type,
    extract_items,
    parse_json_object,
    peek_recipients,
    request_fault,
    resolve_channel,
)
from comms_tui.sandbox.state import Caller, SandboxState
from comms_tui.sandbox.validation import ItemOutcome, validate_item

SEND_PATH = "/v2/communications/sendMessage"
TOKEN_PATH = "/v3/oauth/token/generate"
REQUEST_ID_HEADER = "X-Cap-Requestid"
OAUTH_HEADER = "X-CAP-API-OAUTH-TOKEN"
_REQUEST_ID_RAW = REQUEST_ID_HEADER.encode("ascii")
_SCOPE_KEY = "comms_tui.sandbox.exchange"


@dataclass(frozen=True)
class _Exchange:
    """Per-request facts captured outside Starlette's middleware (which wraps ``send``)."""

    request_id: str
    transport: asyncio.BaseTransport | None
    receive: Receive


class SandboxApp(Starlette):
    """Starlette with an outermost layer that stamps every response with a request id.

    It also remembers the server's transport before any middleware wraps ``send``: under
    uvicorn ``send`` is a bound method of the request/response cycle, which owns the transport,
    and closing it is the only way to drop a connection without answering.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        state: SandboxState = self.state.sandbox
        request_id = state.config.request_id()
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if not isinstance(transport, asyncio.BaseTransport):
            transport = None
        scope[_SCOPE_KEY] = _Exchange(request_id, transport, receive)

        async def stamped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (_REQUEST_ID_RAW, request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, stamped_send)


class _DropConnection(Response):
    """Closes the socket instead of answering: the client sees no response bytes at all."""

    def __init__(self, exchange: _Exchange) -> None:
        super().__init__()
        self._exchange = exchange

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = self._exchange.transport
        if transport is None:  # e.g. an in-process test client: nothing to close
            raise ConnectionAbortedError("sandbox fault: connection dropped")
        transport.close()
        # Returning before the server notices the close would make it answer 500 for us.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._until_disconnect(), timeout=2.0)

    async def _until_disconnect(self) -> None:
        while (await self._exchange.receive())["type"] != "http.disconnect":
            pass


# ------------------------------------------------------------------------- bodies


def status_object(
    code: Code, *, count: int, success_count: int, message: str | None = None
) -> JsonObj:
    success = code.code == SUCCESS.code
    text = code.render() if message is None else message
    return {
        "count": count,
        "successCount": success_count,
        "code": code.code,
        "success": success,
        "message": text,
        "statusCode": {"status": success, "message": text, "code": code.code},
        "warnings": [],
        "warningsAsStatusCode": [],
    }


def error_response(error: RequestError, channel: Channel | None) -> JSONResponse:
    body: JsonObj = {
        "status": status_object(error.code, count=0, success_count=0, message=error.message)
    }
    if channel is not None:
        body[channel.list_key] = []
    return JSONResponse(body, status_code=error.http_status, headers=error.headers)


def success_body(channel: Channel, outcomes: list[ItemOutcome]) -> tuple[int, JsonObj]:
    accepted = sum(1 for o in outcomes if o.accepted)
    code = SUCCESS if accepted == len(outcomes) else PARTIAL_FAILURE
    entries = [
        {channel.item_key: o.echo, "errors": o.errors, "warnings": o.warnings} for o in outcomes
    ]
    status = status_object(code, count=len(outcomes), success_count=accepted)
    return code.http_status or 200, {"status": status, channel.list_key: entries}


# ------------------------------------------------------------------------- helpers


def _sandbox(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _exchange(request: Request) -> _Exchange:
    exchange: _Exchange = request.scope[_SCOPE_KEY]
    return exchange


def _body_limit(config: SandboxConfig) -> int:
    # Enough for a full email's base64 attachments; bounds memory against garbage uploads.
    return max(64 * MiB, 2 * config.max_email_attachment_bytes)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestError(PAYLOAD_TOO_LARGE, detail=f"limit {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(PAYLOAD_TOO_LARGE, detail=f"limit {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _attribution(request: Request, caller: Caller) -> tuple[str | None, str | None]:
    # OAuth and Basic callers use different header names for the same idea (§2).
    if caller.kind == "oauth":
        names = ("X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "X-CAP-API-ATTRIBUTION-ENTITY-CODE")
    else:
        names = ("X-CAP-API-ATTRIBUTION-LOOKUP-TYPE", "X-CAP-API-ATTRIBUTION-LOOKUP")
    return request.headers.get(names[0]), request.headers.get(names[1])


# ------------------------------------------------------------------------- endpoints


async def send_message(request: Request) -> Response:
    state = _sandbox(request)
    raw_channel = request.query_params.get("channel", DEFAULT_CHANNEL)
    channel_hint = CHANNELS.get(raw_channel.strip().lower())
    # Parse before authenticating so that stats count recipients of every request received;
    # a parse error is raised later, in the order a real server would report it.
    body: JsonObj | RequestError
    try:
        body = parse_json_object(await _read_body(request, _body_limit(state.config)))
    except RequestError as error:
        body = error
    state.count_request(peek_recipients(body if isinstance(body, dict) else None, channel_hint))
    try:
        return await _send_message(request, state, body, raw_channel)
    except RequestError as error:
        return error_response(error, channel_hint)


async def _send_message(
    request: Request, state: SandboxState, body: JsonObj | RequestError, raw_channel: str
) -> Response:
    caller = state.authenticate(
        request.headers.get("authorization"), request.headers.get(OAUTH_HEADER)
    )
    state.check_rate(caller)
    channel = resolve_channel(raw_channel)
    check_content_type(request.headers.get("content-type"))
    if isinstance(body, RequestError):
        raise body
    items = extract_items(body, channel, state.config.batch_limit)
    entity_type, entity_code = _attribution(request, caller)
    ou = resolve_ou(entity_type, entity_code, caller.till)

    fault = request_fault(channel, items)
    if fault is Fault.RATE_LIMITED:
        raise RequestError(
            RATE_LIMITED, headers={"Retry-After": "1"}, detail="sandbox fault recipient"
        )
    if fault is Fault.SERVER_ERROR:
        raise RequestError(SERVER_ERROR)
    if fault is Fault.UNAVAILABLE:
        raise RequestError(UNAVAILABLE, headers={"Retry-After": "1"})
    if fault is Fault.DROP:
        return _DropConnection(_exchange(request))
    if fault is Fault.SLOW:
        await asyncio.sleep(state.config.slow_seconds)

    outcomes = [validate_item(channel, item, ou, state.config) for item in items]
    state.store(channel, ou, _exchange(request).request_id, outcomes)
    status, answer = success_body(channel, outcomes)
    response = JSONResponse(answer, status_code=status)
    if fault is Fault.MALFORMED:
        # The server acted (stored above) but the answer is cut short mid-JSON.
        truncated = response.body[: max(1, len(response.body) // 2)]
        return Response(truncated, status_code=200, media_type="application/json")
    return response


async def generate_token(request: Request) -> Response:
    state = _sandbox(request)
    try:
        check_content_type(request.headers.get("content-type"))
        body = parse_json_object(await _read_body(request, 64 * 1024))
        token, ttl = state.issue_token(body.get("key"), body.get("secret"))
    except RequestError as error:
        errors = [{"code": error.code.code, "message": error.message}]
        return JSONResponse({"data": None, "errors": errors}, status_code=error.http_status)
    return JSONResponse({"data": {"accessToken": token, "ttlSeconds": ttl}, "errors": None})


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def outbox(request: Request) -> Response:
    state = _sandbox(request)
    if request.method == "DELETE":
        state.clear_outbox()
        return JSONResponse({"ok": True})
    messages = state.outbox(request.query_params.get("recipient"))
    return JSONResponse({"messages": messages})


async def stats(request: Request) -> Response:
    return JSONResponse(_sandbox(request).stats())


async def expire_tokens(request: Request) -> Response:
    return JSONResponse({"expired": _sandbox(request).expire_tokens()})


async def reset(request: Request) -> Response:
    _sandbox(request).reset()
    return JSONResponse({"ok": True})


async def http_error(request: Request, exc: Exception) -> Response:
    """404/405 and friends in the same §4 status shape as every other error."""
    assert isinstance(exc, HTTPException)
    code = Code(exc.status_code, str(exc.detail), "request", exc.status_code)
    return error_response(RequestError(code, headers=exc.headers), None)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh sandbox app; its :class:`SandboxState` is ``app.state.sandbox``."""
    routes = [
        Route(SEND_PATH, send_message, methods=["POST"]),
        Route(TOKEN_PATH, generate_token, methods=["POST"]),
        Route("/sandbox/health", health, methods=["GET"]),
        Route("/sandbox/outbox", outbox, methods=["GET", "DELETE"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
    ]
    app = SandboxApp(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.sandbox = SandboxState(config)
    return app


__all__ = [
    "OAUTH_HEADER",
    "REQUEST_ID_HEADER",
    "SandboxApp",
    "create_app",
]
