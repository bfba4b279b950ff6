"""The import layers (docs/architecture.md): instagram → accounts → scheduler → archive, demo on top, config wires.

Every import counts, including ones inside functions: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("instagram", "accounts", "scheduler", "archive", "demo", "config")
# app → the apps it must never import
FORBIDDEN: dict[str, set[str]] = {
    "instagram": {"accounts", "scheduler", "archive", "demo", "config"},
    "accounts": {"scheduler", "archive", "demo"},
    "scheduler": {"archive", "demo"},
    "archive": {"demo"},
}


def imported_apps(source: str) -> set[str]:
    """Top-level packages of this project that `source` imports (absolute imports; relative ones stay inside)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(APPS)


def violations() -> list[str]:
    found = []
    for app, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            for other in sorted(imported_apps(path.read_text()) & forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {other}")
    return found


def test_no_module_imports_a_layer_above_its_own():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from scheduler.models import Post", {"scheduler"}),
        ("def f():\n    import archive.services\n", {"archive"}),
        ("import requests, instagram.client", {"instagram"}),
        ("from . import models", set()),
        ("from django.db import models", set()),
    ],
)
def test_the_checker_sees_every_kind_of_import(source, expected):
    assert imported_apps(source) == expected


def test_an_offending_import_is_reported(tmp_path, monkeypatch):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "bad.py").write_text("def f():\n    from scheduler.models import Post\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert violations() == ["accounts/bad.py imports scheduler"]


MAX_LINES = 500


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_every_module_is_short_and_says_what_it_holds():
    """DESIGN.md §2: split a module by topic past ~500 lines; each non-empty module opens with a docstring."""
    too_long, undocumented = [], []
    for path in _app_modules():
        source = path.read_text()
        if source.count("\n") > MAX_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
        if source.strip() and ast.get_docstring(ast.parse(source)) is None:
            undocumented.append(str(path.relative_to(ROOT)))
    assert too_long == []
    assert undocumented == []


def test_every_route_has_a_namespaced_name():
    """Searching for a route's name finds it: every pattern is named, inside an app namespace (issue 10)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    unnamed: list[str] = []

    def walk(patterns, namespace: str, prefix: str) -> None:  # noqa: ANN001
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and namespace == "admin" and not p.name:
                continue  # Django's own redirect of old admin object URLs
            elif isinstance(p, URLPattern) and (not p.name or not namespace):
                unnamed.append(f"{prefix}{p.pattern} (name={p.name!r}, namespace={namespace!r})")

    walk(get_resolver().url_patterns, "", "/")
    assert unnamed == []
