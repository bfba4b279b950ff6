"""One writer of post state (issue 19): only lifecycle and the publishing engine change Post.status or Post.version.

An AST scan, like tests/test_layers.py: a queryset `.update(status=…)` / `.update(version=…)` / `F("version")` on Post,
`post.status = …` / `post.version = …` assignments and `save(update_fields=[…"status"…])` anywhere else fail here.
The engine's claim and publish steps keep their own guarded updates (DESIGN.md §4), so engine/ is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("instagram", "accounts", "scheduler", "archive", "demo", "config")
ALLOWED = ("scheduler/services/lifecycle.py", "scheduler/engine/")
# Known violations, each to be removed once its writes move into lifecycle.
KNOWN = {
}
FIELDS = {"status", "version"}


def _root_name(node: ast.AST) -> str | None:
    """`Post` for `Post.objects.filter(...).exclude(...)`: the name at the bottom of an attribute/call chain."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.BinOp):  # qs1 | qs2
            node = node.left
        else:
            return node.id if isinstance(node, ast.Name) else None


def _is_version_f(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "F" and n.args
               and isinstance(n.args[0], ast.Constant) and n.args[0].value == "version" for n in ast.walk(node))


def _post_querysets(tree: ast.AST) -> set[str]:
    """Local names bound to a Post queryset (`rows = Post.objects.filter(...)`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _root_name(node.value) == "Post":
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def writes(source: str, *, post_fields_only_on_post: bool = True) -> list[str]:
    """What in `source` writes Post.status or Post.version (one line each: `line N: what`)."""
    tree = ast.parse(source)
    querysets = _post_querysets(tree) | {"Post"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            on_post = _root_name(node.func.value) in querysets
            if method == "update" and on_post:
                keys = {kw.arg for kw in node.keywords}
                if keys & FIELDS or None in keys or any(_is_version_f(kw.value) for kw in node.keywords):
                    found.append(f"line {node.lineno}: update({', '.join(sorted(k or '**' for k in keys))})")
            elif method == "bulk_update" and on_post:
                found.append(f"line {node.lineno}: bulk_update")
            elif method == "save" and post_fields_only_on_post:
                for kw in node.keywords:
                    if kw.arg == "update_fields" and any(
                            isinstance(c, ast.Constant) and c.value in FIELDS for c in ast.walk(kw.value)):
                        found.append(f"line {node.lineno}: save(update_fields=…status/version…)")
        elif isinstance(node, ast.Assign | ast.AugAssign) and post_fields_only_on_post:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr in FIELDS:
                    found.append(f"line {node.lineno}: .{t.attr} = …")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "F" and _is_version_f(node):
            found.append(f"line {node.lineno}: F('version')")
    return sorted(set(found), key=lambda s: int(s.split()[1].rstrip(":")))


def violations() -> dict[str, list[str]]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if "migrations" in path.parts or rel.startswith(ALLOWED):
                continue
            # Only scheduler has Post; elsewhere `.status =` belongs to other models (archive profiles, accounts).
            hits = writes(path.read_text(), post_fields_only_on_post=rel.startswith("scheduler/"))
            if hits:
                found[rel] = hits
    return found


def test_only_lifecycle_and_the_engine_write_post_status_or_version():
    unexpected = {path: hits for path, hits in violations().items() if path not in KNOWN}
    assert unexpected == {}


def test_every_known_violation_is_still_one():
    """When a known writer moves into lifecycle, drop its KNOWN entry so it cannot come back unnoticed."""
    assert sorted(KNOWN) == sorted(p for p in violations() if p in KNOWN)


def test_the_scan_sees_every_kind_of_write():
    source = '''
def f(post):
    Post.objects.filter(pk=1).update(status="approved")
    rows = Post.objects.filter(pk=1)
    rows.update(version=F("version") + 1)
    (Post.objects.filter(pk=1) | Post.objects.filter(pk=2)).update(**changes)
    Post.objects.filter(pk=1).update(rrule="", occurrence_at=None)
    post.status = "draft"
    post.save(update_fields=["version"])
    Other.objects.filter(pk=1).update(status="x")
'''
    assert {hit.split(":", 1)[0] for hit in writes(source)} == {"line 3", "line 5", "line 6", "line 8", "line 9"}
