"""This library's unsafe opt-in, switched on in Python code, is removed.

`unsafe_browser_cookies=<true constant>` and `auth="browser"` arguments; a
`"unsafe_browser_cookies": True` dict entry; a statement that only sets
COOKIE_SESSION_UNSAFE_BROWSER_COOKIES to the opt-in value; `--unsafe-browser-cookies`
and `--auth browser` in a `cookie-session` command (an argument list or a command string).
"""

from __future__ import annotations

import re

import libcst as cst

from ...settings import UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, UNSAFE_FLAG
from .cst_tools import GuardedTransformer, dotted, literal, statement_of

__all__ = ["RemoveOptIn", "without_removed"]

_FLAG_IN_STRING = re.compile(r"\s+" + re.escape(UNSAFE_FLAG) + r"(?![\w-])|\s+--auth(?:=|\s+)browser\b")
_COMMAND_STRING = re.compile(r"(?:^|[\s(`'\";&|])(?:cookie-session|python3? -m cookie_session)\s")


def without_removed(items, keep) -> list:
    """`items` (call args or dict elements) filtered by `keep`, with the commas a shorter list needs."""
    items = list(items)
    kept = [item for item in items if keep(item)]
    if kept and items and kept[-1] is not items[-1]:
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)
    return kept


def _is_true_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return node.value not in ("0",)
    text = literal(node)
    return text is not None and text.strip().lower() in ("1", "true", "yes", "on")


def _sets_opt_in(small: cst.BaseSmallStatement | None) -> bool:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        return (
            isinstance(target, cst.Subscript)
            and dotted(target.value).endswith("environ")
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and literal(target.slice[0].slice.value) == UNSAFE_ENV_VAR
            and literal(small.value) == UNSAFE_ENV_VALUE
        )
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        return (
            dotted(call.func).split(".")[-1] in ("setdefault", "putenv")
            and len(call.args) == 2
            and literal(call.args[0].value) == UNSAFE_ENV_VAR
            and literal(call.args[1].value) == UNSAFE_ENV_VALUE
        )
    return False


class RemoveOptIn(GuardedTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []
        self.removed_statement = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if self.guarded(original):
            return updated

        def keep(arg: cst.Arg) -> bool:
            name = arg.keyword.value if arg.keyword else None
            if name == "unsafe_browser_cookies" and _is_true_constant(arg.value):
                self.changes.append("removed unsafe_browser_cookies=... (the unsafe opt-in)")
                return False
            if name == "auth" and literal(arg.value) == "browser":
                self.changes.append('removed auth="browser"')
                return False
            return True

        args = without_removed(updated.args, keep)
        return updated if len(args) == len(updated.args) else updated.with_changes(args=args)

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.Dict:
        if self.guarded(original):
            return updated

        def keep(element) -> bool:
            if (
                isinstance(element, cst.DictElement)
                and literal(element.key) == "unsafe_browser_cookies"
                and _is_true_constant(element.value)
            ):
                self.changes.append('removed "unsafe_browser_cookies": True')
                return False
            return True

        elements = without_removed(updated.elements, keep)
        return updated if len(elements) == len(updated.elements) else updated.with_changes(elements=elements)

    def _sequence(self, original, updated):
        if self.guarded(original):
            return updated
        values = [literal(element.value) for element in updated.elements]
        if values[:1] != ["cookie-session"] and values[1:3] != ["-m", "cookie_session"]:
            return updated
        drop = set()
        for index, value in enumerate(values):
            if value == UNSAFE_FLAG:
                drop.add(index)
            elif value == "--auth" and index + 1 < len(values) and values[index + 1] == "browser":
                drop.update((index, index + 1))
        if not drop:
            return updated
        self.changes.append(f"removed {UNSAFE_FLAG} / --auth browser from a cookie-session command")
        kept = iter(range(len(values)))
        return updated.with_changes(elements=without_removed(updated.elements, lambda _: next(kept) not in drop))

    leave_List = leave_Tuple = _sequence

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        text = literal(original)
        if (
            text is None
            or not _COMMAND_STRING.search(text)
            or not _FLAG_IN_STRING.search(text)
            or self.guarded(original)
        ):
            return updated
        body = updated.value[len(updated.prefix) + len(updated.quote) : -len(updated.quote)]
        new_body = _FLAG_IN_STRING.sub("", body)
        if new_body == body:
            return updated
        self.changes.append(f"removed {UNSAFE_FLAG} / --auth browser from a cookie-session command")
        return updated.with_changes(value=updated.prefix + updated.quote + new_body + updated.quote)

    def leave_SimpleStatementLine(self, original, updated):
        if _sets_opt_in(statement_of(updated)) and not self.guarded(original):
            self.changes.append(f"removed the statement setting {UNSAFE_ENV_VAR}")
            self.removed_statement = True
            return cst.RemovalSentinel.REMOVE
        return updated

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if not updated.body:  # every statement removed: a block still needs one
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated
