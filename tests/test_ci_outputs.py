"""What CI reads: the PR-comment summary, the one-line summary on stderr, and --fail-above."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from makebuy.errors import ExitCode
from makebuy.headline import Budget, parse_budget
from makebuy.render.summary import MAX_CHARS

from .conftest import EXAMPLES, GOLDEN
from .test_adr import DATE, new_adr, repo_with

GITHUB_COMMENT_LIMIT = 65_536
BIGGEST = EXAMPLES / "ticket-routing-high-volume.yaml"
"""The example with the longest full Markdown report."""
SUPPORT = EXAMPLES / "support-assistant.yaml"


def test_the_biggest_examples_full_report_is_over_the_comment_limit(cli) -> None:
    full = cli("assess", BIGGEST, "--format", "markdown")
    assert len(full.stdout) > GITHUB_COMMENT_LIMIT  # else this test proves nothing


def test_the_summary_of_the_biggest_example_fits_one_comment(cli) -> None:
    result = cli("assess", BIGGEST, "--format", "markdown", "--summary")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert text.startswith("## makebuy: Ticket routing classifier\n")
    assert "**Recommendation: gpt-oss-20b (rent: deepinfra)**" in text
    assert "| Rank | Option | Kind | Score | Per month | Total cost |" in text
    last = text.rstrip("\n").splitlines()[-1]
    assert last == f"Full report: run `makebuy assess {BIGGEST} --format markdown`."


def test_the_summary_links_the_full_report_when_given_its_url(cli) -> None:
    url = "https://ci.example.org/runs/7/makebuy-report.md"
    result = cli("assess", SUPPORT, "-f", "markdown", "--summary", "--full-report-url", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip("\n").splitlines()[-1] == f"Full report: <{url}>"


def test_a_portfolio_summary_fits_one_comment(cli) -> None:
    full = cli("portfolio", EXAMPLES, "--format", "markdown")
    result = cli("portfolio", EXAMPLES, "--format", "markdown", "--summary")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) < GITHUB_COMMENT_LIMIT
    assert len(result.stdout) < len(full.stdout) / 2
    for name in ("Insurance claim summaries", "Ticket routing classifier", "Recommended mix"):
        assert name in result.stdout
    assert result.stdout.rstrip("\n").endswith(f"`makebuy portfolio {EXAMPLES} --format markdown`.")


def test_the_summary_fits_whatever_the_text_it_quotes(cli, tmp_path: Path) -> None:
    """A saved report with a megabyte name and 2,000 ranked options still fits."""
    data = json.loads((GOLDEN / "ticket-routing-high-volume.json").read_text())
    data["usecase"]["name"] = "n" * 1_000_000
    data["recommendation"]["rationale"] = ["r" * 100_000] * 50
    ranked = [o for o in data["options"] if o["rank"] is not None]
    data["options"] += [
        {**ranked[-1], "id": f"{ranked[-1]['id']}-{i}", "rank": len(ranked) + i}
        for i in range(1, 2000)
    ]
    saved = tmp_path / "big.json"
    saved.write_text(json.dumps(data))
    result = cli("render", saved, "--format", "markdown", "--summary")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) <= MAX_CHARS < GITHUB_COMMENT_LIMIT
    assert result.stdout.rstrip("\n").endswith(f"`makebuy render {saved} --format markdown`.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--summary"], "--summary: --summary goes with --format markdown"),
        (
            ["--full-report-url", "https://x.org/r"],
            "--full-report-url: --full-report-url goes with --summary",
        ),
        (
            ["-f", "markdown", "--summary", "--full-report-url", "https://x.org/a b"],
            "a URL without spaces or angle brackets is expected",
        ),
    ],
)
def test_summary_options_are_checked(cli, args: list[str], message: str) -> None:
    result = cli("assess", SUPPORT, *args)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr


# ---------------------------------------------------------------- the line on stderr


def _support_winner(cli) -> tuple[str, float]:
    """The support example's recommended option (short name) and its cost over the horizon,
    from the JSON report: the figures the one-line summary and the budget check read."""
    report = json.loads(cli("assess", SUPPORT, "--format", "json", "-q").stdout)
    winner = next(o for o in report["options"] if o["id"] == report["recommendation"]["option"])
    return winner["title"], winner["cost"]["total"]


def test_assess_ends_with_one_line_on_stderr(cli) -> None:
    result = cli("assess", SUPPORT, "--format", "json")
    assert result.exit_code == 0
    title, total = _support_winner(cli)
    assert title.startswith("gpt-oss-20b (make: self-hosted)")
    assert result.stderr == (
        f"makebuy: Tier-1 support assistant: {title}, ${total / 36:,.0f}/month,"
        f" ${total:,.0f} over 36 months\n"
    )
    quiet = cli("assess", SUPPORT, "--format", "json", "--quiet")
    assert quiet.stderr == "" and quiet.stdout == result.stdout


@pytest.mark.parametrize(
    ("today", "as_of", "warned"),
    [
        ("2026-11-28", None, False),  # the fixture catalog's own date
        ("2027-05-27", None, False),  # 180 days later: not yet
        ("2027-05-28", None, True),  # 181 days later
        ("2028-01-05", "2026-11-28", False),  # --as-of: the user chose the date
    ],
)
def test_assess_warns_on_stderr_when_the_catalog_is_old_by_todays_date(
    cli, today: str, as_of: str | None, warned: bool
) -> None:
    """Reports stay the same whatever the day (evaluated on the catalog's date); the
    catalog's age by today's date is a warning beside the headline, --quiet included."""
    import datetime as dt

    from makebuy.environment import MockEnvironment, use_environment

    from .conftest import FIXTURE_VARIABLES

    args = ["assess", SUPPORT, "--format", "json", "--quiet"]
    args += ["--as-of", as_of] if as_of else []
    on = dt.date.fromisoformat(today)
    with use_environment(MockEnvironment(width=100, variables=FIXTURE_VARIABLES, today=on)):
        result = cli(*args)
    baseline = cli(*args)
    assert result.exit_code == 0
    assert result.stdout == baseline.stdout  # the report does not depend on today
    if warned:
        days = (on - dt.date(2026, 11, 28)).days
        assert result.stderr == (
            f"makebuy: warning: the catalog is as of 2026-11-28, {days} days before today"
            f" ({today}); prices, models and lifecycles may have changed since. Refresh it"
            " (README: Refreshing prices from a new LiteLLM release), or pass --as-of to"
            " evaluate on a date you choose.\n"
        )
    else:
        assert result.stderr == ""


def test_portfolio_ends_with_the_mix_on_stderr(cli) -> None:
    result = cli("portfolio", EXAMPLES, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    mix = next(s for s in report["strategies"] if s["name"] == "mix")
    n = len(report["use_cases"])
    assert n == len(list(EXAMPLES.glob("*.yaml")))
    assert result.stderr.startswith(f"makebuy: portfolio of {n} use cases: the recommended mix, $")
    assert f"{mix['total']:,.0f} over their horizons\n" in result.stderr
    assert cli("portfolio", EXAMPLES, "-f", "json", "-q").stderr == ""


@pytest.fixture
def decisions(cli, tmp_path: Path) -> Path:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    folder = root / "docs" / "decisions"
    new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", folder)
    return folder


def test_check_ends_with_each_chosen_options_cost_on_stderr(cli, decisions: Path) -> None:
    result = cli("check", decisions, "--today", DATE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)["records"]
    assert record["chosen_total"] > 0 and record["horizon_months"] == 24
    assert record["chosen_monthly"] == pytest.approx(record["chosen_total"] / 24)
    assert result.stderr == (
        f"makebuy: {record['path']}: {record['chosen']}, ${record['chosen_monthly']:,.0f}/month,"
        f" ${record['chosen_total']:,.0f} over 24 months\n"
    )
    assert cli("check", decisions, "--today", DATE, "-q").stderr == ""


STALE_WARNING = (
    "makebuy: warning: the catalog is as of 2026-11-28, 181 days before today (2027-05-28);"
    " prices, models and lifecycles may have changed since."
)


def test_portfolio_warns_when_the_catalog_is_old_by_todays_date(cli) -> None:
    import datetime as dt

    from makebuy.environment import MockEnvironment, use_environment

    from .conftest import FIXTURE_VARIABLES

    args = ["portfolio", SUPPORT, "--format", "json", "--quiet"]
    late = MockEnvironment(variables=FIXTURE_VARIABLES, today=dt.date(2027, 5, 28))
    with use_environment(late):
        old = cli(*args)
        chosen = cli(*args, "--as-of", "2026-11-28")
    assert old.exit_code == 0 and old.stdout == cli(*args).stdout
    assert old.stderr.startswith(STALE_WARNING)
    assert chosen.stderr == ""  # --as-of: the user chose the date


def test_check_warns_when_the_catalog_is_old_by_the_day_it_checks(cli, decisions: Path) -> None:
    """check evaluates on today (or --today): an old catalog judges the record on old data."""
    old = cli("check", decisions, "--today", "2027-05-28", "-q")
    assert old.stderr.startswith(STALE_WARNING)
    assert cli("check", decisions, "--today", "2027-05-27", "-q").stderr == ""


# ---------------------------------------------------------------- --fail-above


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("50000", Budget(50000.0, "horizon")),
        ("50,000", Budget(50000.0, "horizon")),
        ("2000/month", Budget(2000.0, "month")),
        ("2e3 / months", Budget(2000.0, "month")),
    ],
)
def test_a_budget_is_over_the_horizon_or_per_month(text: str, budget: Budget) -> None:
    assert parse_budget(text) == budget


def test_assess_fails_above_a_budget_over_the_horizon(cli) -> None:
    title, total = _support_winner(cli)
    below = round(total * 0.9, -3)
    over = cli("assess", SUPPORT, "--fail-above", f"{below:.0f}", "-q")
    assert over.exit_code == ExitCode.DECISION_FAILED
    assert over.stderr == (
        f"error: over budget: Tier-1 support assistant: {title}: the"
        f" cost over 36 months, ${total:,.0f}, is above --fail-above ${below:,.0f}\n"
    )
    above = f"{round(total * 1.1, -3):.0f}"
    assert cli("assess", SUPPORT, "--fail-above", above, "-q").exit_code == 0


def test_assess_fails_above_a_budget_per_month(cli) -> None:
    _, total = _support_winner(cli)
    per_month = total / 36
    below = round(per_month * 0.9, -2)
    over = cli("assess", SUPPORT, "--fail-above", f"{below:.0f}/month", "-q")
    assert over.exit_code == ExitCode.DECISION_FAILED
    assert (
        f"the cost per month, ${per_month:,.0f}, is above --fail-above ${below:,.0f}/month"
        in over.stderr
    )
    above = f"{round(per_month * 1.1, -2):.0f}/month"
    assert cli("assess", SUPPORT, "--fail-above", above).exit_code == 0


def test_portfolio_fails_above_a_budget(cli) -> None:
    report = json.loads(cli("portfolio", EXAMPLES, "--format", "json", "-q").stdout)
    mix = next(s for s in report["strategies"] if s["name"] == "mix")["total"]
    n = len(report["use_cases"])
    over = cli("portfolio", EXAMPLES, "--fail-above", f"{round(mix * 0.9, -3):.0f}", "-q")
    assert over.exit_code == ExitCode.DECISION_FAILED
    assert f"portfolio of {n} use cases: the recommended mix: the cost over their horizons" in (
        over.stderr
    )
    within = f"{round(mix * 1.1, -3):.0f}"
    assert cli("portfolio", EXAMPLES, "--fail-above", within, "-q").exit_code == 0


def test_check_fails_above_a_budget(cli, decisions: Path) -> None:
    over = cli("check", decisions, "--today", DATE, "--fail-above", "100/month", "-q")
    assert over.exit_code == ExitCode.DECISION_FAILED
    assert "the cost per month, $521, is above --fail-above $100/month" in over.stderr
    within = cli("check", decisions, "--today", DATE, "--fail-above", "1000000")
    assert within.exit_code == 0


def test_a_budget_that_is_no_amount_is_bad_input_before_any_work(cli) -> None:
    result = cli("assess", EXAMPLES / "missing.yaml", "--fail-above", "10k")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr == (
        "error: --fail-above: expected an amount over the horizon (50000) or per month"
        " (2000/month), got '10k'\n"
    )
