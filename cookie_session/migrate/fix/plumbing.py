"""What a moved grok.com request leaves unused goes (docs/fix-equivalence.md, R4): cookie plumbing (a browser
reader's result, cookie dicts and headers, a session and its setup, the body dict, constants), functions that
only read cookies or built the body, and a parameter through which a caller handed the jar in."""

from __future__ import annotations

import libcst as cst

from .cst_tools import (
    called_functions,
    calls_in,
    dotted,
    is_pure,
    names_in,
    single_assign,
    statement_of,
)

__all__ = ["SESSION_FACTORIES", "drop_unused_parameters", "name_uses", "sweep_dead_plumbing"]

SESSION_FACTORIES = frozenset({"requests.Session", "requests.session", "httpx.Client"})
# --- dead cookie plumbing --------------------------------------------------------------------------------------
_PLUMBING_CALLS = frozenset(
    {
        "join",
        "dict",
        "str",
        "items",
        "get",
        "next",
        "format",
        "dict_from_cookiejar",
        "cookiejar_from_dict",
        "Session",
        "session",
        "Client",
        "CookieJar",
        "RequestsCookieJar",
        "load",
    }
)
_SESSION_SETUP = frozenset({"update", "set", "mount", "clear"})
_PURE_NODES = (
    cst.Call,
    cst.Dict,
    cst.DictComp,
    cst.List,
    cst.Tuple,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.BinaryOperation,
    cst.Integer,
    cst.Float,
    cst.Name,
)


def _cookie_functions(module: cst.Module, readers: dict[str, str]) -> set[str]:
    """Module functions that use a browser-cookie reader (or such a function): what they return is cookies."""
    found: set[str] = set()
    for _ in range(3):
        for line in module.body:
            if isinstance(line, cst.FunctionDef) and line.name.value not in found:
                names = [dotted(func) for func in called_functions(line.body)] + names_in(line.body)
                if any(
                    name in found or any(name == local or name.startswith(local + ".") for local in readers)
                    for name in names
                ):
                    found.add(line.name.value)
    return found


def sweep_dead_plumbing(module: cst.Module, readers: dict[str, str], removed_names: set[str]) -> cst.Module:
    """Remove, at module and function level, what the rewrite left unused: assignments of cookie plumbing (a
    browser reader's result, cookie dicts and headers, a session, a body dict) and the setup of such a session,
    functions whose only callers went (`removed_names`: names the rewrite stopped using), to a fixed point."""
    cookie_functions = _cookie_functions(module, readers)
    for _ in range(8):
        used = name_uses(module)
        sweeper = _Sweeper(used, readers, removed_names, cookie_functions)
        swept = module.visit(sweeper)
        if not sweeper.removed:
            return swept
        module = swept
    return module


def name_uses(module: cst.Module) -> dict[str, int]:
    """How often each name is read (assignment targets and definitions do not count)."""
    counts: dict[str, int] = {}

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            if isinstance(node.target, cst.Name):
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            counts[node.value] = counts.get(node.value, 0) + 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            for child in (node.params, node.body, *node.decorators):
                child.visit(self)

        def visit_AsName(self, node: cst.AsName) -> bool:
            return False  # `with ... as s`, `import a as b`: a binding, not a use

        def visit_Param(self, node: cst.Param) -> bool:
            if node.default is not None:
                node.default.visit(self)
            return False

    for line in module.body:
        if isinstance(line, cst.FunctionDef):
            for child in (line.params, line.body, *line.decorators):
                child.visit(Visitor())
        else:
            line.visit(Visitor())
    return counts


class _Sweeper(cst.CSTTransformer):
    def __init__(
        self, used: dict[str, int], readers: dict[str, str], removed_names: set[str], cookie_functions: set[str]
    ) -> None:
        super().__init__()
        self.used, self.readers, self.removed_names = used, readers, removed_names
        self.cookie_functions = cookie_functions
        self.removed = 0
        self._setups: dict[str, int] = {}

    def _reads_cookies(self, value: cst.CSTNode) -> bool:
        names = [dotted(func) for func in called_functions(value)]
        return any(
            name in self.cookie_functions
            or any(name == local or name.startswith(local + ".") for local in self.readers)
            for name in names
        )

    def _plumbing_value(self, name: str, value: cst.BaseExpression) -> bool:
        """A value whose only effect is to read cookies, or (for a name the rewrite stopped using) to build a
        value: literals, dicts, a session, joins."""
        if self._reads_cookies(value):
            return True
        if name not in self.removed_names or not isinstance(value, _PURE_NODES):
            return False
        return all(call.split(".")[-1] in _PLUMBING_CALLS for call in calls_in(value))

    def _dead(self, line: cst.BaseStatement) -> bool:
        assign = single_assign(line)
        if assign is not None:
            name, value = assign
            if self.used.get(name, 0) == 0 and self._plumbing_value(name, value):
                self.removed_names.add(name)
                self.removed_names.update(names_in(value))
                return True
            return False
        small = statement_of(line)
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            parts = dotted(small.value.func).split(".")
            if len(parts) == 3 and parts[1] in ("cookies", "headers") and parts[2] in _SESSION_SETUP:
                return self.used.get(parts[0], 0) <= self._setup_uses(parts[0])
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Subscript) and dotted(target.value).count(".") == 1:
                owner, attribute = dotted(target.value).split(".")
                if attribute in ("headers", "cookies"):
                    return self.used.get(owner, 0) <= self._setup_uses(owner)
        if (
            isinstance(line, cst.FunctionDef)
            and not line.decorators  # a route, a command, a fixture: used by name elsewhere
            and line.name.value in self.removed_names  # only the code the rewrite removed called it
            and self.used.get(line.name.value, 0) == 0
        ):
            self.removed_names.update(names_in(line.body))
            self.removed_names.update(dotted(func) for func in called_functions(line.body))
            return True
        return False

    def _setup_uses(self, owner: str) -> int:
        return self._setups.get(owner, 0)

    def _count_setups(self, lines) -> None:
        self._setups = {}
        for line in lines:
            small = statement_of(line) if isinstance(line, cst.BaseStatement) else None
            owner = None
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                parts = dotted(small.value.func).split(".")
                if len(parts) == 3 and parts[1] in ("cookies", "headers") and parts[2] in _SESSION_SETUP:
                    owner = parts[0]
            elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Subscript) and dotted(target.value).count(".") == 1:
                    owner = dotted(target.value).split(".")[0]
            if owner:
                self._setups[owner] = self._setups.get(owner, 0) + 1

    def _sweep(self, lines):
        self._count_setups(lines)
        kept = []
        for line in lines:
            if self._dead(line):
                continue
            if (body := self._unused_session_block(line)) is not None:
                kept += body  # `with httpx.Client(cookies=jar) as http:` that only served the request
                self.removed += 1
                continue
            kept.append(line)
        self.removed += len(lines) - len(kept)
        return kept

    def _unused_session_block(self, line: cst.BaseStatement) -> list[cst.BaseStatement] | None:
        """The body of `with <session factory>(...) as s:` when `s` is no longer used (its cookies go with it)."""
        if not (
            isinstance(line, cst.With)
            and line.asynchronous is None
            and len(line.items) == 1
            and isinstance(line.items[0].item, cst.Call)
            and dotted(line.items[0].item.func) in SESSION_FACTORIES
            and isinstance(line.body, cst.IndentedBlock)
        ):
            return None
        target = line.items[0].asname.name if line.items[0].asname is not None else None
        if isinstance(target, cst.Name) and self.used.get(target.value, 0):
            return None
        self.removed_names.update(names_in(line.items[0].item))
        body = list(line.body.body)
        return [body[0].with_changes(leading_lines=line.leading_lines), *body[1:]] if body else []

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._sweep(list(updated.body)))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        kept = self._sweep(list(updated.body))
        return updated.with_changes(body=kept or [cst.SimpleStatementLine([cst.Pass()])])


def drop_unused_parameters(module: cst.Module, removed_names: set[str], dropped: list[str] | None = None) -> cst.Module:
    """A module function's parameter the rewrite stopped using (a cookie jar handed in by the caller) goes, with
    the argument at every call of the function in this file, when each use of the function's name is a plain
    call that passes it by position or keyword; what the arguments mentioned joins `removed_names`, and
    `dropped` gets `function(parameter)` for each (callers in other files must drop the argument too)."""
    for line in module.body:
        if (
            not isinstance(line, cst.FunctionDef)
            or line.decorators
            or line.params.star_arg != cst.MaybeSentinel.DEFAULT
        ):
            continue
        params = list(line.params.params)
        body_uses = set(names_in(line.body))
        for index, param in enumerate(params):
            name = param.name.value
            if name not in removed_names or name in body_uses or param.default is not None:
                continue
            dropper = _DropArgument(line.name.value, index, name)
            changed = module.visit(dropper)
            if dropper.refused or dropper.calls != name_uses(module).get(line.name.value, 0):
                continue
            removed_names.update(dropper.dropped)
            if dropped is not None:
                dropped.append(f"{line.name.value}({name})")
            return drop_unused_parameters(changed, removed_names, dropped)  # positions changed: start again
    return module


class _DropArgument(cst.CSTTransformer):
    def __init__(self, function: str, index: int, name: str) -> None:
        super().__init__()
        self.function, self.index, self.name = function, index, name
        self.calls, self.refused = 0, False
        self.dropped: set[str] = set()

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if original.name.value != self.function:
            return updated
        params = [p for p in updated.params.params if p.name.value != self.name]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(params=updated.params.with_changes(params=params))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not (isinstance(original.func, cst.Name) and original.func.value == self.function):
            return updated
        self.calls += 1
        args = list(updated.args)
        if any(arg.star for arg in args):
            self.refused = True
            return updated
        positional = [arg for arg in args if arg.keyword is None]
        target = positional[self.index] if self.index < len(positional) else None
        target = target or next((a for a in args if a.keyword is not None and a.keyword.value == self.name), None)
        if target is None:
            self.refused = True
            return updated
        if not is_pure(target.value) and not isinstance(target.value, cst.Call):
            self.refused = True
            return updated
        self.dropped.update(names_in(target.value))
        self.dropped.update(dotted(func) for func in called_functions(target.value))
        kept = [arg for arg in args if arg is not target]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=kept)
