"""Chromium's cookie encryption: the constants (each with where Chromium defines it), the key derivation
and the ciphers. chromium.Decryptor uses them with the keys a `KeySource` (keys.py) gives.

Chromium sources named below are under https://source.chromium.org/chromium/chromium/src/+/main:
components/os_crypt/sync/ (os_crypt_linux.cc, os_crypt_mac.mm, os_crypt_win.cc) and
net/extras/sqlite/sqlite_persistent_cookie_store.cc.
"""

from __future__ import annotations

import functools

from ..settings import API_KEY_ENV

#: os_crypt_linux.cc `kObfuscationPrefixV10`: values under the hard-coded password below (or, on macOS,
#: os_crypt_mac.mm `kEncryptionVersionPrefix`: the keychain password; on Windows, os_crypt_win.cc: AES-GCM).
V10 = b"v10"
#: os_crypt_linux.cc `kObfuscationPrefixV11`: values under the password from the Secret Service or KWallet.
V11 = b"v11"
#: Chrome 127+ app-bound encryption on Windows (chrome/browser/os_crypt/app_bound_encryption_win.cc,
#: `kEncryptionVersionPrefix` "v20"): the key is held by Chrome's elevation service; we cannot read it.
V20 = b"v20"
#: os_crypt_linux.cc: the password used when no keyring is used (`--password-store=basic`), "peanuts".
PEANUTS = b"peanuts"
#: os_crypt_linux.cc / os_crypt_mac.mm `kSalt`: the PBKDF2 salt, "saltysalt".
SALT = b"saltysalt"
#: os_crypt_linux.cc `kEncryptionIterations`: 1 PBKDF2 iteration on Linux; os_crypt_mac.mm: 1003 on macOS.
LINUX_ITERATIONS, MACOS_ITERATIONS = 1, 1003
#: os_crypt_linux.cc / os_crypt_mac.mm `kDerivedKeySizeInBits` 128: AES-128-CBC, IV of 16 spaces (`kIV`).
KEY_BYTES, CBC_IV = 16, b" " * 16
#: os_crypt_win.cc `kNonceLength` 12 and the 16-byte GCM tag (crypto/aead.h): AES-256-GCM on Windows.
GCM_NONCE_BYTES, GCM_TAG_BYTES = 12, 16
#: sqlite_persistent_cookie_store.cc: since store version 24 (`kCurrentVersionNumber` >= 24) the plaintext
#: starts with SHA-256(host_key) (`kEncryptedDomainHashVersion`), binding each value to its host.
HOST_HASH_VERSION = 24

V11_HINT = (
    "Unlock your keyring (GNOME Keyring / KWallet) or run this in your desktop session; or start "
    f"Chromium with --password-store=basic and log in again; or use the API key ({API_KEY_ENV})"
)
V20_HINT = (
    "Export the cookies from the browser with a cookie-export extension into a cookie file, "
    f"or log in with Firefox, or use the API key ({API_KEY_ENV})"
)


@functools.lru_cache(maxsize=8)
def derive_key(password: bytes, iterations: int = LINUX_ITERATIONS) -> bytes:
    """Chromium's key derivation (PBKDF2-HMAC-SHA1, salt 'saltysalt', 16 bytes); cached per process."""
    import hashlib  # here: a Firefox profile never needs it (~2 ms of start-up)

    return hashlib.pbkdf2_hmac("sha1", password, SALT, iterations, KEY_BYTES)


#: The key of v10 values on Linux; and os_crypt_linux.cc's fallback for v11 values written while the
#: keyring answered an empty password.
#: Written out, not derived at import (tests/unit/browsers check they are `derive_key(PEANUTS)` and `derive_key(b"")`).
PEANUTS_KEY = bytes.fromhex("fd621fe5a2b402539dfa147ca9272778")
EMPTY_PASSWORD_KEY = bytes.fromhex("d0d0ec9c7d77d43ac54187fa4818d17f")


def aes_cbc(key: bytes, data: bytes) -> bytes | None:
    """AES-128-CBC with Chromium's IV and PKCS#7 padding; None when length or padding is wrong."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not data or len(data) % 16 or len(key) not in (16, 24, 32):
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(CBC_IV)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    return plain[:-pad] if 1 <= pad <= 16 and plain[-pad:] == bytes([pad]) * pad else None


def aes_gcm(key: bytes, data: bytes) -> bytes | None:
    """AES-256-GCM as Chromium on Windows: 12-byte nonce, ciphertext, 16-byte tag; None when the tag fails."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(data) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        return None
    try:
        return AESGCM(key).decrypt(data[:GCM_NONCE_BYTES], data[GCM_NONCE_BYTES:], None)
    except (InvalidTag, ValueError):  # ValueError: a key of the wrong length
        return None
