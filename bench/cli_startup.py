"""Wall time of `cookie-session --help` against `python -c "import click"`, alternating paired runs.

    python bench/cli_startup.py [--runs N]

Prints the median of each and the median of its per-round ratios to `import click` (the machine is noisy:
compare ratios, not times).
Also checks that `import cookie_session` and `--help` load no browser-cookie reader and no crypto library, and
that `--help` loads no command module (the lazy command group).
"""

from __future__ import annotations

import argparse
import json
import sys

from measure import alternate, paired_ratio, run_child

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


def run(rounds: int) -> dict[str, tuple[float, float]]:
    """{command: (median wall seconds, median of its per-round ratios to `import click`)}."""
    series = alternate(COMMANDS, rounds)
    return {name: (s.wall, paired_ratio(s.walls, series[FLOOR].walls)) for name, s in series.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"{'command':28} {'median ms':>10} {'ratio':>7}   ({args.runs} alternating runs)")
    for name, (median, ratio) in run(args.runs).items():
        print(f"{name:28} {median * 1000:10.1f} {ratio:7.2f}x")
    for name, modules in heavy_imports().items():
        print(f"{name} loads: {', '.join(modules) or 'none of ' + ', '.join(HEAVY)}")


if __name__ == "__main__":
    main()
