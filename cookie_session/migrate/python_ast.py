"""What the Python scanner knows about a syntax tree: names, string values, imports of browser-cookie
modules and where secrets come from. Pure functions of AST nodes; the rules that use them live in
`python_scan`."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Collection

from .patterns import BROWSER_COOKIE_MODULES, XAI_KEY_RE, is_placeholder_key, mask, secret_name, source_lines

__all__ = [
    "COOKIE_JAR_CALLS",
    "added_string",
    "browser_cookie_bindings",
    "browser_cookie_call",
    "dotted_name",
    "is_env_lookup",
    "is_secret_source",
    "module_hit",
    "secret_identifier",
    "split_key_lines",
    "split_keys",
    "string_value",
]

#: Calls that build or merge a cookie jar from a mapping.
COOKIE_JAR_CALLS = frozenset({"cookiejar_from_dict", "add_dict_to_cookiejar", "merge_cookies"})
_SECRET_WORDS = frozenset(
    {
        "apikey",
        "secret",
        "secrets",
        "password",
        "passwd",
        "cookie",
        "cookies",
        "sso",
        "bearer",
        "credential",
        "credentials",
    }
)
_TOKEN_QUALIFIERS = frozenset({"access", "auth", "bearer", "session", "api", "id", "refresh", "xai", "secret"})


def _identifier_words(identifier: str) -> list[str]:
    """The lower-case words of a snake_case or camelCase name."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    return [word for word in spaced.lower().split("_") if word]


def secret_identifier(identifier: str) -> bool:
    """True for names that end in a secret: api_key, XAI_API_KEY, apiKey, session_cookies, access_token.

    Not `tokens`, `key`, `api_key_blocked` or `cookie_file`: the last word decides.
    """
    words = _identifier_words(identifier)
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    before = words[-2] if len(words) > 1 else ""
    return (words[-1] == "key" and before in ("api", "xai", "secret")) or (
        words[-1] == "token" and before in _TOKEN_QUALIFIERS
    )


def dotted_name(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain; the parts it can name for anything else (`?.c`)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "?")
    return ".".join(reversed(parts))


def string_value(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def added_string(node: ast.AST) -> str | None:
    """The value of `"a" + "b" + ...` when every piece is a string literal, else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = added_string(node.left), added_string(node.right)
        return left + right if left is not None and right is not None else None
    return string_value(node)


def split_keys(node: ast.expr, text: str, lines: list[str]) -> list[str]:
    """The real keys `text` (the value of `node`, maybe several string pieces) holds that no one source line
    of `node` holds whole."""
    seen = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
    keys = (match.group() for match in XAI_KEY_RE.finditer(text))
    return [key for key in keys if not is_placeholder_key(key) and not any(key in line for line in seen)]


def split_key_lines(source: str) -> dict[int, str]:
    """Line number -> masked key, for each line holding a piece of a key split across string pieces
    (so a diff can hide those lines); empty when the source does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines, spread = source_lines(source), {}
    for node in ast.walk(tree):
        text = added_string(node) if isinstance(node, ast.BinOp) else string_value(node)
        if text is not None and isinstance(node, ast.expr):
            for key in split_keys(node, text, lines):
                spread.update(dict.fromkeys(range(node.lineno, (node.end_lineno or node.lineno) + 1), mask(key)))
    return spread


def module_hit(module: str) -> str | None:
    for name in BROWSER_COOKIE_MODULES:
        if module == name or module.startswith(name + "."):
            return name
    return None


def is_env_lookup(node: ast.AST) -> bool:
    """`os.environ["X_KEY"]`, `os.getenv("X_KEY")`, `os.environ.get("X_KEY")` for a secret-looking name."""
    if isinstance(node, ast.Subscript) and dotted_name(node.value).endswith("environ"):
        key = string_value(node.slice)
        return key is not None and secret_name(key)
    if isinstance(node, ast.Call) and node.args and dotted_name(node.func).split(".")[-1] in ("getenv", "get"):
        dotted = dotted_name(node.func)
        key = string_value(node.args[0])
        return (dotted.endswith("getenv") or dotted.endswith("environ.get")) and key is not None and secret_name(key)
    return False


def browser_cookie_bindings(nodes: list[ast.AST]) -> dict[str, str]:
    """Local dotted names bound to browser-cookie modules or their functions, and what they are:
    `{"bc3": "browser_cookie3", "chrome_cookies": "pycookiecheat.chrome_cookies", "yt_dlp.cookies": ...}`
    (`import a as b`, `from a import f as g`, `b = importlib.import_module("a")`)."""
    bound: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if module_hit(alias.name):
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if module_hit(node.module) or module_hit(full):
                    bound[alias.asname or alias.name] = full
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            first = string_value(node.value.args[0]) if node.value.args else None
            if (
                dotted_name(node.value.func).split(".")[-1] in ("import_module", "__import__")
                and first
                and module_hit(first)
            ):
                bound.update((target.id, first) for target in node.targets if isinstance(target, ast.Name))
    return bound


def browser_cookie_call(name: str, bound: dict[str, str]) -> str | None:
    """What a call to dotted `name` reads cookies with (`browser_cookie3.chrome`), or None."""
    for local, target in bound.items():
        if name == local or name.startswith(local + "."):
            return target + name[len(local) :]
    return None


def is_secret_source(node: ast.AST, cookie_sources: Collection[str] = frozenset()) -> bool:
    """A key literal, an environment lookup of a secret, `.reveal()`, or cookies read from a browser."""
    if isinstance(node, ast.Call):
        dotted = dotted_name(node.func)
        if dotted.split(".")[0] in cookie_sources or dotted.split(".")[-1] in COOKIE_JAR_CALLS:
            return True
    text = string_value(node)
    if text is not None:
        return bool(XAI_KEY_RE.fullmatch(text)) and not is_placeholder_key(text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "reveal":
        return True
    return is_env_lookup(node)
