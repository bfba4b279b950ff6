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


# --- One action registry: views and the admin reach the post operations through scheduler/actions.py -------------

# The services behind the registry's operations. Calendar moves (services/calendar.py), composer create/update
# (services/compose.py), grid swaps (services/grid.py) and media are not registry operations: those services are
# not scanned, their views call them directly.
OPERATION_MODULES = ("approval", "timing", "series", "manual")
# Calls into those services from a view/admin module that are NOT operations of the registry. Each needs a reason.
NOT_OPERATIONS = {
    # The composer shows the next free slot before saving (a read, the same one post_add_to_queue takes).
    ("scheduler/views/compose.py", "timing.queue_slot"),
    # The grid's "next free slot" cell (a read).
    ("scheduler/views/grid.py", "timing.queue_slot"),
}


def registry_bypasses(source: str, rel: str) -> list[str]:
    """Imports of names from the operation services and calls of their functions through a module alias."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local alias → service module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "scheduler.services":
                for a in node.names:
                    if a.name in OPERATION_MODULES:
                        aliases[a.asname or a.name] = a.name
            elif node.module.startswith("scheduler.services.") and node.module.rsplit(".", 1)[1] in OPERATION_MODULES:
                module = node.module.rsplit(".", 1)[1]
                for a in node.names:
                    if (rel, f"{module}.{a.name}") not in NOT_OPERATIONS:
                        found.append(f"line {node.lineno}: from {node.module} import {a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("scheduler.services.") and a.name.rsplit(".", 1)[1] in OPERATION_MODULES:
                    aliases[a.asname or a.name] = a.name.rsplit(".", 1)[1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            name = f"{aliases[node.value.id]}.{node.attr}"
            # Exceptions (ConflictError, …) are not operations; neither is what NOT_OPERATIONS lists.
            if node.attr[:1].isupper() or (rel, name) in NOT_OPERATIONS:
                continue
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return sorted(set(found), key=lambda s: int(s.split()[1].rstrip(":")))


def _view_and_admin_modules() -> list[Path]:
    return sorted([*(ROOT / "scheduler/views").glob("*.py"), *(ROOT / "scheduler/admin").glob("*.py")])


def test_views_and_admin_run_post_operations_through_the_action_registry():
    found = {}
    for path in _view_and_admin_modules():
        rel = str(path.relative_to(ROOT))
        hits = registry_bypasses(path.read_text(), rel)
        if hits:
            found[rel] = hits
    assert found == {}


def test_every_allowed_non_operation_call_is_still_made():
    """An allow-list entry whose call went away is dropped, so it cannot cover a new bypass later."""
    used = set()
    for path in _view_and_admin_modules():
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                for entry in NOT_OPERATIONS:
                    if entry[0] == rel and entry[1].split(".")[1] == node.attr:
                        used.add(entry)
    assert used == NOT_OPERATIONS


def test_the_registry_scan_sees_every_spelling():
    source = '''
from scheduler.services import approval as approval_svc
from scheduler.services import timing
from scheduler.services.series import series_stop
import scheduler.services.manual as manual_svc
from scheduler.services import calendar as services

def view(request, post):
    approval_svc.post_submit(user=request.user, post=post)
    timing.post_cancel(user=request.user, post=post)
    manual_svc.post_mark_posted(user=request.user, post=post, url="")
    services.calendar_move(user=request.user, post=post)
    timing.queue_slot(account=post.account)
    try:
        pass
    except approval_svc.ConflictError:
        pass
'''
    hits = registry_bypasses(source, "scheduler/views/grid.py")
    assert [h.split(":", 1)[0] for h in hits] == ["line 4", "line 9", "line 10", "line 11"]
