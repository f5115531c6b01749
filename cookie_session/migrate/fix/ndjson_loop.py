"""The NDJSON loop of a grok.com reply, read as the stream of tokens it stands for (docs/fix-equivalence.md, R2).

`stream_loop` turns `for line in reply.iter_lines(): <parse> <token = ...> <use>` into
`for token in client.chat(..., stream=True): <use>`: the statements up to the token may only parse and skip
(blank lines, unparsable lines, thinking tokens); the ones after it stay as written; anything else is Unproven.
"""

from __future__ import annotations

import libcst as cst

from .cst_tools import (
    Unproven,
    attributes_in,
    calls_in,
    literal,
    literals_in,
    names_in,
    single_assign,
    statement_of,
)

__all__ = ["read_before_rebound", "stream_loop"]

_PARSE_CALLS = frozenset(
    {"json.loads", "loads", "get", "decode", "strip", "lstrip", "rstrip", "removeprefix", "startswith", "isinstance"}
)
_LINE_SOURCES = frozenset({"iter_lines", "iter_content", "iter_text", "splitlines", "split", "strip", "text"})


def stream_loop(loop: cst.For, reply: str, chat_call: str) -> tuple[cst.For, set[str]]:
    """`for line in reply.iter_lines(): <parse> <token = ...> <use>` -> `for token in <chat_call>: <use>`, and
    the names the old loop set; Unproven when the loop does anything with a line but take its token."""
    if loop.orelse is not None or not isinstance(loop.target, cst.Name):
        raise Unproven("the loop reading the reply has an else or several targets")
    if not (
        set(names_in(loop.iter)) - {"True", "False", "None"} == {reply}
        and set(calls_in(loop.iter) + attributes_in(loop.iter)) <= _LINE_SOURCES
    ):
        raise Unproven("the reply is iterated in a way --fix does not know")
    body = list(loop.body.body) if isinstance(loop.body, cst.IndentedBlock) else []
    raw = {loop.target.value}
    if (buffered := _buffered_lines(body, loop.target.value)) is not None:
        raw, body = {buffered[0]}, buffered[1]
    body = _unwrapped(body, raw)
    derived: set[str] = set()
    token: str | None = None
    kept: list[cst.BaseStatement] = []
    for line in body:
        touched = set(names_in(line)) & (raw | derived)
        if token is not None:
            if touched:
                raise Unproven("the loop uses the raw event after taking the token")
            kept.append(line)
            continue
        if _is_skip(line) and touched:
            continue
        parsed = _parse_step(line, raw | derived)
        if parsed is None:
            raise Unproven("the loop does more than parse each line before the token")
        name, value = parsed
        if "token" in literals_in(value):
            token = name
        else:
            derived.add(name)
    if token is None or not kept:
        raise Unproven("the loop reading the reply takes no token --fix can see")
    header = cst.parse_statement(f"for {token} in {chat_call}:\n    pass\n")
    assert isinstance(header, cst.For)
    # the old loop's values (gone, or different, after the new one) come back with it
    return header.with_changes(body=header.body.with_changes(body=kept)), raw | derived | {token}


def _buffered_lines(body: list[cst.BaseStatement], chunk: str) -> tuple[str, list[cst.BaseStatement]] | None:
    """`buf += chunk` then `while "\\n" in buf: line, buf = buf.split("\\n", 1); <inner>`: chunks cut into
    lines, the NDJSON way; (the line's name, <inner>), else None."""
    if len(body) != 2 or not isinstance(body[1], cst.While) or body[1].orelse is not None:
        return None
    grow, loop = statement_of(body[0]), body[1]
    if not (
        isinstance(grow, cst.AugAssign)
        and isinstance(grow.operator, cst.AddAssign)
        and isinstance(grow.target, cst.Name)
        and names_in(grow.value) == [chunk]
    ):
        return None
    buffer = grow.target.value
    test = loop.test
    if not (
        isinstance(test, cst.Comparison)
        and literal(test.left) == "\n"
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.In)
        and names_in(test.comparisons[0].comparator) == [buffer]
        and isinstance(loop.body, cst.IndentedBlock)
        and loop.body.body
    ):
        return None
    split = statement_of(loop.body.body[0])
    if not (
        isinstance(split, cst.Assign)
        and len(split.targets) == 1
        and isinstance(split.targets[0].target, cst.Tuple)
        and [names_in(e.value) for e in split.targets[0].target.elements][1:] == [[buffer]]
        and len(split.targets[0].target.elements) == 2
        and isinstance(split.targets[0].target.elements[0].value, cst.Name)
        and names_in(split.value) == [buffer]
        and calls_in(split.value) == ["split"]
    ):
        return None
    line = split.targets[0].target.elements[0].value
    assert isinstance(line, cst.Name)
    return line.value, list(loop.body.body[1:])


def read_before_rebound(names: set[str], lines: list[cst.BaseStatement]) -> list[str]:
    """Those of `names` that `lines` read before binding them anew (a later loop's target, an assignment)."""
    live, read = set(names), []
    for line in lines:
        bound: set[str] = set()
        if isinstance(line, cst.For) and isinstance(line.target, cst.Name):
            read += sorted(live & set(names_in(line.iter)))
            bound = {line.target.value}
        elif (assign := single_assign(line)) is not None:
            read += sorted(live & set(names_in(assign[1])))
            bound = {assign[0]}
        else:
            read += sorted(live & set(names_in(line)))
        live -= bound | set(read)
        if isinstance(line, cst.For) and isinstance(line.target, cst.Name):
            live -= _assigned_in(line.body)  # the later loop binds them before it reads them, as this one did
    return read


def _assigned_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            if isinstance(target.target, cst.Name):
                found.add(target.target.value)

    node.visit(Visitor())
    return found


def _unwrapped(body: list[cst.BaseStatement], raw: set[str]) -> list[cst.BaseStatement]:
    """A body that is one `if <test of the line>:` (no else) is its inner statements: the test skips lines."""
    if (
        len(body) == 1
        and isinstance(body[0], cst.If)
        and body[0].orelse is None
        and set(names_in(body[0].test)) <= raw
        and isinstance(body[0].body, cst.IndentedBlock)
    ):
        return list(body[0].body.body)
    return body


def _is_skip(line: cst.BaseStatement) -> bool:
    """`if <test>: continue` (no else)."""
    return (
        isinstance(line, cst.If)
        and line.orelse is None
        and isinstance(line.body, cst.IndentedBlock)
        and len(line.body.body) == 1
        and isinstance(statement_of(line.body.body[0]), cst.Continue)
    )


def _parse_step(line: cst.BaseStatement, known: set[str]) -> tuple[str, cst.BaseExpression] | None:
    """`name = <parsing of known names>`, or the same inside `try: ... except ...: continue`."""
    if isinstance(line, cst.Try) and isinstance(line.body, cst.IndentedBlock) and len(line.body.body) == 1:
        if line.orelse is not None or line.finalbody is not None:
            return None
        if not all(
            isinstance(handler.body, cst.IndentedBlock)
            and len(handler.body.body) == 1
            and isinstance(statement_of(handler.body.body[0]), (cst.Continue, cst.Pass))
            for handler in line.handlers
        ):
            return None
        line = line.body.body[0]
    assign = single_assign(line)
    if assign is None:
        return None
    used = set(names_in(assign[1])) - {"json", "loads"}
    if not used or not used <= known or not set(calls_in(assign[1])) <= _PARSE_CALLS:
        return None
    return assign
