"""Waterfall throughput: 10,000 contacts through 3 simulated providers.

Each provider answers in 100 ms, allows 50 requests in flight, and finds an email for
40 %, 30 % and 20 % of the contacts that reach it. The bound: a provider with cap C and
latency L serves at most C / L calls per second, so the run cannot take less than
max over providers of (calls it received x L / C). The ratio is that bound over the
measured wall time (1.0 = the engine adds nothing). CPU time per contact is the whole
process's (engine, httpx client and the simulated vendors), an upper bound for the engine.

Run: .venv/bin/python bench/waterfall.py   (last line: ratio=<achieved over bound>)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable

import httpx
import orjson

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, Pending, ProviderError, ProviderResult
from openenrich.waterfall import WaterfallConfig, build_waterfall
from openenrich.waterfall.config import CacheConfig, ProviderConfig

LATENCY = 0.100
CAP = 50
HIT_RATES = {"alpha": 0.40, "beta": 0.30, "gamma": 0.20}
WORK = frozenset({Field.WORK_EMAIL})
JSON = {"content-type": "application/json"}
NO_MATCH = orjson.dumps({"email": None})


class BenchAdapter:
    """A pure-translation adapter like the vendor ones: JSON over HTTP."""

    fields = frozenset({Field.WORK_EMAIL})

    def __init__(self, name: str) -> None:
        self.name = name

    def build_request(
        self, query: ContactQuery, fields: frozenset[Field], api_key: str
    ) -> httpx.Request:
        return httpx.Request(
            "POST",
            f"https://{self.name}.bench/find",
            json={
                "first_name": query.first_name,
                "last_name": query.last_name,
                "domain": query.domain,
            },
            headers={"X-Api-Key": api_key},
        )

    def parse_response(self, response: httpx.Response) -> ProviderResult | Pending:
        if response.status_code >= 500:
            raise ProviderError(ErrorKind.TRANSIENT, str(response.status_code))
        data = orjson.loads(response.content)
        if not data.get("email"):
            return ProviderResult()
        return ProviderResult(
            [EmailFinding(data["email"], Field.WORK_EMAIL, EmailStatus(data["status"]))]
        )


class Vendors:
    """The simulated vendors: fixed latency, a deterministic set of people each one knows."""

    def __init__(self, contacts: int, seed: int) -> None:
        rng = random.Random(seed)
        self.knows = {
            name: {i for i in range(contacts) if rng.random() < rate}
            for name, rate in HIT_RATES.items()
        }
        self.calls: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host.removesuffix(".bench")
        self.calls[name] += 1
        self.in_flight[name] += 1
        self.peak[name] = max(self.peak[name], self.in_flight[name])
        try:
            await asyncio.sleep(LATENCY)
            # The vendor's own work is kept small: it is not the engine's cost.
            body = orjson.loads(request.content)
            index = int(body["first_name"].removeprefix("p"))
            if index in self.knows[name]:
                email = f"{body['first_name']}@{body['domain']}"
                answer = orjson.dumps({"email": email, "status": "DELIVERABLE"})
            else:
                answer = NO_MATCH
            return httpx.Response(200, content=answer, headers=JSON)
        finally:
            self.in_flight[name] -= 1


async def run(contacts: int, workers: int, seed: int) -> tuple[float, float, Vendors, int]:
    vendors = Vendors(contacts, seed)
    names = list(HIT_RATES)
    config = WaterfallConfig(
        order={"work_email": names},
        verifiers=[],
        providers={
            name: ProviderConfig(
                api_key_env="BENCH_KEY",
                concurrency=CAP,
                timeout=5.0,
                max_retries=0,
                price_per_hit=0.01,
                trusted_statuses=[EmailStatus.DELIVERABLE],
            )
            for name in names
        },
        cache=CacheConfig(memory_entries=contacts * len(names)),
    )
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(transport=httpx.MockTransport(vendors), limits=limits) as http:
        waterfall = build_waterfall(
            config,
            http,
            extra_providers={name: BenchAdapter(name) for name in names},  # type: ignore[misc]
            environ={"BENCH_KEY": "bench"},
        )
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(contacts):
            queue.put_nowait(i)
        found = 0

        async def worker() -> None:
            nonlocal found
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                query = ContactQuery(first_name=f"p{i}", last_name="Bench", domain="example.com")
                outcome = await waterfall.run(query, WORK)
                found += any(
                    isinstance(f, EmailFinding) and f.status is EmailStatus.DELIVERABLE
                    for f in outcome.findings
                )

        cpu_started = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        await waterfall.aclose()
    return elapsed, cpu, vendors, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1_000, help="contacts in flight")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    loop_factory: Callable[[], asyncio.AbstractEventLoop]
    try:
        import uvloop  # the server's event loop where available

        loop_factory = uvloop.new_event_loop
        loop_name = "uvloop"
    except ImportError:  # pragma: no cover
        loop_factory = asyncio.new_event_loop
        loop_name = "asyncio"
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        elapsed, cpu, vendors, found = runner.run(run(args.contacts, args.workers, args.seed))
    bound = max(vendors.calls[name] * LATENCY / CAP for name in HIT_RATES)
    achieved_rate = args.contacts / elapsed
    bound_rate = args.contacts / bound
    expected = {
        name: args.contacts * (1 - 0.4) ** (i > 0) * (1 - 0.3) ** (i > 1)
        for i, name in enumerate(HIT_RATES)
    }
    print(f"contacts={args.contacts} workers={args.workers} loop={loop_name}")
    for name in HIT_RATES:
        print(
            f"  {name}: calls={vendors.calls[name]} (expected ~{expected[name]:.0f}) "
            f"peak_in_flight={vendors.peak[name]} cap={CAP} latency={LATENCY * 1000:.0f}ms"
        )
    print(f"found={found} ({found / args.contacts:.1%})")
    print(f"wall={elapsed:.2f}s bound={bound:.2f}s")
    print(f"achieved={achieved_rate:.1f} contacts/s bound={bound_rate:.1f} contacts/s")
    print(f"cpu_per_contact={cpu / args.contacts * 1e6:.0f}us (process total {cpu:.2f}s)")
    print(f"ratio={achieved_rate / bound_rate:.3f}")


if __name__ == "__main__":
    main()
