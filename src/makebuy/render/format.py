"""Formatting helpers shared by renderers: money, numbers, escaping, template loading."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from makebuy.money import money

__all__ = ["environment", "md", "money", "number", "templates_dir"]


def number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}"


_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "#": "\\#",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)


def md(text: object) -> str:
    """Escape user or catalog text for GitHub-flavoured Markdown (tables included)."""
    return str(text).strip().translate(_MD_ESCAPES)


def templates_dir() -> Path:
    """The shipped templates folder: inside the installed package, or the source tree."""
    packaged = resources.files("makebuy") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


def environment(autoescape: bool, template_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment over the user's template folder first, then the shipped one."""
    search = [str(template_dir)] if template_dir else []
    search.append(str(templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["number"] = number
    env.filters["md"] = md
    return env
