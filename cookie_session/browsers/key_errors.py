"""What a key store says when it gives no key (keys.py draws the tree); messages never hold a secret."""

from __future__ import annotations

from ..settings import API_KEY_ENV
from .chromium_crypto import V11_HINT


class KeyUnavailable(Exception):
    """The key store gave no key; the message says what happened, `hint` what to do."""

    hint = V11_HINT


class NoKeyStore(KeyUnavailable):
    """The key store is not there."""

    hint = (
        "No keyring answers in this session: run this in your desktop session, where GNOME Keyring or "
        "KWallet runs (a session over SSH or a container usually has none); or start Chromium with "
        f"--password-store=basic and log in again; or use the API key ({API_KEY_ENV})"
    )


class KeyStoreLocked(KeyUnavailable):
    """The key store is there, but locked or refusing."""

    hint = (
        "Unlock the keyring (log in to your desktop session, or unlock it in Seahorse / KWalletManager) and "
        f"try again; or use the API key ({API_KEY_ENV})"
    )


class NoKeyEntry(KeyUnavailable):
    """The key store answered and holds no entry for this browser."""

    hint = (
        "Start the browser once in your desktop session so it stores its key; or start Chromium with "
        f"--password-store=basic and log in again; or use the API key ({API_KEY_ENV})"
    )
