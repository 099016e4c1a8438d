"""What "sent" means (§5, §6): when trying again is safe, and what each answer or failure says.

Only a connection that wrote nothing may be retried freely; 401/498 (new token) and 429/503 (the
server says it did not act) get one more try in the client. Anything else that reached the server
is final: a refusal is "not sent"; a 500 carrying the API's own status body is the API saying it
failed ("rejected", but never "nothing was sent"); and a request whose fate we cannot know
(timeout or drop after writing, a gateway's 5xx, any 5xx without the API's status body, an
unreadable 2xx, an answer that leaves an item's fate open) is ``Outcome.UNKNOWN``, left for the
user to decide.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from comms_tui.api import jsonread
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    BadRequest,
    CommsError,
    ConnectFailed,
    NotSent,
    OutcomeUnknown,
    RateLimited,
    RequestRejected,
    ServerError,
    ServerReported,
    UploadIncomplete,
    clip,
)
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import (
    ItemResult,
    Outcome,
    ResponseFormatError,
    SendResult,
    outcome_of,
    parse_response,
    status_warnings,
)
from comms_tui.api.transport import TIMEOUTS, BodyNotWritten, UnreadableAnswer

# A gateway's own answers (§6): the origin behind it may have acted.
GATEWAY_STATUSES = frozenset({502, 504, 520, 521, 522, 523, 524, 598, 599})

ACCESS_HINT = (
    "the API user needs WRITE access to the “Communication” access-group resource "
    "(or v2 communications are not enabled for the org)"
)


@dataclass(frozen=True)
class RetryPolicy:
    connect_retries: int = 2  # only when nothing was written
    connect_backoff: float = 0.5  # seconds, doubled per try
    max_retry_after: float = 30.0  # 429/503: wait at most this long, once
    default_retry_after: float = 1.0  # when the server gives no Retry-After

    def reconnect_wait(self, exc: BaseException, failures: int) -> float | None:
        """Seconds before connecting again, or None: only a failed connect wrote nothing."""
        nothing_written = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        if nothing_written and failures < self.connect_retries:
            return self.connect_backoff * 2.0**failures
        return None


def retry_after(value: str | None, policy: RetryPolicy, *, date: str | None = None) -> float | None:
    """Seconds to wait before the one retry, or None when the wait would be too long.

    ``value`` and ``date``: the answer's Retry-After and Date headers (see ``requested_wait``);
    without a readable Retry-After, the policy's default wait."""
    seconds = requested_wait(value, date=date)
    if seconds is None:
        return policy.default_retry_after
    return seconds if seconds <= policy.max_retry_after else None


def requested_wait(value: str | None, *, date: str | None = None) -> float | None:
    """The seconds a Retry-After header asks for (RFC 9110 §10.2.3), or None without a readable
    one. An HTTP-date is read against the answer's own ``Date`` when it has one, so a clock set
    wrong on either side changes nothing; a date already past asks for no wait."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        until = _http_date(value)
        if until is None:
            return None
        sent = _http_date(date) if date else None
        seconds = until - (time.time() if sent is None else sent)
    return None if math.isnan(seconds) else max(0.0, seconds)


def _http_date(text: str) -> float | None:
    """An HTTP-date as a Unix time (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime), or None.

    Always UTC: the asctime form names no zone and ``-0000`` says "UTC, local zone unknown",
    which ``parsedate_to_datetime`` leaves naive, and a naive time would be read in the local
    zone (five and a half hours early in India: a wait of 0 s)."""
    from datetime import timezone
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class RetryWait:
    """A wait the server asked for (429, or 503 in the API's body) before the one retry: what
    ``CommsClient.send`` tells its ``waiting`` callback, for a front-end to show."""

    seconds: float
    status: int

    @property
    def message(self) -> str:
        why = "rate limited" if self.status == 429 else "the server is unavailable"
        return f"{why} (HTTP {self.status}): trying again in {duration(self.seconds)}"


YEAR_SECONDS = 365 * 24 * 3600


def duration(seconds: float) -> str:
    """A wait as a person reads it, rounded up: ``5 s``, ``3 min``, ``2 h``. A header may ask
    for anything (``inf``, ``1e308``): past a year it is said so."""
    if not math.isfinite(seconds) or seconds > YEAR_SECONDS:
        return "more than a year"
    whole = math.ceil(seconds)
    if whole < 120:
        return f"{whole} s"
    if whole < 120 * 60:
        return f"{math.ceil(whole / 60)} min"
    return f"{math.ceil(whole / 3600)} h"


def _asked_to_wait(headers: httpx.Headers) -> tuple[float | None, str]:
    """(the wait a final 429/503 asks for, what to tell the user about trying again)."""
    wait = requested_wait(headers.get("retry-after"), date=headers.get("date"))
    if wait is None:
        return None, "try again later"
    return wait, f"the server asks to wait {duration(wait)} before trying again"


# The API's status body is a few hundred bytes: a larger answer is not one, and is not parsed
# on the way to deciding about a retry.
STATUS_BODY_MAX_BYTES = 64 * 1024


def did_not_act(status: int, content: bytes) -> bool:
    """Whether an answer says the server did not act on the request, so that sending it once
    more is safe (§6): a 429 (the docs' "not sent"), or a 503 in the API's own status body. A 503
    without it (a gateway's HTML page, an empty body) is a proxy speaking: the origin may have
    acted."""
    if status == 429:
        return True
    if status != 503 or len(content) > STATUS_BODY_MAX_BYTES:
        return False
    try:
        return is_api_status(jsonread.loads(content.decode("utf-8", errors="replace")))
    except (ValueError, RecursionError):
        return False


def failure_of(exc: Exception, base_url: str) -> CommsError:
    """What a POST that got no answer means: not sent if nothing was written, else unknown."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return ConnectFailed(f"could not connect to {base_url}: {exc}")
    if isinstance(exc, httpx.PoolTimeout):
        return ConnectFailed("no connection was free")
    if isinstance(exc, (httpx.TimeoutException, *TIMEOUTS)):
        return OutcomeUnknown(
            "no answer within the timeout after the request was sent: the message may have gone out"
        )
    if isinstance(exc, BodyNotWritten):
        return UploadIncomplete(
            f"the upload stopped after {exc.written} of {exc.total} bytes of the request: "
            f"{describe(exc.cause)}. The server never had the whole request, so nothing was sent",
            written=exc.written,
            total=exc.total,
        )
    if isinstance(exc, UnreadableAnswer):
        return OutcomeUnknown(
            f"HTTP {exc.status} with {exc.reason}: the messages may have been sent"
        )
    return OutcomeUnknown(
        f"{describe(exc)}, after the request was sent: the message may have gone out"
    )


def settle(
    result: SendResult,
    request: SendRequest,
    started: float,
    *,
    error: CommsError | None,
    items: list[ItemResult] | None = None,
) -> SendResult:
    """Fill in the result; without per-item answers every recipient shares the error's fate.
    A request refused whole (``NotSent``) may come with its items saying why: kept, none sent."""
    result.latency_ms = (time.perf_counter() - started) * 1000
    result.error = error
    if items is None:
        unknown = isinstance(error, OutcomeUnknown)
        result.items = [
            ItemResult(recipient=r, ok=None if unknown else False) for r in request.recipients
        ]
        result.outcome = Outcome.UNKNOWN if unknown else Outcome.REJECTED
    elif isinstance(error, NotSent):
        result.items = [replace(item, ok=False) for item in items]
        result.outcome = Outcome.REJECTED
    else:
        result.items = items
        result.outcome = outcome_of(items)
        if result.outcome is Outcome.UNKNOWN and error is None:
            result.error = error = _open_items(result)
    if isinstance(error, (RequestRejected, ServerReported, OutcomeUnknown)):
        error.request_id = error.request_id or result.request_id
        error.http_status = error.http_status or result.http_status
    return result


def settle_answer(
    result: SendResult,
    request: SendRequest,
    started: float,
    status: int,
    headers: httpx.Headers,
    content: bytes,
) -> SendResult:
    """The result of the final HTTP answer: per-item outcomes, or what its status means."""
    text = content.decode("utf-8", errors="replace")
    result.response_text = text
    try:
        data: Any = jsonread.loads(text) if text.strip() else None
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested 200 000 deep
        data = None
    if isinstance(data, dict) and isinstance(data.get("status"), dict):
        result.warnings = status_warnings(data["status"])
    if 200 <= status < 300:
        try:
            if data is None:
                raise ResponseFormatError("the body is not JSON")
            parsed = parse_response(request.channel, data, recipients=request.recipients)
        except (ResponseFormatError, RecursionError) as exc:
            return settle(
                result,
                request,
                started,
                error=OutcomeUnknown(
                    f"HTTP {status} but the response could not be read ({exc}): "
                    "the messages may have been sent"
                ),
            )
        result.disagreements = parsed.disagreements
        result.anomalies = parsed.anomalies
        result.extra_items = parsed.extra_items
        if not parsed.answered:
            code, message = _status_of(data)
            if parsed.status.get("success") is False or code not in (None, 200, 201):
                refused = (message or "request rejected") + _refusal_hint(status, code, request)
                return settle(result, request, started, error=BadRequest(refused, code=code))
            return settle(
                result,
                request,
                started,
                error=OutcomeUnknown(f"HTTP {status} with no per-item results"),
            )
        return settle(result, request, started, error=None, items=parsed.items)
    code, message = _status_of(data)

    def said(label: str) -> str:
        return _headline(label, message, status)

    error: CommsError
    if status in (401, 498):
        error = AuthFailed(
            f"{said('authentication failed')}: check the credentials of this profile", code=code
        )
    elif status == 403:
        error = AccessDenied(f"{said('access denied')}: {ACCESS_HINT}", code=code)
    elif status == 429:
        wait, again = _asked_to_wait(headers)
        error = RateLimited(
            f"{said('rate limited')}: nothing was sent; {again}", retry_after=wait, code=code
        )
    elif status == 503 and is_api_status(data):  # it says it did not act (§5: "retry later")
        _wait, again = _asked_to_wait(headers)
        error = ServerError(f"{said('server unavailable')}: nothing was sent; {again}", code=code)
    elif status in GATEWAY_STATUSES:
        error = OutcomeUnknown(
            f"HTTP {status} from a gateway: the messages may or may not have been sent"
        )
    elif status >= 500 and not is_api_status(data):
        error = OutcomeUnknown(
            f"HTTP {status} without the API's status body (a proxy's answer?): "
            "the messages may or may not have been sent"
        )
    elif status >= 500:
        error = ServerReported(said("the server reported an error"), code=code)
    else:
        error = BadRequest(
            said("request refused") + _refusal_hint(status, code, request), code=code
        )
    items = _refused_items(request, data) if isinstance(error, NotSent) else None
    return settle(result, request, started, error=error, items=items)


def _headline(label: str, message: str, status: int) -> str:
    """``label (the server's words)``, never saying the same twice: a message that starts with
    the label keeps only the rest (``access denied (access denied)`` was printed), and one that
    adds nothing gives way to the HTTP status."""
    said = message.strip()
    if said.casefold().startswith(label.casefold()):
        said = said[len(label) :].lstrip(" :;,.-–—")
    return f"{label} ({said or f'HTTP {status}'})"


# The sandbox's default batch limit (code 1060); Capillary does not publish its own.
SANDBOX_BATCH_LIMIT = 100


def _refusal_hint(status: int, code: int | None, request: SendRequest) -> str:
    """What a refusal the server's words may leave unexplained means (§5), and what to do."""
    if code == 1060:
        count = len(request.items)
        return (
            f": too many recipients for one request (this one has {count}); send them in "
            f"smaller batches (the sandbox takes {SANDBOX_BATCH_LIMIT} by default; Capillary "
            "does not publish its limit)"
        )
    if status == 415:
        return (
            ": the server refused the body's Content-Type (comms-tui sends application/json, as "
            "the API asks): check that the host is Capillary's API and that no proxy rewrites "
            "the request"
        )
    return ""


def _refused_items(request: SendRequest, data: Any) -> list[ItemResult] | None:
    """The items of a request refused whole, when the answer says item by item why (a 400
    naming the recipient whose number is missing); None when it says nothing more."""
    try:
        parsed = parse_response(request.channel, data, recipients=request.recipients)
    except (ResponseFormatError, RecursionError):
        return None
    return parsed.items if any(item.errors for item in parsed.items) else None


def is_api_status(data: Any) -> bool:
    """Whether a body is the API's own §4 status answer, not a proxy's or load balancer's."""
    status = data.get("status") if isinstance(data, dict) else None
    return isinstance(status, dict) and any(k in status for k in ("code", "success", "statusCode"))


def _open_items(result: SendResult) -> OutcomeUnknown:
    """The error of an answer that leaves some items' fate open, naming why."""
    open_items = sum(1 for item in result.items if item.ok is None)
    reasons = result.disagreements + result.anomalies
    why = f" ({reasons[0]})" if reasons else ""
    return OutcomeUnknown(
        f"the answer leaves {open_items} of {len(result.items)} messages unknown{why}: "
        "they may or may not have been sent; check before resending"
    )


def _status_of(data: Any) -> tuple[int | None, str]:
    """(code, message) from a §4 status object or an OAuth-style errors list."""
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, dict):
            code = status.get("code")
            return (code if isinstance(code, int) else None), _text(status.get("message"))
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            code = errors[0].get("code")
            return (code if isinstance(code, int) else None), _text(errors[0].get("message"))
    return None, ""


def _text(value: object) -> str:
    """A server message as it may go into an error: clipped, whatever its size or type."""
    if not value:
        return ""
    try:
        return clip(value if isinstance(value, str) else str(value))
    except (RecursionError, ValueError):  # str() of a deep list; an int over 4300 digits
        return "(an unreadable message)"


# A network failure in words, not a library's class name; True: the exception's own text may say
# more (which address, "Connection reset by peer").
_IN_WORDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str, bool], ...] = (
    (
        httpx.RemoteProtocolError,
        "the server closed the connection without a complete answer",
        False,
    ),
    (httpx.LocalProtocolError, "the request could not be written as HTTP", True),
    (httpx.ReadError, "the connection broke while waiting for the answer", True),
    (httpx.WriteError, "the connection broke while sending the request", True),
    (httpx.ConnectError, "the connection could not be made", True),
    (httpx.ProxyError, "the proxy refused the connection", True),
    (
        httpx.WriteTimeout,
        "the server stopped reading the request for longer than the timeout",
        False,
    ),
    (httpx.ReadTimeout, "no answer within the timeout", False),
    (
        (httpx.TimeoutException, *TIMEOUTS),
        "the connection stalled for longer than the timeout",
        False,
    ),
)


def describe(exc: BaseException) -> str:
    """What went wrong in a few words, never empty (``str(httpx.ReadError(""))`` is "") and never
    a class name (``RemoteProtocolError`` means nothing to a person)."""
    text = clip(str(exc).strip(), 200)
    for kind, words, more in _IN_WORDS:
        if isinstance(exc, kind):
            return f"{words} ({text})" if more and text else words
    return f"the connection failed ({text})" if text else "the connection failed"
