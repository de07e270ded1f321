"""`makebuy init`: start a questionnaire (asked on a terminal, a commented template otherwise)."""

from __future__ import annotations

from pathlib import Path

import typer

from makebuy.cli.common import DEBUG_OPTION, current_environment, emit, reported_errors
from makebuy.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    path: Path = typer.Argument(
        Path("usecase.yaml"), help="Questionnaire to write ('-' for stdout)."
    ),
    example: str | None = typer.Option(
        None, "--example", "-e", help="Write this shipped example instead (see --list-examples)."
    ),
    list_examples: bool = typer.Option(
        False, "--list-examples", help="List the shipped examples and exit."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    no_input: bool = typer.Option(
        False, "--no-input", help="Ask nothing, even on a terminal: write the template."
    ),
    schema_url: str | None = typer.Option(
        None,
        "--schema-url",
        help="Where the modeline's JSON Schema lives (a URL or path); default: write"
        " makebuy-usecase.schema.json next to the questionnaire.",
    ),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Start a questionnaire: a few questions on a terminal, else a commented template with
    every key explained (required keys first); or a shipped example with --example."""
    with reported_errors(debug):
        from makebuy import starter
        from makebuy.environment import is_stdio

        env = current_environment()
        if list_examples:
            for name in starter.example_names():
                typer.echo(f"{name}\t{starter.example_summary(name)}")
            return
        to_stdout = is_stdio(path)
        if not to_stdout and path.exists() and not force:
            raise InputError("the file exists; pass --force to overwrite it", path=path)
        url = schema_url or starter.SCHEMA_FILE_NAME
        if example is not None:
            text = starter.example_text(example, schema_url=url)
        elif env.stdin_is_tty and not no_input and not to_stdout:
            text = starter.template(_ask(path), schema_url=url)
        else:
            text = starter.template(schema_url=url)
        emit(text, path)
        if to_stdout:
            return
        if schema_url is None:
            _write_schema(path.parent / starter.SCHEMA_FILE_NAME, force=force)
        typer.echo(f"wrote {path}; fill it in, then run: makebuy assess {path}", err=True)


def _ask(path: Path) -> dict[str, object]:
    """The answers to `starter.QUESTIONS`, asked on stderr and read from stdin."""
    from makebuy import starter

    env = current_environment()

    def ask(prompt: str) -> str | None:
        env.stderr.write(prompt)
        env.stderr.flush()
        line = env.stdin.readline()
        return line if line else None

    def say(text: str) -> None:
        env.stderr.write(text + "\n")

    name = path.stem.replace("-", " ").replace("_", " ").strip() or None
    return starter.ask_questions(ask, say, name_default=name)


def _write_schema(target: Path, *, force: bool) -> None:
    """The usecase JSON Schema the modeline names; an existing one is kept unless --force."""
    import json

    from makebuy.schemas import schema

    if target.exists() and not force:
        return
    emit(json.dumps(schema("usecase"), indent=2, sort_keys=True) + "\n", target)
