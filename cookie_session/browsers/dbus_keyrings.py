"""The Linux desktop keyrings asked directly over D-Bus (jeepney), so each failure is told apart: no
session bus, no Secret Service (or KWallet) on it, the entry locked, no entry. browser-cookie3 answers
'peanuts' for all of these.

Secret Service API: https://specifications.freedesktop.org/secret-service-spec/latest/ ; Chromium stores
its password with the libsecret schema `chrome_libsecret_os_crypt_password_v2` (earlier `_v1`) and the
attribute `application` (components/os_crypt/sync/key_storage_libsecret.cc). KWallet: folder
'<App> Keys', entry '<App> Safe Storage' (key_storage_kwallet.cc). Nothing here ever prompts or unlocks.
"""

from __future__ import annotations

import os
from typing import Any

from .key_errors import KeyStoreLocked, NoKeyEntry, NoKeyStore

SECRETS = "org.freedesktop.secrets"
SCHEMAS = ("chrome_libsecret_os_crypt_password_v2", "chrome_libsecret_os_crypt_password_v1")
TIMEOUT = 10.0  # seconds per D-Bus call (gnome-keyring may be started by D-Bus activation first)
_APP_ID = "cookie-session"


class _Bus:
    """A session-bus connection whose calls raise NoKeyStore/KeyStoreLocked naming what failed."""

    def __init__(self) -> None:
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise NoKeyStore("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset")
        from jeepney.io.blocking import open_dbus_connection

        try:
            self.conn = open_dbus_connection(bus="SESSION")
        except Exception as exc:  # noqa: BLE001  OSError, jeepney's AuthenticationError, a malformed address...
            raise NoKeyStore(f"cannot connect to the D-Bus session bus ({type(exc).__name__})") from None

    def __enter__(self) -> _Bus:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def call(
        self, path: str, name: str, interface: str, method: str, signature: str | None = None, *args: Any
    ) -> tuple:
        from jeepney import DBusAddress, MessageType, new_method_call

        message = new_method_call(DBusAddress(path, name, interface), method, signature, args)
        try:
            reply = self.conn.send_and_get_reply(message, timeout=TIMEOUT)
        except Exception as exc:  # noqa: BLE001  TimeoutError, the bus closing
            raise KeyStoreLocked(f"{name} did not answer {method} ({type(exc).__name__})") from None
        if reply.header.message_type == MessageType.error:
            error = str(reply.header.fields.get(4, "an error"))  # HeaderFields.error_name
            if error.endswith(("ServiceUnknown", "NameHasNoOwner", "UnknownObject", "UnknownMethod")):
                raise NoKeyStore(f"nothing on the D-Bus session bus answers as {name} ({error})")
            raise KeyStoreLocked(f"{name} refused {method} ({error})")
        return tuple(reply.body)

    def has_service(self, name: str) -> bool:
        """Whether `name` runs on the bus or D-Bus can start it."""
        bus = ("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        if self.call(*bus, "NameHasOwner", "s", name)[0]:
            return True
        return name in self.call(*bus, "ListActivatableNames")[0]


def secret_service_password(application: str) -> bytes:
    """The '<Application> Safe Storage' password Chromium keeps in the Secret Service."""
    entry = f"'{application.capitalize()} Safe Storage' (application {application!r})"
    with _Bus() as bus:
        if not bus.has_service(SECRETS):
            raise NoKeyStore(
                "no Secret Service on the D-Bus session bus (nothing owns or can start "
                "org.freedesktop.secrets: is GNOME Keyring running?)"
            )
        service = ("/org/freedesktop/secrets", SECRETS, "org.freedesktop.Secret.Service")
        # Searched by `application` alone: an item in a collection loaded locked from disk keeps its `xdg:schema`
        # out of reach, so gnome-keyring (42) finds nothing for a search naming it, and "locked" would read
        # "no entry". The schema is checked on the unlocked items instead.
        unlocked, locked = bus.call(*service, "SearchItems", "a{ss}", {"application": application})
        item = _chromium_item(bus, unlocked)
        if item is not None:
            _, session = bus.call(*service, "OpenSession", "sv", "plain", ("s", ""))
            secrets = bus.call(*service, "GetSecrets", "aoo", [item], session)[0]
            bus.call(session, SECRETS, "org.freedesktop.Secret.Session", "Close")
            if item not in secrets:
                raise KeyStoreLocked(f"the Secret Service would not give the entry {entry}")
            return bytes(secrets[item][2])
        if locked:
            raise KeyStoreLocked(f"the Secret Service holds the entry {entry}, but its keyring is locked")
        raise NoKeyEntry(f"the Secret Service has no entry {entry}")


def _chromium_item(bus: _Bus, items) -> str | None:
    """The first of `items` (unlocked) stored under Chromium's schema, the newest schema first."""
    schemas: dict[str | None, str] = {}
    for item in items:
        attributes = bus.call(
            item, SECRETS, "org.freedesktop.DBus.Properties", "Get", "ss", "org.freedesktop.Secret.Item", "Attributes"
        )[0][1]
        schemas.setdefault(attributes.get("xdg:schema"), item)
    return next((schemas[schema] for schema in SCHEMAS if schema in schemas), None)


def kwallet_password(application: str) -> bytes:
    """The '<Application> Safe Storage' password in KWallet's network wallet (kwalletd6, then kwalletd5)."""
    folder, entry = f"{application.capitalize()} Keys", f"{application.capitalize()} Safe Storage"
    with _Bus() as bus:
        for daemon in ("kwalletd6", "kwalletd5"):
            name = f"org.kde.{daemon}"
            if not bus.has_service(name):
                continue
            wallet = (f"/modules/{daemon}", name, "org.kde.KWallet")
            network = bus.call(*wallet, "networkWallet")[0]
            if not bus.call(*wallet, "isOpen", "s", network)[0]:
                raise KeyStoreLocked(f"KWallet's wallet {network!r} is closed (locked); it may hold {entry!r}")
            handle = bus.call(*wallet, "open", "sxs", network, 0, _APP_ID)[0]
            if handle < 0:
                raise KeyStoreLocked(f"KWallet refused to open the wallet {network!r}")
            try:
                if not bus.call(*wallet, "hasEntry", "isss", handle, folder, entry, _APP_ID)[0]:
                    raise NoKeyEntry(f"KWallet's wallet {network!r} has no entry {folder}/{entry}")
                return str(bus.call(*wallet, "readPassword", "isss", handle, folder, entry, _APP_ID)[0]).encode()
            finally:
                bus.call(*wallet, "close", "ibs", handle, False, _APP_ID)
        raise NoKeyStore("no KWallet on the D-Bus session bus (neither kwalletd6 nor kwalletd5)")
