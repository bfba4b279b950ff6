"""Issue 17.9: every CSV cell a spreadsheet would run as a formula is neutralised, in one place."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from accounts.spreadsheets import csv_writer, spreadsheet_cell

ROOT = Path(__file__).resolve().parent.parent.parent
# OWASP "CSV injection": cells starting with these are formulas to Excel, LibreOffice and Google Sheets.
DANGEROUS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\tx=1",
             "\r=1"]
HARMLESS = ["Plain caption #coffee", "", "50% off = today", "a-b", "email@example.test", "'already quoted"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_get_a_leading_quote(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", [*HARMLESS, 42, None, -3])
def test_other_cells_are_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_the_writer_reads_back_as_text():
    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(["caption", "likes"])
    writer.writerows([[value, 1] for value in DANGEROUS + HARMLESS])
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert rows[0] == ["caption", "likes"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS] + HARMLESS


def test_no_module_writes_csv_around_the_helper():
    """One place: every CSV writer of the project is accounts/spreadsheets.py's."""
    found = []
    for app in ("accounts", "scheduler", "archive", "config", "demo", "instagram"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == ROOT / "accounts" / "spreadsheets.py":
                continue
            if re.search(r"csv\.(writer|DictWriter)\b", path.read_text()):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
