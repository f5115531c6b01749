"""Drive a real headless Chromium or Firefox ESR in a fresh profile (stdlib only).

Used by tests and by the offline demo: the cookies that end up in the profile's
cookie database are written by the browser itself, not forged by us.

Contracts shared by both classes:

* ``profile_dir`` must be missing or empty (it is created), so it is never a real
  profile; ``HOME``/``XDG_*`` point to ``<profile>/.headless/home``, so the user's
  home is not touched either. Browser stdout/stderr go to ``<profile>/.headless/stderr.log``.
* Background services are off and name resolution is pinned to loopback.
* Failures raise :class:`BrowserLaunchError` (one line, with the browser's last
  stderr lines) within about ``timeout`` seconds; nothing blocks forever.
* ``navigate(url)`` loads a page; ``evaluate(js)`` runs a script in it (awaiting a promise) and
  returns its JSON value, e.g. a same-origin ``fetch`` the way the web app makes one.
* ``close()`` quits cleanly (so the cookie database is flushed) and returns once
  every browser process has exited; killing is the last resort. Leaving the
  ``with`` block never leaves a process behind.
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import json
import os
import select
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from .processes import BrowserLaunchError, BrowserProcess, fresh_profile, short_temp_dir

__all__ = ["BrowserLaunchError", "HeadlessChromium", "HeadlessFirefox", "find_chromium", "find_firefox"]


def find_chromium() -> str | None:
    """Path of an installed Chromium/Chrome executable, or None."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def find_firefox() -> str | None:
    """Path of an installed Firefox ESR/Firefox executable, or None."""
    return next(filter(None, map(shutil.which, ("firefox-esr", "firefox"))), None)


class _Browser(abc.ABC):
    """Lifecycle shared by both browsers; subclasses provide _start, _call, _disconnect."""

    name = quit_command = ""
    timeout: float
    _proc: BrowserProcess | None = None

    @abc.abstractmethod
    def _start(self) -> None:
        """Connect to the just-launched browser (`self._proc`); raise `BrowserLaunchError` if it does not answer."""

    @abc.abstractmethod
    def _call(self, command: str, params: dict | None = None, *, what: str = "") -> Any:
        """Send one protocol command and return its answer; `what` words the error if none comes."""

    @abc.abstractmethod
    def _disconnect(self) -> None:
        """Drop the connection to the browser; idempotent."""

    def _fail(self, what: str, hint: str = "") -> BrowserLaunchError:
        tail = self._proc.stderr_tail() if self._proc else "(not started)"
        hint = hint or f"check that `{self.name} --headless` runs on this machine"
        return BrowserLaunchError(" ".join(f"{self.name}: {what}; {hint}. Last stderr: {tail}".split()))

    def _launch(self, argv: list[str], env: dict[str, str], log: Path, give: tuple = ()) -> None:
        try:
            self._proc = BrowserProcess(argv, env, log, give)
            self._start()
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        """Kill every process of the browser now (no flush) and drop the connection."""
        self._disconnect()
        if self._proc:
            self._proc.kill()

    def close(self) -> None:
        """Quit cleanly and return once every browser process has exited; idempotent."""
        try:
            if self._proc is not None and not self._proc.poll():
                with contextlib.suppress(BrowserLaunchError):  # the channel may close before the answer;
                    self._call(self.quit_command, {}, what=f"acknowledge {self.quit_command}")  # exit decides
                if not self._proc.wait(self.timeout):
                    raise self._fail(f"did not exit within {self.timeout:.0f}s of a clean quit")
        finally:
            self.kill()  # after a clean exit this only closes our end of the channel

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_) -> None:
        try:
            self.close()
        except BrowserLaunchError:
            if exc_type is None:
                raise


_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-field-trial-config",
    "--metrics-recording-only",
    "--no-pings",
    "--no-proxy-server",
    "--disable-dev-shm-usage",
    "--password-store=basic",
    "--ignore-certificate-errors",
    "--disable-features=OptimizationHints,MediaRouter,Translate,DnsOverHttps,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--remote-debugging-pipe",
    "about:blank",
]
_LOOPBACK_ONLY = ["MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1"]  # appended to the caller's rules


class HeadlessChromium(_Browser):
    """Headless Chromium driven over ``--remote-debugging-pipe`` (CDP, NUL-framed JSON on fds 3/4).

    ``host_resolver_rules`` (e.g. ``"MAP grok.com 127.0.0.1:8443"``) routes names to
    loopback; any other name except localhost/127.0.0.1 fails with
    ``ERR_NAME_NOT_RESOLVED``. Certificate errors are ignored. Cookies are stored
    with ``--password-store=basic`` in ``cookie_file`` (``<profile>/Default/Cookies``);
    only :meth:`close` guarantees they are on disk.
    """

    name, quit_command = "chromium", "Browser.close"

    def __init__(
        self,
        profile_dir,
        *,
        host_resolver_rules: str | None = None,
        user_agent: str | None = None,
        executable: str | None = None,
        timeout: float = 30.0,
    ):
        self.timeout, self._ua, self._buf, self._next_id, self._session = timeout, user_agent, b"", 0, None
        self._rfd: int | None = None
        self._wfd: int | None = None
        exe = executable or find_chromium()
        if not exe:
            raise BrowserLaunchError("chromium: not installed; install it (Debian: apt-get install chromium)")
        # Debian's /usr/bin/chromium is a shell wrapper adding flags (remote extensions...): skip it.
        if Path(exe).resolve() == Path("/usr/bin/chromium") and Path("/usr/lib/chromium/chromium").exists():
            exe = "/usr/lib/chromium/chromium"
        self.profile, scratch, env = fresh_profile(profile_dir, TMPDIR=short_temp_dir())
        self.cookie_file = self.profile / "Default" / "Cookies"
        rules = ", ".join(filter(None, [host_resolver_rules, *_LOOPBACK_ONLY]))
        argv = [exe, f"--user-data-dir={self.profile}", f"--host-resolver-rules={rules}", *_CHROMIUM_FLAGS]
        if user_agent:
            argv.insert(1, f"--user-agent={user_agent}")
        to_child, self._wfd = os.pipe()
        self._rfd, from_child = os.pipe()
        give = []
        for fd, target in ((to_child, 3), (from_child, 4)):  # move above 4 so the dup2s cannot clash
            give.append((fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10), target))
            os.close(fd)
        self._launch(argv, env, scratch / "stderr.log", tuple(give))

    def _start(self) -> None:
        version = self._call("Browser.getVersion", what="start (no answer on the CDP pipe)")
        self.user_agent: str = self._ua or version["userAgent"]
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._call("Page.enable", session=True)

    def _send(self, method: str, params: dict | None, session: bool) -> int:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        try:
            if self._wfd is None:
                raise OSError("the pipe is closed")
            os.write(self._wfd, json.dumps(msg).encode() + b"\0")
        except (OSError, TypeError) as exc:
            raise self._fail(f"browser exited or closed the CDP pipe (sending {method}: {exc})") from None
        return self._next_id

    def _recv(self, deadline: float, what: str) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._fail(f"timed out after {self.timeout:.0f}s waiting to {what}")
            if self._rfd is None:
                raise self._fail(f"the CDP pipe was closed while waiting to {what}")
            if select.select([self._rfd], [], [], min(left, 0.5))[0]:
                chunk = os.read(self._rfd, 1 << 20)
                if not chunk:
                    raise self._fail(f"browser exited while waiting to {what}")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _call(self, command: str, params: dict | None = None, *, session: bool = False, what: str = "") -> dict:
        msg_id, deadline = self._send(command, params, session), time.monotonic() + self.timeout
        while True:
            msg = self._recv(deadline, what or f"get the answer to {command}")
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise self._fail(f"{command} failed: {msg['error'].get('message')}")
                return msg.get("result", {})

    def navigate(self, url: str) -> None:
        """Load ``url`` in the page; return after its ``load`` event (Set-Cookie already applied)."""
        msg_id, deadline = self._send("Page.navigate", {"url": url}, True), time.monotonic() + self.timeout
        answered = loaded = False
        while not loaded:
            msg = self._recv(deadline, f"load {url}")
            if msg.get("id") == msg_id:
                error = msg.get("error", {}).get("message") or msg.get("result", {}).get("errorText")
                if error:
                    raise self._fail(f"navigation to {url} failed: {error}", "check the server and resolver rules")
                answered = True
            elif msg.get("method") == "Page.loadEventFired" and msg.get("sessionId") == self._session:
                loaded = answered  # a load event before the answer belongs to the previous page

    def evaluate(self, expression: str):
        """Evaluate the JavaScript `expression` in the page, await it if it is a promise, and return
        its value (JSON-serialisable); a thrown error raises `BrowserLaunchError` with its text."""
        result = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=True,
            what="evaluate a script",
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise self._fail(f"the script threw: {text}", "check the script")
        return result.get("result", {}).get("value")

    def _disconnect(self) -> None:
        for fd in (self._rfd, self._wfd):
            if fd is not None:
                os.close(fd)
        self._rfd = self._wfd = None


_FIREFOX_PREFS = {
    "marionette.port": 0,  # Firefox picks a free port and writes it to <profile>/MarionetteActivePort
    "network.trr.mode": 5,
    "network.proxy.type": 0,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "security.OCSP.enabled": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "security.remote_settings.crlite_filters.enabled": False,
    "services.settings.server": "data:,#none",
    "security.remote_settings.intermediates.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.blocklist.enabled": False,
    "browser.search.update": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "media.gmp-manager.url": "",
    "dom.push.connection.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.archive.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.aboutwelcome.enabled": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "about:blank",
    "datareporting.policy.firstRunURL": "",
    "browser.sessionstore.resume_from_crash": False,
}


class HeadlessFirefox(_Browser):
    """Headless Firefox ESR driven over Marionette (``len:json`` frames over loopback TCP).

    ``force_resolve`` sets ``network.dns.forceResolve``: every host name resolves to
    that address, so ``https://grok.com:PORT/`` reaches a local test server.
    Insecure certificates are accepted. Persistent cookies land in ``cookie_file``
    (``<profile>/cookies.sqlite``, WAL + exclusive lock while Firefox runs).
    """

    name, quit_command = "firefox", "Marionette:Quit"

    def __init__(
        self,
        profile_dir,
        *,
        force_resolve: str | None = "127.0.0.1",
        user_agent: str | None = None,
        executable: str | None = None,
        timeout: float = 60.0,
    ):
        self.timeout, self._buf, self._next_id = timeout, b"", 0
        self._sock: socket.socket | None = None
        exe = executable or find_firefox()
        if not exe:
            raise BrowserLaunchError("firefox: not installed; install it (Debian: apt-get install firefox-esr)")
        self.profile, scratch, env = fresh_profile(profile_dir, MOZ_CRASHREPORTER_DISABLE="1", MOZ_HEADLESS="1")
        self.cookie_file = self.profile / "cookies.sqlite"
        extra = {"network.dns.forceResolve": force_resolve, "general.useragent.override": user_agent}
        prefs = {**_FIREFOX_PREFS, **{k: v for k, v in extra.items() if v}}
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        argv = [str(Path(exe).resolve()), "--headless", "--marionette", "--no-remote", "--profile", str(self.profile)]
        self._launch(argv, env, scratch / "stderr.log")

    def _start(self) -> None:
        deadline, port_file = time.monotonic() + self.timeout, self.profile / "MarionetteActivePort"
        while self._sock is None:
            if self._proc is None or self._proc.poll():
                raise self._fail("exited during startup")
            if time.monotonic() > deadline:
                raise self._fail(f"Marionette did not come up within {self.timeout:.0f}s")
            try:
                self._sock = socket.create_connection(("127.0.0.1", int(port_file.read_text())), timeout=1)
            except (OSError, ValueError):
                time.sleep(0.1)
        self._recv(deadline, "read the Marionette greeting")
        caps = {
            "acceptInsecureCerts": True,
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": int(self.timeout * 1000)},
        }
        self.user_agent: str = self._call("WebDriver:NewSession", caps)["capabilities"]["userAgent"]

    def _recv(self, deadline: float, what: str):
        while True:
            size, colon, rest = self._buf.partition(b":")
            if colon and len(rest) >= int(size):
                self._buf = rest[int(size) :]
                return json.loads(rest[: int(size)])
            if time.monotonic() >= deadline:
                raise self._fail(f"timed out after {self.timeout:.0f}s waiting to {what}")
            if self._sock is None:
                raise self._fail(f"Marionette connection closed while waiting to {what}")
            self._sock.settimeout(max(0.01, min(deadline - time.monotonic(), 0.5)))
            try:
                chunk = self._sock.recv(1 << 20)
            except TimeoutError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self._fail(f"Marionette connection closed while waiting to {what}")
            self._buf += chunk

    def _call(self, command: str, params: dict | None = None, what: str = "", hint: str = "") -> Any:
        self._next_id += 1
        data = json.dumps([0, self._next_id, command, params or {}]).encode()
        deadline = time.monotonic() + self.timeout + 5  # leave room for Firefox's own pageLoad timeout
        try:
            if self._sock is None:
                raise OSError("not connected")
            self._sock.sendall(b"%d:%s" % (len(data), data))
        except OSError as exc:
            raise self._fail(f"cannot send {command} ({exc})") from None
        while True:
            msg = self._recv(deadline, what or f"get the answer to {command}")
            if isinstance(msg, list) and msg[:2] == [1, self._next_id]:
                if msg[2]:
                    raise self._fail(f"{command} failed: {msg[2].get('error')}: {msg[2].get('message')}", hint)
                return msg[3]

    def navigate(self, url: str) -> None:
        """Load ``url``; return once its ``load`` event fired (Set-Cookie already applied)."""
        self._call("WebDriver:Navigate", {"url": url}, f"load {url}", "check the server and force_resolve")

    def evaluate(self, expression: str):
        """Evaluate the JavaScript `expression` in the page, await it if it is a promise, and return
        its value (JSON-serialisable); a thrown error raises `BrowserLaunchError` with its text."""
        return self._call(
            "WebDriver:ExecuteScript",
            {"script": f"return ({expression});", "args": []},
            "evaluate a script",
            "check the script",
        )["value"]

    def _disconnect(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
