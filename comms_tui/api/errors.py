"""The CommsError hierarchy: every failure the client reports, typed by what it means for the user.

    CommsError
    ├── InvalidInput            bad input caught before anything left the machine
    ├── NotSent                 provably not sent: never reached the server, or it did not act
    │   ├── ConnectFailed       could not connect; nothing was written
    │   └── RequestRejected     the server answered and rejected the request as a whole
    │       ├── AuthFailed      401 / 498 / bad OAuth key or secret
    │       ├── AccessDenied    403 (Communication access group, or v2 not enabled)
    │       ├── RateLimited     429
    │       ├── BadRequest      400 / 404 / 415 / batch limit
    │       └── ServerError     503 and other statuses that say the server did not act
    ├── ServerReported          a 500 carrying the API's own status body: it says it failed,
    │                           but not that nothing went out (outcome "rejected")
    └── OutcomeUnknown          the request may have been acted on: never resend silently

Messages never contain secrets: only status codes, server messages and request ids.
"""

from __future__ import annotations


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
