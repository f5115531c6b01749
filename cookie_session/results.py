"""Plain result values returned by `GrokClient`, the same whichever credential was used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

__all__ = ["Usage", "ChatResult", "ChatStream", "StreamPiece", "Model", "Identity"]


@dataclass(frozen=True)
class Usage:
    """Token counts, as far as the service reports them."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


@dataclass(frozen=True)
class ChatResult:
    """One finished answer. `auth_kind` is the `kind` of the authenticator that got it. `thinking` is what the
    model showed of its reasoning (grok.com's thinking channel; never part of `text`), `citations` the URLs the
    answer's ` [N]` markers point to, in order."""

    text: str
    model: str
    auth_kind: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    id: str | None = None
    thinking: str = ""
    citations: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class StreamPiece:
    """One piece of a streamed answer, from `ChatStream.pieces()`: `kind` is "text" (the answer) or "thinking"."""

    kind: str
    text: str


class ChatStream:
    """Iterate for the answer's text pieces as they arrive (thinking is not among them); `pieces()` yields every
    piece, thinking included, as `StreamPiece`s. Afterwards `result` holds the whole `ChatResult`.

    Built by a transport from an iterator of pieces (`str` for answer text, `StreamPiece` for the rest) and a
    function that assembles the result once the pieces are exhausted. Iterate it once, one way.
    """

    def __init__(
        self, pieces: Iterator[str | StreamPiece], finish: Callable[[], ChatResult], close: Callable[[], None]
    ) -> None:
        self._pieces = pieces
        self._finish = finish
        self._close = close
        self.result: ChatResult | None = None

    def pieces(self) -> Iterator[StreamPiece]:
        """Every piece in arrival order: the answer's as kind "text", the model's thinking as kind "thinking"."""
        try:
            for piece in self._pieces:
                yield piece if isinstance(piece, StreamPiece) else StreamPiece("text", piece)
            self.result = self._finish()
        finally:
            self._close()

    def __iter__(self) -> Iterator[str]:
        for piece in self.pieces():
            if piece.kind == "text":
                yield piece.text

    def collect(self) -> ChatResult:
        """Consume the stream and return the whole `ChatResult`."""
        for _ in self.pieces():
            pass
        assert self.result is not None  # set once the pieces have all been read
        return self.result

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc) -> None:
        self._close()


@dataclass(frozen=True)
class Model:
    id: str
    owned_by: str | None = None
    created: int | None = None


@dataclass(frozen=True)
class Identity:
    """Who the credential acts as. For an API key: the key's name, team, ACLs and status flags."""

    auth_kind: str
    name: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    acls: tuple[str, ...] = ()
    api_key_blocked: bool = False
    api_key_disabled: bool = False
    team_blocked: bool = False

    @property
    def usable(self) -> bool:
        return not (self.api_key_blocked or self.api_key_disabled or self.team_blocked)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["acls"] = list(self.acls)
        data["usable"] = self.usable
        return data
