"""The only code that reads a browser profile: find profiles, read xAI cookies from Chromium and Firefox
stores. The public names live here; each concern has its own module:

    catalogue        the browser table (add a browser here)
    records          BrowserCookie, Profile, CookieLoad, RawCookie; header_safe, ascii_int
    profiles         profile discovery and choice
    store            SQLite read-only open, private copy of a locked store, cell decoding
    hosts            which cookie hosts are xAI's (exact match)
    chromium         Chromium rows, store version, the Decryptor, Preferences, version
    chromium_crypto  Chromium's constants (each with where Chromium defines it), key derivation, ciphers
    keys             one KeySource per OS key store (add a key store here); key_errors: their failures;
                     dbus_keyrings: the Secret Service and KWallet asked over D-Bus
    firefox          Firefox rows, session store, containers, prefs, version
    languages        the Accept-Language each browser builds from its preference
    load             load_xai_cookies: choose, read, merge, decrypt, wrap; browser_user_agent

Cheap to load: browser-cookie3 (DPAPI only), jeepney (v11 values only), cryptography (encrypted values),
lz4 and configparser are imported only when a value or file needs them.
"""

from __future__ import annotations

from .catalogue import SUPPORTED_BROWSERS
from .keys import (
    BasicKeySource,
    DpapiKeySource,
    FixedKeySource,
    KeychainKeySource,
    KeySource,
    KeyStoreLocked,
    KeyUnavailable,
    KWalletKeySource,
    NoKeyEntry,
    NoKeyStore,
    SecretServiceKeySource,
    default_key_source,
)
from .load import browser_user_agent, load_xai_cookies
from .profiles import find_profiles
from .records import BrowserCookie, CookieLoad, Profile, header_safe

__all__ = [
    "SUPPORTED_BROWSERS",
    "BrowserCookie",
    "Profile",
    "CookieLoad",
    "find_profiles",
    "load_xai_cookies",
    "browser_user_agent",
    "header_safe",
    "KeySource",
    "BasicKeySource",
    "SecretServiceKeySource",
    "KWalletKeySource",
    "KeychainKeySource",
    "DpapiKeySource",
    "FixedKeySource",
    "default_key_source",
    "KeyUnavailable",
    "NoKeyStore",
    "KeyStoreLocked",
    "NoKeyEntry",
]
