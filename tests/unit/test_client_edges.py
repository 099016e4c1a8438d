"""Byte-level edge cases of the client's §6 rules, with httpx.MockTransport.

Everything that a real server can do is tested against the sandbox over HTTP
(tests/integration); here are the shapes the sandbox never produces.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    BadRequest,
    ConnectFailed,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    ServerReported,
)
from comms_tui.api.outcomes import RetryPolicy, RetryWait
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome, RedactedRequest, SendResult
from comms_tui.api.target import BasicCredentials, OAuthCredentials, Target

Handler = Callable[[httpx.Request], httpx.Response]
REQUEST = build_request(Channel.SMS, ["919591471711", "12025550100"], {"body": "hi"})
OK_BODY = {
    "status": {"code": 200, "success": True},
    "smsList": [
        {"sms": {"to": "919591471711"}, "errors": [], "warnings": []},
        {"sms": {"to": "12025550100"}, "errors": [], "warnings": []},
    ],
}


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, credentials: object | None = None) -> CommsClient:
        target = Target(
            base_url="https://api.example",
            credentials=credentials or BasicCredentials("u", "p"),  # type: ignore[arg-type]
        )
        return CommsClient(
            target, transport=httpx.MockTransport(self), sleep=self.sleep, retry=RetryPolicy()
        )


async def _send(recorder: Recorder, credentials: object | None = None) -> SendResult:
    async with recorder.client(credentials) as client:
        return await client.send(REQUEST)


async def test_accepted_request_carries_json_headers_and_request_id() -> None:
    rec = Recorder(httpx.Response(200, json=OK_BODY, headers={"X-Cap-Requestid": "rid-1"}))
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and result.request_id == "rid-1"
    sent = rec.requests[0]
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert sent.url.params["channel"] == "sms"


@pytest.mark.parametrize("status", [502, 504])
async def test_gateway_errors_are_unknown_and_not_retried(status: int) -> None:
    rec = Recorder(httpx.Response(status, text="<html>Bad gateway</html>"))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert len(rec.requests) == 1
    assert [i.ok for i in result.items] == [None, None]


async def test_a_2xx_that_is_not_json_is_unknown() -> None:
    rec = Recorder(httpx.Response(200, text="OK", headers={"Content-Type": "text/plain"}))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and len(rec.requests) == 1


async def test_an_oversized_response_is_unknown() -> None:
    # Over 10 MB plus the request's size (room for an echo of it: transport.answer_limit).
    rec = Recorder(httpx.Response(200, content=b" " * (10 * 1024 * 1024 + 64 * 1024)))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN
    assert "10 MB" in (result.error.message if result.error else "")


async def test_connect_failures_are_retried_twice_then_not_sent() -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    result = await _send(rec)
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, ConnectFailed)
    assert len(rec.requests) == 3 and rec.sleeps == [0.5, 1.0]
    assert result.exit_code == 3


async def test_connect_failure_then_success_is_accepted() -> None:
    rec = Recorder(httpx.ConnectTimeout("slow"), httpx.Response(200, json=OK_BODY))
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and len(rec.requests) == 2


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped"), httpx.WriteError("w")]
)
async def test_failures_after_writing_are_unknown_and_never_retried(exc: Exception) -> None:
    rec = Recorder(exc)
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and len(rec.requests) == 1
    assert result.exit_code == 4


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.RemoteProtocolError("dropped"), "the server closed the connection"),
        (httpx.ReadError(""), "the connection broke while waiting for the answer"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "([Errno 104] Connection reset"),
    ],
)
async def test_a_dropped_connection_is_said_in_words(exc: Exception, words: str) -> None:
    result = await _send(Recorder(exc))
    assert result.error is not None and type(exc).__name__ not in result.error.message
    assert words in result.error.message
    assert result.error.message.endswith(
        ", after the request was sent: the message may have gone out"
    )


@pytest.mark.parametrize("said", ["access denied", "Access Denied.", "", "ACCESS DENIED: no"])
async def test_a_403_does_not_say_access_denied_twice(said: str) -> None:
    body = {"status": {"code": 4000, "success": False, "message": said}}
    result = await _send(Recorder(httpx.Response(403, json=body)))
    assert isinstance(result.error, AccessDenied)
    message = result.error.message
    assert message.casefold().count("access denied") == 1, message
    reason = "no" if said.endswith(": no") else "HTTP 403"
    assert message.startswith(f"access denied ({reason}): the API user needs WRITE access")


async def test_a_415_says_what_it_means() -> None:
    result = await _send(Recorder(httpx.Response(415)))
    assert isinstance(result.error, BadRequest) and result.sent_nothing
    assert result.error.message.startswith(
        "request refused (HTTP 415): the server refused the body's Content-Type (comms-tui sends "
        "application/json, as the API asks)"
    )


@pytest.mark.parametrize("status", [400, 200])
async def test_a_batch_limit_says_to_split_the_recipients(status: int) -> None:
    """§5's 1060, as an HTTP 400 or in a 200's failed status block."""
    body = {"status": {"code": 1060, "success": False, "message": "batch limit exceeded"}}
    result = await _send(Recorder(httpx.Response(status, json=body)))
    assert isinstance(result.error, BadRequest) and result.sent_nothing
    assert "batch limit exceeded" in result.error.message
    assert "too many recipients for one request (this one has 2); send them in smaller batches" in (
        result.error.message
    )


async def test_429_is_retried_once_after_retry_after() -> None:
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=OK_BODY)
    )
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and rec.sleeps == [2.0]
    assert len(rec.requests) == 2


async def test_429_twice_is_rate_limited() -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "1"}))
    result = await _send(rec)
    assert isinstance(result.error, RateLimited) and result.error.retry_after == 1.0
    assert len(rec.requests) == 2 and result.outcome is Outcome.REJECTED


async def test_retry_after_beyond_30_seconds_is_not_waited_for() -> None:
    unavailable = {"status": {"code": 503, "success": False, "message": "retry later"}}
    rec = Recorder(httpx.Response(503, json=unavailable, headers={"Retry-After": "120"}))
    result = await _send(rec)
    assert isinstance(result.error, ServerError) and rec.sleeps == []
    assert len(rec.requests) == 1


# Retry-After as an HTTP-date (RFC 9110 §5.6.7), in each of its three forms: the asctime form
# names no zone and RFC 5322's "-0000" means UTC, and both parse to a naive time.
HTTP_DATE_FORMS = {
    "imf-fixdate": lambda t: email.utils.formatdate(t, usegmt=True),
    "rfc850": lambda t: time.strftime("%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(t)),
    "asctime": lambda t: time.asctime(time.gmtime(t)),
    "minus-zero": lambda t: email.utils.formatdate(t),
}


@pytest.fixture
def zone_in_india(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone 5 h 30 ahead of UTC: a date read as local time is that far off."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("form", list(HTTP_DATE_FORMS))
async def test_a_retry_after_date_is_utc_whatever_the_local_zone(
    form: str, zone_in_india: None
) -> None:
    """It was read as local time: in India a date 3 s ahead was 5.5 h past, and the retry went
    at once."""
    when = HTTP_DATE_FORMS[form](time.time() + 3)
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=OK_BODY)
    )
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and len(rec.requests) == 2
    [wait] = rec.sleeps
    assert 1.5 < wait <= 3, (when, wait)


async def test_a_retry_after_date_is_read_against_the_answers_own_date() -> None:
    """A clock set wrong on either side changes nothing: the server's Date is the reference."""
    rec = Recorder(
        httpx.Response(
            429,
            headers={
                "Retry-After": "Sun, 06 Nov 1994 08:49:40 GMT",
                "Date": "Sun, 06 Nov 1994 08:49:37 GMT",
            },
        ),
        httpx.Response(200, json=OK_BODY),
    )
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and rec.sleeps == [3.0]


async def test_the_wait_is_told_to_the_caller_as_it_begins() -> None:
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "5"}), httpx.Response(200, json=OK_BODY)
    )
    told: list[RetryWait] = []

    def waiting(wait: RetryWait) -> None:
        assert rec.sleeps == []  # before the wait, not after
        told.append(wait)
        raise RuntimeError("a front-end's bug does not stop the send")

    async with rec.client() as client:
        result = await client.send(REQUEST, waiting=waiting)
    assert result.outcome is Outcome.ACCEPTED and rec.sleeps == [5.0]
    assert [wait.message for wait in told] == ["rate limited (HTTP 429): trying again in 5 s"]


@pytest.mark.parametrize(
    ("retry_after", "says", "seconds"),
    [
        ("60", "the server asks to wait 60 s before trying again", 60.0),
        ("120", "the server asks to wait 2 min before trying again", 120.0),
        ("1.2", "the server asks to wait 2 s before trying again", 1.2),
        (None, "try again later", None),
        ("soon", "try again later", None),
    ],
)
async def test_a_final_429_says_how_long_the_server_asks_to_wait(
    retry_after: str | None, says: str, seconds: float | None
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    rec = Recorder(httpx.Response(429, headers=headers))
    result = await _send(rec)
    assert isinstance(result.error, RateLimited) and result.error.retry_after == seconds
    assert result.error.message == f"rate limited (HTTP 429): nothing was sent; {says}"
    assert len(rec.requests) == (1 if seconds and seconds > 30 else 2)


async def test_basic_401_is_not_retried() -> None:
    rec = Recorder(httpx.Response(401, json={"status": {"code": 401, "message": "bad"}}))
    result = await _send(rec)
    assert isinstance(result.error, AuthFailed) and len(rec.requests) == 1
    assert "p" not in result.error.message.split()


async def test_oauth_498_refreshes_the_token_once() -> None:
    token_calls: list[int] = []
    sends: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/oauth/token/generate":
            token_calls.append(1)
            return httpx.Response(
                200, json={"data": {"accessToken": f"tok{len(token_calls)}", "ttlSeconds": 300}}
            )
        sends.append(request.headers["X-CAP-API-OAUTH-TOKEN"])
        assert "authorization" not in request.headers
        return httpx.Response(498) if len(sends) == 1 else httpx.Response(200, json=OK_BODY)

    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        result = await client.send(REQUEST)
    assert result.outcome is Outcome.ACCEPTED
    assert sends == ["tok1", "tok2"]


async def test_403_carries_the_access_group_hint() -> None:
    rec = Recorder(httpx.Response(403, json={"status": {"code": 4000, "message": "access denied"}}))
    result = await _send(rec)
    assert isinstance(result.error, AccessDenied) and result.error.code == 4000
    assert "Communication" in result.error.message


@pytest.mark.parametrize("status", [400, 404, 415, 302])
async def test_request_level_refusals_are_rejected(status: int) -> None:
    rec = Recorder(httpx.Response(status, json={"status": {"code": status, "message": "no"}}))
    result = await _send(rec)
    assert isinstance(result.error, BadRequest) and result.exit_code == 3


async def test_200_with_an_error_status_and_no_items_is_rejected() -> None:
    body = {"status": {"code": 1060, "success": False, "message": "batch limit exceeded"}}
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert isinstance(result.error, BadRequest) and result.error.code == 1060


async def test_fewer_items_than_sent_marks_the_rest_unknown() -> None:
    body = {"smsList": [{"sms": {"to": "919591471711"}, "errors": []}]}
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert [i.ok for i in result.items] == [True, None]
    # Unknown for that recipient is the honest reading, so the send as a whole is unknown.
    assert result.outcome is Outcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert result.error.message.startswith("the answer leaves 1 of 2 messages unknown")
    assert result.anomalies and len(rec.requests) == 1


async def test_rendered_request_has_no_secret() -> None:
    rec = Recorder(httpx.Response(200, json=OK_BODY))
    async with rec.client(BasicCredentials("store.server", "server123")) as client:
        text = client.render(REQUEST).to_text() + client.render(REQUEST).to_curl()
    assert "server123" not in text
    assert "8a16a6b70505eb1f1ff7cdc0cd5559a7" not in text
    assert "c3RvcmUuc2VydmVy" not in text
    assert "Basic <base64(username:md5(password))>" in text


# --------------------------------------------------------------------------- 5xx by meaning (§6)

API_500 = {
    "status": {
        "count": 0,
        "successCount": 0,
        "code": 500,
        "success": False,
        "message": "internal server error",
        "statusCode": {"status": False, "message": "internal server error", "code": 500},
    },
    "smsList": [],
}
HTML = "<html><body><h1>Service error</h1></body></html>"


def _answer(status: int, body: object) -> httpx.Response:
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers={"Content-Type": "text/html"})
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "body", "outcome", "error", "requests"),
    [
        # The API's own status body on a 500: it says it failed.
        (500, API_500, Outcome.REJECTED, ServerReported, 1),
        (501, {**API_500, "status": {"code": 501, "message": "no"}}, Outcome.REJECTED,
         ServerReported, 1),
        # A 5xx without the API's status body may come from anything in front of the origin.
        (500, HTML, Outcome.UNKNOWN, OutcomeUnknown, 1),
        (500, "", Outcome.UNKNOWN, OutcomeUnknown, 1),
        (500, {"message": "Internal server error"}, Outcome.UNKNOWN, OutcomeUnknown, 1),
        (505, [], Outcome.UNKNOWN, OutcomeUnknown, 1),
        # A gateway's own statuses mean unknown whatever they carry.
        *[
            (code, body, Outcome.UNKNOWN, OutcomeUnknown, 1)
            for code in (502, 504, 520, 521, 522, 523, 524, 598, 599)
            for body in (HTML, API_500)
        ],
        # A 503 in the API's status body and any 429: the server says it did not act; one
        # retry, then not sent. A 503 without that body is a proxy's: nothing said, no retry.
        (503, API_500, Outcome.REJECTED, ServerError, 2),
        (503, HTML, Outcome.UNKNOWN, OutcomeUnknown, 1),
        (503, "", Outcome.UNKNOWN, OutcomeUnknown, 1),
        (503, {"message": "Service Unavailable"}, Outcome.UNKNOWN, OutcomeUnknown, 1),
        (429, HTML, Outcome.REJECTED, RateLimited, 2),
        (429, "", Outcome.REJECTED, RateLimited, 2),
    ],
)  # fmt: skip
async def test_5xx_by_what_it_means(
    status: int, body: object, outcome: Outcome, error: type[Exception], requests: int
) -> None:
    rec = Recorder(_answer(status, body))
    result = await _send(rec)
    assert result.outcome is outcome and type(result.error) is error, result.error
    assert len(rec.requests) == requests and result.http_status == status
    assert result.exit_code == (3 if outcome is Outcome.REJECTED else 4)
    message = result.error.message if result.error else ""
    if error is ServerReported:
        assert message.startswith("the server reported an error (")
        assert "nothing was sent" not in message and not result.sent_nothing
        assert [i.ok for i in result.items] == [False, False]
    elif error is OutcomeUnknown:
        assert "may or may not have been sent" in message and not result.sent_nothing
        assert [i.ok for i in result.items] == [None, None]
    else:
        assert "nothing was sent" in message and result.sent_nothing


async def test_a_request_refused_whole_keeps_what_its_items_say() -> None:
    """A 400 that names, item by item, why (§4: "handle both, item by item"): each item shows
    its own reason; none was sent, and the request is still rejected as a whole."""
    body = {
        "status": {"code": 400, "success": False, "message": "invalid input"},
        "smsList": [
            {"sms": {"to": ""}, "errors": [{"code": 4203, "message": "mobile number missing"}]},
            {"sms": {"to": "12025550100"}, "errors": []},
        ],
    }
    result = await _send(Recorder(httpx.Response(400, json=body)))
    assert result.outcome is Outcome.REJECTED and result.sent_nothing and result.exit_code == 3
    assert isinstance(result.error, BadRequest)
    assert result.error.message == "request refused (invalid input)"
    first, second = result.items
    assert (first.recipient, first.ok, [str(e) for e in first.errors]) == (
        "919591471711",
        False,
        ["4203: mobile number missing"],
    )
    assert (second.recipient, second.ok, second.errors) == ("12025550100", False, ())


@pytest.mark.parametrize(
    "body",
    [
        {"status": {"code": 400, "success": False, "message": "invalid input"}},
        {"status": {"code": 400}, "smsList": [{"sms": {}, "errors": []}]},
        {"status": {"code": 400}, "smsList": "not a list"},
    ],
)
async def test_a_request_refused_whole_without_item_reasons_has_plain_rows(body: object) -> None:
    result = await _send(Recorder(httpx.Response(400, json=body)))
    assert result.outcome is Outcome.REJECTED and result.sent_nothing
    assert [(i.ok, i.errors) for i in result.items] == [(False, ()), (False, ())]


async def test_the_500_text_names_the_server_message_and_keeps_the_request_id() -> None:
    rec = Recorder(httpx.Response(500, json=API_500, headers={"X-Cap-Requestid": "rid-500"}))
    result = await _send(rec)
    assert isinstance(result.error, ServerReported)
    assert result.error.message == "the server reported an error (internal server error)"
    assert (result.error.http_status, result.error.code, result.error.request_id) == (
        500,
        500,
        "rid-500",
    )


# --------------------------------------------------------------------------- the whole answer


async def test_a_failure_status_with_clean_items_is_not_accepted() -> None:
    body = {
        "status": {"count": 2, "successCount": 0, "code": 400, "success": False},
        "smsList": OK_BODY["smsList"],
    }
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and result.exit_code == 4
    assert isinstance(result.error, OutcomeUnknown)
    assert result.disagreements[0] == (
        "the status block says 0 of 2 succeeded but no item carries an error"
    )
    data = result.to_json()
    assert data["disagreements"] == result.disagreements and data["success_count"] == 0
    assert "disagreement: the status block says 0 of 2" in result.notes()[0]


async def test_status_warnings_reach_the_result_and_its_json() -> None:
    status = {
        "code": 200,
        "success": True,
        "count": 2,
        "successCount": 2,
        "warnings": [{"code": 9001, "message": "delivery report callback not configured"}],
        "warningsAsStatusCode": [{"status": False, "code": 9300, "message": "low balance"}],
    }
    rec = Recorder(httpx.Response(200, json={**OK_BODY, "status": status}))
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED
    assert result.to_json()["warnings"] == [
        {"code": 9001, "message": "delivery report callback not configured"},
        {"code": 9300, "message": "low balance"},
    ]
    assert result.to_json()["items"][0]["warnings"] == []
    assert result.notes() == [
        "warning 9001: delivery report callback not configured",
        "warning 9300: low balance",
    ]


async def test_warnings_of_a_refusal_are_kept_too() -> None:
    status = {"code": 400, "success": False, "message": "no", "warnings": ["deprecated field"]}
    rec = Recorder(httpx.Response(400, json={"status": status}))
    result = await _send(rec)
    assert result.outcome is Outcome.REJECTED
    assert [str(w) for w in result.warnings] == ["deprecated field"]


async def test_the_journal_and_json_name_the_recipient_as_sent_not_the_echo() -> None:
    body = {
        "status": {"code": 200, "success": True, "count": 2, "successCount": 2},
        "smsList": [
            {"sms": {"to": "9919591471711"}, "errors": []},
            {"sms": {"to": "1202555010"}, "errors": []},
        ],
    }
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert [i["recipient"] for i in result.to_json()["items"]] == REQUEST.recipients
    assert result.items[0].echo["to"] == "9919591471711"


@pytest.mark.parametrize("answered", [3, 50_000])
async def test_more_items_than_sent_is_an_anomaly_and_stays_cheap(answered: int) -> None:
    items = [{"sms": {"to": "919591471711"}, "errors": [], "warnings": []}] * answered
    rec = Recorder(httpx.Response(200, json={"smsList": items}))
    started = time.perf_counter()
    result = await _send(rec)
    assert time.perf_counter() - started < 2.0
    assert result.count == 2 and result.extra_items == answered - 2
    assert result.success_count == 2 and result.outcome is Outcome.ACCEPTED
    assert result.anomalies == [
        f"the server answered {answered} items for 2 sent; "
        f"the {answered - 2} extra {'is' if answered == 3 else 'are'} not counted"
    ]
    assert result.to_json()["extra_items"] == answered - 2
    assert len(result.to_json()["items"]) == 2


# --------------------------------------------------------------------------- the dry-run view


async def test_the_dry_run_view_says_in_one_line_when_it_left_attachment_data_out() -> None:
    attachment = Attachment.from_encoded(
        file_name="a.pdf", file_type="pdf", file_data="JVBERi0=", raw_size=5, sha256="0" * 64
    )
    fields = {"from": "noreply@example.com", "subject": "s", "attachments": (attachment,)}
    email = build_request(Channel.EMAIL, ["user@example.com"], fields)
    rec = Recorder(httpx.Response(200, json=OK_BODY))
    async with rec.client() as client:
        with_files, plain = client.render(email), client.render(REQUEST)
    assert with_files.omitted_attachment_data and not plain.omitted_attachment_data
    note = [line for line in with_files.to_text().splitlines() if "left out" in line]
    assert note == [f"({RedactedRequest.OMITTED_NOTE})"]
    assert "JVBERi0=" not in with_files.to_text() + with_files.to_curl()
    assert with_files.to_curl().startswith("# attachment data left out")
    assert with_files.to_json()["omitted_attachment_data"] is True
    assert "left out" not in plain.to_text() + plain.to_curl()


@pytest.mark.parametrize("asked", ["inf", "1e308", "99999999999"])
async def test_a_wait_no_one_would_make_is_said_not_crashed_on(asked: str) -> None:
    """Found by the answer fuzzing: ``Retry-After: inf`` made the wait's wording raise."""
    result = await _send(Recorder(httpx.Response(429, headers={"Retry-After": asked})))
    assert isinstance(result.error, RateLimited) and result.outcome is Outcome.REJECTED
    assert "more than a year" in result.error.message
