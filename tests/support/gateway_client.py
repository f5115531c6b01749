"""A plain WebSocket client for the stand-in's gateway, built on `wsproto` over a raw socket (tests only).

The handshake is written by hand, so tests can send any header (or leave one out) and read a refusal's
status and body; after a 101 the frames go through wsproto, permessage-deflate included when negotiated.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from wsproto.connection import Connection, ConnectionType
from wsproto.events import CloseConnection, Message, Ping, TextMessage
from wsproto.extensions import PerMessageDeflate

CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
CHROMIUM_EXTENSIONS = "permessage-deflate; client_max_window_bits"


@dataclass
class Login:
    """A logged-in browser of the stand-in: its cookies' values and User-Agent."""

    sso: str
    cf_clearance: str
    user_id: str
    user_agent: str

    @property
    def cookie_header(self) -> str:
        return f"sso={self.sso}; sso-rw={self.sso}; x-userid={self.user_id}; cf_clearance={self.cf_clearance}"


def login(stand_in, user_agent: str = CHROME_UA) -> Login:
    return Login(*stand_in.web_login(user_agent), user_agent=user_agent)


def upgrade_headers(stand_in, who: Login, *, extensions: str | None = CHROMIUM_EXTENSIONS) -> dict[str, str]:
    """What a browser sends for `new WebSocket(...)` from the site's own page."""
    headers = {
        "Host": urlsplit(stand_in.web_base_url).netloc,
        "Connection": "Upgrade",
        "Pragma": "no-cache",
        "Cache-Control": "no-cache",
        "User-Agent": who.user_agent,
        "Upgrade": "websocket",
        "Origin": stand_in.web_base_url,
        "Sec-WebSocket-Version": "13",
        "Accept-Language": "en-US,en;q=0.9",
        "Cookie": who.cookie_header,
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
    }
    if extensions is not None:
        headers["Sec-WebSocket-Extensions"] = extensions
    return headers


@dataclass
class Refusal:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def open_socket(stand_in, timeout: float = 5.0) -> socket.socket:
    parts = urlsplit(stand_in.web_base_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small event frames go out at once
    if stand_in.web_tls:
        context = ssl.create_default_context(cafile=stand_in.ca_file)
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
    return sock


def connect(stand_in, headers: dict[str, str], *, target: str | None = None, timeout: float = 5.0):
    """Send the upgrade request; a `Gateway` after a 101, else the `Refusal` (status, headers, body)."""
    sock = open_socket(stand_in, timeout)
    if target is None:
        target = f"/ws/mgw/?uid={_uid_from(headers)}"
    head = f"GET {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    sock.sendall(head.encode("latin-1"))
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed during the handshake: {data!r}")
        data += chunk
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    reply_headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    if status != 101:
        length = int(reply_headers.get("content-length", "0"))
        while len(rest) < length:
            rest += sock.recv(65536)
        sock.close()
        return Refusal(status, reply_headers, rest)
    extension = None
    accepted = reply_headers.get("sec-websocket-extensions")
    if accepted:
        extension = PerMessageDeflate()
        extension.finalize(accepted)
    return Gateway(sock, Connection(ConnectionType.CLIENT, [extension] if extension else None, rest), reply_headers)


def _uid_from(headers: dict[str, str]) -> str:
    for part in headers.get("Cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "x-userid":
            return value
    return ""


class Gateway:
    """An open gateway WebSocket: send events, read frames (JSON parsed), see how it closed."""

    def __init__(self, sock: socket.socket, ws: Connection, headers: dict[str, str]) -> None:
        self.sock, self.ws, self.headers = sock, ws, headers
        self.close_code: int | None = None
        self.frame_headers: list[int] = []  # the first byte of each chunk read (FIN, RSV1 = compressed, opcode)
        self._received: list = []
        self._partial = ""

    def send(self, event) -> None:
        self.send_text(json.dumps(event))

    def send_text(self, text: str) -> None:
        self.sock.sendall(bytes(self.ws.send(TextMessage(data=text))))

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self, timeout: float = 5.0):
        """The next text frame (parsed JSON when it is JSON); None once the server closed."""
        deadline = time.monotonic() + timeout
        while not self._received:
            if self.close_code is not None:
                return None
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError("no frame from the gateway in time") from None
            if data:
                self.frame_headers.append(data[0])
            self.ws.receive_data(data or None)
            for event in self.ws.events():
                if isinstance(event, CloseConnection):
                    self.close_code = event.code
                    try:
                        self.sock.sendall(bytes(self.ws.send(event.response())))
                    except Exception:  # noqa: BLE001 - already closed
                        pass
                elif isinstance(event, Ping):
                    self.sock.sendall(bytes(self.ws.send(event.response())))
                elif isinstance(event, Message):
                    self._partial += event.data if isinstance(event.data, str) else event.data.decode("latin-1")
                    if event.message_finished:
                        try:
                            self._received.append(json.loads(self._partial))
                        except ValueError:
                            self._received.append(self._partial)
                        self._partial = ""
            if not data and self.close_code is None:
                self.close_code = 1006
        return self._received.pop(0)

    def receive_all(self, timeout: float = 5.0) -> list:
        """Every frame until the server closes or `response.done` arrives."""
        frames = []
        while (frame := self.receive(timeout)) is not None:
            frames.append(frame)
            if isinstance(frame, dict) and frame.get("event", {}).get("type") == "response.done":
                break
        return frames

    def wait_closed(self, timeout: float = 5.0) -> int | None:
        """Read until the server closes; its close code (1006: the TCP connection ended without one)."""
        while self.receive(timeout) is not None:
            pass
        return self.close_code

    def close(self) -> None:
        try:
            self.sock.sendall(bytes(self.ws.send(CloseConnection(code=1000))))
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass
        self.sock.close()


def session_create(mode: str = "fast", **flags) -> dict:
    x_grok = {
        "is_temporary": True,
        "disable_memory": True,
        "keep_context": False,
        "protocol_capabilities": ["conversation_attached", "custom_methods_v1"],
        "use_chunk": True,
        **flags,
    }
    return {
        "event": {"type": "session.create", "event_id": "evt_init_test", "session": {"model": mode, "x_grok": x_grok}}
    }


def ask(gateway: Gateway, prompt: str, mode: str = "fast", **flags) -> list:
    """The whole exchange: session.create, wait for session.created + conversation.attached, send the prompt
    and response.create; the server's frames after response.create, up to response.done or the close."""
    gateway.send(session_create(mode, **flags))
    created = gateway.receive()
    attached = gateway.receive()
    assert created["event"]["type"] == "session.created", created
    assert attached["event"]["type"] == "conversation.attached", attached
    session_id = created["session_id"]
    millis = int(time.time() * 1000)
    item = {
        "type": "message",
        "role": "user",
        "x_grok": {"client_message_id": "m-1", "input_chunks": [{"text": {"text": prompt}}]},
    }
    gateway.send(
        {
            "session_id": session_id,
            "event": {"type": "conversation.item.create", "event_id": f"evt_msg_{millis}", "item": item},
        }
    )
    gateway.send({"session_id": session_id, "event": {"type": "response.create", "event_id": f"evt_resp_{millis}"}})
    return gateway.receive_all()
