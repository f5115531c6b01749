"""The grok.com web app's build as the stand-in serves it: the page's `grok-site-verification` seed and the SVG
animation curves its x-statsig-id signer reads, and the pages that carry them.

Shapes, as public clients read them from grok.com (see docs/grok-com-rules.md): `GET /` has
`<meta name="grok-site-verification" content="<base64 of 48 bytes>"/>` in its head and, in a Next.js flight
script, the animation data as escaped JSON inside a JS string (`\\"curves\\":[[{\\"color\\":[...],\\"deg\\":D,
\\"bezier\\":[...]},...]],\\"css_class\\":\\"...\\"`), 4 groups of 16 curves, every number an int 0..255
(Prodigalgal/any2api `GrokWebStatsigSigner.java`, 2026-08-17). `GET /index` is a branded 404 without the meta
(chenyme/grok2api PR #903, 2026-08-13). A new build (`StandIn.rotate_site()`) changes seed and curves.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field

SEED_BYTES = 48
CURVE_GROUPS = 4
CURVES_PER_GROUP = 16


@dataclass(frozen=True)
class Curve:
    """One animated SVG curve: two RGB colours, a rotation and a cubic-bezier easing, each number 0..255."""

    color: tuple[int, int, int, int, int, int]
    deg: int
    bezier: tuple[int, int, int, int]

    def as_json(self) -> dict:
        return {"color": list(self.color), "deg": self.deg, "bezier": list(self.bezier)}


@dataclass(frozen=True)
class SiteBuild:
    """One build of the web app: the verification seed (48 bytes) and the 4 x 16 curves."""

    seed: bytes = field(repr=False)
    curves: tuple[tuple[Curve, ...], ...]
    css_class: str

    @classmethod
    def random(cls, rng: random.Random) -> SiteBuild:
        byte = lambda: rng.randrange(256)  # noqa: E731
        curves = tuple(
            tuple(
                Curve(tuple(byte() for _ in range(6)), byte(), tuple(byte() for _ in range(4)))  # type: ignore[arg-type]
                for _ in range(CURVES_PER_GROUP)
            )
            for _ in range(CURVE_GROUPS)
        )
        return cls(bytes(byte() for _ in range(SEED_BYTES)), curves, f"x{rng.randrange(16**4):04x}")

    @property
    def seed_base64(self) -> str:
        return base64.b64encode(self.seed).decode("ascii")

    def home_page(self) -> bytes:
        """`GET /`: the meta seed in the head, the curves in a flight script (JSON escaped inside a JS string)."""
        curves = json.dumps([[curve.as_json() for curve in group] for group in self.curves], separators=(",", ":"))
        animation = (
            '5:["$","svg",null,{"className":"grok-logo","anim":{"curves":' + curves + ',"css_class":"'
            f'{self.css_class}","duration":4096}}}}]\n'
        )
        flight = json.dumps(animation)  # a JS string literal: quotes become \", the newline \n
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/><title>Grok</title>'
            f'<meta name="grok-site-verification" content="{self.seed_base64}"/>'
            '<link rel="icon" href="/favicon.ico"/></head><body class="bg-surface-base">'
            '<div id="root"><main class="flex h-full"></main></div>'
            "<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
            f"<script>self.__next_f.push([1,{flight}])</script></body></html>"
        ).encode()


#: `GET /index` (and any other unknown page): Next.js's branded 404, without the verification meta.
NOT_FOUND_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>404: This page could not be found.'
    b'</title></head><body class="bg-surface-base"><div id="root"><main class="flex h-full items-center">'
    b'<h1 class="next-error-h1">404</h1><h2>This page could not be found.</h2>'
    b'<a href="/">Back to Grok</a></main></div></body></html>'
)
