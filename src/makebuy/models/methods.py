"""The scoring methods, named once for the score stage, the result model and the CLI.

A module of its own, free of pandas and pydantic, so the CLI can offer the choice without
importing either (`makebuy --help` stays fast).
"""

from __future__ import annotations

from typing import Literal, get_args

Method = Literal["weighted-sum", "topsis"]
"""How criteria become one score; see `makebuy.score` for the arithmetic of each."""

METHODS: tuple[Method, ...] = get_args(Method)
"""Every scoring method, the default first."""
