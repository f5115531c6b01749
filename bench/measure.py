"""Running child processes for timing: wall time and output of each, in alternating rounds.

A benchmark child prints two numbers last: its in-process time (seconds) and its peak resident set size
(VmHWM from /proc/self/status, KiB). Peak memory comes from the child itself because `ru_maxrss` from
`wait4` also counts the parent's pages: the kernel keeps the larger of the forked image and the exec'd one.
"""

from __future__ import annotations

import compileall
import importlib.util
import random
import statistics
import subprocess
import time
from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass
class Sample:
    wall: float  # seconds, start to exit
    stdout: str


def run_child(argv: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run `argv` to completion; raise RuntimeError (with its stderr) when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{argv[:3]} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    return Sample(wall, proc.stdout.decode())


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def inners(self) -> list[float]:
        """The in-process time each child printed (seconds)."""
        return [float(s.stdout.split()[-2]) for s in self.samples]

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def inner(self) -> float:
        return statistics.median(self.inners)

    @property
    def peak_mib(self) -> float:
        """Median of the peak resident set each child printed (MiB)."""
        return statistics.median(int(s.stdout.split()[-1]) for s in self.samples) / 1024


def alternate(
    commands: dict[Hashable, list[str]], rounds: int, env: dict[str, str] | None = None, seed: int = 0
) -> dict[Hashable, Series]:
    """Run every command once per round, in a fresh random order each round (seeded); one warm-up round
    is discarded. Sample i of every series comes from round i, for `paired_ratio`."""
    order = random.Random(seed)
    names = list(commands)
    series = {name: Series() for name in names}
    for name in names:
        run_child(commands[name], env)
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            series[name].samples.append(run_child(commands[name], env))
    return series


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median of a[i] / b[i]: samples taken in the same round, so slow spells of a noisy machine cancel out."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def compile_package() -> None:
    """Write cookie_session's bytecode, as `pip install` does (an editable install under
    PYTHONDONTWRITEBYTECODE would otherwise compile every module from source in every run)."""
    spec = importlib.util.find_spec("cookie_session")
    for location in spec.submodule_search_locations or ():
        compileall.compile_dir(location, quiet=1)
