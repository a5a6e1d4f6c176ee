"""CSV enrichment through `openenrich enrich` against the server's own throughput.

A generated CSV of --rows contacts goes through the CLI against a local server with a
sandbox key; then the same contacts are posted directly (batches of 100, polled) to a fresh
server of the same settings. Prints the CLI's peak RSS and both rates; the last line is
`ratio=<CLI rows/s ÷ direct rows/s>` (target >= 0.9, RSS goal <= 300 MB).

    .venv/bin/python bench/csv.py --rows 100000
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's csv module: keep its folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

BIN = Path(sys.executable).parent / "openenrich"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A fresh `openenrich serve` on its own SQLite file, with a sandbox key."""

    def __init__(self, root: Path, rows: int, latency_ms: int) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OPENENRICH_")},
            "OPENENRICH_DATABASE_URL": f"sqlite:///{root / 'bench.db'}",
            "OPENENRICH_SECRET_KEY_FILE": str(root / "secret.key"),
            "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
            "OPENENRICH_SANDBOX_LATENCY_MS": str(latency_ms),
            "OPENENRICH_DEDUP_DAYS": "0",
        }
        created = subprocess.run(
            [str(BIN), "workspaces", "create", "bench", "--json",
             "--sandbox-credits", str(rows * 14 + 1000)],
            env=self.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        self.key: str = json.loads(created.stdout)["sandbox_api_key"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(self.port)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def contact(i: int) -> dict[str, str]:
    return {"first_name": f"Bench{i}", "last_name": "Person", "domain": f"c{i % 997}.example"}


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["first_name", "last_name", "domain", "crm_id"])
        for i in range(rows):
            c = contact(i)
            out.writerow([c["first_name"], c["last_name"], c["domain"], f"crm-{i}"])


def run_cli(server: Server, source: Path, output: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one `openenrich enrich` process."""
    env = {**server.env, "OPENENRICH_BASE_URL": server.url, "OPENENRICH_API_KEY": server.key}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN), "enrich", str(source), "-o", str(output), "--yes",
         "--poll-interval", "0.05", "--max-poll-interval", "0.2",
         "--max-pending", "50"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"enrich failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # KiB on Linux


def run_direct(server: Server, rows: int) -> float:
    """Seconds for the same contacts posted in batches of 100 and polled until done."""
    headers = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client(base_url=f"{server.url}/api/v2", headers=headers, timeout=60) as http:
        started = time.perf_counter()
        ids: list[str] = []
        for first in range(0, rows, 100):
            data: list[dict[str, Any]] = [
                {**contact(i), "enrich_fields": ["contact.work_emails"], "custom": {"row": str(i)}}
                for i in range(first, min(rows, first + 100))
            ]
            answer = http.post("/contact/enrich/bulk", json={"name": "direct", "data": data})
            answer.raise_for_status()
            ids.append(answer.json()["enrichment_id"])
        for enrichment_id in ids:
            while True:
                answer = http.get(f"/contact/enrich/bulk/{enrichment_id}")
                if answer.status_code == 200 and answer.json()["status"] == "FINISHED":
                    break
                time.sleep(0.05)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=int, default=0, help="sandbox time per contact")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
        root = Path(tmp)
        source = root / "in.csv"
        write_csv(source, args.rows)
        server = Server(root / "cli", args.rows, args.latency_ms)
        try:
            cli_seconds, peak_mb, cli_cpu = run_cli(server, source, root / "out.csv")
        finally:
            server.stop()
        with (root / "out.csv").open(encoding="utf-8", newline="") as handle:
            written = sum(1 for _ in csv.reader(handle)) - 1
        assert written == args.rows, f"output has {written} rows"
        server = Server(root / "direct", args.rows, args.latency_ms)
        try:
            direct_seconds = run_direct(server, args.rows)
        finally:
            server.stop()
    cli_rate = args.rows / cli_seconds
    direct_rate = args.rows / direct_seconds
    print(f"rows={args.rows} sandbox_latency_ms={args.latency_ms}")
    print(
        f"cli: {cli_seconds:.1f} s, {cli_rate:.0f} rows/s, peak RSS {peak_mb:.0f} MB, "
        f"CPU {cli_cpu:.1f} s"
    )
    print(f"direct: {direct_seconds:.1f} s, {direct_rate:.0f} rows/s")
    print(f"ratio={cli_rate / direct_rate:.3f}")


if __name__ == "__main__":
    main()
