"""Synthetic population: people generated per CPU second, against an aim of 30,000/s.

Generates --people (default 1,000,000) over --companies (default 3,000) in one process,
streaming, and prints the CPU time, the rate and the peak memory; the last line is
`ratio=<people per CPU second / 30,000>`.

Run: .venv/bin/python bench/synthetic.py [--people 1000000] [--companies 3000]
"""

from __future__ import annotations

import argparse
import resource
import time

from openenrich.people import synthetic

AIM = 30_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=synthetic.DEFAULT_COMPANIES)
    args = parser.parse_args()
    started = time.process_time()
    for _ in synthetic.people(args.people, args.companies):
        pass
    cpu = time.process_time() - started
    rate = args.people / cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.people} people over {args.companies} companies: {cpu:.1f} s CPU")
    print(f"{rate:.0f} people/s, peak RSS {peak_mb:.0f} MB")
    print(f"ratio={rate / AIM:.3f}")


if __name__ == "__main__":
    main()
