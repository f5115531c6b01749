"""Per-request cost of each way to authenticate, against a fast loopback server, in alternating rounds.

    python bench/per_request.py [--rounds R] [--requests K]

Clients, each one `requests.Session` reused for keep-alive:
- plain: `requests.Session()`, no credential (the reference);
- bearer: `ApiKeyAuthenticator(key).prepare_session(requests.Session())`;
- cookie: `BrowserCookieAuthenticator(cookie_file=...).prepare_session(requests.Session(), base_url=<loopback>)`
  built from the benchmark's Chromium store (its seven xAI cookies);
- cookie jar (for reference): the same cookies in `session.cookies`, the http.cookiejar way.

A sample is the mean time of K GETs on one client; the clients take turns, in a rotating order, for R
rounds; the table shows the median sample of each and the median of its per-round ratios to plain.
Also checked, not timed: the cookie client's cookies arrive at the loopback host, and none follow a
redirect to another host name.

Note that a plain session with no `auth` looks up ~/.netrc on every request (requests does so when
neither the request nor the session has auth), which an authenticated session skips; so an
authenticator that costs next to nothing can come out slightly below 1.00x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import requests

from measure import paired_ratio

BENCH = Path(__file__).resolve().parent
API_KEY = "xai-" + "b" * 80


def start_server() -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "loopback_server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    return proc, int(proc.stdout.readline())


def stop_server(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()


def clients(cookie_file: Path, base_url: str) -> dict[str, requests.Session]:
    from requests.cookies import create_cookie

    from contenders import USER_AGENT
    from cookie_session import ApiKeyAuthenticator, BrowserCookieAuthenticator, BrowserCookieWarning, LocalityVerdict

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BrowserCookieWarning)
        cookie_auth = BrowserCookieAuthenticator(
            cookie_file=cookie_file,
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
            user_agent=USER_AGENT,
        )
    jar = requests.Session()
    host = base_url.split("//", 1)[1].split(":")[0]
    for name, secret in zip(cookie_auth.cookie_names, cookie_auth.secrets(), strict=True):
        jar.cookies.set_cookie(create_cookie(name, secret.reveal(), domain=host, path="/"))
    return {
        PLAIN: requests.Session(),
        "bearer (ApiKeyAuthenticator)": ApiKeyAuthenticator(API_KEY).prepare_session(requests.Session()),
        "cookie (BrowserCookieAuthenticator)": cookie_auth.prepare_session(requests.Session(), base_url=base_url),
        "cookie jar, http.cookiejar (reference)": jar,
    }


def cookies_sent_to_grok(cookie_file: Path) -> int:
    """How many of the store's cookies a browser sends to https://grok.com/cookies (what a loopback stand-in gets)."""
    from cookie_session.auth.browser import sent_with
    from cookie_session.browsers import load_xai_cookies

    cookies = load_xai_cookies("chromium", cookie_file=cookie_file).cookies
    return sum(sent_with(c, "https://grok.com/cookies") for c in cookies)


def scoping_check(session: requests.Session, base_url: str, expected: int) -> str | None:
    """None when the cookies reach the loopback host and none follow a redirect to another host; else why not."""
    sent = int(session.get(f"{base_url}/cookies").text)
    if sent != expected:
        return f"{sent} of {expected} cookies reached the loopback host"
    landed = session.get(f"{base_url}/redirect")
    if landed.url.split("/")[2].split(":")[0] != "localhost":
        return f"the redirect was not followed to localhost (ended at {landed.url})"
    if int(landed.text):
        return f"{landed.text} cookies followed a redirect to another host"
    return None


def measure(sessions: dict[str, requests.Session], url: str, rounds: int, per_sample: int) -> dict[str, list[float]]:
    """{client: [seconds per request of each sample]}, after a warm-up sample each."""
    samples: dict[str, list[float]] = {name: [] for name in sessions}
    names = list(sessions)
    for r in range(rounds + 1):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            get = sessions[name].get
            start = time.perf_counter()
            for _ in range(per_sample):
                get(url)
            if r:
                samples[name].append((time.perf_counter() - start) / per_sample)
    return samples


PLAIN = "plain requests.Session"


def run(cookie_file: Path, rounds: int, per_sample: int) -> tuple[dict[str, tuple[float, float]], str | None]:
    """({client: (median seconds per request, median of its per-round ratios to plain)}, scoping problem or None)."""
    proc, port = start_server()
    try:
        base_url = f"http://127.0.0.1:{port}"
        sessions = clients(cookie_file, base_url)
        cookie = sessions["cookie (BrowserCookieAuthenticator)"]
        problem = scoping_check(cookie, base_url, cookies_sent_to_grok(cookie_file))
        samples = measure(sessions, f"{base_url}/", rounds, per_sample)
        for session in sessions.values():
            session.close()
    finally:
        stop_server(proc)
    return {
        name: (statistics.median(values), paired_ratio(values, samples[PLAIN])) for name, values in samples.items()
    }, problem


def main() -> None:
    from profiles import DEFAULT_CACHE, chromium_store

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profiles", type=Path, default=DEFAULT_CACHE, help="default: %(default)s")
    args = parser.parse_args()
    results, problem = run(chromium_store(args.profiles, 1000), args.rounds, args.requests)
    for name, (median, ratio) in results.items():
        print(f"{name:40} {median * 1e6:8.1f} us {ratio:6.2f}x")
    print("scoping:", problem or "ok")


if __name__ == "__main__":
    main()
