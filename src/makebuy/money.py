"""How amounts of money are written everywhere: stages' rationale lines and every report."""

from __future__ import annotations

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(amount: float | None, currency: str) -> str:
    """`$12,345`, `€0.47` or `12,345 CHF`; amounts under 100 keep their cents."""
    if amount is None:
        return "n/a"
    text = f"{amount:,.2f}" if abs(amount) < 100 else f"{amount:,.0f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
