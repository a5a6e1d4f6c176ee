"""`openenrich enrich` as a user runs it, against a real server: the output keeps every
row and column; `--dry-run` spends nothing; SIGKILL mid-run then the same command again
gives the same file and the same credits as an uninterrupted run."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sdk.live import BIN, LiveServer, live_server

from openenrich.files.columns import RESULT_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("cli"),
        sandbox_latency_ms="25",
        worker_concurrency="4",
        dedup_days="0",  # every run pays in full, so two runs' spending can be compared
    ) as running:
        yield running


def write_input(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["First Name", "Last Name", "Company Website", "Notes"])
        for i in range(rows):
            if i % 50 == 7:
                out.writerow([f"Only{i}", "", "", "no surname"])
            else:
                out.writerow([f"Zoé{i}", "Martin", f"https://www.c{i % 9}.example/", f"n{i}\nx"])


def run(
    server: LiveServer, *args: str | Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "enrich", *map(str, args), "--poll-interval", "0.05"],
        env=server.client_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def test_dry_run_spends_nothing(server: LiveServer, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    write_input(source, 120)
    before = (server.sandbox_spent(), server.count("SELECT COUNT(*) FROM enrichments"))
    shown = run(
        server, source, "-o", tmp_path / "out.csv", "--fields", "work_email,phone", "--dry-run"
    )
    assert "first_name    <- First Name" in shown.stdout
    assert "website       <- Company Website" in shown.stdout
    assert "to send: 117 rows in 2 jobs" in shown.stdout
    assert "maximum cost 1287 credits" in shown.stdout  # 117 x (1 + 10)
    assert not (tmp_path / "out.csv").exists()
    assert (server.sandbox_spent(), server.count("SELECT COUNT(*) FROM enrichments")) == before


def test_output_keeps_rows_and_columns(server: LiveServer, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    write_input(source, 130)
    output = tmp_path / "out.csv"
    done = run(server, source, "-o", output, "--fields", "work_email,personal_email,phone", "--yes")
    assert "wrote" in done.stdout
    with output.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle, delimiter=";"))
    assert table[0] == ["First Name", "Last Name", "Company Website", "Notes", *RESULT_COLUMNS]
    assert len(table) == 131
    status = table[0].index("enriched_status")
    for i, row in enumerate(table[1:]):
        assert row[0].startswith(("Zoé", "Only")) and row[0].endswith(str(i))
        if i % 50 == 7:
            assert row[status] == "not_sent" and row[status + 1] == (
                "missing last_name, domain or company_name"
            )
        else:
            assert row[3] == f"n{i}\nx" and row[status] in ("found", "not_found")
    assert any(row[table[0].index("enriched_work_email")] for row in table[1:])


def test_malformed_input_is_one_clear_line(server: LiveServer, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text('first_name,last_name,domain\na,b,c.example\nd,"e,f.example\n')
    failed = run(server, source, "-o", tmp_path / "out.csv", "--yes", check=False)
    assert failed.returncode == 2
    assert failed.stderr.strip() == f"error: {source}: line 3: a quoted value is never closed"
    assert "Traceback" not in failed.stderr


def _checkpoints(state: Path) -> int:
    if not state.exists():
        return 0
    lines = [json.loads(line) for line in state.read_text().splitlines() if line.endswith("}")]
    return sum(1 for e in lines if "checkpoint" in e and e["checkpoint"]["batch"] >= 0)


@pytest.mark.timeout(240)
def test_sigkill_then_rerun_gives_the_same_file_and_spend(
    server: LiveServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    write_input(source, 480)  # 470 sendable: 5 jobs
    fields = ["--fields", "work_email,personal_email,phone", "--yes", "--max-pending", "2"]

    spent, jobs = server.sandbox_spent(), server.count("SELECT COUNT(*) FROM enrichments")
    whole = tmp_path / "whole.csv"
    run(server, source, "-o", whole, *fields)
    whole_spent = server.sandbox_spent() - spent
    whole_jobs = server.count("SELECT COUNT(*) FROM enrichments") - jobs
    assert whole_jobs == 5 and whole_spent > 0

    spent, jobs = server.sandbox_spent(), server.count("SELECT COUNT(*) FROM enrichments")
    killed = tmp_path / "killed.csv"
    state = killed.with_name("killed.csv.state")
    process = subprocess.Popen(
        [str(BIN), "enrich", str(source), "-o", str(killed), *fields, "--poll-interval", "0.05"],
        env=server.client_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _checkpoints(state) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 1 <= _checkpoints(state) < 5, "the kill must land mid-run"
    run(server, source, "-o", killed, *fields)

    assert killed.read_bytes() == whole.read_bytes()
    assert server.sandbox_spent() - spent == whole_spent
    assert server.count("SELECT COUNT(*) FROM enrichments") - jobs == whole_jobs
    # A third run finds the state done and changes nothing.
    run(server, source, "-o", killed, *fields)
    assert killed.read_bytes() == whole.read_bytes()
