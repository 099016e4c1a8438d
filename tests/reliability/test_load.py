"""The sandbox and the client under load: 20 concurrent clients × 250 sends.

No error beyond the rate-limit rule, every message in the outbox exactly once, memory flat.
The sandbox runs in this process (a uvicorn thread), so one process's memory covers both ends.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import RateLimited
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

CLIENTS = 20
SENDS = 250
TOTAL = CLIENTS * SENDS
RECIPIENTS = [f"91959147{1700 + i:04d}" for i in range(CLIENTS)]  # one per client

# Memory bounds, and why:
# - RSS over the full 5,000 sends: the outbox legitimately keeps every message (a dict of a
#   dozen fields, ~2 KB with allocator overhead: ~10 MB for 5,000). Anything retained per
#   send on top — a response, a connection, a request record — costs ≥ 10 KB each, i.e. 50 MB+.
RSS_GROWTH_LIMIT_MB = 40
# - tracemalloc over a 500-send batch, outbox and counters cleared afterwards: what is left is
#   what the client and server leaked. Measured noise (requests still being torn down, interned
#   strings) is ~100-170 KB; 1 KB per send is far below the size of any leaked object graph.
TRACED_GROWTH_LIMIT = 500 * 1024

Outcomes = Counter[tuple[Outcome, str]]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _requests(clients: int) -> list[SendRequest]:
    return [
        build_request(Channel.SMS, [RECIPIENTS[i]], {"body": f"load test, client {i}"})
        for i in range(clients)
    ]


async def _blast(
    base_url: str,
    clients: int,
    sends: int,
    *,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    retry_after: list[float] | None = None,
) -> Outcomes:
    """``clients`` CommsClients sending ``sends`` each, concurrently; counts (outcome, error)."""
    target = Target(base_url=base_url, credentials=BasicCredentials("sandbox", "sandbox"))
    requests = _requests(clients)
    outcomes: Outcomes = Counter()

    async def client_task(index: int) -> None:
        kwargs = {"sleep": sleep} if sleep else {}
        async with CommsClient(target, **kwargs) as client:  # type: ignore[arg-type]
            for _ in range(sends):
                result = await client.send(requests[index])
                outcomes[(result.outcome, type(result.error).__name__)] += 1
                if isinstance(result.error, RateLimited) and retry_after is not None:
                    retry_after.append(result.error.retry_after or 0.0)

    await asyncio.gather(*(client_task(i) for i in range(clients)))
    return outcomes


@pytest.fixture(scope="module")
def load_sandbox() -> Iterator[EmbeddedSandbox]:
    # One Basic user exists, so all 20 clients share one rate-limit key: raise the limit.
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=10_000)) as running:
        yield running


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_twenty_clients_times_250_sends_all_land_exactly_once(
    load_sandbox: EmbeddedSandbox,
) -> None:
    state = load_sandbox.state
    assert load_sandbox.config.outbox_limit >= TOTAL  # the outbox cap does not trim this run
    # Warm-up: imports, SSL contexts, caches, allocator arenas.
    asyncio.run(_blast(load_sandbox.base_url, CLIENTS, 25))
    state.reset()
    gc.collect()
    rss_before = _rss_mb()

    outcomes = asyncio.run(_blast(load_sandbox.base_url, CLIENTS, SENDS))

    assert outcomes == Counter({(Outcome.ACCEPTED, "NoneType"): TOTAL})
    stats = state.stats()
    assert stats["requests"] == TOTAL  # not one retry, not one lost
    assert stats["by_recipient"] == dict.fromkeys(RECIPIENTS, SENDS)
    outbox = state.outbox()
    assert len(outbox) == TOTAL
    assert Counter(m["recipient"] for m in outbox) == dict.fromkeys(RECIPIENTS, SENDS)
    assert len({m["id"] for m in outbox}) == TOTAL  # each stored once, under its own id
    del outbox
    gc.collect()
    growth = _rss_mb() - rss_before
    assert growth < RSS_GROWTH_LIMIT_MB, f"RSS grew {growth:.1f} MB over {TOTAL} sends"


def _ours(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes traced, less what pytest's import hook holds: httpcore tries ``import sniffio`` (not
    installed) at each new connection, and the hook's bookkeeping of that (interned path parts)
    is pytest's, not a leak of ours."""
    hook = tracemalloc.Filter(False, "*/_pytest/*", all_frames=True)
    return sum(stat.size for stat in snapshot.filter_traces([hook]).statistics("filename"))


@pytest.mark.slow
def test_a_batch_of_sends_leaves_no_traced_memory_behind(load_sandbox: EmbeddedSandbox) -> None:
    state = load_sandbox.state
    asyncio.run(_blast(load_sandbox.base_url, CLIENTS, 5))  # warm-up
    state.reset()
    gc.collect()
    tracemalloc.start(16)  # deep enough to see the import hook under an import
    try:
        gc.collect()
        before = _ours(tracemalloc.take_snapshot())
        outcomes = asyncio.run(_blast(load_sandbox.base_url, CLIENTS, 25))
        assert outcomes == Counter({(Outcome.ACCEPTED, "NoneType"): CLIENTS * 25})
        assert len(state.outbox()) == CLIENTS * 25
        state.reset()  # forget the outbox, the rate window and the counters
        gc.collect()
        left = _ours(tracemalloc.take_snapshot()) - before
    finally:
        tracemalloc.stop()
    assert left < TRACED_GROWTH_LIMIT, f"{left} bytes still allocated after {CLIENTS * 25} sends"


def test_over_the_rate_limit_the_excess_is_rate_limited_and_nothing_else() -> None:
    limit, clients, sends = 100, CLIENTS, 10
    waits: list[float] = []
    retry_after: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=limit)) as sandbox:
        outcomes = asyncio.run(
            _blast(sandbox.base_url, clients, sends, sleep=sleep, retry_after=retry_after)
        )
        stats = sandbox.state.stats()
        stored = len(sandbox.state.outbox())
    excess = clients * sends - limit
    assert outcomes == Counter(
        {(Outcome.ACCEPTED, "NoneType"): limit, (Outcome.REJECTED, "RateLimited"): excess}
    )
    assert stored == limit
    # The window frees a slot ~60 s after the first hit: more than the client will wait
    # (30 s), so no rate-limited send was retried — one request each.
    assert len(retry_after) == excess and all(30 < s <= 60 for s in retry_after)
    assert waits == []
    assert stats["requests"] == clients * sends
