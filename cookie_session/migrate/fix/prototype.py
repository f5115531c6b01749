"""A grok.com chat request made by hand becomes `with GrokClient(resolve_authenticator(auth="api-key")) as client:`.

The class of scripts rewritten (docs/fix-equivalence.md states each rule and how it is tested):

- the request: `requests.post`, `httpx.post`, `<session>.post` (a `requests.Session()` / `httpx.Client()`),
  `requests.request("POST", ...)`, or `with <any of those, or .stream("POST", ...)> as reply:`, to grok.com's
  `/rest/app-chat/conversations/new` (a literal, a module constant, an f-string of constants); its body a dict
  literal of `message` / `modelName` (plus fields that are empty or false), held in a variable, or returned by a
  module function of one `return {...}`; `json=` or `data=json.dumps(...)`; cookies and headers (`cookies=`,
  `headers=`, a session's own) of any origin: they are grok.com's and go with it;
- the reply read as NDJSON by a loop over `iter_lines()` / `iter_content()` / `.text.splitlines()`: the loop's
  parsing and skipping become `for <token> in client.chat(..., stream=True):` and what the loop did with each
  token stays as written (printing with its `flush`, collecting, `break`, `return`, `yield`);
  `raise_for_status()` goes (`GrokClient` raises the library's errors for a failed request), and a status check
  that prints and exits with its own code becomes an `except` of those errors around the call (`status_exit`);
- or the final message read from the last line (`json.loads(...)[...]["modelResponse"]["message"]`) ->
  `reply.text`.

Whatever else touches the reply, an unknown body field, a loop that uses the raw event after taking the token,
async code: the file is left as it is, with one reason. Cookie plumbing the rewrite left unused (browser
readers, cookie dicts, Cookie headers, a session only the request used, a function that only built the body or
read cookies) goes afterwards (`sweep_dead_plumbing`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from ...settings import API_BASE_URL_ENV, API_KEY_ENV
from .cst_tools import (
    GuardedTransformer,
    ModuleFacts,
    Unproven,
    calls_in,
    dotted,
    is_pure,
    keyword,
    literal,
    literals_in,
    names_in,
    single_assign,
    statement_of,
)
from .ndjson_loop import read_before_rebound, stream_loop
from .plumbing import SESSION_FACTORIES
from .status_exit import FAILURE_ERRORS, RERAISED_ERRORS, exit_handler, guarded_call, is_failure_test

__all__ = ["CLIENT", "PrototypeToClient"]

_code = cst.Module([]).code_for_node

CHAT_PATH = "/rest/app-chat/conversations/new"
CLIENT = 'GrokClient(resolve_authenticator(auth="api-key"))'
#: Request fields the web app sends that say nothing about the answer when empty or false.
_NEUTRAL_FIELDS = frozenset(
    {
        "temporary",
        "fileAttachments",
        "imageAttachments",
        "disableSearch",
        "enableImageGeneration",
        "returnImageBytes",
        "returnRawGrokInXaiRequest",
        "enableImageStreaming",
        "imageGenerationCount",
        "forceConcise",
        "toolOverrides",
        "enableSideBySide",
        "sendFinalMetadata",
        "isPreset",
        "isReasoning",
        "disableTextFollowUps",
        "webpageUrls",
        "disableArtifact",
        "deviceEnvInfo",
    }
)
_REQUEST_KEYWORDS = frozenset({"json", "data", "cookies", "headers", "stream", "timeout", "verify", "allow_redirects"})


#: Calls a loop may make while turning a raw line into the token (anything else is doing more than parsing).
def _neutral(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "True", "None")
    if isinstance(node, (cst.List, cst.Dict, cst.Tuple)):
        return not node.elements
    if isinstance(node, cst.Integer):
        return True
    return literal(node) is not None


def _mentions(lines) -> set[str]:
    found: set[str] = set()
    for line in lines:
        found.update(names_in(line))
    return found


class _Substitute(cst.CSTTransformer):
    def __init__(self, values: dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.values.get(original.value, updated)


class _FinalMessage(cst.CSTTransformer):
    """`json.loads(<reply>...)[...]["modelResponse"]["message"]` (or `.get` chains) -> `<reply>.text`."""

    def __init__(self, reply: str, aliases: set[str]) -> None:
        super().__init__()
        self.reply, self.aliases, self.count = reply, aliases, 0

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        keys: list[str | None] = []
        node: cst.BaseExpression = original
        while True:
            if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                keys.append(literal(node.slice[0].slice.value))
                node = node.value
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
                keys.append(literal(node.args[0].value) if node.args else None)
                node = node.func.value
            else:
                break
        if (
            keys
            and keys[0] == "message"
            and "modelResponse" in keys
            and isinstance(node, cst.Call)
            and dotted(node.func) in ("json.loads", "loads")
            and set(names_in(node)) - {"json", "loads"} <= {self.reply} | self.aliases
        ):
            self.count += 1
            return cst.Attribute(cst.Name(self.reply), cst.Name("text"))
        return updated


def _raises_on_failure(line: cst.BaseStatement, reply: str) -> bool:
    """`if reply.status_code != 200: raise ...` / `if not reply.ok: raise ...`: what `raise_for_status()` does,
    in the script's words (the raise may quote `reply.text`); no else."""
    if not (isinstance(line, cst.If) and line.orelse is None and isinstance(line.body, cst.IndentedBlock)):
        return False
    return (
        is_failure_test(line.test, reply)
        and bool(line.body.body)
        and all(isinstance(statement_of(s), cst.Raise) for s in line.body.body)
    )


def _is_reply_call(line: cst.BaseStatement, reply: str, methods: tuple[str, ...]) -> bool:
    """`reply.raise_for_status()` (or another of `methods`) as a statement of its own."""
    small = statement_of(line)
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and not small.value.args
        and dotted(small.value.func) in {f"{reply}.{method}" for method in methods}
    )


class PrototypeToClient(GuardedTransformer):
    """Rewrites each provable grok.com chat request; `changes` says what it did, `left` why it left one."""

    def __init__(self, facts: ModuleFacts, module: cst.Module) -> None:
        super().__init__()
        self.facts = facts
        self.changes: list[str] = []
        self.left: list[str] = []
        self.sessions = _session_names(module)
        self.body_functions = _body_functions(module)
        taken = set(names_in(module))
        #: The name the GrokClient gets: `client`, unless the script already uses it (an httpx.Client, say).
        self.client = next(name for name in ("client", "grok_client", "grok", "xai_client") if name not in taken)
        self.taken = taken
        #: True once a status check became an `except` of the library's errors (they are imported then).
        self.catches_errors = False
        self._block_dicts: dict[str, cst.Dict] = {}

    # --- where ---------------------------------------------------------------------------------------------
    def _where(self, node: cst.CSTNode) -> int:
        position = self.get_metadata(PositionProvider, node, None)
        return position.start.line if position is not None else 0

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        module = updated.with_changes(body=self._block(list(updated.body), list(original.body)))
        if not self.changes and not self.left and any(CHAT_PATH in text for text in self._strings(original)):
            self.left.append(
                "its grok.com chat request is not a statement --fix can follow (`reply = requests.post(...)`, "
                "`with ... as reply:`); see docs/fix-equivalence.md"
            )
        return module

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._block(list(updated.body), list(original.body)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None and self._sends_to_grok(node):
            self.left.append(
                f"async code (line {self._where(node)}): rewrite it by hand to openai.AsyncOpenAI(base_url=os.environ"
                f'.get("{API_BASE_URL_ENV}", ...), api_key=os.environ["{API_KEY_ENV}"]); --fix proves sync code only'
            )

    def _sends_to_grok(self, node: cst.CSTNode) -> bool:
        return any(CHAT_PATH in text or "grok.com" in text for text in self._strings(node))

    def _strings(self, node: cst.CSTNode) -> list[str]:
        texts = literals_in(node)
        texts += [self.facts.constants[name] for name in names_in(node) if name in self.facts.constants]
        return texts

    # --- the request ----------------------------------------------------------------------------------------
    def _url(self, node: cst.BaseExpression) -> str | None:
        text = self.facts.string_of(node)
        if text is None and isinstance(node, cst.FormattedString):
            parts = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(part.value)
                elif isinstance(part, cst.FormattedStringExpression) and (
                    value := self.facts.string_of(part.expression)
                ):
                    parts.append(value)
                else:
                    return None
            text = "".join(parts)
        return text

    def _request(self, call: cst.BaseExpression) -> str | None:
        """For a provable chat request: the `client.chat(...)` arguments (`prompt, model=...`); None when
        `call` is no request to grok.com's chat; Unproven when it is one that cannot be moved."""
        if not isinstance(call, cst.Call):
            return None
        name = dotted(call.func)
        head, _, method = name.rpartition(".")
        if head not in ("requests", "httpx") and head not in self.sessions:
            return None
        args = list(call.args)
        if method in ("request", "stream"):
            if not args or (literal(args[0].value) or "").upper() != "POST":
                return None
            args = args[1:]
        elif method != "post":
            return None
        url_arg = keyword(call, "url") or (args[0] if args and args[0].keyword is None else None)
        url = self._url(url_arg.value) if url_arg is not None else None
        if url is None or "grok.com" not in url or not url.split("?")[0].rstrip("/").endswith(CHAT_PATH):
            return None
        for arg in args:
            if arg is url_arg:
                continue
            if arg.keyword is None or arg.keyword.value not in _REQUEST_KEYWORDS:
                shown = arg.keyword.value if arg.keyword is not None else _code(arg.value)
                raise Unproven(f"the grok.com request passes {shown!r}, which has no GrokClient equivalent")
        fields = self._body(call)
        if "message" not in fields:
            raise Unproven("the grok.com request's body has no 'message' --fix can see")
        for key, value in fields.items():
            if key not in ("message", "modelName") and not (key in _NEUTRAL_FIELDS and _neutral(value)):
                raise Unproven(f"the grok.com request sends {key!r}, which the API has no equivalent for")
        model = f", model={_code(fields['modelName'])}" if "modelName" in fields else ""
        return f"{_code(fields['message'])}{model}"

    def _body(self, call: cst.Call) -> dict[str, cst.BaseExpression]:
        body = keyword(call, "json")
        value = body.value if body is not None else None
        data = keyword(call, "data")
        if value is None and data is not None:
            if not (isinstance(data.value, cst.Call) and dotted(data.value.func) in ("json.dumps", "dumps")):
                raise Unproven("the grok.com request's body is not JSON --fix can read")
            value = data.value.args[0].value if data.value.args else None
        if isinstance(value, cst.Name) and value.value in self._block_dicts:
            value = self._block_dicts[value.value]
        elif isinstance(value, cst.Call) and dotted(value.func) in self.body_functions:
            value = self._inline_body(value, *self.body_functions[dotted(value.func)])
        if not isinstance(value, cst.Dict):
            raise Unproven("the grok.com request's body is built in a way --fix cannot read")
        fields: dict[str, cst.BaseExpression] = {}
        for element in value.elements:
            key = literal(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                raise Unproven("the grok.com request's body has a key --fix cannot read")
            fields[key] = element.value
        return fields

    @staticmethod
    def _inline_body(call: cst.Call, parameters: cst.Parameters, body: cst.Dict) -> cst.Dict:
        """The dict a one-`return` body function returns, its parameters replaced by the call's arguments."""
        values: dict[str, cst.BaseExpression] = {}
        params = list(parameters.params)
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if len(positional) > len(params) or any(arg.star for arg in call.args):
            raise Unproven("the body function is called in a way --fix cannot follow")
        for param, arg in zip(params, positional, strict=False):
            values[param.name.value] = arg.value
        for arg in call.args:
            if arg.keyword is not None:
                values[arg.keyword.value] = arg.value
        for param in params:
            if param.name.value not in values:
                if param.default is None:
                    raise Unproven("the body function is called in a way --fix cannot follow")
                values[param.name.value] = param.default
        if not all(is_pure(value) for value in values.values()):
            raise Unproven("the body function is given an expression with a call, which --fix does not move")
        return body.visit(_Substitute(values))  # type: ignore[return-value]

    # --- one block ------------------------------------------------------------------------------------------
    def _block(self, lines: list[cst.BaseStatement], originals: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        if any(self.guarded(line) for line in originals):
            return lines
        first, rewrites = lines, 0
        while rewrites < 16:  # each request of the block in turn
            self._block_dicts = _body_dicts(lines)
            for index in range(len(lines)):
                try:
                    rewritten = self._rewrite_at(lines, index)
                except Unproven as why:
                    where = self._where(originals[index]) if not rewrites and index < len(originals) else 0
                    self.left.append(f"{why} (line {where})" if where else str(why))
                    return first
                if rewritten is not None:
                    lines, rewrites = rewritten, rewrites + 1
                    break
            else:
                return lines
        return lines

    def _rewrite_at(self, lines: list[cst.BaseStatement], index: int) -> list[cst.BaseStatement] | None:
        line = lines[index]
        if isinstance(line, cst.With) and len(line.items) == 1 and line.items[0].asname is not None:
            target = line.items[0].asname.name
            found = self._request(line.items[0].item)
            if found is None or not isinstance(target, cst.Name):
                return None
            body = list(line.body.body) if isinstance(line.body, cst.IndentedBlock) else []
            inner = self._read(body, target.value, found)
            self._done()
            return [*lines[:index], *inner, *lines[index + 1 :]]
        assign = single_assign(line)
        if assign is None:
            return None
        found = self._request(assign[1])
        if found is None:
            return None
        rest = self._read(lines[index + 1 :], assign[0], found)
        self._done()
        return [*lines[:index], *rest]

    def _done(self) -> None:
        self.changes.append(f"grok.com chat request -> with {CLIENT} as client: client.chat(...)")

    def _read(self, rest: list[cst.BaseStatement], reply: str, arguments: str) -> list[cst.BaseStatement]:
        """The statements after the request, rewritten to read the answer from `client.chat(...)`."""
        rest = [
            line
            for line in rest
            if not (_is_reply_call(line, reply, ("raise_for_status", "close")) or _raises_on_failure(line, reply))
        ]
        check_at, handler = self._status_exit(rest, reply)
        if handler is not None:
            del rest[check_at]
        loops = [i for i, line in enumerate(rest) if isinstance(line, cst.For) and reply in names_in(line.iter)]
        if handler is not None and (loops[:1] or [0]) != [check_at]:
            raise Unproven(
                f"the status check on the reply ({reply!r}) is not right before what reads the answer, so the "
                "statements between would run on a failed request"
            )
        if loops:
            at = loops[0]
            original = rest[at]
            assert isinstance(original, cst.For)
            chat_call = f"{self.client}.chat({arguments}, stream=True)"
            stream_name = self._free_name("stream", "chat_stream", "answer_stream")
            loop, loop_names = stream_loop(original, reply, stream_name if handler is not None else chat_call)
            after = rest[at + 1 :]
            if reply in _mentions(rest[:at]) or reply in _mentions(after):
                raise Unproven(f"the reply is used besides the loop that reads its lines ({reply!r})")
            if used_later := read_before_rebound(loop_names, after):
                raise Unproven(f"{used_later[0]!r}, set by the loop reading the reply, is used after it")
            block = cst.parse_statement(f"with {CLIENT} as {self.client}:\n    pass\n")
            assert isinstance(block, cst.With)
            inner: list[cst.BaseStatement] = [loop]
            if handler is not None:  # the request's failure is caught at the call, not while reading the stream
                inner = [guarded_call(f"{stream_name} = {chat_call}", handler, self._error_name()), loop]
            wrapped = block.with_changes(body=block.body.with_changes(body=inner), leading_lines=original.leading_lines)
            return [*rest[:at], wrapped, *after]
        aliases = _reply_aliases(rest, reply)
        final = _FinalMessage(reply, set(aliases))
        read: list[cst.BaseStatement] = []
        for line in rest:
            if (single_assign(line) or ("", None))[0] not in aliases:
                visited = line.visit(final)
                assert isinstance(visited, cst.BaseStatement)  # the transformer only swaps expressions
                read.append(visited)
        if final.count == 0:
            raise Unproven(f"the reply ({reply!r}) is read in a way --fix cannot prove equivalent")
        if _reply_misused(read, reply) or set(aliases) & _mentions(read):
            raise Unproven(f"the reply ({reply!r}) is used other than for its final message")
        call = cst.parse_statement(f"with {CLIENT} as {self.client}:\n    {reply} = {self.client}.chat({arguments})\n")
        if handler is not None:
            assert isinstance(call, cst.With) and isinstance(call.body, cst.IndentedBlock)
            request = _code(call.body.body[0]).strip()
            guarded = guarded_call(request, handler, self._error_name())
            call = call.with_changes(body=call.body.with_changes(body=[guarded]))
        return [call, *read]

    def _status_exit(self, rest: list[cst.BaseStatement], reply: str) -> tuple[int, list[cst.BaseStatement] | None]:
        """Where the script's own `if <failed>: print(...); sys.exit(N)` is, and its body for the `except`: the
        first statement that mentions the reply, or none."""
        first = next((i for i, line in enumerate(rest) if reply in _mentions([line])), None)
        if first is None:
            return 0, None
        handler = exit_handler(rest[first], reply, self._error_name())
        if handler is not None:
            if clash := sorted(set(FAILURE_ERRORS + RERAISED_ERRORS) & self.taken):
                raise Unproven(
                    f"the script has its own {clash[0]!r}, which the library's error of that name would hide"
                )
            self.catches_errors = True
            self.changes.append(
                f"status check on {reply!r} that exits -> except the library's errors for a failed request "
                "(same output, same exit status)"
            )
        return first, handler

    def _error_name(self) -> str:
        return self._free_name("error", "grok_error", "request_error")

    def _free_name(self, *candidates: str) -> str:
        found = next((name for name in candidates if name not in self.taken), None)
        if found is None:
            raise Unproven(f"the script uses every name the rewrite could give ({', '.join(candidates)})")
        return found


def _body_dicts(lines: list[cst.BaseStatement]) -> dict[str, cst.Dict]:
    """Names assigned a dict literal once in the block and mentioned once more (the request): a body held in a
    variable, not changed before it is sent."""
    mentions: dict[str, int] = {}
    for line in lines:
        for name in names_in(line):
            mentions[name] = mentions.get(name, 0) + 1
    found: dict[str, cst.Dict] = {}
    for line in lines:
        assign = single_assign(line)
        if assign is not None and isinstance(assign[1], cst.Dict) and mentions.get(assign[0]) == 2:
            found[assign[0]] = assign[1]
    return found


def _reply_aliases(lines, reply: str) -> list[str]:
    """Names assigned from the reply's text only (`last = reply.text.splitlines()[-1]`)."""
    aliases = []
    for line in lines:
        assign = single_assign(line)
        if assign and names_in(assign[1]) == [reply] and set(calls_in(assign[1])) <= {"strip", "splitlines", "split"}:
            aliases.append(assign[0])
    return aliases


def _reply_misused(lines, reply: str) -> bool:
    """True if the reply is used other than as `reply.text` (what a ChatResult offers both ways)."""

    class Visitor(cst.CSTVisitor):
        bad = False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if isinstance(node.value, cst.Name) and node.value.value == reply:
                self.bad |= node.attr.value != "text"
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            self.bad |= node.value == reply

    visitor = Visitor()
    for line in lines:
        line.visit(visitor)
    return visitor.bad


def _session_names(module: cst.Module) -> set[str]:
    """Names bound anywhere to `requests.Session()` / `httpx.Client(...)` (assigned, or `with ... as`)."""
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if isinstance(node.value, cst.Call) and dotted(node.value.func) in SESSION_FACTORIES:
                found.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

        def visit_WithItem(self, node: cst.WithItem) -> None:
            if (
                isinstance(node.item, cst.Call)
                and dotted(node.item.func) in SESSION_FACTORIES
                and node.asname is not None
                and isinstance(node.asname.name, cst.Name)
            ):
                found.add(node.asname.name.value)

    module.visit(Visitor())
    return found


def _body_functions(module: cst.Module) -> dict[str, tuple[cst.Parameters, cst.Dict]]:
    """Module functions whose whole body is `return {...}` (maybe after a docstring): what a body builder is."""
    found = {}
    for line in module.body:
        if not isinstance(line, cst.FunctionDef) or line.decorators or not isinstance(line.body, cst.IndentedBlock):
            continue
        statements = [s for s in line.body.body if not _is_docstring(s)]
        small = statement_of(statements[0]) if len(statements) == 1 else None
        if isinstance(small, cst.Return) and isinstance(small.value, cst.Dict):
            if line.params.star_arg is not cst.MaybeSentinel.DEFAULT or line.params.kwonly_params:
                continue
            found[line.name.value] = (line.params, small.value)
    return found


def _is_docstring(line: cst.BaseStatement) -> bool:
    small = statement_of(line)
    return isinstance(small, cst.Expr) and literal(small.value) is not None
