"""CSV cells that a spreadsheet will not run as a formula (CSV injection, OWASP).

A cell starting with = + - @, a tab or a carriage return gets a leading apostrophe. Written for the analytics
report; the archive's export has its own helper in the works — one of the two should call the other once merged.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Numbers pass unchanged (a negative number is data, not a formula); text that could be a formula is quoted."""
    if isinstance(value, (int, float)) or value is None:
        return "" if value is None else value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
