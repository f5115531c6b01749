"""Where Chromium's cookie key comes from: one `KeySource` per OS key store, behind one seam.

`load_xai_cookies(key_source=...)` takes any of them (tests pass `FixedKeySource`); by default
`default_key_source` picks the one Chromium uses on this OS. A source is asked only when a value of its
prefix is met, so a v10-only Linux profile never touches D-Bus. Every failure is a `KeyUnavailable`
subclass whose text says what really happened (never a secret):

    KeyUnavailable
     +-- NoKeyStore       the store is not there (no session bus, no Secret Service on it, no KWallet)
     +-- KeyStoreLocked   the store is there but locked or refused to answer
     +-- NoKeyEntry       the store answered and holds no entry for this browser

To add a key store: subclass `KeySource` (label, prefixes, cipher, `key()`), and choose it in
`default_key_source`.
"""

from __future__ import annotations

import base64
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .catalogue import BROWSERS, current_platform
from .chromium_crypto import MACOS_ITERATIONS, PEANUTS_KEY, derive_key
from .key_errors import KeyStoreLocked, KeyUnavailable, NoKeyEntry, NoKeyStore

__all__ = [
    "KeySource",
    "BasicKeySource",
    "SecretServiceKeySource",
    "KWalletKeySource",
    "FirstAvailableKeySource",
    "KeychainKeySource",
    "DpapiKeySource",
    "FixedKeySource",
    "linux_key_source",
    "default_key_source",
    "KeyUnavailable",
    "NoKeyStore",
    "KeyStoreLocked",
    "NoKeyEntry",
]


class KeySource(ABC):
    """The AES key of each value prefix of one Chromium profile ('v10', 'v11'), from one OS key store."""

    #: "cbc" (AES-128-CBC: Linux, macOS) or "gcm" (AES-256-GCM: Windows)
    cipher: str = "cbc"
    #: the prefixes this store's browser writes; any other is an unknown format
    prefixes: tuple[str, ...] = ("v10", "v11")

    #: where the key comes from, for messages: "the Secret Service entry 'Chromium Safe Storage'"
    label: str = "the key store"

    @abstractmethod
    def key(self, prefix: str) -> bytes:
        """The key of values starting with `prefix`; raises KeyUnavailable saying why there is none."""


class BasicKeySource(KeySource):
    """Linux without a keyring (`--password-store=basic`): v10 under the built-in 'peanuts' password."""

    label = "Chromium's built-in key ('peanuts')"

    def key(self, prefix: str) -> bytes:
        if prefix == "v10":
            return PEANUTS_KEY
        raise NoKeyStore(
            "v11 values need the desktop keyring's password, and this key source has only "
            "Chromium's built-in 'peanuts' key"
        )


class SecretServiceKeySource(BasicKeySource):
    """Linux with GNOME Keyring or another Secret Service (`--password-store=gnome-libsecret`)."""

    def __init__(self, application: str = "chromium") -> None:
        self.application = application
        self.label = f"the Secret Service entry '{application.capitalize()} Safe Storage'"

    def key(self, prefix: str) -> bytes:
        if prefix != "v11":
            return super().key(prefix)
        from .dbus_keyrings import secret_service_password

        return derive_key(secret_service_password(self.application))


class KWalletKeySource(BasicKeySource):
    """Linux on KDE (`--password-store=kwallet5/6`): the password in KWallet's '<App> Keys' folder."""

    def __init__(self, application: str = "chromium") -> None:
        self.application = application
        self.label = f"the KWallet entry '{application.capitalize()} Safe Storage'"

    def key(self, prefix: str) -> bytes:
        if prefix != "v11":
            return super().key(prefix)
        from .dbus_keyrings import kwallet_password

        return derive_key(kwallet_password(self.application))


class FirstAvailableKeySource(KeySource):
    """The first of `sources` whose store exists (NoKeyStore moves on; locked or no entry stops there)."""

    def __init__(self, *sources: KeySource) -> None:
        self.sources = sources
        self.cipher, self.prefixes = sources[0].cipher, sources[0].prefixes
        self.label = " or ".join(s.label for s in sources)  # then the label of the one that answered

    def key(self, prefix: str) -> bytes:
        missing = []
        for source in self.sources:
            try:
                key = source.key(prefix)
            except NoKeyStore as exc:
                missing.append(str(exc))
                continue
            self.label = source.label
            return key
        raise NoKeyStore("; ".join(dict.fromkeys(missing)))


class KeychainKeySource(KeySource):
    """macOS: v10 under the '<Browser> Safe Storage' keychain password, 1003 PBKDF2 iterations.

    `fetch(service, account)` returns the password; by default the `security` tool is asked (tests pass one)."""

    prefixes = ("v10",)

    def __init__(
        self, service: str, account: str | None = None, fetch: Callable[[str, str], bytes] | None = None
    ) -> None:
        self.service, self.account = service, account or service.removesuffix(" Safe Storage")
        self.fetch = fetch or _security_find_password
        self.label = f"the macOS keychain item {service!r}"

    def key(self, prefix: str) -> bytes:
        return derive_key(self.fetch(self.service, self.account), MACOS_ITERATIONS)


def _security_find_password(service: str, account: str) -> bytes:
    """The keychain password via `security find-generic-password -w` (exit 44: no such item)."""
    import subprocess  # here: only macOS asks, and it costs every other start-up ~3 ms

    try:
        done = subprocess.run(
            ["security", "find-generic-password", "-w", "-s", service, "-a", account],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NoKeyStore(f"the macOS keychain could not be asked ({type(exc).__name__})") from None
    if done.returncode == 44:
        raise NoKeyEntry(f"the macOS keychain has no item {service!r}")
    if done.returncode != 0:
        raise KeyStoreLocked(
            f"the macOS keychain refused the item {service!r} (locked, or access denied; "
            f"`security` exited {done.returncode})"
        )
    return done.stdout.rstrip(b"\n")


class DpapiKeySource(KeySource):
    """Windows: v10 is AES-256-GCM under the key in 'Local State' os_crypt.encrypted_key, wrapped by DPAPI.

    `unprotect(blob)` unwraps it; by default Windows' CryptUnprotectData (tests pass one)."""

    cipher = "gcm"
    prefixes = ("v10",)

    def __init__(self, local_state: Path | None, unprotect: Callable[[bytes], bytes] | None = None) -> None:
        self.local_state, self.unprotect = local_state, unprotect or _crypt_unprotect
        self.label = f"the DPAPI-protected key in {local_state or 'Local State'}"

    def key(self, prefix: str) -> bytes:
        try:
            if self.local_state is None:
                raise OSError("no 'Local State' file next to the profile")
            state = json.loads(self.local_state.read_text(encoding="utf-8"))
            blob = base64.b64decode(state["os_crypt"]["encrypted_key"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NoKeyEntry(
                f"no os_crypt.encrypted_key in {self.local_state or 'Local State'} ({type(exc).__name__})"
            ) from None
        try:
            return self.unprotect(blob.removeprefix(b"DPAPI"))
        except Exception as exc:  # noqa: BLE001  ctypes/OSError from CryptUnprotectData
            raise KeyStoreLocked(
                f"DPAPI refused to unwrap the key ({type(exc).__name__}: a profile of another Windows user or machine?)"
            ) from None


def _crypt_unprotect(blob: bytes) -> bytes:
    from browser_cookie3 import _crypt_unprotect_data

    return _crypt_unprotect_data(blob, is_key=True)[1]


class FixedKeySource(KeySource):
    """Keys given by the caller, per prefix (tests, or a key exported by other means); None: unavailable."""

    label = "the given key"

    def __init__(self, keys: Mapping[str, bytes | None], cipher: str = "cbc") -> None:
        self.keys, self.cipher, self.prefixes = dict(keys), cipher, tuple(keys)

    def key(self, prefix: str) -> bytes:
        found = self.keys.get(prefix)
        if found is None:
            raise NoKeyEntry(f"no key was given for {prefix} values")
        return found


def linux_key_source(application: str, desktop: str | None = None) -> KeySource:
    """Secret Service, then KWallet (KWallet first on KDE, as Chromium chooses by desktop)."""
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "") if desktop is None else desktop
    order: Sequence[KeySource] = (SecretServiceKeySource(application), KWalletKeySource(application))
    return FirstAvailableKeySource(*(reversed(order) if "KDE" in desktop.upper() else order))


def default_key_source(browser: str, cookie_file: Path, platform: str | None = None) -> KeySource:
    """The key store `browser` (a SUPPORTED_BROWSERS name; others count as chromium) uses on `platform`
    ('linux', 'macos', 'windows'; default: this OS) for the Chromium store `cookie_file`."""
    spec = BROWSERS.get(browser, BROWSERS["chromium"])
    platform = platform or current_platform()
    if platform == "macos":
        return KeychainKeySource(spec.keychain or "Chromium Safe Storage")
    if platform == "windows":
        local_state = next((p / "Local State" for p in cookie_file.parents[:3] if (p / "Local State").is_file()), None)
        return DpapiKeySource(local_state)
    return linux_key_source(spec.os_crypt)
