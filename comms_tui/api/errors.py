"""The CommsError hierarchy: every failure the client reports, typed by what it means for the user.

    CommsError
    ├── InvalidInput            bad input caught before anything left the machine
    ├── NotSent                 provably not sent: never reached the server, or it did not act
    │   ├── ConnectFailed       could not connect; nothing was written
    │   ├── NotPrepared         the request could not be built (a header value or URL that no
    │   │                       HTTP request can carry); nothing left the machine
    │   ├── UploadIncomplete    the connection failed or stalled before the whole body was
    │   │                       written: no server can act on half a JSON document
    │   └── RequestRejected     the server answered and rejected the request as a whole
    │       ├── AuthFailed      401 / 498 / bad OAuth key or secret
    │       ├── AccessDenied    403 (Communication access group, or v2 not enabled)
    │       ├── RateLimited     429
    │       ├── BadRequest      400 / 404 / 415 / batch limit
    │       └── ServerError     503 and other statuses that say the server did not act
    ├── ServerReported          a 500 carrying the API's own status body: it says it failed,
    │                           but not that nothing went out (outcome "rejected")
    └── OutcomeUnknown          the request may have been acted on: never resend silently

Messages never contain secrets: only status codes, server messages and request ids. Text from
the server is clipped (``clip``) before it goes into a message: the whole answer stays in
``SendResult.response_text`` for whoever wants to see it all.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 500  # of server text quoted in one error message


def clip(text: str, limit: int = MAX_MESSAGE_CHARS, *, more: str = "see the raw response") -> str:
    """``text`` if short, else its start and how much was left out: a 5 MB server message must
    not travel whole through stderr, the TUI and the journal."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters; {more})"


class CommsError(Exception):
    """Base of everything comms-tui's API layer raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CommsError, ValueError):
    """Input that fails our own validation; nothing was sent.

    ``field`` is the API field name (``to``, ``body``, ``scheduledTime``…) where one applies;
    ``errors`` maps field → message when several fields failed at once.
    """

    def __init__(
        self, message: str, *, field: str | None = None, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.errors: dict[str, str] = dict(errors or ({field: message} if field else {}))


class NotSent(CommsError):
    """The message was not sent: safe to fix and send again."""


class ConnectFailed(NotSent):
    """The connection failed before the request was written."""


class NotPrepared(NotSent):
    """The request could not be built (e.g. a header value that is not ASCII); nothing left."""


class UploadIncomplete(NotSent):
    """The connection failed or stalled while the body was being written.

    The body is one JSON document sent with its Content-Length: a server that did not receive
    all of it cannot have parsed it, let alone acted on it.
    """

    def __init__(self, message: str, *, written: int = 0, total: int = 0) -> None:
        super().__init__(message)
        self.written = written
        self.total = total


class RequestRejected(NotSent):
    """The server answered and rejected the whole request; nothing was sent."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.request_id = request_id


class AuthFailed(RequestRejected):
    pass


class AccessDenied(RequestRejected):
    pass


class RateLimited(RequestRejected):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class BadRequest(RequestRejected):
    pass


class ServerError(RequestRejected):
    pass


class ServerReported(CommsError):
    """The API answered a 5xx with its own §4 status body: its verdict is "failed" (rejected).

    Not a ``NotSent``: a server error mid-request says nothing about what already went out.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.request_id = request_id


class OutcomeUnknown(CommsError):
    """The request was written but no usable answer came back: it may have been sent.

    Record it, show it, and let the user decide — never resend automatically.
    """

    def __init__(
        self, message: str, *, http_status: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.request_id = request_id
