"""`chat` and `models`: ask a model, list the models."""

from __future__ import annotations

import sys

import click

from ..errors import EXIT_BAD_INPUT, printable
from ..settings import DEFAULT_MODEL
from ._common import auth_options, client_for, print_json
from ._errors import CliError
from ._progress import waiting


@click.command("chat")
@auth_options
@click.argument("prompt")
@click.option(
    "--model",
    help=f"The API's model (default {DEFAULT_MODEL}), or grok.com's chat mode (default auto; `models` lists them).",
)
@click.option("--max-tokens", type=click.IntRange(min=1), help="Upper bound on the answer's length.")
@click.option("--stream/--no-stream", default=True, show_default=True, help="Print the answer as it arrives.")
@click.option("--thinking", is_flag=True, help="grok.com: also print the model's thinking, on stderr, as it arrives.")
@click.option(
    "--keep-history",
    is_flag=True,
    help="grok.com: keep this chat in the account's history and memory (by default it is temporary).",
)
@click.option(
    "--json", "as_json", is_flag=True, help='One JSON object: text, model, usage, auth (README, "JSON output").'
)
def chat_command(
    prompt: str, model, max_tokens, stream: bool, thinking: bool, keep_history: bool, as_json: bool, **options
) -> None:
    """Ask PROMPT and print the answer (PROMPT '-' reads it from stdin)."""
    if prompt == "-":
        prompt = read_stdin_prompt()
    options["keep_web_history"] = keep_history
    with client_for(options) as client:
        if as_json or not stream:
            with waiting("Waiting for the answer"):
                result = client.chat(prompt, model=model, max_tokens=max_tokens, stream=stream)
                if stream:
                    result = result.collect()
            if as_json:
                print_json({**result.to_dict(), "auth_source": client.authenticator.source})
            else:
                click.echo(result.text)
            return
        started = thought = False
        try:
            for piece in client.chat(prompt, model=model, max_tokens=max_tokens, stream=True).pieces():
                if piece.kind == "thinking":
                    if thinking:
                        thought = True
                        click.echo(click.style(printable(piece.text), dim=True), nl=False, err=True)
                    continue
                started = True  # before the write: Ctrl-C may land while it returns
                click.echo(piece.text, nl=False)
        except BaseException:  # also on Ctrl-C: a started answer's line ends before "Interrupted."
            if started:
                click.echo()
            raise
        finally:
            if thought:
                click.echo(err=True)
        click.echo()


def read_stdin_prompt() -> str:
    """The prompt piped in on stdin, as UTF-8 text without its trailing newline; bad input if there is none."""
    stream = sys.stdin
    try:
        if stream is None or stream.closed or not hasattr(stream, "buffer"):
            raise OSError
        # its bytes, not click.get_binary_stream (deprecated in click 8.5, gone in 9)
        data = stream.buffer.read()
    except (OSError, ValueError, RuntimeError):
        raise CliError(
            "Standard input is closed, so there is no prompt to read. Pipe the prompt in "
            "(echo 'hello' | cookie-session chat -) or pass it as an argument",
            EXIT_BAD_INPUT,
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise CliError(
            "Standard input is not UTF-8 text (binary data?). Pipe a text prompt into `cookie-session chat -`",
            EXIT_BAD_INPUT,
        )
    return text.removesuffix("\n").removesuffix("\r")


@click.command("models")
@auth_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output: models[] of {id, owned_by, created}.")
def models_command(as_json: bool, **options) -> None:
    """List the models the credential can use."""
    with client_for(options) as client, waiting("Listing the models"):
        models = client.models()
    if as_json:
        print_json({"models": [{"id": m.id, "owned_by": m.owned_by, "created": m.created} for m in models]})
    else:
        for model in models:
            click.echo(printable(model.id))
