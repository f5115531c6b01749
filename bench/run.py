"""The whole benchmark, one command: session ready, per request, CLI start-up; medians, ratios and targets.

    python bench/run.py            # about 3 minutes on 2 cores; the machine should be quiet
    python bench/run.py --quick    # a short smoke run (1k cookies, few rounds): correctness, not timing

Session ready: for Chromium and Firefox stores of 1k, 10k and 100k cookies (bench/profiles.py), each
contender in bench/contenders.py runs as a fresh `python -c` process; every (store, contender) pair runs
once per round, all in one shuffled order (alternating, paired runs). The table shows medians, and ratios
against the floor (the minimal extractor) and against browser_cookie3 (the peer) taken as the median of
the per-round ratios. Every child also reports its in-process time
and its peak memory. Children share one private, empty D-Bus session bus (bench/session_bus.py).
Before timing, each contender's values are checked against the generator, and our reader is checked to
load neither browser_cookie3 nor a D-Bus library (the keyring is never touched for a v10-only profile).

Exit status: 1 when a correctness check fails (wrong cookies, a cookie crossing to another host, a heavy
import in `import cookie_session`); 0 otherwise, whatever the timings: the targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import cli_startup
import per_request
import profiles
from contenders import CONTENDERS, FLOOR_NAME, OURS_NAME, PEER_NAME, REFERENCE, REFERENCE_NAME
from measure import Series, alternate, compile_package, paired_ratio, run_child
from session_bus import private_session_bus

TARGETS = {
    "session": 1.25,
    "session_aim": 1.10,
    "in_process_ms": 5.0,
    "flat": 1.5,
    "bearer": 1.02,
    "cookie": 1.10,
    "cli": 1.15,
    "memory_mib": 8.0,
}
#: Modules whose presence after building our authenticator means the keyring (D-Bus) was reached for.
KEYRING_MODULES = ("browser_cookie3", "jeepney", "dbus")
#: Modules `import cookie_session` must not load.
CRYPTO_AND_READERS = ("browser_cookie3", "Cryptodome", "cryptography")


def check_values(contenders: dict, stores: dict, env: dict) -> tuple[list[str], dict]:
    """(problems, {(family, n, contender): note}) from one untimed --check run of every script."""
    problems, notes = [], {}
    for (family, n), path in stores.items():
        expected = sorted(profiles.expected_xai_values(n).values())
        for name, scripts in contenders.items():
            report = json.loads(run_child([sys.executable, "-c", scripts[family], str(path), "--check"], env).stdout)
            got, loaded = report["values"], report["loaded"]
            missing, extra = set(expected) - set(got), len(got) - len(set(got) & set(expected))
            notes[family, n, name] = (
                "exact"
                if got == expected
                else (
                    f"{len(expected) - len(missing)}/{len(expected)} xAI"
                    + (f", +{extra} other cookies" if extra else "")
                )
            )
            if name != PEER_NAME and got != expected:
                problems.append(f"{name} read the wrong cookies from {family} {n}: {notes[family, n, name]}")
            if name == OURS_NAME and set(loaded) & set(KEYRING_MODULES):
                problems.append(
                    f"{name} loaded {', '.join(set(loaded) & set(KEYRING_MODULES))} for a v10-only {family} profile"
                )
    return problems, notes


def session_ready(contenders: dict, stores: dict, rounds: int, env: dict) -> tuple[dict, Series]:
    """({(family, n): {contender: Series}}, the `import requests` reference). Every script for every store
    runs once per round, all in one shuffled order, so any two series can be compared round by round."""
    commands = {
        (family, n, name): [sys.executable, "-c", scripts[family], str(path)]
        for (family, n), path in stores.items()
        for name, scripts in contenders.items()
    }
    commands[REFERENCE_NAME] = [sys.executable, "-c", REFERENCE]
    series = alternate(commands, rounds, env)
    results: dict[tuple[str, int], dict[str, Series]] = {}
    for (family, n), _ in stores.items():
        results[family, n] = {name: series[family, n, name] for name in contenders}
    return results, series[REFERENCE_NAME]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def session_report(results: dict, reference: Series, notes: dict, rounds: int) -> list[str]:
    """Print the session-ready table; return its target lines."""
    print(
        f"\nSession ready, whole process: start Python, read the profile, requests.Session ready "
        f"(medians of {rounds} alternating runs; ratios are medians of the per-round ratios)"
    )
    header = (
        f"{'store':9} {'cookies':>7} | {'floor':>8} | {'browser_cookie3':>18} | {'cookie_session':>16} "
        f"{'vs peer':>7} | {'in-process ms: floor':>20} {'peer':>6} {'ours':>6} | "
        f"{'peak MiB: floor':>15} {'peer':>6} {'ours':>6}"
    )
    print(header)
    print("-" * len(header))
    for (family, n), series in results.items():
        floor, peer, ours = series[FLOOR_NAME], series.get(PEER_NAME), series[OURS_NAME]
        if peer:
            wall = f"{peer.wall * 1000:6.1f}ms {paired_ratio(peer.walls, floor.walls):5.2f}x"
            versus = f"{paired_ratio(ours.walls, peer.walls):.2f}x"
            inner, peak = f"{peer.inner * 1000:.2f}", f"{peer.peak_mib:.1f}"
        else:  # browser_cookie3 cannot run without a D-Bus session bus
            wall = versus = inner = peak = "n/a"
        print(
            f"{family:9} {n:>7} | {floor.wall * 1000:6.1f}ms | {wall:>14} {'':3} | {ours.wall * 1000:6.1f}ms "
            f"{paired_ratio(ours.walls, floor.walls):5.2f}x {versus:>7} | {floor.inner * 1000:20.2f} {inner:>6} "
            f"{ours.inner * 1000:6.2f} | {floor.peak_mib:15.1f} {peak:>6} {ours.peak_mib:6.1f}"
        )
    print(
        f"{REFERENCE_NAME}: {reference.wall * 1000:.1f} ms, peak {reference.peak_mib:.1f} MiB; the floor is "
        + ", ".join(
            f"{paired_ratio(series[FLOOR_NAME].walls, reference.walls):.2f}x at {family} {n}"
            for (family, n), series in results.items()
        )
    )
    print("values read: " + "; ".join(sorted({f"{name}: {note}" for (_, _, name), note in notes.items()})))

    targets = []
    for (family, n), series in results.items():
        ratio = paired_ratio(series[OURS_NAME].walls, series[FLOOR_NAME].walls)
        targets.append(
            f"session ready {family} {n}: {ratio:.2f}x the floor (<= {TARGETS['session']}x, "
            f"aim {TARGETS['session_aim']}x): {verdict(ratio <= TARGETS['session'])}"
        )
    for (family, n), series in results.items():
        inner = series[OURS_NAME].inner * 1000
        targets.append(
            f"in-process {family} {n}: {inner:.2f} ms (<= {TARGETS['in_process_ms']} ms): "
            f"{verdict(inner <= TARGETS['in_process_ms'])}"
        )
    sizes = sorted({n for _, n in results})
    for family in ("chromium", "firefox"):
        small, large = results.get((family, sizes[0])), results.get((family, sizes[-1]))
        if small and large and sizes[-1] > sizes[0]:
            flat = paired_ratio(large[OURS_NAME].inners, small[OURS_NAME].inners)
            targets.append(
                f"flat in N {family}: in-process, {sizes[-1]} cookies take {flat:.2f}x the time of "
                f"{sizes[0]} (<= {TARGETS['flat']}x): {verdict(flat <= TARGETS['flat'])}"
            )
    for (family, n), series in results.items():
        extra = series[OURS_NAME].peak_mib - series[FLOOR_NAME].peak_mib
        targets.append(
            f"peak memory {family} {n}: floor + {extra:.1f} MiB (<= + {TARGETS['memory_mib']:.0f} MiB): "
            f"{verdict(extra <= TARGETS['memory_mib'])}"
        )
    return targets


def request_report(medians: dict, scoping: str | None, args) -> list[str]:
    """Print the per-request table; return its target lines."""
    print(
        f"\nPer request, keep-alive GET to a loopback server (median of {args.request_rounds} samples "
        f"of {args.requests} requests each; ratio: median of per-round ratios to plain)"
    )
    for name, (median, ratio) in medians.items():
        print(f"{name:40} {median * 1e6:8.1f} us {ratio:6.2f}x")
    print(
        f"cookie scoping (cookies reach the loopback host; none follow a redirect to another host): {scoping or 'ok'}"
    )
    bearer = medians["bearer (ApiKeyAuthenticator)"][1]
    cookie = medians["cookie (BrowserCookieAuthenticator)"][1]
    return [
        f"per request bearer: {bearer:.2f}x plain (<= {TARGETS['bearer']}x): {verdict(bearer <= TARGETS['bearer'])}",
        f"per request cookie: {cookie:.2f}x plain (<= {TARGETS['cookie']}x), scoping "
        f"{'ok' if scoping is None else 'BROKEN'}: {verdict(cookie <= TARGETS['cookie'] and not scoping)}",
    ]


def startup_report(medians: dict, heavy: dict, rounds: int) -> list[str]:
    """Print the start-up table; return its target lines."""
    print(f"\nStart-up, whole process (median of {rounds} alternating runs; ratio: median of per-round ratios)")
    for name, (median, ratio) in medians.items():
        print(f"{name:28} {median * 1000:8.1f} ms {ratio:6.2f}x import click")
    for name, modules in heavy.items():
        print(f"{name} loads: {', '.join(modules) or 'none of ' + ', '.join(cli_startup.HEAVY)}")
    help_ratio = medians["cookie-session --help"][1]
    return [
        f"cookie-session --help: {help_ratio:.2f}x import click (<= {TARGETS['cli']}x): "
        f"{verdict(help_ratio <= TARGETS['cli'])}",
        f"import cookie_session loads no browser_cookie3 or crypto library: "
        f"{verdict(not set(heavy['import cookie_session']) & set(CRYPTO_AND_READERS))}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1k cookies, 3 rounds: a smoke run")
    parser.add_argument("--rounds", type=int, help="alternating rounds per group (default 15; quick: 3)")
    parser.add_argument("--sizes", help="comma-separated cookie counts (default 1000,10000,100000; quick: 1000)")
    parser.add_argument(
        "--profiles",
        type=Path,
        default=profiles.DEFAULT_CACHE,
        help="where generated cookie stores are cached (default: %(default)s)",
    )
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 15)
    sizes = [int(s) for s in (args.sizes or ("1000" if args.quick else "1000,10000,100000")).split(",")]
    args.request_rounds, args.requests = (5, 40) if args.quick else (40, 100)

    compile_package()
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} cores; building stores in {args.profiles}", flush=True)
    stores = profiles.build(args.profiles, sizes)
    with private_session_bus() as bus:
        env = dict(os.environ)
        if bus:
            env["DBUS_SESSION_BUS_ADDRESS"] = bus
        else:
            print("dbus-daemon not found: browser_cookie3 fails without a D-Bus session bus, so the peer is left out")
        contenders = {name: scripts for name, scripts in CONTENDERS.items() if bus or name != PEER_NAME}
        problems, notes = check_values(contenders, stores, env)
        print("session ready ...", flush=True)
        results, reference = session_ready(contenders, stores, rounds, env)
    print("per request ...", flush=True)
    request_medians, scoping = per_request.run(stores[("chromium", sizes[0])], args.request_rounds, args.requests)
    print("start-up ...", flush=True)
    cli_medians = cli_startup.run(rounds)
    heavy = cli_startup.heavy_imports()
    targets = session_report(results, reference, notes, rounds)
    targets.append(
        "keyring untouched for v10-only profiles (no browser_cookie3, jeepney or dbus loaded"
        f"{', with a session bus present' if bus else ''}): checked before timing"
    )
    targets += request_report(request_medians, scoping, args)
    targets += startup_report(cli_medians, heavy, rounds)
    print("\nTargets" + (" (quick run: too few samples for timing conclusions)" if args.quick else ""))
    for line in targets:
        print("  " + line)
    if scoping:
        problems.append(f"cookie scoping: {scoping}")
    if set(heavy["import cookie_session"]) & set(CRYPTO_AND_READERS):
        problems.append(f"import cookie_session loads {heavy['import cookie_session']}")
    for problem in problems:
        print("FAILED:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
