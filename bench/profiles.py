"""Chromium and Firefox cookie stores of N cookies, built with the browsers' real schemas, for the benchmark.

    python bench/profiles.py [--sizes 1000,10000,100000] [--out DIR (default: $TMPDIR/cookie-session-bench)]

The CREATE statements are the ones captured from Chromium 156 and Firefox ESR 153 (tests/data/schemas, read
through tests/support/browser_fixtures). Chromium values are encrypted as Chromium does on Linux without a keyring
(`v10`, AES-128-CBC under the 'peanuts' key, SHA-256(host) prefix since meta version 24); Firefox values are
plain text in a WAL-mode database, as Firefox keeps them. Each store holds:

- a handful of xAI cookies (`sso`, `sso-rw`, `x-userid`, `cf_clearance`, `__cf_bm` on .grok.com, `sso` and
  `sso-rw` on .x.ai) and a few other cookies on the same hosts (analytics, language), which a reader must
  return too: the browser sends every cookie of the host;
- look-alike decoy hosts (`evil-grok.com`, `grok.com.evil.test`, `notx.ai`, ...) holding cookies with the
  same names, which a substring match would pick up;
- thousands of other sites with typical cookies, about one in six behind Cloudflare (so `__cf_bm`,
  `_cfuvid` and `cf_clearance` also appear on many unrelated hosts), some in Firefox containers.

Stores are deterministic for a given size and cached under the output directory.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))
from browser_fixtures import encrypt_cbc, make_chromium_db, make_firefox_db  # noqa: E402

FORMAT = 2  # bump when the generated content changes, to invalidate caches
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "cookie-session-bench"
SEED = 20240601
NOW = time.time()
YEAR = 365 * 24 * 3600
CHROMIUM_VERSION = "156.0.7390.54"
FIREFOX_VERSION = "153.0"

#: (host, name) of the cookies an xAI session is made of.
XAI_COOKIES = [
    (".grok.com", "sso"),
    (".grok.com", "sso-rw"),
    (".grok.com", "x-userid"),
    (".grok.com", "cf_clearance"),
    (".grok.com", "__cf_bm"),
    (".x.ai", "sso"),
    (".x.ai", "sso-rw"),
]
#: Other cookies on the exact xAI hosts: read too, since the browser sends every cookie of the host.
XAI_OTHER = [
    ("grok.com", "i18nextLng"),
    (".grok.com", "_ga"),
    (".grok.com", "mp_ea93da913ddb66b6_mixpanel"),
    ("accounts.x.ai", "_ga"),
]
DECOY_HOSTS = [
    "evil-grok.com",
    ".evil-grok.com",
    "notgrok.com",
    ".grok.com.evil.test",
    "grok.com.evil.test",
    ".notx.ai",
    "x.ai.evil.test",
    ".grok.co",
    "grok.community",
]
DECOY_NAMES = ["sso", "sso-rw", "x-userid", "cf_clearance", "__cf_bm"]
SITE_NAMES = [
    "_ga",
    "_gid",
    "_fbp",
    "session",
    "sessionid",
    "csrftoken",
    "lang",
    "consent",
    "OptanonConsent",
    "_gcl_au",
    "__Secure-3PAPISID",
    "NID",
    "AEC",
    "uid",
    "prefs",
    "theme",
    "tz",
    "_hjSessionUser",
]
CLOUDFLARE_NAMES = ["__cf_bm", "_cfuvid", "cf_clearance"]
TLDS = ["com", "net", "org", "io", "de", "co.uk", "fr", "jp", "dev", "app"]
ALPHABET = string.ascii_letters + string.digits + "-_"


def _value(rng: random.Random, low: int = 16, high: int = 180) -> str:
    return "".join(rng.choices(ALPHABET, k=rng.randint(low, high)))


def cookie_rows(n: int, seed: int = SEED) -> list[dict]:
    """N cookie dicts (host, name, value, expires, secure, httponly, context) in a shuffled, deterministic order.

    The values of every cookie on the exact xAI hosts start with 'XAI-', so a run can check it read exactly
    those."""
    rng = random.Random(seed)
    rows = [{"host": h, "name": name, "value": "XAI-" + _value(rng, 40, 160)} for h, name in XAI_COOKIES]
    rows += [{"host": h, "name": name, "value": "XAI-" + _value(rng)} for h, name in XAI_OTHER]
    rows += [{"host": h, "name": name, "value": _value(rng)} for h in DECOY_HOSTS for name in DECOY_NAMES]
    site = 0
    while len(rows) < n:
        site += 1
        host = f"{rng.choice(['', 'www.', 'app.', 'shop.'])}site{site}-{_value(rng, 4, 9).lower()}.{rng.choice(TLDS)}"
        domain = "." + host.removeprefix("www.").removeprefix("app.").removeprefix("shop.")
        names = rng.sample(SITE_NAMES, rng.randint(1, 6))
        if rng.random() < 1 / 6:
            names += rng.sample(CLOUDFLARE_NAMES, rng.randint(1, 3))
        context = rng.choice([1, 2, 3]) if rng.random() < 0.05 else 0
        for name in names:
            rows.append({"host": rng.choice([host, domain]), "name": name, "value": _value(rng), "context": context})
    rows = rows[: max(n, len(XAI_COOKIES))]
    for row in rows:
        row.update(
            expires=NOW + rng.randint(3600, 2 * YEAR) if rng.random() < 0.9 else None,
            secure=rng.random() < 0.8,
            httponly=rng.random() < 0.5,
        )
    for row in rows[: len(XAI_COOKIES)]:
        row.update(expires=NOW + YEAR / 2, secure=True, httponly=True)  # a live session
    rng.shuffle(rows)
    return rows


def expected_xai_values(n: int, seed: int = SEED) -> dict[tuple[str, str], str]:
    """(host, name) -> value of every cookie on the exact xAI hosts in the store of size n."""
    return {(r["host"], r["name"]): r["value"] for r in cookie_rows(n, seed) if r["value"].startswith("XAI-")}


def chromium_store(out: Path, n: int) -> Path:
    """<out>/chromium-<n>/chromium/Default/Cookies (built once), with the user-data dir's 'Last Version'."""
    path = out / f"chromium-{n}-f{FORMAT}" / "chromium" / "Default" / "Cookies"
    if path.is_file():
        return path
    tmp = path.with_name("Cookies.partial")
    tmp.unlink(missing_ok=True)
    cookies = [
        {
            "host": r["host"],
            "name": r["name"],
            "encrypted": encrypt_cbc(r["value"], r["host"]),
            "expires": r["expires"],
            "secure": r["secure"],
            "httponly": r["httponly"],
            "created": NOW - i,
        }
        for i, r in enumerate(cookie_rows(n))
    ]
    make_chromium_db(tmp, cookies, meta_version=24)
    (path.parent.parent / "Last Version").write_text(CHROMIUM_VERSION, encoding="utf-8")
    tmp.rename(path)
    return path


def firefox_store(out: Path, n: int) -> Path:
    """<out>/firefox-<n>/firefox/Profiles/bench.default-release/cookies.sqlite (built once), WAL mode."""
    path = out / f"firefox-{n}-f{FORMAT}" / "firefox" / "Profiles" / "bench.default-release" / "cookies.sqlite"
    if path.is_file():
        return path
    tmp = path.with_name("cookies.partial")
    tmp.unlink(missing_ok=True)
    cookies = [
        {
            "host": r["host"],
            "name": r["name"],
            "value": r["value"],
            "expires": r["expires"],
            "secure": r["secure"],
            "httponly": r["httponly"],
            "origin": f"^userContextId={r['context']}" if r.get("context") else "",
        }
        for r in cookie_rows(n)
    ]
    make_firefox_db(tmp, cookies, user_version=17, wal=True)
    (path.parent / "compatibility.ini").write_text(
        f"[Compatibility]\nLastVersion={FIREFOX_VERSION}_20250101000000/20250101000000\n", encoding="utf-8"
    )
    tmp.rename(path)
    return path


def build(out: Path, sizes=DEFAULT_SIZES) -> dict[tuple[str, int], Path]:
    """{(family, n): cookie file} for every family and size, building what is missing."""
    return {
        (family, n): (chromium_store if family == "chromium" else firefox_store)(out, n)
        for n in sizes
        for family in ("chromium", "firefox")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--out", type=Path, default=DEFAULT_CACHE, help="default: %(default)s")
    args = parser.parse_args()
    for (family, n), path in build(args.out, [int(s) for s in args.sizes.split(",")]).items():
        print(f"{family:9} {n:>7} {path}")


if __name__ == "__main__":
    main()
