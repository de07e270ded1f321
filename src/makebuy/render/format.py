"""Formatting helpers shared by renderers: money, numbers, escaping, template loading."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from makebuy.errors import InputError
from makebuy.models.result import OPTION_KINDS, Assessment, Obligation, OptionResult
from makebuy.money import money

__all__ = [
    "compact_money",
    "compact_number",
    "environment",
    "governance_checklist",
    "md",
    "money",
    "number",
    "percent",
    "report_context",
    "sample_months",
    "templates_dir",
]


def number(value: float | None, digits: int = 3) -> str:
    """A score or ratio with fixed digits; `n/a` when a stage left it out."""
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


MAX_TEMPLATE_BYTES = 1024 * 1024
"""A template file above 1 MiB is refused (the shipped ones are under 40 KiB)."""
MAX_OUTPUT_CHARS = 50 * 1024 * 1024
"""Rendering stops with an error once a report passes 50 MiB (the largest shipped report,
a 10,000-option portfolio, is under 10 MiB)."""
MAX_RENDER_SECONDS = 60.0
"""Rendering stops with an error after a minute (shipped reports render in under 2 s)."""
MAX_SEQUENCE = 1_000_000
"""Longest string or list a template may build by repetition (`'x' * n`, `[0] * n`)."""
MAX_EXPONENT = 1_000
"""Largest exponent a template may raise an integer to (`2 ** n`)."""


class TemplateLimitError(jinja2.TemplateError):
    """A template went past one of the rendering limits."""


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Reads templates only from inside its folders: a symlink (or `..`) that resolves
    outside the folder it was found in is refused, as is a file that is not a regular
    file or is above MAX_TEMPLATE_BYTES. A template folder from a pull request can then
    not publish `/proc/self/environ` or the runner's files in a report."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        found = Path(filename)
        for folder in self.searchpath:
            root = Path(folder)
            if found.parent == root or root in found.parents:
                real_root, real = os.path.realpath(root), os.path.realpath(found)
                if os.path.commonpath([real_root, real]) != real_root:
                    raise TemplateLimitError(
                        f"{filename}: the template resolves to {real}, outside its folder"
                        f" {real_root}: symlinks must stay inside the template folder"
                    )
                break
        if len(source) > MAX_TEMPLATE_BYTES:
            raise TemplateLimitError(f"{filename}: template above {MAX_TEMPLATE_BYTES // 1024} KiB")
        return source, filename, uptodate


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, immutable (a template cannot grow a list or dict while it loops), with
    bounds on repetition and exponents, and no calls into the report's data models: a
    template reads fields, it does not run methods."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                repeats = isinstance(seq, (str, list, tuple)) and isinstance(n, int)
                if repeats and len(seq) * n > MAX_SEQUENCE:
                    raise TemplateLimitError(
                        f"repeating a sequence of {len(seq):,} items {n:,} times builds"
                        f" more than {MAX_SEQUENCE:,}"
                    )
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise TemplateLimitError(f"exponent {right:g} is above {MAX_EXPONENT:,}")
        return super().call_binop(context, operator, left, right)

    def is_safe_callable(self, obj: Any) -> bool:
        # pydantic's own methods (model_dump, model_copy, model_validate, ...) are not for
        # templates; lookups our report models define for templates (Portfolio.strategy) are.
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, BaseModel) and hasattr(BaseModel, getattr(obj, "__name__", "")):
            return False
        return bool(super().is_safe_callable(obj))


def environment(autoescape: bool, template_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment over the user's template folder first, then the shipped one."""
    search = [str(template_dir)] if template_dir else []
    search.append(str(templates_dir()))
    # Sandboxed: a template folder from a pull request must not be able to run code,
    # read outside its folder, or exhaust the machine.
    env = _LimitedEnvironment(
        loader=_ConfinedLoader(search, followlinks=False),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["number"] = number
    env.filters["plain"] = plain
    env.filters["md"] = md
    env.filters["compact_money"] = compact_money
    env.filters["compact_number"] = compact_number
    env.filters["percent"] = percent
    return env


def plain(value: float) -> str:
    """A raw figure without scientific notation: `1,005,173`, `65.8`, `0.4`."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{round(value, 3):g}"


def _bounded(chunks: Any) -> str:
    """Join a template's output, stopping at MAX_OUTPUT_CHARS or MAX_RENDER_SECONDS."""
    out: list[str] = []
    size = 0
    started = time.monotonic()
    for chunk in chunks:
        size += len(chunk)
        out.append(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateLimitError(f"the report passed {MAX_OUTPUT_CHARS // 2**20} MiB")
        if time.monotonic() - started > MAX_RENDER_SECONDS:
            raise TemplateLimitError(f"rendering took over {MAX_RENDER_SECONDS:g} s")
    return "".join(out)


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line a runtime error came from (jinja2 rewrites tracebacks
    so template frames carry the template's file name and line)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template; a broken (user) template is bad input naming file and line."""
    try:
        template = env.get_template(name)
        return _bounded(template.generate(**context))
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"template syntax error: {exc.message}", path=exc.filename or exc.name, line=exc.lineno
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"template not found: {exc.name}", path=name) from None
    except (jinja2.TemplateError, UnicodeDecodeError, OverflowError, MemoryError) as exc:
        path, line = _template_line(exc)
        raise InputError(f"template error: {exc}", path=path or name, line=line) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
        path, line = _template_line(exc)
        raise InputError(
            f"template error: {type(exc).__name__}: {exc}", path=path or name, line=line
        ) from None


def compact_number(value: float) -> str:
    """`950`, `12k`, `1.5M`, `2B`: axis labels and volumes read at a glance."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def percent(share: float | None) -> str:
    """A share as `12.3%` (absolute: the sentence says saves or costs); `n/a` when unknown."""
    if share is None:
        return "n/a"
    return f"{abs(share) * 100:.1f}%"


def compact_money(value: float, currency: str) -> str:
    """`$1.2M`, `€350k`: money on chart axes, where full figures would crowd."""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    text = compact_number(value)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


LEADING_OPTIONS = 5
"""How many options the monthly-cost chart and the cost details show."""
SHORTLIST = 12
"""Ranked options a report shows up front; the rest go to an appendix."""


def report_context(a: Assessment) -> dict[str, object]:
    """Lookups every report template shares; it selects and groups, never computes figures."""
    by_id = {o.id: o for o in a.options}
    rec = a.recommendation
    eligible = [o for o in a.options if o.status == "eligible"]
    excluded = [o for o in a.options if o.status == "excluded"]
    winner = by_id.get(rec.option) if rec.option else None
    picked = [by_id[i] for i in (rec.option, rec.runner_up, rec.alternative) if i in by_id]
    for kind in OPTION_KINDS:
        best = next((o for o in eligible if o.kind == kind), None)
        if best is not None:
            picked.append(best)
    leading: list[OptionResult] = []
    for o in picked:
        if o not in leading and len(leading) < LEADING_OPTIONS:
            leading.append(o)
    months = max((len(o.cost.monthly) for o in leading if o.cost), default=0)
    shortlist = eligible[:SHORTLIST]
    shortlist += [o for o in leading if o not in shortlist]
    return {
        "by_id": by_id,
        "winner": winner,
        "runner_up": by_id.get(rec.runner_up) if rec.runner_up else None,
        "alternative": by_id.get(rec.alternative) if rec.alternative else None,
        "reasons": rec.rationale[1:] if winner and len(rec.rationale) > 1 else rec.rationale,
        "eligible": eligible,
        "excluded": excluded,
        "leading": leading,
        "shortlist": shortlist,
        "shortlist_size": SHORTLIST,
        "horizon_months": len(winner.cost.monthly) if winner and winner.cost else months,
        "sample_months": sample_months(months),
        "excluded_groups": excluded_groups(excluded),
        "clauses": clauses(excluded),
        "criteria": list(next((o.criteria for o in a.options if o.criteria), {})),
        "governance": governance_checklist(winner) if winner else [],
    }


def excluded_groups(excluded: list[OptionResult]) -> list[tuple[str, list[OptionResult]]]:
    """Ruled-out options grouped by their first reason, the largest group first."""
    groups: dict[str, list[OptionResult]] = {}
    for o in excluded:
        groups.setdefault(o.exclusions[0].code if o.exclusions else "unknown", []).append(o)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


@dataclass(frozen=True)
class ClauseUse:
    """A quoted clause and the options it ruled out (one clause often rules out many)."""

    code: str
    clause: str
    url: str | None
    options: list[OptionResult]


def clauses(excluded: list[OptionResult]) -> list[ClauseUse]:
    """Every distinct clause quoted by an exclusion, sorted by code then text."""
    found: dict[tuple[str, str, str | None], list[OptionResult]] = {}
    for o in excluded:
        for e in o.exclusions:
            if e.clause:
                found.setdefault((e.code, e.clause, e.url), []).append(o)
    return [
        ClauseUse(code, clause, url, options)
        for (code, clause, url), options in sorted(found.items(), key=lambda kv: kv[0][:2])
    ]


def sample_months(months: int) -> list[int]:
    """Months (1-based) a table shows in place of a monthly chart: the first, then every 6th."""
    if months <= 0:
        return []
    picked = [1, *range(6, months + 1, 6)]
    if picked[-1] != months:
        picked.append(months)
    return picked


_OWN_OPERATIONS = {
    "safety filtering": "You run the model, so you carry safety filtering: put input and output"
    " moderation (for example a guard model) in front of it and monitor for abuse.",
    "model updates": "You own updates: follow the model's releases and security notices,"
    " re-evaluate before upgrading, and keep the previous weights to roll back.",
    "data handling": "Prompts, outputs and fine-tuning data stay in your environment: apply"
    " your classification controls to them, to logs and to backups.",
}
_VENDOR_OPERATIONS = {
    "safety filtering": "The provider filters by default: check its settings meet your policy"
    " and add checks for the risks of your own domain.",
    "model updates": "The provider retires model versions: pin the version, watch its"
    " deprecation notices and re-run this assessment before a retirement date.",
    "data handling": "Prompts leave your environment: confirm retention, training on your data"
    " and processing region in a signed data processing agreement.",
}
_GOVERNANCE_KIND = {
    "make": _OWN_OPERATIONS,
    "buy": _VENDOR_OPERATIONS,
    "rent": _VENDOR_OPERATIONS,
    "seat": _VENDOR_OPERATIONS,
}


@dataclass(frozen=True)
class GovernanceItem:
    """One line of the checklist, with the catalog obligation behind it when there is one."""

    area: str
    text: str
    obligation: Obligation | None = None


def governance_checklist(option: OptionResult) -> list[GovernanceItem]:
    """What choosing `option` commits the organisation to, area by area.

    The wording is fixed per kind of option (who runs the model decides who filters,
    updates and holds the data); the licence duties are the gate's obligations verbatim.
    """
    kind_text = _GOVERNANCE_KIND.get(option.kind)
    items = [
        GovernanceItem(
            "human oversight",
            "Name an accountable owner, and decide which outputs a person reviews before"
            " they reach a customer or a decision.",
        ),
        GovernanceItem(
            "output management",
            "Log prompts and outputs with a retention period that matches the data"
            " classification, and label generated text where people read it.",
        ),
    ]
    for area in ("safety filtering", "model updates"):
        if kind_text is None:
            text = (
                "Each leg of the mix follows the duties of its own kind:"
                " self-hosted legs are yours, API legs the provider's."
            )
        else:
            text = kind_text[area]
        items.append(GovernanceItem(area, text))
    duties = [ob for ob in option.obligations if not ob.code.startswith("operations.")]
    operations = [ob for ob in option.obligations if ob.code.startswith("operations.")]
    for ob in operations:
        items.append(GovernanceItem("safety filtering", ob.message, ob))
    if duties:
        items.extend(GovernanceItem("licence duties", ob.message, ob) for ob in duties)
    else:
        items.append(GovernanceItem("licence duties", "None recorded in the catalog."))
    items.append(
        GovernanceItem(
            "data handling",
            kind_text["data handling"]
            if kind_text
            else "Route data of each classification only to legs allowed to hold it.",
        )
    )
    order = [
        "human oversight",
        "output management",
        "safety filtering",
        "model updates",
        "licence duties",
        "data handling",
    ]
    return sorted(items, key=lambda item: order.index(item.area))


_NUMBER_CELL = re.compile(r"^[-+−~≈<>]?\s?\$?[-+]?[0-9][0-9,.]*\s?[%xkKMBG]?\+?$|^[-–—]?$|^n/a$")
"""A cell that is a number, an amount of money or a percentage, or left empty ("—")."""


_MIN_TEXT_WIDTH = 6
"""Text columns of a table with number columns never shrink below this many characters."""


def keep_numbers_whole(renderable: Any, width: int) -> Any:
    """Keep every money and number column of the rich tables in `renderable` whole.

    A column whose cells are all numbers (`$677,758`, `0.944`, `63%`) gets a fixed width:
    its longest cell (or the longest word of its header), so a narrow terminal squeezes
    the text columns (names wrap) instead of cutting money to `$677,…`. When that leaves
    the text columns too little room inside a boxed table, the table drops its outer
    border and narrows its padding. Where even the number columns do not fit, `rich_text`
    draws the table wider than the terminal rather than cut a figure. Tables inside
    groups are found too. Returns `renderable`, changed in place.
    """
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if isinstance(renderable, Group):
        for part in renderable.renderables:
            keep_numbers_whole(part, width)
        return renderable
    if not isinstance(renderable, Table):
        return renderable
    fixed = 0
    text_columns = 0
    for column in renderable.columns:
        cells = [str(c) for c in column.cells]
        texts = [c.strip() for c in cells if c.strip()]
        if column.width is None and texts and all(_NUMBER_CELL.match(c) for c in texts):
            words = str(column.header).split() or [""]
            column.min_width = max(max(len(c) for c in cells), *(len(w) for w in words))
            column.no_wrap = True  # the cells; the header may still wrap between words
            if isinstance(column.header, str):
                column.header = Text(column.header, no_wrap=False)
            fixed += column.min_width
        else:
            text_columns += 1
            if column.min_width is None and cells:  # a name stays readable, if cut
                column.min_width = min(_MIN_TEXT_WIDTH, max(len(c) for c in cells))
    if not fixed or renderable.box is None:
        return renderable
    columns = len(renderable.columns)
    chrome = columns + 1 + 2 * columns  # borders and padding of a boxed table
    if fixed + chrome + (_MIN_TEXT_WIDTH + 4) * text_columns > width:
        renderable.box = box.SIMPLE_HEAD
        renderable.show_edge = False
        renderable.pad_edge = False
        renderable.collapse_padding = True
        # Too narrow even so: draw the table wider than the terminal (rich_text does not
        # crop) rather than let rich squeeze text columns to nothing and cut figures.
        needed = sum((c.min_width or 0) + 2 for c in renderable.columns)
        if needed > width and renderable.width is None:
            renderable.width = needed
    return renderable


def rich_text(renderable: Any, *, width: int, color: bool) -> str:
    """Draw a rich renderable into a string: a fixed width, ANSI colours only when asked,
    and markup off, so brackets in names and notes stay text. Money and number columns
    are never cut (`keep_numbers_whole`)."""
    from rich.console import Console

    buffer = io.StringIO()
    keep_numbers_whole(renderable, width)
    Console(
        markup=False,
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        legacy_windows=False,
    ).print(renderable, crop=False)
    return buffer.getvalue()
