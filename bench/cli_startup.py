"""Wall time of `cookie-session --help` against `python -c "import click"`, alternating paired runs.

    python bench/cli_startup.py [--runs N]

Prints the median of each and the ratio of medians (the machine is noisy: compare ratios, not times).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import click": [sys.executable, "-c", "import click"],
    "cookie-session --help": [sys.executable, "-m", "cookie_session", "--help"],
    "import cookie_session": [sys.executable, "-c", "import cookie_session"],
}


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name, command in COMMANDS.items():  # warm the page cache
        wall_time(command)
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    floor = statistics.median(times["import click"])
    print(f"{'command':28} {'median ms':>10} {'ratio':>7}   ({args.runs} alternating runs)")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:28} {median * 1000:10.1f} {median / floor:7.2f}x")


if __name__ == "__main__":
    main()
