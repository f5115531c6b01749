"""Wall time of `cookie-session --help` against `python -c "import click"`, and of `cookie-session cookies`
against the minimal extractor (bench/contenders.py's floor) on the same 100k-cookie profile; alternating paired runs.

    python bench/cli_startup.py [--runs N] [--cookies-size N]

Prints the median of each and the median of its per-round ratios to `import click` (the machine is noisy:
compare ratios, not times).
Also checks that `import cookie_session` and `--help` load no browser-cookie reader and no crypto library, and
that `--help` loads no command module (the lazy command group).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import profiles
from contenders import FLOOR as EXTRACTOR_FLOOR
from measure import alternate, compile_package, paired_ratio, run_child
from session_bus import private_session_bus

COMMANDS = {
    "import click": [sys.executable, "-c", "import click"],
    "cookie-session --help": [sys.executable, "-m", "cookie_session", "--help"],
    "import cookie_session": [sys.executable, "-c", "import cookie_session"],
    # What the web path's prepare_session() adds once per process: the browser TLS handshake's library.
    "import curl_cffi": [sys.executable, "-c", "import curl_cffi"],
}
FLOOR = "import click"
#: Modules that must stay out of `import cookie_session` and `cookie-session --help`.
HEAVY = (
    "browser_cookie3",
    "curl_cffi",
    "Cryptodome",
    "cryptography",
    "lz4",
    "jeepney",
    "dbus",
    "sqlite3",
    "requests",
    "cookie_session.cli.ask",
    "cookie_session.cli.credentials",
    "cookie_session.cli.compare",
    "cookie_session.cli.migrate",
    "cookie_session.cli.standin",
    "cookie_session.cli._common",
)
_HELP = """import runpy, sys
sys.argv = ["cookie-session", "--help"]
try:
    runpy.run_module("cookie_session", run_name="__main__")
except SystemExit:
    pass"""


def heavy_imports() -> dict[str, list[str]]:
    """{what ran: the HEAVY modules it loaded} for `import cookie_session` and `cookie-session --help`."""
    found = {}
    for name, code in {"import cookie_session": "import cookie_session", "cookie-session --help": _HELP}.items():
        report = f"\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
        found[name] = json.loads(run_child([sys.executable, "-c", code + report]).stdout.splitlines()[-1])
    return found


#: `cookie-session cookies` against the floor on a profile of this many cookies: at most these ratios (issue 20).
COOKIES_TARGETS = {"chromium": 1.0, "firefox": 0.8}
#: What the `cookies` command must not load: a listing needs neither an HTTP library nor the TLS imitation.
COOKIES_FORBIDDEN = ("requests", "urllib3", "curl_cffi")


def cookies_env() -> dict[str, str]:
    """The opt-in, and the container vouch (the benchmark may run in one): what a user of `cookies` sets."""
    return {
        **os.environ,
        "COOKIE_SESSION_UNSAFE_BROWSER_COOKIES": "i-understand-the-risks",
        "COOKIE_SESSION_CONTAINER_IS_LOCAL": "yes",
    }


def cookies_commands(stores: dict) -> dict[tuple[str, str], list[str]]:
    commands = {}
    for (family, _n), path in stores.items():
        commands[family, "floor"] = [sys.executable, "-c", EXTRACTOR_FLOOR[family], str(path)]
        commands[family, "cookies"] = [
            sys.executable, "-m", "cookie_session", "cookies", "--cookie-file", str(path), "--json",
        ]  # fmt: skip
    return commands


def cookies_imports(path) -> list[str]:
    """The COOKIES_FORBIDDEN modules `cookie-session cookies --cookie-file PATH` loads."""
    code = (
        "import runpy, sys\nsys.argv = ['cookie-session', 'cookies', '--cookie-file', sys.argv[1], '--json']\n"
        "try:\n    runpy.run_module('cookie_session', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {COOKIES_FORBIDDEN!r} if m in sys.modules), file=sys.stderr)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=cookies_env())
    return out.stderr.strip().splitlines()[-1].split() if out.stderr.strip() else []


def run_cookies(rounds: int, size: int) -> dict[str, tuple[float, float, float]]:
    """{family: (floor median s, cookies median s, median per-round ratio cookies/floor)} on `size` cookies."""
    stores = profiles.build(profiles.DEFAULT_CACHE, (size,))
    with private_session_bus() as bus:
        env = {**cookies_env(), **({"DBUS_SESSION_BUS_ADDRESS": bus} if bus else {})}
        series = alternate(cookies_commands(stores), rounds, env=env)
    return {
        family: (
            series[family, "floor"].wall,
            series[family, "cookies"].wall,
            paired_ratio(series[family, "cookies"].walls, series[family, "floor"].walls),
        )
        for family, _n in stores
    }


def run(rounds: int) -> dict[str, tuple[float, float]]:
    """{command: (median wall seconds, median of its per-round ratios to `import click`)}."""
    series = alternate(COMMANDS, rounds)
    return {name: (s.wall, paired_ratio(s.walls, series[FLOOR].walls)) for name, s in series.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cookies-size", type=int, default=100_000, help="cookies in the profile (0: skip)")
    args = parser.parse_args()
    compile_package()
    print(f"{'command':28} {'median ms':>10} {'ratio':>7}   ({args.runs} alternating runs)")
    for name, (median, ratio) in run(args.runs).items():
        print(f"{name:28} {median * 1000:10.1f} {ratio:7.2f}x")
    for name, modules in heavy_imports().items():
        print(f"{name} loads: {', '.join(modules) or 'none of ' + ', '.join(HEAVY)}")
    if args.cookies_size:
        print(
            f"\n`cookie-session cookies --json` vs the floor, {args.cookies_size:,} cookies ({args.runs} paired runs)"
        )
        print(f"{'profile':10} {'floor ms':>9} {'cookies ms':>11} {'ratio':>7} {'target':>7}")
        for family, (floor, cookies, ratio) in run_cookies(args.runs, args.cookies_size).items():
            target = COOKIES_TARGETS[family]
            mark = "met" if ratio <= target else "MISSED"
            print(f"{family:10} {floor * 1000:9.1f} {cookies * 1000:11.1f} {ratio:6.2f}x {target:6.2f}x {mark}")
        stores = profiles.build(profiles.DEFAULT_CACHE, (args.cookies_size,))
        for (family, _n), path in stores.items():
            loaded = cookies_imports(path)
            print(f"cookies ({family}) loads: {', '.join(loaded) or 'none of ' + ', '.join(COOKIES_FORBIDDEN)}")


if __name__ == "__main__":
    main()
