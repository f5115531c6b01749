"""The programs compared by the benchmark, each a small `python -c` script taking the cookie file as argv[1].

Every script goes from a cookie file to a ready `requests.Session` carrying the xAI cookies:

- `floor`: the minimal extractor. stdlib sqlite3 opened read-only, every cookie of the exact xAI hosts chosen
  by an index seek on the browser's unique index (Chromium: host_key; Firefox: name, host, one seek per
  distinct name), AES-128-CBC from `cryptography` under the fixed Linux key, the cookies set as one Cookie
  header. No checks beyond what the browser format needs.
- `browser_cookie3`: the peer, called directly as its README shows, once per domain (grok.com, x.ai),
  the jars merged into the session.
- `cookie_session`: our `BrowserCookieAuthenticator(cookie_file=...)` and `prepare_session()`.

Each script measures itself too: `T0` is taken after its imports (and, where it decrypts, after the crypto
library is loaded: the floor loads it up front by definition, browser_cookie3 loads it at import, and ours
loads it lazily on the first Chromium value, so ours imports it before `T0` to time the extraction alone;
the whole-process time is the same either way). With `--check`, a script prints the values it read, for
`run.py` to verify against the generator, and which keyring and crypto modules it loaded (that run is not
timed). Otherwise it prints its in-process time and its peak resident set (VmHWM, KiB) at exit.
"""

from __future__ import annotations

HOSTS = ("grok.com", ".grok.com", "x.ai", ".x.ai", "accounts.x.ai", ".accounts.x.ai")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

_TAIL = """
T1 = time.perf_counter()
if sys.argv[2:] == ["--check"]:
    print(json.dumps({"values": sorted(VALUES), "loaded": sorted(
        m for m in ("browser_cookie3", "jeepney", "dbus", "Cryptodome", "cryptography", "lz4") if m in sys.modules)}))
else:
    with open("/proc/self/status") as status:
        print(T1 - T0, next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""

FLOOR = {
    "chromium": f"""
import hashlib, json, sqlite3, sys, time
import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
T0 = time.perf_counter()
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = con.execute("SELECT host_key, name, encrypted_value FROM cookies WHERE host_key IN (?,?,?,?,?,?)",
                   {HOSTS!r}).fetchall()
con.close()
key = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
cookies = {{}}
for host, name, blob in rows:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).decryptor()
    plain = decryptor.update(blob[3:]) + decryptor.finalize()
    cookies[host, name] = plain[32:-plain[-1]].decode()
session = requests.Session()
session.headers["Cookie"] = "; ".join(f"{{name}}={{value}}" for (host, name), value in cookies.items())
VALUES = list(cookies.values())
"""
    + _TAIL,
    "firefox": f"""
import json, sqlite3, sys, time
import requests
T0 = time.perf_counter()
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = con.execute("WITH RECURSIVE names(n) AS (SELECT (SELECT MIN(name) FROM moz_cookies) UNION ALL "
                   "SELECT (SELECT MIN(name) FROM moz_cookies WHERE name > n) FROM names WHERE n IS NOT NULL) "
                   "SELECT host, name, value FROM names CROSS JOIN moz_cookies ON name = n "
                   "AND host IN (?,?,?,?,?,?) AND originAttributes = ''", {HOSTS!r}).fetchall()
con.close()
cookies = {{(host, name): value for host, name, value in rows}}
session = requests.Session()
session.headers["Cookie"] = "; ".join(f"{{name}}={{value}}" for (host, name), value in cookies.items())
VALUES = list(cookies.values())
"""
    + _TAIL,
}

PEER = {
    family: f"""
import json, sys, time
import requests
import browser_cookie3
T0 = time.perf_counter()
jar = browser_cookie3.{family}(cookie_file=sys.argv[1], domain_name="grok.com")
for cookie in browser_cookie3.{family}(cookie_file=sys.argv[1], domain_name="x.ai"):
    jar.set_cookie(cookie)
session = requests.Session()
session.cookies.update(jar)
VALUES = [cookie.value for cookie in jar]
"""
    + _TAIL
    for family in ("chromium", "firefox")
}

OURS = {
    family: f"""
import json, sys, time, warnings
import requests
from cookie_session import BrowserCookieAuthenticator, BrowserCookieWarning, LocalityVerdict
{"from cryptography.hazmat.primitives.ciphers import Cipher  # see contenders.py" if family == "chromium" else ""}
warnings.simplefilter("ignore", BrowserCookieWarning)
T0 = time.perf_counter()
authenticator = BrowserCookieAuthenticator(cookie_file=sys.argv[1], unsafe_browser_cookies=True,
                                           verdict=LocalityVerdict.assume_local(), user_agent={USER_AGENT!r})
session = authenticator.prepare_session(requests.Session())
VALUES = [secret.reveal() for secret in authenticator.secrets()]
"""
    + _TAIL
    for family in ("chromium", "firefox")
}

#: Not a contender: the cost of starting Python and importing requests, for reference (the issue quotes
#: the floor against it).
REFERENCE_NAME = 'python -c "import requests"'
REFERENCE = (
    """
import sys, time
import requests
T0 = T1 = time.perf_counter()
VALUES = []
"""
    + _TAIL
)

#: name -> {family: script}, in table order.
CONTENDERS = {"floor (minimal extractor)": FLOOR, "browser_cookie3 (peer)": PEER, "cookie_session": OURS}
FLOOR_NAME, PEER_NAME, OURS_NAME = CONTENDERS
