"""Rules for files that are not parsed: patterns, per kind of file, on the code part of each line.

Kinds (see `file_kind`): python, notebook, env, shell, config, code, text. Every kind
is searched for secrets (CS201, CS204) on whole lines, comments included; `env`
files get the .env rules instead (CS202/CS203, decided with git by the scanner).
The cookie and opt-in patterns apply to shell, config, code and notebook cells, and
to Python files that do not parse ("python-fallback"); they skip comments (`#`, `;`
in ini files, `//` in code). Prose (.md, .rst, .txt and anything unknown) gets only
the secret rules: documentation may talk about cookies, but must not hold a key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath

from ..settings import API_KEY_ENV, UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, UNSAFE_FLAG
from .patterns import find_secrets

__all__ = ["file_kind", "scan_text", "scan_notebook", "secret_hits", "parse_env_line"]

_SHELL_SUFFIXES = {".sh", ".bash", ".zsh", ".ksh", ".fish", ".ps1", ".bat", ".cmd", ".dockerfile"}
_SHELL_NAMES = {"dockerfile", "containerfile", "makefile", "gnumakefile", "procfile", "justfile", ".envrc"}
_CONFIG_SUFFIXES = {
    ".toml",
    ".yaml",
    ".yml",
    ".json",
    ".jsonc",
    ".json5",
    ".cfg",
    ".ini",
    ".conf",
    ".properties",
    ".tf",
    ".tfvars",
    ".hcl",
    ".service",
}
_CODE_SUFFIXES = {
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".tsx",
    ".jsx",
    ".rb",
    ".go",
    ".rs",
    ".java",
    ".kt",
    ".php",
    ".lua",
    ".pl",
    ".swift",
    ".cs",
}

#: Pattern rules look at this many characters of a line at most (secrets are searched on the whole line).
MAX_LINE_CHARS = 64 * 1024


class _Then:
    """`first`, then `then` somewhere after it on the line: what `first.*then` means, found in linear time
    (a regex `a.*b` is quadratic on a line holding many `a`s). At most one match per line: its column is
    `then`'s group 1 when it has one, else where `first` starts."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then = re.compile(first), re.compile(then)

    def columns(self, text: str) -> Iterator[int]:
        head = self.first.search(text)
        if head is None:
            return
        tail = self.then.search(text, head.end())
        if tail:
            yield tail.start(1) if self.then.groups else head.start()


_COOKIE_KINDS = frozenset({"shell", "config", "code", "notebook", "python-fallback"})
_PYTHON_KINDS = frozenset({"notebook", "python-fallback"})
_NAMES = r"(sso-rw|sso|cf_clearance)"

#: (rule, pattern, kinds); the column is the start of group 1 if the pattern has one, else of the match.
_PATTERNS: list[tuple[str, re.Pattern[str] | _Then, frozenset[str]]] = [
    (
        "CS101",
        re.compile(r"^\s*(?:from|import)\s+(browser_cookie3|pycookiecheat|rookiepy|yt_dlp\.cookies)\b"),
        _PYTHON_KINDS,
    ),
    ("CS101", re.compile(r"^\s*from\s+yt_dlp\s+import\s+.*\b(cookies)\b"), _PYTHON_KINDS),
    # a call site, where the import (and so any alias) cannot be parsed: the module's own name only
    ("CS101", re.compile(r"(?<![\w.])(?:browser_cookie3|rookiepy|pycookiecheat)\s*\.\s*\w+\s*\("), _PYTHON_KINDS),
    ("CS102", re.compile(r"(?<![\w-])" + _NAMES + r"=(?!=)"), _COOKIE_KINDS),
    ("CS102", re.compile(r"([\"'`])" + _NAMES + r"\1"), _COOKIE_KINDS),
    ("CS102", re.compile(r"^\s*[\"']?" + _NAMES + r"[\"']?\s*[:=]"), frozenset({"config"})),
    ("CS103", re.compile(r"grok\.com/rest/"), _COOKIE_KINDS),
    (
        "CS103",
        re.compile(r"[\"'`](/?rest/(?:app-chat|models|rate-limits))(?:/|[\"'`])"),
        frozenset({"code", "notebook", "python-fallback"}),
    ),
    ("CS104", re.compile(r"(?i)(?<![\w-])[\"']?cookie[\"']?\s*:\s*[\"']?[^\s\"',}]"), _COOKIE_KINDS),
    ("CS104", re.compile(r"(?:^|\s)(?:-b|--cookie)[\s=]+[\"']?[\w-]+="), frozenset({"shell"})),
    (
        "CS105",
        _Then(r"\b(?:get|post|put|patch|delete|head|request|Client|AsyncClient)\(", r"\bcookies\s*=\s*(?!None\b)"),
        _PYTHON_KINDS,
    ),
    (
        "CS105",
        re.compile(r"\b(?:cookiejar_from_dict|add_dict_to_cookiejar)\(|\.cookies\.(?:update|set)\("),
        _PYTHON_KINDS,
    ),
    ("CS205", re.compile(r"[\"']Bearer\s*(?:\{\}|%s)?[\"']|\bf[\"']Bearer \{"), _PYTHON_KINDS),
    (
        "CS206",
        _Then(
            r"\b(?:print|pprint|echo|debug|info|warning|error|exception|critical)\(",
            r"\b(?:api_key|API_KEY|apikey|secret|password|cookies)\b|\.reveal\(\)",
        ),
        _PYTHON_KINDS,
    ),
    (
        "CS206",
        _Then(r"\becho\b", r"\$\{?(" + re.escape(API_KEY_ENV) + r"|\w*_(?:KEY|TOKEN|SECRET|PASSWORD))\b"),
        frozenset({"shell"}),
    ),
    (
        "CS301",
        re.compile(r"(?i)(?<![\w-])[\"']?unsafe[_-]browser[_-]cookies[\"']?\s*[:=]\s*[\"']?(?:true|yes|on|1)\b"),
        _COOKIE_KINDS,
    ),
    ("CS302", re.compile(r"(?<![\w-])" + re.escape(UNSAFE_FLAG) + r"(?![\w-])"), _COOKIE_KINDS),
    (
        "CS303",
        re.compile(re.escape(UNSAFE_ENV_VAR) + r"[\"']?\s*[:=]?\s*[\"']?" + re.escape(UNSAFE_ENV_VALUE)),
        _COOKIE_KINDS | {"env"},
    ),
    ("CS304", re.compile(r"(?<![\w-])--auth[\"']?(?:=|\s*,?\s*)[\"']?(browser)\b"), _COOKIE_KINDS),
    ("CS305", re.compile(r"\bBrowserCookieAuthenticator\s*(?:\.\s*from_cookies\s*)?\("), _PYTHON_KINDS),
]
#: Lines that define a flag rather than pass it (`@click.option("--unsafe-browser-cookies")`).
_FLAG_DEFINITION = re.compile(r"\b(?:option|add_argument|add_option)\(")


def file_kind(path: PurePath, first_line: str = "") -> str:
    """Which rule set a file gets, from its name (and shebang line when it has no suffix)."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if name == ".env" or name.startswith(".env.") or (suffix == ".env" and name != ".env"):
        return "env"
    if suffix in (".py", ".pyw"):
        return "python"
    if suffix == ".ipynb":
        return "notebook"
    if suffix in _SHELL_SUFFIXES or name in _SHELL_NAMES or name.startswith(("dockerfile.", "containerfile.")):
        return "shell"
    if suffix in _CONFIG_SUFFIXES:
        return "config"
    if suffix in _CODE_SUFFIXES:
        return "code"
    if not suffix and first_line.startswith("#!"):
        if "python" in first_line:
            return "python"
        if re.search(r"\b(?:ba|z|k|da)?sh\b", first_line):
            return "shell"
    return "text"


def _comment_markers(kind: str, path: PurePath) -> tuple[str, ...]:
    suffix = path.suffix.lower()
    if kind == "code":
        return ("//",)
    if suffix in (".json", ".jsonc", ".json5"):
        return ("//",) if suffix != ".json" else ()
    if suffix in (".ini", ".cfg", ".conf", ".properties"):
        return ("#", ";")
    return ("#",)


def _code_part(line: str, markers: tuple[str, ...]) -> str:
    """`line` up to a comment marker that is outside quotes (and, for `#`/`;`, after whitespace or at the start)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote and line[index - 1 : index] != "\\":
                quote = None
            continue
        if char in "'\"`":
            quote = char
            continue
        for marker in markers:
            if line.startswith(marker, index) and (marker == "//" or index == 0 or line[index - 1].isspace()):
                return line[:index]
    return line


Hit = tuple[int, int, str, str | None]  # (line, column, rule, detail)


def _pattern_hits(kind: str, number: int, code: str, column_base: int = 0) -> list[Hit]:
    hits: list[Hit] = []
    for rule_id, pattern, kinds in _PATTERNS:
        if kind not in kinds:
            continue
        if rule_id in ("CS302", "CS304") and kind in _PYTHON_KINDS and _FLAG_DEFINITION.search(code):
            continue
        if isinstance(pattern, _Then):
            starts = pattern.columns(code)
        else:
            starts = (match.start(1) if pattern.groups else match.start() for match in pattern.finditer(code))
        hits.extend((number, column_base + start + 1, rule_id, None) for start in starts)
    header_cols = [col for _, col, rule_id, _ in hits if rule_id == "CS104"]
    if header_cols:  # cookie names inside a Cookie header: the header is the finding
        first_header = min(header_cols)
        hits = [h for h in hits if not (h[2] == "CS102" and h[1] > first_header)]
    return hits


def secret_hits(lines: list[str], *, in_grok_context: bool = False):
    """Yield `(line, col, rule_id, masked)` for real-looking keys, bearer tokens and grok.com session tokens,
    comments included (`in_grok_context`: the file is about grok.com cookies, see `patterns.secret_values`)."""
    for number, line in enumerate(lines, 1):
        for start, rule_id, masked in find_secrets(line, in_grok_context=in_grok_context):
            yield number, start + 1, rule_id, masked


def scan_text(lines: list[str], kind: str, path: PurePath):
    """Yield `(line, col, rule_id, detail)` for the cookie and opt-in patterns that fire in a file of `kind`."""
    if kind not in _COOKIE_KINDS and kind != "env":
        return
    markers = _comment_markers(kind, path)
    for number, line in enumerate(lines, 1):
        yield from _pattern_hits(kind, number, _code_part(line[:MAX_LINE_CHARS], markers))


_NOTEBOOK_STRING = re.compile(r'^(\s*)"(.*)",?\s*$')
_NOTEBOOK_CELL_TYPE = re.compile(r'^\s*"cell_type"\s*:\s*"(\w+)"')


def scan_notebook(lines: list[str]):
    """The Python patterns on the source lines of a notebook's code cells, as the .ipynb file numbers them.

    Relies on the layout Jupyter writes (one source line per JSON line, `cell_type`
    before `source`); columns are approximate where a line holds JSON escapes.
    """
    cell_type, in_source = None, False
    for number, line in enumerate(lines, 1):
        if match := _NOTEBOOK_CELL_TYPE.match(line):
            cell_type = match.group(1)
        if re.match(r'^\s*"source"\s*:\s*\[', line):
            in_source = True
            continue
        if in_source and re.match(r"^\s*\]", line):
            in_source = False
            continue
        if not (in_source and cell_type == "code") or not (match := _NOTEBOOK_STRING.match(line)):
            continue
        try:
            source_line = json.loads(f'"{match.group(2)}"')
        except ValueError:
            continue
        if source_line.lstrip().startswith(("%", "!")):
            continue  # IPython magics and shell escapes
        yield from _pattern_hits(
            "notebook", number, _code_part(source_line[:MAX_LINE_CHARS], ("#",)), len(match.group(1)) + 1
        )


_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


_INLINE_COMMENT = re.compile(r"\s#")


def parse_env_line(line: str) -> tuple[str, str, int] | None:
    """`(name, value, value_column0)` for a `NAME=value` line of a .env file, or None."""
    match = _ENV_LINE.match(line)
    if not match:
        return None
    value = match.group(2).rstrip()
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        value = value[1:end] if end > 0 else value[1:]
    else:
        value = _INLINE_COMMENT.split(value, maxsplit=1)[0].rstrip()
    return match.group(1), value, match.start(2)
