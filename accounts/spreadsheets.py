"""CSV that is safe to open in a spreadsheet: every CSV the project writes goes through `csv_writer` here.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (OWASP "CSV injection"): a caption like `=HYPERLINK("https://evil.example", "Click")` would
run when the export is opened. Such cells get a leading single quote, which spreadsheets show as text.
(It lives in `accounts`, the lowest app, so every app can write CSV through it; tests/test_layers.py checks that
no other module calls `csv.writer` itself.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """`value`, with a leading `'` when it is text a spreadsheet would take for a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, fileobj: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fileobj: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(fileobj, **kwargs)
