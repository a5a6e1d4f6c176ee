"""The job machinery's own cost: contacts per second end to end through the HTTP API with
the zero-latency sandbox provider, against contacts per second of the same processing
(waterfall, assembly, finding rows) called in-process with no database and no queue.

End to end covers everything a real job pays for besides its providers: the POST's
transaction, claims and leases, the finish transaction (findings, ledger, events), the
job's close and the polls. Measured on SQLite (one `serve` process) and on the machine's
PostgreSQL (a database of its own); the last line is the SQLite ratio.

Run: .venv/bin/python bench/job_overhead.py [--jobs 5] [--per-job 100] (last line: ratio=)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import contacts, postgres_database, run_jobs, sandbox_key, stop
from tests.test_crash import free_port as port
from tests.test_crash import start as serve

from openenrich.config import Settings
from openenrich.enrichment.models import Contact, Enrichment
from openenrich.enrichment.processing import EnrichProcessor
from openenrich.services import sandbox_waterfall


async def in_process(count: int, concurrency: int) -> float:
    """Contacts per second of the processing alone, `concurrency` at a time like a worker."""
    waterfall = sandbox_waterfall(Settings(sandbox_latency_ms=0))
    processor = EnrichProcessor(lambda sandbox: waterfall)
    enrichment = Enrichment(id="bench", workspace_id="bench", sandbox=True, kind="enrich")
    rows = contacts(count, "InProcess")
    people = [
        Contact(
            id=str(i),
            input={k: v for k, v in row.items() if k != "enrich_fields"},
            fields=row["enrich_fields"],
            custom={},
        )
        for i, row in enumerate(rows)
    ]
    gate = asyncio.Semaphore(concurrency)

    async def one(contact: Contact) -> None:
        async with gate:
            paid = frozenset(processor.chargeable(contact))
            outcome = await processor.process(enrichment, contact, paid)
            outcome.record()
            outcome.finding_rows()

    started = time.perf_counter()
    await asyncio.gather(*(one(contact) for contact in people))
    return count / (time.perf_counter() - started)


def end_to_end(database_url: str, workdir: Path, jobs: int, per_job: int) -> float:
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": database_url,
        "OPENENRICH_SECRET_KEY_FILE": str(workdir / "secret.key"),
        "OPENENRICH_SANDBOX_LATENCY_MS": "0",
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
    }
    key = sandbox_key(env, credits=100 * jobs * per_job)
    where = port()
    server = serve(env, where, workdir / "serve.log")
    try:
        base = f"http://127.0.0.1:{where}"
        run_jobs(base, key, 1, 10, "Warm")  # first-use costs: imports, connections
        seconds: float = run_jobs(base, key, jobs, per_job, "Bench")
    finally:
        stop(server)
    return jobs * per_job / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=5)
    parser.add_argument("--per-job", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    count = args.jobs * args.per_job
    baseline = asyncio.run(in_process(count, Settings().worker_concurrency))
    workdir = Path(tempfile.mkdtemp(prefix="openenrich-bench-"))
    sqlite = end_to_end(f"sqlite:///{workdir / 'bench.db'}", workdir, args.jobs, args.per_job)
    print(f"{count} contacts, zero-latency sandbox, {args.jobs} jobs posted at once")
    print(f"in-process processing, no database or queue: {baseline:.0f} contacts/s")
    if not args.no_postgres:
        with postgres_database() as url:
            postgres = end_to_end(url, workdir, args.jobs, args.per_job)
        print(f"end to end, PostgreSQL: {postgres:.0f} contacts/s, ratio {postgres / baseline:.3f}")
    print(f"end to end, SQLite: {sqlite:.0f} contacts/s ({1000 / sqlite:.2f} ms per contact)")
    print(f"ratio={sqlite / baseline:.3f}")


if __name__ == "__main__":
    main()
