"""Benchmarks of comms-tui against their floors, measured side by side in one run.

    python tests/benchmarks/run.py [--quick]

Prints one JSON object. Every ratio has its raw medians beside it. Goals (issue 6):
startup_ratio ≤ 1.3 · attachment_ratio ≤ 1.5 · attachment_peak_mem_factor ≤ 4 · ui_stall_ms ≤ 50
· send_overhead_ratio ≤ 1.2 · batch_1000_ms ≤ 50 · results_1000_ms ≤ 250.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
ATTACHMENT_BYTES = 25 * MB


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------- attachment


def _email_with(path: Path) -> list[bytes]:
    from comms_tui.api.attachments import AttachmentBudget, load_attachment
    from comms_tui.api.channels import Channel
    from comms_tui.api.requests import build_request

    budget = AttachmentBudget(max_file_bytes=64 * MB, max_message_bytes=64 * MB)
    attachment = load_attachment(path, budget=budget)
    request = build_request(
        Channel.EMAIL,
        ["user@example.com"],
        {"from": "noreply@example.com", "subject": "report", "body": "<p>attached</p>",
         "attachments": (attachment,)},
    )  # fmt: skip
    return request.body_parts()


def bench_attachment(path: Path, runs: int) -> dict[str, Any]:
    def floor() -> None:
        with path.open("rb") as f:
            base64.b64encode(f.read())

    ours_t, floor_t = [], []
    for _ in range(runs):  # interleaved, so drift hits both alike
        floor_t.append(timed(floor))
        ours_t.append(timed(lambda: _email_with(path)))
    return {
        "attachment_ratio": round(statistics.median(ours_t) / statistics.median(floor_t), 3),
        "attachment_ms": median_ms(ours_t),
        "attachment_floor_ms": median_ms(floor_t),
    }


_PEAK_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from tests.benchmarks.run import _email_with
from pathlib import Path
import comms_tui.api.requests, comms_tui.api.attachments, comms_tui.api.phones  # warm imports

def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status('VmRSS:')
parts = _email_with(Path({path!r}))
assert sum(map(len, parts)) > 0
print(status('VmHWM:') - before)
"""


def bench_attachment_memory(path: Path, runs: int) -> dict[str, Any]:
    growth = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PEAK_SCRIPT.format(root=str(ROOT), path=str(path))],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        growth.append(int(out.strip()))
    size = path.stat().st_size
    return {
        "attachment_peak_mem_factor": round(statistics.median(growth) / size, 3),
        "attachment_peak_growth_mb": round(statistics.median(growth) / MB, 1),
    }


# ---------------------------------------------------------------- batch


def bench_batch(runs: int) -> dict[str, Any]:
    from comms_tui.api.channels import Channel
    from comms_tui.api.models import ValidationContext
    from comms_tui.api.requests import build_request

    context = ValidationContext(region="IN")
    build_request(Channel.SMS, ["919591471711"], {"body": "warm"}, context=context)
    samples = []
    for run in range(runs):
        # Fresh numbers every run: the phone cache must not flatter the figure.
        phones = [f"+9198{run:02d}{i:06d}" for i in range(1000)]
        samples.append(
            timed(
                lambda phones=phones: build_request(  # type: ignore[misc]
                    Channel.SMS, phones, {"body": "747977 is your OTP", "sender": "CAPNTH"},
                    context=context,
                ).body_bytes()
            )
        )  # fmt: skip
    return {"batch_1000_ms": median_ms(samples)}


# ---------------------------------------------------------------- send overhead


async def _send_overhead(base_url: str, sends: int, rounds: int) -> dict[str, Any]:
    import httpx

    from comms_tui.api.auth import basic_authorization
    from comms_tui.api.channels import Channel
    from comms_tui.api.client import CommsClient
    from comms_tui.api.requests import build_request
    from comms_tui.api.target import BasicCredentials, Target

    credentials = BasicCredentials("sandbox", "sandbox")
    target = Target(base_url=base_url, credentials=credentials)
    request = build_request(Channel.SMS, ["919591471711"], {"body": "747977 is your OTP"})
    body = request.body_bytes()
    url = f"{base_url}/v2/communications/sendMessage?channel=sms"
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": basic_authorization(credentials),
    }
    per = sends // rounds
    ours, raw = [], []
    async with CommsClient(target) as client, httpx.AsyncClient() as http:
        for _ in range(10):  # warm both connections
            await client.send(request)
            (await http.post(url, content=body, headers=headers)).json()
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(per):
                response = await http.post(url, content=body, headers=headers)
                response.json()
            raw.append(time.perf_counter() - start)
            start = time.perf_counter()
            for _ in range(per):
                result = await client.send(request)
                assert result.outcome.value == "accepted", result.error
            ours.append(time.perf_counter() - start)
    return {
        "send_overhead_ratio": round(sum(ours) / sum(raw), 3),
        "send_300_ms": round(sum(ours) * 1000, 1),
        "send_300_raw_httpx_ms": round(sum(raw) * 1000, 1),
    }


def bench_send_overhead(sends: int = 300, rounds: int = 6) -> dict[str, Any]:
    from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=1_000_000)) as sandbox:
        return asyncio.run(_send_overhead(sandbox.base_url, sends, rounds))


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    args = parser.parse_args()
    runs = 3 if args.quick else 11
    from tests.benchmarks import tui_bench

    results: dict[str, Any] = {
        "machine": f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}",
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COMMS_TUI_DATA_DIR", str(Path(tmp) / "data"))
        os.environ.setdefault("COMMS_TUI_CONFIG_DIR", str(Path(tmp) / "config"))
        path = Path(tmp) / "random.bin"
        path.write_bytes(os.urandom(ATTACHMENT_BYTES))
        results.update(tui_bench.bench_startup(10 if not args.quick else 3))
        results.update(bench_attachment(path, runs))
        results.update(bench_attachment_memory(path, 3 if not args.quick else 1))
        results.update(tui_bench.bench_ui_stall(path, 9 if not args.quick else 1))
        results.update(bench_send_overhead())
        results.update(bench_batch(runs))
        results.update(tui_bench.bench_results(runs))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
