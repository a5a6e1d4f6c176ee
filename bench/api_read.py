"""GET of a FINISHED 100-contact enrichment: our server against a minimal ASGI app that
returns the same bytes, both under the same uvicorn settings and the same load generator.

Prints requests per second of each; the last line is `ratio=<ours / baseline>`.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent / "openenrich"
CONNECTIONS = 16
SECONDS = 5.0

MINIMAL_APP = """
import os
BODY = open(os.environ["BENCH_BODY"], "rb").read()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(target: str, port: int, env: dict[str, str], factory: bool) -> subprocess.Popen[bytes]:
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target} did not start")


async def load(port: int, path: str, headers: dict[str, str], expected: bytes) -> float:
    """Keep-alive HTTP/1.1 connections sending GETs back to back for SECONDS; req/s."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode()
    done = 0
    stop = time.monotonic() + SECONDS

    async def connection() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < stop:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"unexpected answer: {head[:80]!r}")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = await reader.readexactly(length)
            if len(body) != len(expected):
                raise SystemExit("body differs from the expected bytes")
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return done / (time.monotonic() - started)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="openenrich-bench-"))
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "OPENENRICH_SECRET_KEY_FILE": str(workdir / "secret.key"),
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
        "PYTHONPATH": str(workdir),
    }
    created = subprocess.run(
        [str(BIN), "workspaces", "create", "bench", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(created.stdout)["sandbox_api_key"]
    auth = {"Authorization": f"Bearer {key}"}
    port = free_port()
    ours = serve("openenrich.app:create_app", port, env, factory=True)
    try:
        data = [
            {
                "first_name": f"Bench{i}",
                "last_name": "Reader",
                "domain": "bench.example",
                "company_name": "Bench",
                "linkedin_url": f"https://www.linkedin.com/in/bench-{i}",
                "enrich_fields": [
                    "contact.work_emails",
                    "contact.personal_emails",
                    "contact.phones",
                ],
                "custom": {"row": str(i)},
            }
            for i in range(100)
        ]
        base = f"http://127.0.0.1:{port}/api/v2/contact/enrich/bulk"
        enrichment_id = httpx.post(base, json={"name": "bench", "data": data}, headers=auth).json()[
            "enrichment_id"
        ]
        for _ in range(600):
            response = httpx.get(f"{base}/{enrichment_id}", headers=auth)
            if response.status_code == 200 and response.json()["status"] == "FINISHED":
                break
            time.sleep(0.1)
        body = response.content
        path = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
        asyncio.run(load(port, path, auth, body))  # warm-up
        ours_rps = asyncio.run(load(port, path, auth, body))
    finally:
        ours.terminate()
        ours.wait()
    (workdir / "bench_minimal.py").write_text(MINIMAL_APP)
    (workdir / "body.json").write_bytes(body)
    port = free_port()
    baseline = serve(
        "bench_minimal:app", port, {**env, "BENCH_BODY": str(workdir / "body.json")}, factory=False
    )
    try:
        asyncio.run(load(port, path, auth, body))
        baseline_rps = asyncio.run(load(port, path, auth, body))
    finally:
        baseline.terminate()
        baseline.wait()
    print(f"body: {len(body)} bytes, {CONNECTIONS} connections, {SECONDS:.0f} s each")
    print(f"openenrich: {ours_rps:.0f} req/s")
    print(f"minimal ASGI app, same bytes: {baseline_rps:.0f} req/s")
    print(f"ratio={ours_rps / baseline_rps:.3f}")


if __name__ == "__main__":
    main()
