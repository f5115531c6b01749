"""A grok.com page as the web app serves it (the statsig seed in its meta tag, the SVG curves in its flight
script), and the known-answer vectors of the signing algorithm, for unit tests of the client's signer."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

from paths import REPO

VECTORS = json.loads(Path(REPO, "tests", "data", "statsig_vectors.json").read_text())["vectors"]


def random_curves(rng: random.Random) -> list[list[dict]]:
    return [
        [
            {
                "color": [rng.randrange(256) for _ in range(6)],
                "deg": rng.randrange(256),
                "bezier": [rng.randrange(256) for _ in range(4)],
            }
            for _ in range(16)
        ]
        for _ in range(4)
    ]


def page_html(seed: bytes, curves: list[list[dict]], *, css_class: str = "k3f9a") -> str:
    """The page's markup: the meta seed in the head, the curves as escaped JSON inside a flight-script string."""
    escaped = json.dumps(curves, separators=(",", ":")).replace('"', '\\"')
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"/>'
        f'<meta name="grok-site-verification" content="{base64.b64encode(seed).decode()}"/></head>'
        f'<body><script>self.__next_f.push([1,"5:[\\"$\\",\\"svg\\",{{\\"curves\\":{escaped},'
        f'\\"css_class\\":\\"{css_class}\\"}}]"])</script></body></html>'
    )


def random_page(seed_value: int = 7) -> tuple[bytes, list[list[dict]], str]:
    rng = random.Random(seed_value)
    seed = bytes(rng.randrange(256) for _ in range(48))
    curves = random_curves(rng)
    return seed, curves, page_html(seed, curves)


def unsigned(token: str) -> tuple[int, bytes, int, bytes, int]:
    """A token's parts after un-XORing: (key, seed, t, digest16, marker)."""
    raw = bytearray(base64.b64decode(token + "=" * (-len(token) % 4), validate=True))
    key = raw[0]
    for index in range(1, len(raw)):
        raw[index] ^= key
    return key, bytes(raw[1:49]), int.from_bytes(raw[49:53], "little"), bytes(raw[53:69]), raw[69]
