"""One local-time policy (DESIGN.md §3.8, issue 18): no module but accounts/localtime.py turns a wall-clock time into
an instant. Read with ast: no call of ``make_aware`` or ``localize``, no ``tzinfo=`` other than UTC or None (that is
``replace(tzinfo=zone)``, ``datetime.combine(day, t, tzinfo=zone)``, ``datetime(..., tzinfo=zone)``), no
``combine(day, t, zone)``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "archive", "config", "demo", "instagram", "scheduler")
OWNER = ROOT / "accounts" / "localtime.py"
FORBIDDEN_CALLS = {"make_aware", "localize"}


def _is_utc_or_none(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    if isinstance(node, ast.Name) and node.id == "UTC":
        return True
    return isinstance(node, ast.Attribute) and node.attr in ("UTC", "utc")


def offences(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        where = f"{name}:{node.lineno}"
        if called in FORBIDDEN_CALLS:
            found.append(f"{where} calls {called}()")
        for kw in node.keywords:
            if kw.arg == "tzinfo" and not _is_utc_or_none(kw.value):
                found.append(f"{where} attaches a zone with tzinfo=")
        if called == "combine" and len(node.args) >= 3 and not _is_utc_or_none(node.args[2]):
            found.append(f"{where} attaches a zone in combine()")
    return found


def test_only_the_time_module_attaches_a_zone_to_a_wall_clock_time():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == OWNER or "migrations" in path.parts:
                continue
            found += offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "use accounts.localtime (parse_local, to_instant, day_bounds…) instead:\n" + "\n".join(found)


def test_the_checker_sees_each_way_of_doing_it():
    bad = """
from django.utils import timezone
a = timezone.make_aware(naive, zone)
b = localize(naive, tz)
c = naive.replace(tzinfo=zone)
d = datetime.combine(day, time(0), tzinfo=zone)
e = datetime.combine(day, time(), zone)
f = datetime(2027, 1, 1, tzinfo=ws.tzinfo)
ok = [naive.replace(tzinfo=UTC), aware.replace(tzinfo=None), datetime(2027, 1, 1, tzinfo=dt.UTC)]
"""
    assert len(offences(bad, "x")) == 6
