"""`requests.<verb>(<api.x.ai URL>, headers={"Authorization": f"Bearer {key}", ...})` -> `auth=ApiKeyAuthenticator(key)`.

Proven only for a `requests` call whose URL is, or starts with, a literal (or a module constant,
or the default of `os.environ.get("XAI_BASE_URL", ...)`) on https://api.x.ai/, with the
header in a dict literal and no `auth=` already; the other headers stay.
"""

from __future__ import annotations

import libcst as cst

from .cst_tools import ModuleFacts, dotted, keyword, literal
from .opt_in import without_removed

__all__ = ["BearerToAuthenticator", "API_ORIGIN"]

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
        if isinstance(text, cst.FormattedStringText) and text.value == "Bearer " and isinstance(
                expression, cst.FormattedStringExpression) and expression.conversion is None \
                and expression.format_spec is None:
            return expression.expression
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and literal(node.left) == "Bearer ":
        return node.right
    return None


class BearerToAuthenticator(cst.CSTTransformer):
    def __init__(self, facts: ModuleFacts) -> None:
        super().__init__()
        self.facts = facts
        self.changes: list[str] = []

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        name = dotted(updated.func)
        if not (name.startswith("requests.") and name.split(".")[-1] in _VERBS) or keyword(updated, "auth"):
            return updated
        url = updated.args[0].value if updated.args and updated.args[0].keyword is None else None
        url = url if url is not None else (keyword(updated, "url").value if keyword(updated, "url") else None)
        prefix = _url_prefix(url, self.facts) if url is not None else None
        headers = keyword(updated, "headers")
        if prefix is None or not prefix.startswith(API_ORIGIN) or headers is None \
                or not isinstance(headers.value, cst.Dict):
            return updated
        entries = [e for e in headers.value.elements if isinstance(e, cst.DictElement)
                   and (literal(e.key) or "").lower() == "authorization"]
        key = _bearer_value(entries[0].value) if len(entries) == 1 else None
        if key is None:
            return updated
        remaining = without_removed(headers.value.elements, lambda e: e is not entries[0])
        auth = cst.Arg(keyword=cst.Name("auth"), value=cst.Call(cst.Name("ApiKeyAuthenticator"), [cst.Arg(key)]),
                       equal=headers.equal, comma=headers.comma)
        if remaining:  # keep the other headers; auth= goes just before them
            reduced = headers.with_changes(value=headers.value.with_changes(elements=remaining))
            new_args = []
            for arg in updated.args:
                if arg is headers:
                    new_args += [auth.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                                 reduced]
                else:
                    new_args.append(arg)
        else:
            new_args = [auth if arg is headers else arg for arg in updated.args]
        self.changes.append(f"Authorization: Bearer built by hand for {prefix.split('/')[2]} -> "
                            "auth=ApiKeyAuthenticator(...)")
        return updated.with_changes(args=new_args)
