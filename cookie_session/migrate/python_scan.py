"""Rules for Python source, on the syntax tree: they fire on code, never on a comment or a docstring.

`scan_python(source)` yields `(line, col, rule_id, detail)` with 1-based character
columns, and raises SyntaxError (or ValueError) when the source does not parse;
the caller then falls back to pattern scanning. Secrets (CS201, CS204) are found
by the text scanner on every line, comments included, because a key in a comment
leaks just the same.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence
from itertools import pairwise

from .patterns import (
    GROK_ENDPOINT_RE,
    SESSION_COOKIE_NAMES,
    UNSAFE_ENV_VALUE,
    UNSAFE_ENV_VAR,
    UNSAFE_FLAG,
    mask,
    source_lines,
)
from .python_ast import (
    COOKIE_JAR_CALLS,
    added_string,
    browser_cookie_bindings,
    browser_cookie_call,
    dotted_name,
    is_env_lookup,
    is_secret_source,
    module_hit,
    secret_identifier,
    split_key_lines,
    split_keys,
    string_value,
)

#: `browser_cookie_bindings` and `split_key_lines` are re-exported for callers that import them from here.
__all__ = ["browser_cookie_bindings", "scan_python", "split_key_lines"]

_HTTP_CALLS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "stream",
        "Client",
        "AsyncClient",
        "send",
        "urlopen",
        "ClientSession",
    }
)
_HEADER_SETTERS = frozenset({"putheader", "add_header", "set_header", "setdefault", "__setitem__", "header"})
_FLAG_DEFINERS = frozenset({"option", "add_argument", "Option", "argument", "add_option"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"})
_PRINTERS = frozenset(
    {
        "print",
        "pprint",
        "pprint.pprint",
        "click.echo",
        "click.secho",
        "sys.stdout.write",
        "sys.stderr.write",
        "rich.print",
    }
)
_NOT_CONTENT_KEYWORDS = frozenset(
    {"file", "end", "sep", "flush", "exc_info", "stack_info", "stacklevel", "extra", "err", "nl", "fg", "bg"}
)
_COOKIE_IN_STRING = re.compile(r"(?:^|[;\s])(sso-rw|sso|cf_clearance)=")
_COOKIE_HEADER_STRING = re.compile(r"(?i)^\s*cookie\s*:\s*\S")
#: Our command in a string (`subprocess.run("cookie-session chat --unsafe-browser-cookies ...", shell=True)`);
#: prose that merely names the flag ("pass --unsafe-browser-cookies to ...") is not a command.
#: Searched per shell command (the text between `;`, `&`, `|` and line ends), so the search stays linear.
_COMMAND_START = re.compile(r"(?:^|[\s(`'\"])(?:cookie-session|python3? -m cookie_session)\s")
_COMMAND_END = re.compile(r"[;&|\n]")
_FLAG_IN_COMMAND = re.compile(r"(?<![\w-])" + re.escape(UNSAFE_FLAG) + r"(?![\w-])")
_AUTH_BROWSER_IN_COMMAND = re.compile(r"(?<![\w-])--auth(?:=|\s+)browser\b")
_ENV_IN_STRING = re.compile(re.escape(UNSAFE_ENV_VAR) + r"\s*=\s*[\"']?" + re.escape(UNSAFE_ENV_VALUE))
_BEARER_PREFIX = re.compile(r"^Bearer\s*(?:\{\}|%s)?\s*$")
_BEARER_TEMPLATE = re.compile(r"^Bearer\s*(?:\{\w*\}|%s)\s*$")


def _in_our_command(text: str, argument: re.Pattern) -> bool:
    """True if `argument` follows `cookie-session ` (or `python -m cookie_session `) within one shell command."""
    for command in _COMMAND_END.split(text):
        start = _COMMAND_START.search(command)
        if start and argument.search(command, start.end() - 1):
            return True
    return False


class _Visitor(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, lines: list[str], *, env_value_present: bool = True) -> None:
        nodes = list(ast.walk(tree))
        self.lines = lines
        self.env_value_present = env_value_present
        self.hits: list[tuple[int, int, str, str | None]] = []
        self.covered: set[int] = set()  # constants another rule already reported
        self.flag_definitions: set[int] = set()
        self.docstrings = {
            id(node.value) for node in nodes if isinstance(node, ast.Expr) and string_value(node.value) is not None
        }
        self.cookie_bindings = browser_cookie_bindings(nodes)
        cookie_sources = {name.split(".")[0] for name in self.cookie_bindings}
        self.tainted = {
            target.id
            for node in nodes
            if isinstance(node, ast.Assign) and is_secret_source(node.value, cookie_sources)
            for target in node.targets
            if isinstance(target, ast.Name)
        }

    # --- helpers -------------------------------------------------------------------
    def hit(self, node: ast.expr | ast.stmt, rule_id: str, detail: str | None = None) -> None:
        line = node.lineno
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = len(text.encode()[: node.col_offset].decode(errors="ignore")) + 1
        self.hits.append((line, col, rule_id, detail))

    def cover(self, node: ast.AST | None) -> None:
        if node is None:
            return
        for child in ast.walk(node):
            if isinstance(child, ast.Constant):
                self.covered.add(id(child))

    def is_secret(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.tainted or secret_identifier(node.id)
        if isinstance(node, ast.Attribute):
            return secret_identifier(node.attr)
        if isinstance(node, ast.Subscript):
            key = string_value(node.slice)
            return is_env_lookup(node) or (key is not None and secret_identifier(key))
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "reveal":
                return True
            if is_env_lookup(node):
                return True
            name = dotted_name(node.func)
            if name in ("str", "repr", "format", "f") or name.endswith(".format"):
                return any(self.is_secret(arg) for arg in [*node.args, *(k.value for k in node.keywords)])
            return False
        if isinstance(node, ast.JoinedStr):
            return any(isinstance(v, ast.FormattedValue) and self.is_secret(v.value) for v in node.values)
        if isinstance(node, ast.BinOp):
            return self.is_secret(node.left) or self.is_secret(node.right)
        if isinstance(node, (ast.Tuple, ast.List)):
            return any(self.is_secret(element) for element in node.elts)
        return False

    # --- imports ---------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = module_hit(alias.name)
            if module:
                self.hit(node, "CS101", module)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            module = module_hit(node.module)
            if module is None and node.module == "yt_dlp" and any(a.name == "cookies" for a in node.names):
                module = "yt_dlp.cookies"
            if module:
                self.hit(node, "CS101", module)

    # --- calls -------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        name = dotted_name(node.func)
        last = name.split(".")[-1]
        first = string_value(node.args[0]) if node.args else None
        if last in ("import_module", "__import__") and first and module_hit(first):
            self.hit(node, "CS101", module_hit(first))
        elif (reader := browser_cookie_call(name, self.cookie_bindings)) is not None:
            self.hit(node, "CS101", f"{reader}() reads the browser's cookies here")
        if last == "BrowserCookieAuthenticator" or name.endswith("BrowserCookieAuthenticator.from_cookies"):
            self.hit(node, "CS305")
        if last in COOKIE_JAR_CALLS or name.endswith(".cookies.update") or name.endswith(".cookies.set"):
            self.hit(node, "CS105", f"{last}()")
        if last in _HEADER_SETTERS and first is not None and first.lower() == "cookie":
            self.hit(node, "CS104")
            self.cover(node.args[0])
        if last in _FLAG_DEFINERS:  # defining a flag (and its help text) is not passing it
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.flag_definitions.update(id(n) for n in ast.walk(arg) if isinstance(n, ast.Constant))
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg == "unsafe_browser_cookies" and isinstance(value, ast.Constant) and value.value:
                self.hit(value, "CS301")
            elif keyword.arg == "auth" and string_value(value) == "browser":
                self.hit(value, "CS304", 'auth="browser"')
            elif (
                keyword.arg == "cookies"
                and last in _HTTP_CALLS
                and not (isinstance(value, ast.Constant) and value.value is None)
            ):
                self.hit(node, "CS105", f"cookies= passed to {last}()")
            elif keyword.arg is not None and keyword.arg.lower() == "cookie":
                self.hit(keyword.value, "CS104")
                self.cover(keyword.value)
        if self._is_printer(name):
            contents = [*node.args, *(k.value for k in node.keywords if k.arg not in _NOT_CONTENT_KEYWORDS)]
            if any(self.is_secret(arg) for arg in contents):
                self.hit(node, "CS206", f"{name}()")
        self.generic_visit(node)

    @staticmethod
    def _is_printer(name: str) -> bool:
        if name in _PRINTERS:
            return True
        parts = name.split(".")
        return len(parts) >= 2 and parts[-1] in _LOG_METHODS and "log" in parts[-2].lower()

    # --- containers and assignments ----------------------------------------------
    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            text = string_value(key)
            if key is None or text is None:  # a `**mapping` entry, or a key that is not a string
                continue
            shown = string_value(value)
            if text.lower() == "cookie" and not (shown is not None and "=" not in shown):
                self.hit(key, "CS104")  # a header dict, not e.g. a module map {"Cookie": "http.cookies"}
                self.cover(value)
            elif text == "unsafe_browser_cookies" and isinstance(value, ast.Constant) and value.value:
                self.hit(value, "CS301")
        self.generic_visit(node)

    def _sequence(self, node: ast.List | ast.Tuple) -> None:
        for before, after in pairwise(node.elts):
            if string_value(before) == "--auth" and string_value(after) == "browser":
                self.hit(after, "CS304")
        self.generic_visit(node)

    visit_List = visit_Tuple = _sequence

    def _assign(self, targets: Sequence[ast.expr], value: ast.expr | None) -> None:
        for target in targets:
            if isinstance(target, ast.Subscript) and (string_value(target.slice) or "").lower() == "cookie":
                self.hit(target, "CS104")
                self.cover(value)
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name == "unsafe_browser_cookies" and isinstance(value, ast.Constant) and value.value:
                self.hit(value, "CS301")

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node.targets, node.value)
        self._env_opt_in(node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign([node.target], node.value)
        self._env_opt_in(node)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        self._env_opt_in(node)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self._env_opt_in(item)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        self._env_opt_in(node)
        self.generic_visit(node)

    def _env_opt_in(self, statement: ast.stmt | ast.withitem) -> None:
        """The opt-in variable and its deliberate value set together in one statement."""
        if not self.env_value_present:
            return
        nodes = list(ast.walk(statement))
        names = any(
            string_value(n) == UNSAFE_ENV_VAR
            or (isinstance(n, ast.Name) and n.id == "UNSAFE_ENV_VAR")
            or (isinstance(n, ast.Attribute) and n.attr == "UNSAFE_ENV_VAR")
            for n in nodes
        )
        if names:
            for n in nodes:
                if isinstance(n, ast.expr) and string_value(n) == UNSAFE_ENV_VALUE:
                    self.hit(n, "CS303")
                    self.covered.add(id(n))

    # --- strings ----------------------------------------------------------------------
    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        head = string_value(node.values[0]) if node.values else None
        if head is not None and head.startswith("Bearer ") and len(node.values) > 1:
            self.hit(node, "CS205", "f-string")
            self.cover(node.values[0])
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (joined := added_string(node)) is not None:
            self.split_key(node, joined)
        left = string_value(node.left)
        if left is not None and _BEARER_PREFIX.match(left):
            self.hit(node, "CS205")
            self.cover(node.left)
        self.generic_visit(node)

    def split_key(self, node: ast.expr, text: str) -> None:
        """CS201 for a key that `text`, the value of several string pieces, holds but no one source line does
        (the line-by-line secret scan reports the others)."""
        for key in split_keys(node, text, self.lines):
            self.hit(node, "CS201", mask(key))

    def visit_Constant(self, node: ast.Constant) -> None:
        text = string_value(node)
        if text is not None:
            self.split_key(node, text)
        if text is None or id(node) in self.docstrings or id(node) in self.covered:
            return
        cookie = text if text in SESSION_COOKIE_NAMES else None
        if cookie is None and (match := _COOKIE_IN_STRING.search(text)) and not _COOKIE_HEADER_STRING.match(text):
            cookie = match.group(1)
        if cookie:
            self.hit(node, "CS102", repr(cookie))
        if GROK_ENDPOINT_RE.search(text):
            self.hit(node, "CS103")
        if _COOKIE_HEADER_STRING.match(text):
            self.hit(node, "CS104")
        if id(node) not in self.flag_definitions:
            if text == UNSAFE_FLAG or text.startswith(UNSAFE_FLAG + "=") or _in_our_command(text, _FLAG_IN_COMMAND):
                self.hit(node, "CS302")
            if text == "--auth=browser" or _in_our_command(text, _AUTH_BROWSER_IN_COMMAND):
                self.hit(node, "CS304")
        if _ENV_IN_STRING.search(text):
            self.hit(node, "CS303")
        if _BEARER_TEMPLATE.match(text):  # "Bearer {}".format(key), "Bearer %s" % key
            self.hit(node, "CS205")


def scan_python(source: str, *, filename: str = "<file>"):
    """Yield `(line, col, rule_id, detail)` for each code rule that fires in `source`."""
    with warnings.catch_warnings():  # an invalid escape like "\d" in the scanned code is not our warning
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        tree = ast.parse(source, filename=filename)
    visitor = _Visitor(tree, source_lines(source), env_value_present=UNSAFE_ENV_VALUE in source)
    visitor.visit(tree)
    yield from visitor.hits
