"""`migrate --history`: xAI keys and `.env` secrets that git history still holds after the work tree lost them.

Reads `git log -p` of every reachable commit (or those not reachable from `since`),
with no textconv, external diff or filter driver (see `git.py`): each added line is
searched as the scanner searches a file (an `xai-` key anywhere; a secret-looking
value in a `.env` file). A secret still present in the same file of the work tree is
left to the ordinary scan. Each secret is reported once per path, at the commit that
added it, masked.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import BadInputError
from .findings import Finding
from .git import git_output_lines, run_git
from .patterns import (
    UNSAFE_ENV_VAR,
    XAI_KEY_RE,
    is_placeholder_key,
    is_placeholder_value,
    mask,
    secret_name,
)
from .rules import RULES
from .text_scan import file_kind, parse_env_line

__all__ = ["HistoryHit", "scan_history", "history_findings"]

_COMMIT = b"\x00commit "
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class HistoryHit:
    """One secret in one commit: where it was added, masked; `value` stays private to this module's callers."""

    commit: str
    path: str
    line: int
    col: int
    masked: str
    kind: str  # "key" or "env"
    value: str

    def __repr__(self) -> str:
        return f"HistoryHit({self.commit[:12]} {self.path}:{self.line}:{self.col} {self.masked})"


def _repository_top(path: Path) -> Path:
    directory = path if path.is_dir() else path.parent
    done = run_git(directory, "rev-parse", "--show-toplevel")
    if done is None or done.returncode != 0 or not done.stdout.strip():
        raise BadInputError(
            f"--history needs a git repository, and {os.fspath(path)!r} is not in one",
            hint="Run it inside a clone, or leave out --history.",
        )
    return Path(os.fsdecode(done.stdout.strip()))


def _resolve(top: Path, since: str) -> str:
    done = run_git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}")
    if done is None or done.returncode != 0:
        raise BadInputError(
            f"--since {since!r} is not a commit of this repository",
            hint="Give a commit, tag or branch, e.g. --since origin/main.",
        )
    return done.stdout.decode().strip()


def _path_of(header: bytes) -> str | None:
    name = header[4:]
    if name == b"/dev/null":
        return None
    if name.startswith(b'"'):  # git quotes names with unusual bytes: C-style escapes
        name = codecs.escape_decode(name[1:-1])[0]
    return os.fsdecode(name[2:] if name.startswith(b"b/") else name)


def _secrets_in(line: str, kind: str):
    """`(col0, masked, kind, value)` for each secret in one added line of a file of `kind`."""
    for match in XAI_KEY_RE.finditer(line):
        if not is_placeholder_key(match.group()):
            yield match.start(), mask(match.group()), "key", match.group()
    if kind == "env" and (parsed := parse_env_line(line)) is not None:
        name, value, column = parsed
        if (
            name != UNSAFE_ENV_VAR
            and not XAI_KEY_RE.fullmatch(value)
            and secret_name(name)
            and not is_placeholder_value(value)
        ):
            yield column, f"{name}={mask(value)}", "env", value


def scan_history(path: Path | str, since: str | None = None) -> list[HistoryHit]:
    """Every secret the history of the repository holding `path` added, oldest commit first, minus those the
    work tree still holds in the same file. Raises BadInputError when there is no repository or `since` is
    not a commit of it."""
    top = _repository_top(Path(os.path.abspath(path)))
    revisions = ["--all"] if since is None else ["--all", "--not", _resolve(top, since)]
    args = [
        "log",
        *revisions,
        "-p",
        "-U0",
        "--no-textconv",
        "--no-ext-diff",
        "--no-color",
        "--no-renames",
        "--format=%x00commit %H",
        "--end-of-options",
    ]
    found: dict[tuple[str, str], HistoryHit] = {}
    commit, current, kind, number = "", None, "text", 0
    try:
        for raw in git_output_lines(top, *args):
            if raw.startswith(_COMMIT):
                commit = raw[len(_COMMIT) :].decode()
            elif raw.startswith(b"+++ "):
                current = _path_of(raw)
                kind = file_kind(PurePosixPath(current)) if current else "text"
            elif (hunk := _HUNK.match(raw)) is not None:
                number = int(hunk.group(1))
            elif raw.startswith(b"+") and current is not None:
                text = raw[1:].decode("utf-8", errors="replace")
                for col, masked, what, value in _secrets_in(text, kind):
                    # git log lists newest first: the last one seen for a (path, secret) is the commit that added it
                    found[(current, value)] = HistoryHit(commit, current, number, col + 1, masked, what, value)
                number += 1
    except OSError as error:
        raise BadInputError(f"--history needs git, which did not run ({error.strerror or error})") from None
    return sorted(
        (hit for hit in found.values() if not _still_there(top, hit)), key=lambda h: (h.path, h.line, h.commit)
    )


def _still_there(top: Path, hit: HistoryHit) -> bool:
    try:
        with open(top / hit.path, encoding="utf-8", errors="replace") as handle:
            return hit.value in handle.read(8 * 1024 * 1024)
    except OSError:
        return False


def history_findings(path: Path | str, since: str | None = None) -> list[Finding]:
    """`scan_history` as findings of CS207, paths shown as the scanner shows them (relative to the working
    directory when below it)."""
    from .scanner import display_path

    rule = RULES["CS207"]
    findings = []
    top = _repository_top(Path(os.path.abspath(path)))
    for hit in scan_history(path, since):
        what = "xAI key" if hit.kind == "key" else "secret in a .env file"
        finding = rule.finding(
            display_path(top / hit.path),
            hit.line,
            hit.col,
            masked=hit.masked,
            detail=f"{what} {hit.masked} added in commit {hit.commit[:12]}, no longer in the work tree",
        )
        digest = hashlib.sha256("\0".join((rule.id, hit.path, hit.commit, hit.masked)).encode()).hexdigest()
        findings.append(dataclasses.replace(finding, fingerprint=f"{digest[:32]}:1"))
    return findings
