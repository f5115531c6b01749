"""A script's own status check, as the rewrite keeps it (docs/fix-equivalence.md, R3).

`is_failure_test`: the tests that mean "the request failed" (`not r.ok`, `r.status_code != 200`,
`r.status_code >= 400`, httpx's `r.is_error` / `not r.is_success`), the only ones a `GrokClient` error stands for.

`exit_handler`: `if <failure test>: print(...); sys.exit(N)` becomes the body of an `except` around the client
call, so a failed request still prints what it printed and exits with N. The body may print to standard output
only what does not depend on the reply (the two sides' replies differ); a print to `sys.stderr` may quote
`r.status_code`, `r.reason` and `r.text` (or a slice of it), which become the library's one-line error.
"""

from __future__ import annotations

import libcst as cst

from .cst_tools import Unproven, dotted, keyword, names_in, statement_of

__all__ = ["FAILURE_ERRORS", "RERAISED_ERRORS", "exit_handler", "guarded_call", "is_failure_test"]

#: What `GrokClient` raises for a reply with a status of 400 or more (the library's error table) ...
FAILURE_ERRORS = ("CredentialsRejectedError", "UpstreamError")
#: ... less the `UpstreamError`s that are no status: a request that never completed, a 2xx reply of the wrong
#: shape. The original ended those with an uncaught exception (exit status 1), so the rewrite re-raises them.
RERAISED_ERRORS = ("BadResponseError", "TransportError")
_QUOTED = frozenset({"status_code", "reason", "text"})


def _reply_attribute(node: cst.CSTNode, reply: str, names: frozenset[str]) -> str | None:
    if isinstance(node, cst.Attribute) and dotted(node.value) == reply and node.attr.value in names:
        return node.attr.value
    return None


def is_failure_test(test: cst.BaseExpression, reply: str) -> bool:
    """True for the tests that hold exactly when the reply's status is a failure (400 or more, for grok.com)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _reply_attribute(test.expression, reply, frozenset({"ok", "is_success"})) is not None
    if _reply_attribute(test, reply, frozenset({"is_error"})) is not None:
        return True
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    if _reply_attribute(test.left, reply, frozenset({"status_code"})) is None:
        return False
    target = test.comparisons[0]
    if not isinstance(target.comparator, cst.Integer):
        return False
    value = int(target.comparator.value)
    operator = target.operator
    return (
        (isinstance(operator, cst.NotEqual) and value == 200)
        or (isinstance(operator, cst.GreaterThanEqual) and value == 400)
        or (isinstance(operator, cst.GreaterThan) and value == 399)
    )


def _exits(small: cst.BaseSmallStatement | None) -> bool:
    """`sys.exit(N)` or `raise SystemExit(N)`, N an integer literal."""
    call: cst.BaseExpression | None
    if isinstance(small, cst.Expr):
        call = small.value
        name = "sys.exit"
    elif isinstance(small, cst.Raise) and small.cause is None:
        call = small.exc
        name = "SystemExit"
    else:
        return False
    return (
        isinstance(call, cst.Call)
        and dotted(call.func) == name
        and len(call.args) == 1
        and call.args[0].keyword is None
        and call.args[0].star == ""
        and isinstance(call.args[0].value, cst.Integer)
    )


class _QuoteError(cst.CSTTransformer):
    """`r.status_code` / `r.reason` / `r.text` -> `error`; `r.text[...]` -> `str(error)[...]`."""

    def __init__(self, reply: str, error: str) -> None:
        super().__init__()
        self.reply, self.error = reply, error

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        if _reply_attribute(original.value, self.reply, frozenset({"text"})):
            return updated.with_changes(value=cst.parse_expression(f"str({self.error})"))
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if _reply_attribute(original, self.reply, _QUOTED):
            return cst.Name(self.error)
        return updated


def _quotable(argument: cst.BaseExpression, reply: str) -> bool:
    """A print argument whose mentions of the reply are all `r.status_code`, `r.reason`, `r.text` or a slice of
    `r.text`, each an argument of its own or an f-string field: nothing else is done with them."""
    if _reply_attribute(argument, reply, _QUOTED):
        return True
    if (
        isinstance(argument, cst.Subscript)
        and _reply_attribute(argument.value, reply, frozenset({"text"}))
        and all(
            isinstance(element.slice, cst.Slice)
            and all(
                part is None or isinstance(part, cst.Integer) for part in (element.slice.lower, element.slice.upper)
            )
            and element.slice.step is None
            for element in argument.slice
        )
    ):
        return True
    if isinstance(argument, cst.FormattedString):
        return all(
            not isinstance(part, cst.FormattedStringExpression)
            or reply not in names_in(part)
            or (_quotable(part.expression, reply) and part.format_spec is None)
            for part in argument.parts
        )
    return reply not in names_in(argument)


def _print_kept(small: cst.BaseSmallStatement, reply: str) -> bool:
    """`print(...)` that shows the same on standard output on both sides."""
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and dotted(small.value.func) == "print"):
        return False
    call = small.value
    if any(arg.keyword is not None and arg.keyword.value not in {"sep", "end", "file", "flush"} for arg in call.args):
        return False
    if any(arg.star for arg in call.args):
        return False
    extras = [arg.value for arg in call.args if arg.keyword is not None]
    if any(reply in names_in(value) for value in extras):
        return False
    target = keyword(call, "file")
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if target is not None and dotted(target.value) == "sys.stderr":
        return all(_quotable(value, reply) for value in positional)
    if target is not None and dotted(target.value) != "sys.stdout":
        return False
    return all(reply not in names_in(value) for value in positional)


def exit_handler(line: cst.BaseStatement, reply: str, error: str) -> list[cst.BaseStatement] | None:
    """The body of `if <failure test>: <prints>; sys.exit(N)` with the reply's quoted fields turned into `error`,
    or None when `line` is not such a check; Unproven when it is a failure check that exits after doing more."""
    if not (isinstance(line, cst.If) and isinstance(line.body, cst.IndentedBlock) and line.body.body):
        return None
    if line.orelse is not None or not is_failure_test(line.test, reply):
        return None
    *shown, last = line.body.body
    if not _exits(statement_of(last)):
        return None
    if not all((small := statement_of(s)) is not None and _print_kept(small, reply) for s in shown):
        raise Unproven(
            f"the status check on the reply ({reply!r}) does more before it exits than print what --fix can keep"
        )
    quoted = [statement.visit(_QuoteError(reply, error)) for statement in line.body.body]
    return [statement for statement in quoted if isinstance(statement, cst.BaseStatement)]


def guarded_call(call: str, handler: list[cst.BaseStatement], error: str) -> cst.Try:
    """`try: <call> except (<failure errors>) as error: <re-raise what is no status>; <handler>`."""
    failures, reraised = ", ".join(FAILURE_ERRORS), ", ".join(RERAISED_ERRORS)
    block = cst.parse_statement(
        f"try:\n    {call}\nexcept ({failures}) as {error}:  # the request failed: a status of 400 or more\n"
        f"    if isinstance({error}, ({reraised})):\n        raise\n"
    )
    assert isinstance(block, cst.Try) and isinstance(block.handlers[0].body, cst.IndentedBlock)
    handler_block = block.handlers[0].body
    return block.with_changes(
        handlers=[block.handlers[0].with_changes(body=handler_block.with_changes(body=[*handler_block.body, *handler]))]
    )
