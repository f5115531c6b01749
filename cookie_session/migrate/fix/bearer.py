"""A bearer header built by hand for api.x.ai becomes `ApiKeyAuthenticator(key)`, on a call or on a session.

- `requests.<verb>(<api.x.ai URL>, headers={"Authorization": f"Bearer {key}", ...})` -> `auth=ApiKeyAuthenticator(key)`
  (the other headers stay), for a call without `auth=`;
- `s.headers["Authorization"] = f"Bearer {key}"` or `s.headers.update({"Authorization": f"Bearer {key}"})` ->
  `s.auth = ApiKeyAuthenticator(key)`, for a module-level `s = requests.Session()` that the module uses only
  for requests to api.x.ai (`s.<verb>(<api.x.ai URL>, ...)`, `s.headers`, `s.close()`, `with s`).

A URL counts when it is, or starts with, a literal (or a module constant, or the default of
`os.environ.get("XAI_BASE_URL", ...)`) on https://api.x.ai/. `f"Bearer {key}"` or `"Bearer " + key` only.
"""

from __future__ import annotations

import libcst as cst

from ...settings import API_KEY_ENV
from .cst_tools import (
    GuardedTransformer,
    ModuleFacts,
    dotted,
    keyword,
    literal,
    statement_of,
)
from .opt_in import without_removed

__all__ = ["API_ORIGIN", "BearerToAuthenticator"]

API_ORIGIN = "https://api.x.ai/"
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def _url_prefix(node: cst.BaseExpression, facts: ModuleFacts) -> str | None:
    """The start of the URL an expression builds, as far as it is literal."""
    text = facts.string_of(node)
    if text is not None:
        return text
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        if isinstance(first, cst.FormattedStringText):
            return first.value
        if isinstance(first, cst.FormattedStringExpression):
            return facts.string_of(first.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _url_prefix(node.left, facts)
    return None


def _bearer_value(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """`key` from `f"Bearer {key}"` or `"Bearer " + key`."""
    if isinstance(node, cst.FormattedString) and len(node.parts) == 2:
        text, expression = node.parts
        if (
            isinstance(text, cst.FormattedStringText)
            and text.value == "Bearer "
            and isinstance(expression, cst.FormattedStringExpression)
            and expression.conversion is None
            and expression.format_spec is None
        ):
            return expression.expression
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and literal(node.left) == "Bearer ":
        return node.right
    return None


def _api_sessions(module: cst.Module, facts: ModuleFacts) -> set[str]:
    """Module-level names bound once to `requests.Session()` and used only for api.x.ai (see the docstring)."""
    candidates = {name for name, count in _session_assignments(module).items() if count == 1}
    uses: dict[str, list[bool]] = {name: [] for name in candidates}

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if isinstance(node.value, cst.Name) and node.value.value in uses:
                uses[node.value.value].append(
                    node.attr.value in ("headers", "close", "auth") or node.attr.value in _VERBS
                )
                return False
            return True

        def visit_Call(self, node: cst.Call) -> bool | None:
            if (
                isinstance(node.func, cst.Attribute)
                and isinstance(node.func.value, cst.Name)
                and node.func.value.value in uses
                and node.func.attr.value in _VERBS
            ):
                url = node.args[0].value if node.args and node.args[0].keyword is None else None
                prefix = _url_prefix(url, facts) if url is not None else None
                uses[node.func.value.value].append(bool(prefix and prefix.startswith(API_ORIGIN)))
            return True

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return not (isinstance(node.target, cst.Name) and node.target.value in uses)

        def visit_WithItem(self, node: cst.WithItem) -> bool:
            return not (isinstance(node.item, cst.Name) and node.item.value in uses)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value in uses:  # passed, returned, stored elsewhere: who knows where it sends the key
                uses[node.value].append(False)

    module.visit(Uses())
    return {name for name, seen in uses.items() if seen and all(seen)}


def _session_assignments(module: cst.Module) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in module.body:
        small = statement_of(line)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            is_session = isinstance(small.value, cst.Call) and dotted(small.value.func) in (
                "requests.Session",
                "requests.session",
            )
            name = small.targets[0].target.value
            counts[name] = counts.get(name, 0) + (1 if is_session else 2)
    return counts


def _is_maybe_unset_lookup(node: cst.BaseExpression) -> bool:
    """`os.environ.get("XAI_API_KEY")` / `os.getenv("XAI_API_KEY")` with no default: None when unset."""
    return (
        isinstance(node, cst.Call)
        and dotted(node.func) in ("os.environ.get", "os.getenv", "environ.get", "getenv")
        and len(node.args) == 1
        and literal(node.args[0].value) == API_KEY_ENV
    )


def _maybe_unset_keys(module: cst.Module) -> set[str]:
    """Module names assigned once from such a lookup."""
    assigned: dict[str, list[bool]] = {}
    for line in module.body:
        small = statement_of(line)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            assigned.setdefault(small.targets[0].target.value, []).append(_is_maybe_unset_lookup(small.value))
    return {name for name, lookups in assigned.items() if lookups == [True]}


class BearerToAuthenticator(GuardedTransformer):
    def __init__(self, facts: ModuleFacts, module: cst.Module) -> None:
        super().__init__()
        self.facts = facts
        self.sessions = _api_sessions(module, facts)
        self.changes: list[str] = []
        self.maybe_unset = _maybe_unset_keys(module)
        #: The rewrite used `resolve_authenticator` (a key that may be unset) or `ApiKeyAuthenticator`.
        self.uses_resolve = self.uses_authenticator = False

    def _auth(self, key: cst.BaseExpression) -> str:
        """`ApiKeyAuthenticator(key)`, or `resolve_authenticator(auth="api-key")` when `key` is
        `os.environ.get("XAI_API_KEY")` (or a name holding it), which may be None: the library then says in one
        line that no key is set, where `ApiKeyAuthenticator(None)` would raise a bare TypeError."""
        if _is_maybe_unset_lookup(key) or (isinstance(key, cst.Name) and key.value in self.maybe_unset):
            self.uses_resolve = True
            return 'resolve_authenticator(auth="api-key")'
        self.uses_authenticator = True
        return f"ApiKeyAuthenticator({cst.Module([]).code_for_node(key)})"

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        small = statement_of(updated)
        session, key = None, None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:  # s.headers["Authorization"] = ...
            target = small.targets[0].target
            if (
                isinstance(target, cst.Subscript)
                and dotted(target.value).endswith(".headers")
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
                and (literal(target.slice[0].slice.value) or "").lower() == "authorization"
            ):
                session, key = dotted(target.value)[: -len(".headers")], _bearer_value(small.value)
        elif (
            isinstance(small, cst.Expr)
            and isinstance(small.value, cst.Call)
            and dotted(small.value.func).endswith(".headers.update")
            and len(small.value.args) == 1
            and isinstance(small.value.args[0].value, cst.Dict)
        ):  # s.headers.update({...})
            elements = small.value.args[0].value.elements
            if (
                len(elements) == 1
                and isinstance(elements[0], cst.DictElement)
                and (literal(elements[0].key) or "").lower() == "authorization"
            ):
                session, key = dotted(small.value.func)[: -len(".headers.update")], _bearer_value(elements[0].value)
        if session not in self.sessions or key is None or self.guarded(original):
            return updated
        self.changes.append(
            f"Authorization: Bearer set by hand on session {session!r} (used only for api.x.ai) "
            "-> session.auth = ApiKeyAuthenticator(...)"
        )
        replacement = cst.parse_statement(f"{session}.auth = {self._auth(key)}\n")
        assert isinstance(replacement, cst.SimpleStatementLine)
        return updated.with_changes(body=replacement.body)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        name = dotted(updated.func)
        if (
            not (name.startswith("requests.") and name.split(".")[-1] in _VERBS)
            or keyword(updated, "auth")
            or self.guarded(original)
        ):
            return updated
        url_keyword = keyword(updated, "url")
        url = updated.args[0].value if updated.args and updated.args[0].keyword is None else None
        url = url if url is not None or url_keyword is None else url_keyword.value
        prefix = _url_prefix(url, self.facts) if url is not None else None
        headers = keyword(updated, "headers")
        if (
            prefix is None
            or not prefix.startswith(API_ORIGIN)
            or headers is None
            or not isinstance(headers.value, cst.Dict)
        ):
            return updated
        entries = [
            e
            for e in headers.value.elements
            if isinstance(e, cst.DictElement) and (literal(e.key) or "").lower() == "authorization"
        ]
        key = _bearer_value(entries[0].value) if len(entries) == 1 else None
        if key is None:
            return updated
        remaining = without_removed(headers.value.elements, lambda e: e is not entries[0])
        auth = cst.Arg(
            keyword=cst.Name("auth"),
            value=cst.parse_expression(self._auth(key)),
            equal=headers.equal,
            comma=headers.comma,
        )
        if remaining:  # keep the other headers; auth= goes just before them
            reduced = headers.with_changes(value=headers.value.with_changes(elements=remaining))
            new_args = []
            for arg in updated.args:
                if arg is headers:
                    new_args += [
                        auth.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                        reduced,
                    ]
                else:
                    new_args.append(arg)
        else:
            new_args = [auth if arg is headers else arg for arg in updated.args]
        self.changes.append(
            f"Authorization: Bearer built by hand for {prefix.split('/')[2]} -> auth=ApiKeyAuthenticator(...)"
        )
        return updated.with_changes(args=new_args)
