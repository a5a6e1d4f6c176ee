"""Scale-out efficiency: two worker processes against one, on PostgreSQL and Redis.

I/O-bound contacts (the sandbox provider answers in 200 ms), 10 slots per worker, an API
replica with no workers of its own. Each phase posts the same number of contacts (6 jobs
of 100) and times them from the first POST to the last job's end. Perfect scaling would
halve the time; the last line is the speed-up, one worker's time over two workers'.

Run: .venv/bin/python bench/scale.py [--jobs 6] [--per-job 100]   (last line: ratio=)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import postgres_database, run_jobs, sandbox_key, stop, worker
from tests.harness import REDIS_URL
from tests.test_crash import free_port
from tests.test_crash import start as serve

LATENCY_MS = 200
SLOTS = 10


def phase(env: dict[str, str], base_url: str, key: str, workdir: Path, workers: int) -> float:
    started = [worker(env, workdir / f"worker-{workers}-{i}.log") for i in range(workers)]
    try:
        run_jobs(base_url, key, 1, SLOTS * workers, f"Warm{workers}-")
        seconds: float = run_jobs(base_url, key, ARGS.jobs, ARGS.per_job, f"Scale{workers}-")
        return seconds
    finally:
        stop(*started)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="openenrich-bench-"))
    with postgres_database() as url:
        env = {
            **os.environ,
            "OPENENRICH_DATABASE_URL": url,
            "OPENENRICH_REDIS_URL": REDIS_URL,
            "OPENENRICH_SECRET_KEY_FILE": str(workdir / "secret.key"),
            "OPENENRICH_SANDBOX_LATENCY_MS": str(LATENCY_MS),
            "OPENENRICH_WORKER_CONCURRENCY": str(SLOTS),
            "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
        }
        key = sandbox_key(env, credits=1_000_000)
        port = free_port()
        api = serve({**env, "OPENENRICH_EMBEDDED_WORKER": "false"}, port, workdir / "api.log")
        try:
            base = f"http://127.0.0.1:{port}"
            one = phase(env, base, key, workdir, 1)
            two = phase(env, base, key, workdir, 2)
        finally:
            stop(api)
    count = ARGS.jobs * ARGS.per_job
    bound = count * LATENCY_MS / 1000 / SLOTS
    print(f"{count} contacts per phase, {LATENCY_MS} ms each, {SLOTS} slots per worker")
    print(f"one worker: {one:.2f} s (bound {bound:.1f} s)")
    print(f"two workers: {two:.2f} s (bound {bound / 2:.1f} s)")
    print(f"ratio={one / two:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--per-job", type=int, default=100)
    ARGS = parser.parse_args()
    main()
