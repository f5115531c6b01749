"""Small questions about libcst nodes that every rewrite asks: dotted names, literal strings, names used."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ...settings import API_BASE_URL_ENV

__all__ = [
    "GuardedTransformer",
    "ModuleFacts",
    "Unproven",
    "attributes_in",
    "called_functions",
    "calls_in",
    "dotted",
    "is_pure",
    "keyword",
    "literal",
    "literals_in",
    "names_in",
    "run_guarded",
    "single_assign",
    "statement_of",
    "suppressed_lines",
]


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` for a Name/Attribute chain, "" for anything else."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return ""
    parts.append(node.value)
    return ".".join(reversed(parts))


def literal(node: cst.CSTNode | None) -> str | None:
    """The value of a plain string literal (not an f-string, not bytes), or None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal(node.left), literal(node.right)
        return None if left is None or right is None else left + right
    return None


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `x.attr`: `attr` is no variable
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # `f(name=value)`: `name` is no variable
        return False


def names_in(node: cst.CSTNode) -> list[str]:
    """Every variable name `node` mentions (attribute names and keyword names excluded)."""
    visitor = _Names()
    node.visit(visitor)
    return visitor.names


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def statement_of(line: cst.BaseStatement) -> cst.BaseSmallStatement | None:
    """The one small statement of a simple line, or None."""
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        return line.body[0]
    return None


class ModuleFacts:
    """What the whole module says: module-level string constants assigned once, and every name's use count."""

    def __init__(self, module: cst.Module) -> None:
        assigned: dict[str, list[str | None]] = {}
        for line in module.body:
            small = statement_of(line)
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                assigned.setdefault(small.targets[0].target.value, []).append(_url_value(small.value))
        self.constants = {
            name: values[0] for name, values in assigned.items() if len(values) == 1 and values[0] is not None
        }

    def string_of(self, node: cst.BaseExpression) -> str | None:
        """A literal string, or a module constant holding one."""
        text = literal(node)
        if text is None and isinstance(node, cst.Name):
            text = self.constants.get(node.value)
        return text


def _url_value(node: cst.BaseExpression) -> str | None:
    """A string literal, or the default of `os.environ.get("X", "literal")` / `os.getenv("X", "literal")`."""
    text = literal(node)
    if text is not None:
        return text
    if (
        isinstance(node, cst.Call)
        and dotted(node.func) in ("os.environ.get", "os.getenv", "environ.get", "getenv")
        and len(node.args) == 2
        and literal(node.args[0].value) == API_BASE_URL_ENV
    ):
        return literal(node.args[1].value)
    return None


def suppressed_lines(code: str) -> frozenset[int]:
    """The 1-based lines holding a `cookie-session: ignore` mark: --fix leaves what touches them alone."""
    from ..scanner import SUPPRESS_MARK

    return frozenset(number for number, line in enumerate(code.splitlines(), 1) if SUPPRESS_MARK.search(line))


class GuardedTransformer(cst.CSTTransformer):
    """A transformer that knows where each original node sits, to leave lines marked `cookie-session: ignore`
    alone. Run it through `run_guarded`."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.suppressed: frozenset[int] = frozenset()

    def guarded(self, original: cst.CSTNode) -> bool:
        """True if any line `original` spans is marked `cookie-session: ignore`."""
        if not self.suppressed:
            return False
        where = self.get_metadata(PositionProvider, original, None)
        return where is not None and any(
            line in self.suppressed for line in range(where.start.line, where.end.line + 1)
        )


def run_guarded(module: cst.Module, transformer: GuardedTransformer) -> cst.Module:
    transformer.suppressed = suppressed_lines(module.code)
    return MetadataWrapper(module).visit(transformer)


class Unproven(Exception):
    """Why a request was left as it is (one sentence, no secret)."""


def calls_in(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            name = dotted(call.func)
            if name not in ("json.loads", "print", "isinstance", "len") and isinstance(call.func, cst.Attribute):
                name = call.func.attr.value
            found.append(name)

    node.visit(Visitor())
    return found


def literals_in(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            if (value := literal(string)) is not None:
                found.append(value)

    node.visit(Visitor())
    return found


def single_assign(line: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    small = statement_of(line) if isinstance(line, cst.BaseStatement) else None
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    return None


def is_pure(node: cst.CSTNode) -> bool:
    """No call, await, yield or assignment in `node`: evaluating it twice, or not at all, changes nothing."""

    class Visitor(cst.CSTVisitor):
        impure = False

        def on_visit(self, child: cst.CSTNode) -> bool:
            if isinstance(child, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda)):
                self.impure = True
            return not self.impure

    visitor = Visitor()
    node.visit(visitor)
    return not visitor.impure


def attributes_in(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> None:
            found.append(attribute.attr.value)

    node.visit(Visitor())
    return found


def called_functions(node: cst.CSTNode) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call.func)

    node.visit(Visitor())
    return found
