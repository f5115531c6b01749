"""`fix_python(source, readers)`: every provable rewrite of one Python file, with its imports put right."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from ..patterns import BROWSER_COOKIE_MODULES, GROK_ENDPOINT_RE
from .bearer import BearerToAuthenticator
from .cst_tools import ModuleFacts, literal, names_in, run_guarded, statement_of
from .keys import KeyToEnvironment
from .opt_in import RemoveOptIn
from .plumbing import drop_unused_parameters, name_uses, sweep_dead_plumbing
from .prototype import PrototypeToClient
from .status_exit import FAILURE_ERRORS, RERAISED_ERRORS

__all__ = ["PythonFix", "fix_python"]


@dataclass
class PythonFix:
    text: str
    changes: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    key_moved: bool = False


def _drop_dead_endpoint_constants(module: cst.Module) -> cst.Module:
    """Module constants holding a grok.com endpoint that nothing uses any more."""
    used = set(names_in(module.with_changes(body=[line for line in module.body if not _endpoint_constant(line)])))
    body = [line for line in module.body if not (_endpoint_constant(line) and _endpoint_constant(line) not in used)]
    return module.with_changes(body=body)


def _endpoint_constant(line: cst.BaseStatement) -> str | None:
    small = statement_of(line)
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        text = literal(small.value)
        if text is not None and GROK_ENDPOINT_RE.search(text):
            return small.targets[0].target.value
    return None


def _without_leading_blank_lines(module: cst.Module) -> cst.Module:
    """A removed first import leaves the blank lines that separated it from the next one at the top."""
    if module.header or not module.body:
        return module
    first = module.body[0]
    kept = list(first.leading_lines)
    while kept and kept[0].comment is None:
        kept.pop(0)
    return module.with_changes(body=[first.with_changes(leading_lines=kept), *module.body[1:]])


def fix_python(source: str, readers: dict[str, str]) -> PythonFix:
    """The rewritten source; raises SyntaxError when `source` does not parse."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise SyntaxError(str(error).splitlines()[0], ("<file>", error.raw_line, error.raw_column, "")) from None
    result = PythonFix(source)
    context = CodemodContext()
    prototype = PrototypeToClient(ModuleFacts(module), module)
    before = name_uses(module)
    module = run_guarded(module, prototype)
    if prototype.left:  # behaviour kept, or the file left alone: one reason
        return PythonFix(source, left=prototype.left[:1])
    if prototype.changes:
        after = name_uses(module)
        removed_names = {name for name, n in before.items() if after.get(name, 0) < n}
        dropped: list[str] = []
        module = drop_unused_parameters(module, removed_names, dropped)
        prototype.changes += [
            f"parameter {what} no longer used, removed with its arguments (a caller in another file must drop it too)"
            for what in dropped
        ]
        module = sweep_dead_plumbing(module, readers, removed_names)
        module = _drop_dead_endpoint_constants(module)
        AddImportsVisitor.add_needed_import(context, "cookie_session", "GrokClient")
        AddImportsVisitor.add_needed_import(context, "cookie_session", "resolve_authenticator")
        if prototype.catches_errors:
            for error_class in FAILURE_ERRORS + RERAISED_ERRORS:
                AddImportsVisitor.add_needed_import(context, "cookie_session.errors", error_class)
        for name in ("requests", "httpx", "json", "os", *BROWSER_COOKIE_MODULES):
            RemoveImportsVisitor.remove_unused_import(context, name)
        for local, target in readers.items():
            if "." in local:
                continue
            if target in BROWSER_COOKIE_MODULES:  # import browser_cookie3 [as bc]
                RemoveImportsVisitor.remove_unused_import(context, target, None, None if local == target else local)
            else:  # from pycookiecheat import chrome_cookies [as cc]
                module_name, _, obj = target.rpartition(".")
                RemoveImportsVisitor.remove_unused_import(context, module_name, obj, None if local == obj else local)
    bearer = BearerToAuthenticator(ModuleFacts(module), module)
    module = run_guarded(module, bearer)
    if bearer.uses_authenticator:
        AddImportsVisitor.add_needed_import(context, "cookie_session", "ApiKeyAuthenticator")
    if bearer.uses_resolve:
        AddImportsVisitor.add_needed_import(context, "cookie_session", "resolve_authenticator")
    opt_in = RemoveOptIn()
    module = run_guarded(module, opt_in)
    if opt_in.removed_statement:
        RemoveImportsVisitor.remove_unused_import(context, "os")
    keys = KeyToEnvironment(module.code)
    module = run_guarded(module, keys)
    if keys.needs_environment:  # the key now comes from the environment, through the library
        AddImportsVisitor.add_needed_import(context, "cookie_session", "resolve_authenticator")
    result.changes = prototype.changes + bearer.changes + opt_in.changes + keys.changes
    result.left = sorted(set(prototype.left + keys.left))
    result.key_moved = keys.needs_environment
    if result.changes:
        module = AddImportsVisitor(context).transform_module(module)
        module = RemoveImportsVisitor(context).transform_module(module)
        module = _without_leading_blank_lines(module)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ast.parse(module.code)
            except SyntaxError:  # never expected; a rewrite that breaks the file is not written
                return PythonFix(source, left=["a rewrite produced code that does not parse; nothing changed"])
        result.text = module.code
    return result
